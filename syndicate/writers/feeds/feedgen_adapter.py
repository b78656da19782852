"""The one adapter around feedgen: feeds described as plain data, rendered to Atom or RSS bytes,
with feedgen's traps fixed here once and nowhere else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from syndicate.i18n.dates import rfc822, rfc3339_utc
from syndicate.i18n.locales import is_valid_tag

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
_A = f"{{{ATOM_NS}}}"
_M = f"{{{MEDIA_NS}}}"
GENERATOR = "syndicate"


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    rel: str
    type: str | None = None
    hreflang: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    uri: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    term: str
    label: str
    scheme: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """An image as Media RSS `media:content` (and enclosure)."""

    url: str
    type: str
    size: int
    width: int
    height: int
    caption: str | None
    credit: str | None


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    lang: str
    title: str
    link: str
    """The entry's own published page."""
    translations: tuple[Link, ...]
    """`alternate` links with `hreflang` to every language version, this one included."""
    published: datetime
    updated: datetime
    summary: str
    content: str
    """The body as one XHTML `<div>` (with its namespace declared)."""
    authors: tuple[Person, ...]
    categories: tuple[Category, ...]
    media: tuple[Media, ...]
    rights: str | None


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed document's head: everything but its entries."""

    id: str
    lang: str
    title: str
    subtitle: str
    updated: datetime
    self_url: str
    site_url: str
    links: tuple[Link, ...]
    """Links besides self and the site: hub, current, prev-archive, next-archive."""
    author: Person
    logo: str | None
    icon: str | None
    rights: str
    archive: bool
    """An RFC 5005 archive document (marked with `fh:archive`)."""


# An entry is rendered once, alone, and its bytes are kept with the story; a document is its
# head (made by feedgen with no entries) with the entries it lists spliced in. Rendered inside
# a parent that declares the feed's namespaces, an entry uses their prefixes.
_ATOM_NSMAP: dict[str | None, str] = {None: ATOM_NS, "media": MEDIA_NS}
_RSS_NSMAP: dict[str | None, str] = {
    "atom": ATOM_NS,
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": MEDIA_NS,
}


def atom_entry(entry: Entry) -> bytes:
    """One Atom entry, serialised on its own (see `atom_document`)."""
    element = _feedgen_entry(entry).atom_entry()
    # feedgen makes un-namespaced elements and relies on a literal `xmlns` on the feed.
    for child in element.iter(etree.Element):
        if not child.tag.startswith("{"):
            child.tag = _A + child.tag
    _repair_atom_entry(element, entry)
    return _fragment(element, _A + "feed", _ATOM_NSMAP)


def atom_document(feed: Feed, entries: Sequence[bytes]) -> bytes:
    """The feed as an Atom 1.0 document with these entries, in this order."""
    # feedgen fakes the Atom namespace with a literal `xmlns` attribute on un-namespaced
    # elements; parsing its output gives a tree whose elements really are in the namespace.
    root = _parse(_generator(feed, "application/atom+xml").atom_str())
    # feedgen writes isoformat() (`+00:00`, microseconds); partners expect RFC 3339 in UTC.
    _set_text(root.find(_A + "updated"), rfc3339_utc(feed.updated))
    for data in entries:
        root.append(_parse(data))
    if feed.archive:
        _archive_marker(root)
    return _serialise(root)


def rss_item(entry: Entry) -> bytes:
    """One RSS item, serialised on its own (see `rss_document`)."""
    element = _feedgen_entry(entry).rss_entry()
    _repair_rss_item(element, entry)
    return _fragment(element, "rss", _RSS_NSMAP)


def rss_document(feed: Feed, items: Sequence[bytes]) -> bytes:
    """The feed as an RSS 2.0 document with these items, in this order."""
    root = _parse(_generator(feed, "application/rss+xml").rss_str())
    channel = root.find("channel")
    # feedgen formats RSS dates with strftime under a switched process locale; one helper
    # writes every RFC 822 date instead.
    _set_text(channel.find("lastBuildDate"), rfc822(feed.updated))
    # feedgen keeps only the self link in RSS; RFC 5005 (appendix B) and WebSub use atom:link.
    anchor = channel.find(_A + "link")
    for link in reversed(feed.links):
        anchor.addnext(_atom_link(link))
    for data in items:
        channel.append(_parse(data))
    if feed.archive:
        _archive_marker(channel)
    return _serialise(root)


def feedgen_document(feed: Feed, entries: Sequence[Entry], self_type: str) -> FeedGenerator:
    """feedgen's own generator of a whole document (heads and entries in one go): what the
    benchmark times syndicate against. Its Atom and RSS output need the repairs above."""
    fg = _generator(feed, self_type)
    for entry in entries:
        # feedgen prepends entries by default, which would reverse the order we chose.
        _fill_entry(fg.add_entry(order="append"), entry)
    return fg


def _generator(feed: Feed, self_type: str) -> FeedGenerator:
    if not is_valid_tag(feed.lang):
        # feedgen passes any string through; `en_US` is a Python locale, not a language tag.
        raise ValueError(f"{feed.lang!r} is not a BCP 47 language tag")
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.load_extension("media")
    fg.id(feed.id)
    fg.title(feed.title)
    fg.subtitle(feed.subtitle)
    fg.language(feed.lang)
    # Without an explicit value feedgen stamps datetime.now() into updated and lastBuildDate.
    fg.updated(feed.updated)
    fg.link(href=feed.self_url, rel="self", type=self_type)
    for link in feed.links:
        fg.link(_as_dict(link))
    # Last: feedgen takes the RSS channel link from the last link added, whatever its rel.
    fg.link(href=feed.site_url, rel="alternate", type="text/html")
    fg.author(_as_dict(feed.author))
    # feedgen's default generator carries its own version number; ours says only who made it.
    fg.generator(GENERATOR)
    if feed.logo:
        fg.image(url=feed.logo, title=feed.title, link=feed.site_url)
    if feed.icon:
        fg.icon(feed.icon)
    fg.rights(feed.rights)
    return fg


def _feedgen_entry(entry: Entry) -> FeedEntry:
    if not is_valid_tag(entry.lang):
        raise ValueError(f"{entry.lang!r} is not a BCP 47 language tag")
    fe = FeedEntry()
    fe.load_extension("dc", atom=False, rss=True)
    fe.load_extension("media")
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
    fe.dc.dc_language(entry.lang)
    for cat in entry.categories:
        fe.category(_as_dict(cat))
    for item in entry.media:
        fe.media.content(
            url=item.url,
            type=item.type,
            fileSize=str(item.size),
            width=str(item.width),
            height=str(item.height),
            medium="image",
            group=None,
        )


def _repair_atom_entry(element: etree._Element, entry: Entry) -> None:
    _set_text(element.find(_A + "updated"), rfc3339_utc(entry.updated))
    _set_text(element.find(_A + "published"), rfc3339_utc(entry.published))
    # feedgen's entry link loop reads rel/type/hreflang from the new element instead of the
    # data, so every entry link loses them: rebuild the links from our data.
    for link in element.findall(_A + "link"):
        element.remove(link)
    anchor = element.find(_A + "updated")
    for link in reversed(_entry_links(entry)):
        anchor.addnext(_atom_link(link))
    _complete_media(element, entry)


def _entry_links(entry: Entry) -> list[Link]:
    """The entry's own page first without `hreflang` and last with it, translations between:
    readers that take the first alternate (Rome, gofeed) and those that take the last
    (feedparser) both find the entry's own page, and no two alternates share type and
    hreflang (RFC 4287, 4.1.1)."""
    own = [t for t in entry.translations if t.hreflang == entry.lang]
    others = [t for t in entry.translations if t.hreflang != entry.lang]
    enclosures = [Link(m.url, "enclosure", m.type, length=m.size) for m in entry.media]
    return [Link(entry.link, "alternate", "text/html"), *others, *own, *enclosures]


def _repair_rss_item(element: etree._Element, entry: Entry) -> None:
    _set_text(element.find("pubDate"), rfc822(entry.published))
    # RSS items have no update date; atom:updated is what feedparser and aggregators read.
    updated = etree.Element(_A + "updated")
    updated.text = rfc3339_utc(entry.updated)
    element.find("pubDate").addnext(updated)
    _complete_media(element, entry)


def _complete_media(element: etree._Element, entry: Entry) -> None:
    """feedgen's Media RSS has attributes only: add the caption and credit."""
    for content, item in zip(element.iterfind(_M + "content"), entry.media, strict=True):
        if item.caption:
            description = etree.SubElement(content, _M + "description", type="plain")
            description.text = item.caption
        if item.credit:
            etree.SubElement(content, _M + "credit").text = item.credit


def _archive_marker(parent: etree._Element) -> None:
    marker = etree.Element(f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS})
    parent.insert(0, marker)


def _atom_link(link: Link) -> etree._Element:
    element = etree.Element(_A + "link", href=link.href, rel=link.rel)
    for name in ("type", "hreflang", "length"):
        value = getattr(link, name)
        if value is not None:
            element.set(name, str(value))
    return element


def _as_dict(value: Link | Person | Category) -> dict[str, str]:
    """feedgen's dict form of a value: strings only, unset fields left out."""
    # Shallow, unlike dataclasses.asdict (a deep copy): the fields are plain values, and this
    # runs for every link, author and category of every feed.
    fields = ((name, getattr(value, name)) for name in value.__slots__)
    return {k: str(v) for k, v in fields if v is not None}


def _fragment(element: etree._Element, parent: str, nsmap: dict[str | None, str]) -> bytes:
    """The element's bytes, namespace prefixes taken from a parent with `nsmap` (lxml
    reconciles the element's own declarations with the parent's when it moves there)."""
    etree.Element(parent, nsmap=nsmap).append(element)
    data: bytes = etree.tostring(element, encoding="UTF-8")
    return data


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    return etree.fromstring(data, parser)


def _set_text(element: etree._Element | None, text: str) -> None:
    if element is None:
        raise ValueError("feedgen did not write an expected element")
    element.text = text


def _serialise(root: etree._Element) -> bytes:
    etree.cleanup_namespaces(root)
    data: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + data
