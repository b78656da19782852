"""`syndicate validate --outputs` for `out/sitemaps/`: every file well-formed and valid against
our profile schema, within the protocol's limits (URLs per file, bytes per file), every URL one
the site publishes, and every sitemap the index lists present beside it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.checking import output_files, read_output, xml_tree
from syndicate.formats.contract import Context
from syndicate.formats.sitemap.vocabulary import (
    FOLDER,
    NEWS_LIMIT,
    NEWS_NS,
    PROFILE,
    SITEMAP_NS,
    SIZE_LIMIT,
    URL_LIMIT,
    url_prefixes,
)
from syndicate.readers.schemas import schema_path
from syndicate.xmlbase import XHTML_NS, clark

LOC = clark(SITEMAP_NS, "loc")
URL = clark(SITEMAP_NS, "url")
NEWS = clark(NEWS_NS, "news")
LINK = clark(XHTML_NS, "link")


@cache
def profile() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path(PROFILE))))


def validate_folder(out: Path, ctx: Context[Any]) -> None:
    for path in output_files(out, FOLDER, (".xml",), ctx.diagnostics):
        check_file(path, out, ctx)


def check_file(path: Path, out: Path, ctx: Context[Any]) -> None:
    diags = ctx.diagnostics
    shown = str(path)
    data = read_output(path, diags)
    if data is None:
        return
    if len(data) > SIZE_LIMIT:
        diags.error("sitemap.limit", f"larger than {SIZE_LIMIT:,} bytes; split it", shown)
    tree = xml_tree(data, shown, diags)
    if tree is None:
        return
    schema = profile()
    if not schema.validate(tree):
        for error in schema.error_log:
            diags.error("sitemap.xsd", error.message, f"{shown}:{error.line}")
        return
    root = tree.getroot()
    _check_counts(root, shown, diags)
    _check_urls(root, shown, ctx)
    if etree.QName(root).localname == "sitemapindex":
        _check_index(root, shown, out, ctx)


def _check_counts(root: etree._Element, shown: str, diags: Diagnostics) -> None:
    count = len(root)
    news = root.find(f"{URL}/{NEWS}") is not None
    limit = NEWS_LIMIT if news else URL_LIMIT
    if count > limit:
        what = "URLs in a News sitemap" if news else "entries"
        diags.error("sitemap.limit", f"{count:,} {what}; at most {limit:,} to a file", shown)


def _check_urls(root: etree._Element, shown: str, ctx: Context[Any]) -> None:
    prefixes = url_prefixes(ctx.config)
    for element in root.iter(LOC, LINK):
        url = element.text if element.tag == LOC else element.get("href")
        if not (url or "").startswith(prefixes):
            ctx.diagnostics.error(
                "sitemap.url",
                f"{url} is not a page of this site (it must start with {' or '.join(prefixes)})",
                f"{shown}:{element.sourceline}",
            )


def _check_index(root: etree._Element, shown: str, out: Path, ctx: Context[Any]) -> None:
    """Each sitemap the index lists is a file of out/sitemaps/."""
    own = ctx.urls.output(f"{FOLDER}/")
    for loc in root.iter(LOC):
        url = loc.text or ""
        name = url.removeprefix(own)
        if name == url or "/" in name or not (out / FOLDER / name).is_file():
            ctx.diagnostics.error(
                "sitemap.index",
                f"{url} is not a sitemap in {out / FOLDER}",
                f"{shown}:{loc.sourceline}",
            )
