"""Checking published pages: each parses, carries one JSON-LD block our schema accepts, and says
the same language in `<html lang>` as in its JSON-LD."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from syndicate.formats.checking import json_value, read_output
from syndicate.formats.contract import Context
from syndicate.formats.jsonld.graph import report_schema_problems


def validate_page(path: Path, ctx: Context[Any]) -> None:
    shown = str(path)
    html = read_output(path, ctx.diagnostics)
    if html is None:
        return
    try:
        doc = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        ctx.diagnostics.error("html.parse", f"cannot parse the page: {exc}", shown)
        return
    scripts = doc.xpath('//script[@type="application/ld+json"]')
    if not scripts and doc.xpath('//meta[@name="robots"][@content="noindex"]'):
        return  # the notice that replaced a killed story: no article, so no JSON-LD
    if len(scripts) != 1:
        ctx.diagnostics.error("html.jsonld", f"{len(scripts)} JSON-LD blocks; expected one", shown)
        return
    where = f"{shown}:{scripts[0].sourceline}"
    data = json_value(scripts[0].text or "", where, ctx.diagnostics)
    if data is None:
        return
    report_schema_problems(data, where, ctx)
    lang = doc.get("lang")
    graph = data.get("@graph") if isinstance(data, dict) else None
    page = graph[-1] if isinstance(graph, list) and graph else {}
    said = page.get("inLanguage") if isinstance(page, dict) else None
    if lang != said and not (isinstance(said, list) and lang in said):
        ctx.diagnostics.error(
            "html.lang", f"<html lang={lang!r}> but the JSON-LD says inLanguage {said!r}", shown
        )
