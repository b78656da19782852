"""The RFC 4287 rules RELAX NG cannot express, for every Atom document syndicate writes: the
feeds (`feeds`) and the OPDS catalog (`epub`), which may not import each other."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from syndicate.i18n.locales import is_valid_tag
from syndicate.xmlbase import ATOM_NS, XML_LANG

NS = {"a": ATOM_NS}

Problem = tuple[int, str, str]
"""(line, code, message)."""


def atom_problems(feed: etree._Element, *, language: bool = True) -> Iterator[Problem]:
    """RFC 4287 rules outside the schema, and the promises syndicate makes about its feeds: a
    BCP 47 `xml:lang` on the feed (unless `language` is False, for a feed of several
    languages that says each entry's) and `self` as its first link."""
    if feed.tag != f"{{{ATOM_NS}}}feed":
        yield feed.sourceline or 0, "atom.root", "the root element is not atom:feed"
        return
    if language:
        yield from language_problems(feed, feed.get(XML_LANG), "atom.lang")
    links = feed.findall("a:link", NS)
    if not links or links[0].get("rel") != "self":
        yield feed.sourceline or 0, "atom.self", "the first link of the feed must be rel=self"
    yield from _alternates(feed)
    feed_author = feed.find("a:author", NS) is not None
    ids: set[str] = set()
    for entry in feed.iterfind("a:entry", NS):
        line = entry.sourceline or 0
        if not feed_author and entry.find("a:author", NS) is None:
            yield line, "atom.author", "an entry without author in a feed without author"
        alternate = entry.find("a:link[@rel='alternate']", NS) is not None
        if not alternate and entry.find("a:content", NS) is None:
            yield line, "atom.alternate", "an entry with neither an alternate link nor content"
        yield from _alternates(entry)
        ident = entry.findtext("a:id", "", NS)
        if ident in ids:
            yield line, "atom.id", f"entry id {ident!r} appears twice"
        ids.add(ident)


def _alternates(element: etree._Element) -> Iterator[Problem]:
    """RFC 4287 4.1.1 and 4.1.2: no two alternate links of a feed or an entry with the same
    type and hreflang (a link without `rel` is an alternate one)."""
    seen: set[tuple[str, str]] = set()
    for link in element.iterfind("a:link", NS):
        if link.get("rel", "alternate") != "alternate":
            continue
        key = (link.get("type", ""), link.get("hreflang", ""))
        if key in seen:
            yield (
                link.sourceline or 0,
                "atom.alternate",
                f"a second alternate link with type {key[0]!r} and hreflang {key[1]!r}",
            )
        seen.add(key)


def language_problems(element: etree._Element, tag: str | None, code: str) -> Iterator[Problem]:
    if not tag or not is_valid_tag(tag):
        yield element.sourceline or 0, code, f"{tag!r} is not a BCP 47 language tag"
