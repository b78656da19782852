"""Checking published pages: each parses, carries one JSON-LD block our schema accepts, and says
the same language in `<html lang>` as in its JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from syndicate.formats.contract import Context
from syndicate.formats.jsonld.graph import report_schema_problems


def validate_page(path: Path, ctx: Context[Any]) -> None:
    shown = str(path)
    try:
        doc = lxml_html.fromstring(path.read_bytes())
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
    try:
        data = json.loads(scripts[0].text or "")
    except ValueError as exc:
        ctx.diagnostics.error("html.jsonld", f"embedded JSON-LD is not valid JSON: {exc}", where)
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
