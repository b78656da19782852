"""feedgen's own entries, for the tests and the bench only: the RSS item feedgen's `FeedEntry`
makes, repaired as `rss_item` repaired it until it built the item itself (the reference
`tests/test_fast_paths.py` holds `rss_item`'s bytes to), and a whole document made by feedgen
(what the bench's `atom_vs_feedgen` times syndicate's Atom against). syndicate itself uses
feedgen for the feed documents' heads and the kill items alone
(`syndicate.formats.feeds.feedgen_adapter`)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from lxml import etree

from syndicate.formats.feeds.feedgen_adapter import (
    Entry,
    Feed,
    Link,
    _as_dict,
    _atom_link,
    _complete_media,
    _generator,
    _media_attributes,
    _set_text,
)
from syndicate.i18n.dates import rfc822, rfc3339_utc
from syndicate.i18n.locales import is_valid_tag
from syndicate.xmlbase import ATOM_NS

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry
    from feedgen.feed import FeedGenerator

_A = f"{{{ATOM_NS}}}"


def feedgen_rss_item(entry: Entry) -> etree._Element:
    """The item feedgen makes of `entry` (`FeedEntry.rss_entry`), repaired: what `rss_item`
    builds directly."""
    element = feedgen_entry(entry).rss_entry()
    _repair_rss_item(element, entry)
    return element


def feedgen_document(feed: Feed, entries: Sequence[Entry], self_type: str) -> FeedGenerator:
    """feedgen's own generator of a whole document (heads and entries in one go): what the
    benchmark times syndicate against. Its Atom and RSS output need the adapter's repairs."""
    fg = _generator(feed, self_type)
    for entry in entries:
        # feedgen prepends entries by default, which would reverse the order we chose.
        _fill_entry(fg.add_entry(order="append"), entry)
    return fg


def feedgen_entry(entry: Entry) -> FeedEntry:
    if not is_valid_tag(entry.lang):
        raise ValueError(f"{entry.lang!r} is not a BCP 47 language tag")
    from feedgen.entry import FeedEntry
    from feedgen.ext.dc import DcEntryExtension
    from feedgen.ext.media import MediaEntryExtension

    fe = FeedEntry()
    # What load_extension("dc"/"media") registers, without its import per entry.
    fe.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    fe.register_extension("media", MediaEntryExtension)
    _fill_entry(fe, entry)
    return fe


def _fill_entry(fe: FeedEntry, entry: Entry) -> None:
    fe.id(entry.id)
    fe.title(entry.title)
    fe.updated(entry.updated)
    fe.published(entry.published)
    fe.link(href=entry.link, rel="alternate", type="text/html")
    for item in entry.media[:1]:
        # RSS allows one enclosure per item: the first image; every image is in Media RSS.
        fe.enclosure(url=item.url, length=str(item.size), type=item.type)
    fe.summary(entry.summary)
    fe.description(escape(entry.summary, quote=False))
    fe.content(entry.content, type="xhtml")
    if entry.rights:
        fe.rights(entry.rights)
    if entry.authors:
        fe.author([_as_dict(p) for p in entry.authors])
        # RSS <author> must be an e-mail address; dc:creator carries plain names.
        fe.dc.dc_creator([p.name for p in entry.authors], replace=True)
    if entry.contributors:
        # Atom's contributors too (feedgen writes them in Atom only); RSS has dc:contributor.
        fe.contributor([_as_dict(p) for p in entry.contributors])
        fe.dc.dc_contributor([p.name for p in entry.contributors], replace=True)
    fe.dc.dc_language(entry.lang)
    for cat in entry.categories:
        # RSS carries one text per category: the code when it is a vocabulary's (the scheme as
        # its domain), the name when it is only a name (the section).
        rss = {"term": cat.term, "scheme": cat.scheme} if cat.scheme else _as_dict(cat)
        fe.category(rss)
    for item in entry.media:
        fe.media.content(_media_attributes(item), group=None)


def _repair_rss_item(element: etree._Element, entry: Entry) -> None:
    _set_text(element.find("pubDate"), rfc822(entry.published))
    # RSS items have no update date; atom:updated is what feedparser and aggregators read.
    updated = etree.Element(_A + "updated")
    updated.text = rfc3339_utc(entry.updated)
    element.find("pubDate").addnext(updated)
    # The other languages, as Atom entries link them (RSS has no element of its own for it);
    # the item's own page last, as readers that take the last alternate (feedparser) expect.
    guid = element.find("guid")
    others = [t for t in entry.translations if t.hreflang != entry.lang]
    if others:
        own = Link(entry.link, "alternate", "text/html", entry.lang)
        for link in reversed([*others, own]):
            guid.addnext(_atom_link(link))
    _complete_media(element, entry)
