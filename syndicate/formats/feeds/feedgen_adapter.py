"""The one adapter around feedgen: feeds described as plain data, rendered to Atom or RSS bytes,
with feedgen's traps fixed here once and nowhere else."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from lxml import etree
from lxml.builder import ElementMaker

from syndicate.i18n.dates import rfc822, rfc3339_utc
from syndicate.i18n.locales import is_valid_tag, stated_tag
from syndicate.xmlbase import (
    ATOM_NS,
    CONTENT_NS,
    DC_NS,
    HISTORY_NS,
    MEDIA_NS,
    TOMBSTONES_NS,
    XHTML_NS,
    XML_LANG,
    safe_parser,
)

if TYPE_CHECKING:  # feedgen is imported where a feed is made, not when the writers load
    from feedgen.feed import FeedGenerator

_A = f"{{{ATOM_NS}}}"
_M = f"{{{MEDIA_NS}}}"
_X = f"{{{XHTML_NS}}}"
_XHTML_NSMAP: dict[str | None, str] = {None: XHTML_NS}
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
    """When the story reached the public (`Story.public_since`: after an embargo, its end)."""
    updated: datetime
    """Its last change as the public saw it (`Story.public_updated_for`), never before
    `published`."""
    summary: str
    content: str
    """The body as one XHTML `<div>` (with its namespace declared)."""
    authors: tuple[Person, ...]
    categories: tuple[Category, ...]
    media: tuple[Media, ...]
    rights: str | None
    contributors: tuple[Person, ...] = ()
    """The byline's people credited for something else than the text (a translator, a
    photographer): Atom's `contributor`, RSS's `dc:contributor`, never among the authors."""
    body: etree._Element | None = field(default=None, compare=False, repr=False)
    """The tree `content` was serialised from, when there is one: an Atom entry takes a copy of
    it instead of parsing `content` again."""
    rights_lang: str | None = None
    """The language of `rights` when it is not the entry's (the original's notice, in a
    language that has none): Atom says it with `xml:lang`."""


@dataclass(frozen=True, slots=True)
class Logo:
    """A feed's image: where it is, and its size."""

    url: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A story killed or withdrawn after it was in the feeds: what replaces its entry."""

    id: str
    """The entry's id (the variant's permanent id)."""
    lang: str
    title: str
    """The notice's title ("Story no longer available")."""
    comment: str
    """The notice: what happened, in the feed's language."""
    link: str
    """The story's page, which now shows the notice (RSS's kill item links it; Atom's
    deleted-entry does not, see `atom_tombstone`)."""
    when: datetime
    published: datetime | None = None
    """When the story reached the public in the language: a feed that dates its items by
    their publication (a profile's `pubdate: published`) keeps that date on the kill item."""


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
    """The site the feed belongs to, in HTML (the Atom `alternate`, RSS `<link>`): the story
    list of its language or section (`StoryLists`), else `publisher.url`."""
    site_lang: str | None
    """`site_url`'s language when it is a page of one (Atom's `hreflang`)."""
    links: tuple[Link, ...]
    """Links besides self and the site: hub, current, prev-archive, next-archive."""
    author: Person
    logo: Logo | None
    icon: str | None
    rights: str
    archive: bool
    """An RFC 5005 archive document (marked with `fh:archive`)."""


@dataclass(frozen=True, slots=True)
class RssDialect:
    """A partner's own RSS 2.0 (see `syndicate.formats.partners`): the namespaces it uses, and
    what it changes in each item, kill item and channel once the plain RSS is made. Declared
    once on the document and on each item alone, so an item's bytes stay those it has in the
    document."""

    namespaces: Mapping[str, str] = field(default_factory=dict)
    item: Callable[[etree._Element, Entry], None] | None = None
    kill: Callable[[etree._Element, Tombstone], None] | None = None
    channel: Callable[[etree._Element, Feed], None] | None = None
    plain_description: bool = False
    """The descriptions are plain text, escaped once (MSN), not RSS 2.0's escaped HTML."""


PLAIN_RSS = RssDialect()
"""The RSS of the `rss` format."""


# An entry is rendered once, alone, and its bytes are kept with the story; a document is its
# head (made by feedgen with no entries) with the entries it lists spliced in as text. An entry
# is serialised inside a document of the same namespaces at the depth entries have, so its
# bytes are those it has in any document: prefixes and indentation included.
_ENTRIES = "syndicate:entries"
"""A comment standing where the entries go while the head is serialised."""
_ATOM_NSMAP: dict[str | None, str] = {None: ATOM_NS, "media": MEDIA_NS}
T = ElementMaker(namespace=TOMBSTONES_NS, nsmap={**_ATOM_NSMAP, "at": TOMBSTONES_NS})
_RSS_NSMAP: dict[str | None, str] = {
    "atom": ATOM_NS,
    "content": CONTENT_NS,
    "dc": DC_NS,
    "media": MEDIA_NS,
}


def atom_entry(entry: Entry) -> bytes:
    """One Atom entry, serialised on its own (see `atom_document`).

    Built here rather than by feedgen: feedgen's entry needs three repairs (a faked namespace,
    entry links that lose rel, type and hreflang, isoformat dates) that cost more than building
    it, and it reparses the content we already hold as a tree. The element order and content
    are feedgen's, repaired."""
    root = etree.Element(_A + "feed", nsmap=_ATOM_NSMAP)
    element = etree.SubElement(root, _A + "entry")
    _sub(element, _A + "id", entry.id)
    _sub(element, _A + "title", entry.title)
    _sub(element, _A + "updated", rfc3339_utc(entry.updated))
    for link in _entry_links(entry):
        etree.SubElement(element, _A + "link", _link_attributes(link))
    for person in entry.authors:
        element.append(_atom_person(person))
    # The Atom container <div> (RFC 4287, 4.1.3.1), then the body's own <div lang>.
    content = etree.SubElement(element, _A + "content", type="xhtml")
    etree.SubElement(content, _X + "div", nsmap=_XHTML_NSMAP).append(_body(entry))
    _sub(element, _A + "summary", entry.summary or None)
    for cat in entry.categories:
        etree.SubElement(element, _A + "category", _category_attributes(cat))
    for person in entry.contributors:
        element.append(_atom_person(person, "contributor"))
    _sub(element, _A + "published", rfc3339_utc(entry.published))
    if entry.rights:
        _sub(element, _A + "rights", entry.rights)
        if entry.rights_lang:  # an English notice in an Arabic feed is no Arabic
            element[-1].set(XML_LANG, stated_tag(entry.rights_lang))
    for item in entry.media:
        etree.SubElement(element, _M + "content", _media_attributes(item))
    _complete_media(element, entry)
    return _fragment(root, b"entry")


def _sub(parent: etree._Element, tag: str, text: str | None) -> None:
    etree.SubElement(parent, tag).text = text


def _body(entry: Entry) -> etree._Element:
    """The entry's body as a tree of its own. Parsed, white space between elements is kept:
    the space between two inline elements is a word space."""
    if entry.body is not None:
        return copy.deepcopy(entry.body)
    return etree.fromstring(entry.content.encode("utf-8"), safe_parser())


def _atom_person(person: Person, tag: str = "author") -> etree._Element:
    author = etree.Element(_A + tag)
    _sub(author, _A + "name", person.name)
    if person.email:
        _sub(author, _A + "email", person.email)
    if person.uri:
        _sub(author, _A + "uri", person.uri)
    return author


def _category_attributes(category: Category) -> dict[str, str]:
    """term, then scheme and label when given: feedgen's order."""
    attributes = {"term": category.term}
    if category.scheme:
        attributes["scheme"] = category.scheme
    if category.label:
        attributes["label"] = category.label
    return attributes


def atom_tombstone(tombstone: Tombstone) -> bytes:
    """An RFC 6721 deleted-entry, serialised on its own like an entry (see `atom_document`):
    its `ref`, `when` and comment, and no `atom:link` (optional in RFC 6721). feedparser, which
    knows no deleted-entry, reads a link inside one as the feed's own: an `alternate` became
    the feed's home page (`feed.link`), any other rel a link of the feed's. The `ref` is the
    entry's id, whose page a reader already has."""
    element = T(
        "deleted-entry",
        T.comment(tombstone.comment),
        ref=tombstone.id,
        when=rfc3339_utc(tombstone.when),
    )
    root = etree.Element(_A + "feed", nsmap={**_ATOM_NSMAP, "at": TOMBSTONES_NS})
    root.append(element)
    return _fragment(root, b"at:deleted-entry")


def atom_document(feed: Feed, entries: Sequence[bytes]) -> bytes:
    """The feed as an Atom 1.0 document with these entries (and deleted-entries), in this
    order."""
    # feedgen fakes the Atom namespace with a literal `xmlns` attribute on un-namespaced
    # elements; parsing its output gives a tree whose elements really are in the namespace.
    root = _parse(_generator(feed, "application/atom+xml").atom_str())
    if any(b"<at:" in entry for entry in entries):
        root = _with_namespace(root, "at", TOMBSTONES_NS)
    # feedgen writes isoformat() (`+00:00`, microseconds); partners expect RFC 3339 in UTC.
    _set_text(root.find(_A + "updated"), rfc3339_utc(feed.updated))
    if feed.archive:
        _archive_marker(root)
    return _splice(root, root, entries)


def rss_item(entry: Entry, dialect: RssDialect = PLAIN_RSS) -> bytes:
    """One RSS item, serialised on its own (see `rss_document`).

    Built here, as `atom_entry` is, rather than by feedgen's `FeedEntry` and then repaired:
    its setters check and copy every value, and the repairs (RFC 822 dates, `atom:updated`,
    the translations' links, the images' captions) then rewrite a third of what it made,
    together about a twentieth of an HTML and RSS export. The elements, their order and
    their text are those of feedgen's item repaired (`tests/feedgen_reference.py`, which
    `tests/test_fast_paths.py` checks this against)."""
    root = etree.Element("rss", nsmap=_rss_nsmap(dialect))
    element = etree.SubElement(etree.SubElement(root, "channel"), "item")
    _fill_rss_item(element, entry)
    if dialect.item is not None:
        dialect.item(element, entry)
    return _rss_plain_text(_fragment(root, b"item"))


_C = f"{{{CONTENT_NS}}}"
_DC = f"{{{DC_NS}}}"


def _fill_rss_item(item: etree._Element, entry: Entry) -> None:
    """`entry` as feedgen's item, repaired, was: feedgen's `rss_entry` (its elements and their
    order, an empty value leaving its element out as feedgen does), then its extensions (Dublin
    Core, Media RSS) and our repairs."""
    if not is_valid_tag(entry.lang):
        raise ValueError(f"{entry.lang!r} is not a BCP 47 language tag")
    if entry.published.tzinfo is None or entry.updated.tzinfo is None:
        # feedgen's setters refused them; `astimezone` would take the machine's time zone.
        raise ValueError(f"{entry.id}: a date without a time zone")
    if entry.title:
        _sub(item, "title", entry.title)
    if entry.link:
        _sub(item, "link", entry.link)
    description = escape(entry.summary, quote=False)
    if description:
        _sub(item, "description", description)
        _sub(item, _C + "encoded", entry.content)
    else:  # feedgen's item without a description takes the content as its description
        _sub(item, "description", entry.content)
    for person in entry.authors:  # RSS's <author> is an e-mail address; dc:creator the names
        if person.email:
            name = person.name
            _sub(item, "author", f"{person.email} ({name})" if name else person.email)
    if entry.id:
        guid = etree.SubElement(item, "guid", isPermaLink="false")
        guid.text = entry.id
        # The other languages, as Atom entries link them (RSS has no element of its own for
        # it); the item's own page last, as readers that take the last alternate (feedparser)
        # expect.
        others = [t for t in entry.translations if t.hreflang != entry.lang]
        if others:
            for link in [*others, Link(entry.link, "alternate", "text/html", entry.lang)]:
                etree.SubElement(item, _A + "link", _link_attributes(link))
    for cat in entry.categories:
        # RSS carries one text per category: the code when it is a vocabulary's (the scheme as
        # its domain), the name when it is only a name (the section).
        if cat.scheme:
            etree.SubElement(item, "category", domain=cat.scheme).text = cat.term
        else:
            _sub(item, "category", cat.label)
    for first in entry.media[:1]:
        # RSS allows one enclosure per item: the first image; every image is in Media RSS.
        attributes = {"url": first.url, "length": str(first.size), "type": first.type}
        etree.SubElement(item, "enclosure", attributes)
    _sub(item, "pubDate", rfc822(entry.published))
    # RSS items have no update date; atom:updated is what feedparser and aggregators read.
    _sub(item, _A + "updated", rfc3339_utc(entry.updated))
    for person in entry.contributors:
        _sub(item, _DC + "contributor", person.name)
    for person in entry.authors:
        _sub(item, _DC + "creator", person.name)
    _sub(item, _DC + "language", stated_tag(entry.lang))
    for media in entry.media:
        attributes = {k: v for k, v in _media_attributes(media).items() if v}
        content = etree.SubElement(item, _M + "content", attributes)
        if media.caption:
            description = etree.SubElement(content, _M + "description", type="plain")
            description.text = media.caption
        if media.credit:
            etree.SubElement(content, _M + "credit").text = media.credit


_RSS_PLAIN = re.compile(
    rb"<(title|category|author|dc:creator|dc:contributor|media:title|media:credit|media:description|source)"
    rb"([ >][^<]*)</\1>"
)
"""RSS elements of plain text (not HTML, as `description` is), on one line as serialised."""


def _rss_plain_text(data: bytes) -> bytes:
    """RSS with `<` and `&` in plain text written as hexadecimal references (`&#x3C;`,
    `&#x26;`), as the RSS Best Practices Profile asks: a headline "x<y & z" as `&lt;` and
    `&amp;` is read as HTML by some aggregators (the W3C Feed Validator's `CharacterData`
    warning). The same text to an XML parser."""
    if b"&lt;" not in data and b"&amp;" not in data:
        return data

    def hex_refs(found: re.Match[bytes]) -> bytes:
        text = found.group(0)
        return text.replace(b"&lt;", b"&#x3C;").replace(b"&amp;", b"&#x26;")

    return _RSS_PLAIN.sub(hex_refs, data)


def rss_kill_item(tombstone: Tombstone, dialect: RssDialect = PLAIN_RSS) -> bytes:
    """The item of a story killed or withdrawn after it was in the feeds: the same guid, the
    notice as title and description, the kill's time as its date, so that aggregators replace
    the story with the notice. (Media RSS's `media:status` would say it too, but the W3C Feed
    Validator refuses it; partner profiles that want it add it.)"""
    from feedgen.entry import FeedEntry

    fe = FeedEntry()
    fe.id(tombstone.id)
    fe.title(tombstone.title)
    fe.link(href=tombstone.link, rel="alternate", type="text/html")
    fe.description(escape(tombstone.comment, quote=False))
    fe.published(tombstone.when)
    element = fe.rss_entry()
    _set_text(element.find("pubDate"), rfc822(tombstone.when))
    updated = etree.Element(_A + "updated")
    updated.text = rfc3339_utc(tombstone.when)
    element.find("pubDate").addnext(updated)
    root = etree.Element("rss", nsmap=_rss_nsmap(dialect))
    etree.SubElement(root, "channel").append(element)
    if dialect.kill is not None:
        dialect.kill(element, tombstone)
    return _rss_plain_text(_fragment(root, b"item"))


def _rss_nsmap(dialect: RssDialect) -> dict[str | None, str]:
    nsmap = dict(_RSS_NSMAP)
    nsmap.update(dialect.namespaces)
    return nsmap


def rss_document(feed: Feed, items: Sequence[bytes], dialect: RssDialect = PLAIN_RSS) -> bytes:
    """The feed as an RSS 2.0 document with these items, in this order."""
    root = _parse(_generator(feed, "application/rss+xml").rss_str())
    for prefix, uri in dialect.namespaces.items():
        if root.nsmap.get(prefix) != uri:
            root = _with_namespace(root, prefix, uri)
    channel = root.find("channel")
    # feedgen formats RSS dates with strftime under a switched process locale; one helper
    # writes every RFC 822 date instead.
    _set_text(channel.find("lastBuildDate"), rfc822(feed.updated))
    # feedgen keeps only the self link in RSS; RFC 5005 (appendix B) and WebSub use atom:link.
    anchor = channel.find(_A + "link")
    for link in reversed(feed.links):
        anchor.addnext(_atom_link(link))
    if feed.archive:
        _archive_marker(channel)
    if dialect.channel is not None:
        dialect.channel(channel, feed)
    # RSS 2.0's description is HTML, as the items' are (`escape` in `_fill_rss_item`): the text
    # escaped once more, or `<i>` in a publisher's name is markup to a reader. (feedgen writes
    # the same subtitle for Atom, where it is type="text".)
    description = channel.find("description")
    if description is not None and description.text and not dialect.plain_description:
        description.text = escape(description.text, quote=False)
    return _splice(root, channel, items, _rss_plain_text)


def _generator(feed: Feed, self_type: str) -> FeedGenerator:
    if not is_valid_tag(feed.lang):
        # feedgen passes any string through; `en_US` is a Python locale, not a language tag.
        raise ValueError(f"{feed.lang!r} is not a BCP 47 language tag")
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.load_extension("media")
    fg.id(feed.id)
    fg.title(feed.title)
    fg.subtitle(feed.subtitle)
    # Atom's xml:lang and RSS's <language>: the tag BCP 47 prefers (`he` for a site's `iw`)
    fg.language(stated_tag(feed.lang))
    # Without an explicit value feedgen stamps datetime.now() into updated and lastBuildDate.
    fg.updated(feed.updated)
    fg.link(href=feed.self_url, rel="self", type=self_type)
    for link in feed.links:
        fg.link(_as_dict(link))
    # Last: feedgen takes the RSS channel link from the last link added, whatever its rel.
    site = Link(feed.site_url, "alternate", "text/html", feed.site_lang)
    fg.link(_as_dict(site))
    fg.author(_as_dict(feed.author))
    # feedgen's default generator carries its own version number; ours says only who made it.
    fg.generator(GENERATOR)
    if feed.logo:
        logo = feed.logo
        width, height = str(logo.width), str(logo.height)
        fg.image(url=logo.url, title=feed.title, link=feed.site_url, width=width, height=height)
    if feed.icon:
        fg.icon(feed.icon)
    fg.rights(feed.rights)
    return fg


def _media_attributes(item: Media) -> dict[str, str]:
    """A `media:content`'s attributes, in the order feedgen writes them."""
    return {
        "url": item.url,
        "fileSize": str(item.size),
        "type": item.type,
        "medium": "image",
        "height": str(item.height),
        "width": str(item.width),
    }


def _entry_links(entry: Entry) -> list[Link]:
    """The entry's own page first without `hreflang` and last with it, translations between:
    readers that take the first alternate (Rome, gofeed) and those that take the last
    (feedparser) both find the entry's own page, and no two alternates share type and
    hreflang (RFC 4287, 4.1.1)."""
    own = [t for t in entry.translations if t.hreflang == entry.lang]
    others = [t for t in entry.translations if t.hreflang != entry.lang]
    enclosures = [Link(m.url, "enclosure", m.type, length=m.size) for m in entry.media]
    return [Link(entry.link, "alternate", "text/html"), *others, *own, *enclosures]


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
    return etree.Element(_A + "link", _link_attributes(link))


def _link_attributes(link: Link) -> dict[str, str]:
    """An `atom:link`'s attributes, in feedgen's order."""
    attributes = {"href": link.href, "rel": link.rel}
    if link.type is not None:
        attributes["type"] = link.type
    if link.hreflang is not None:
        attributes["hreflang"] = stated_tag(link.hreflang)
    if link.length is not None:
        attributes["length"] = str(link.length)
    return attributes


def _as_dict(value: Link | Person | Category) -> dict[str, str]:
    """feedgen's dict form of a value: strings only, unset fields left out."""
    # Shallow, unlike dataclasses.asdict (a deep copy): the fields are plain values, and this
    # runs for every link, author and category of every feed.
    fields = ((name, getattr(value, name)) for name in value.__slots__)
    return {k: stated_tag(v) if k == "hreflang" else str(v) for k, v in fields if v is not None}


def _fragment(root: etree._Element, tag: bytes) -> bytes:
    """The lines of the one `<tag>` element in `root`, as pretty-printed there."""
    data = _serialise(root)
    opening = re.search(rb"<%s[ >]" % re.escape(tag), data)
    assert opening is not None, tag
    start = data.rindex(b"\n", 0, opening.start()) + 1
    end = data.index(b"\n", data.rindex(b"</%s>" % tag)) + 1
    return data[start:end]


def _with_namespace(root: etree._Element, prefix: str, uri: str) -> etree._Element:
    """The same element with one more namespace declared (lxml cannot add one in place)."""
    grown = etree.Element(root.tag, dict(root.attrib), nsmap={**root.nsmap, prefix: uri})
    grown.text = root.text
    for child in list(root):
        grown.append(child)
    return grown


def _splice(
    root: etree._Element,
    parent: etree._Element,
    entries: Sequence[bytes],
    finish: Callable[[bytes], bytes] = bytes,
) -> bytes:
    """The document `root` with the entries' lines as the last children of `parent`; the
    namespaces the entries use stay declared on the root. `finish` is given the document's
    own lines (the entries come finished)."""
    parent.append(etree.Comment(_ENTRIES))
    prefixes = [p for p in root.nsmap if p and any(b"<%s:" % p.encode() in e for e in entries)]
    etree.cleanup_namespaces(root, keep_ns_prefixes=prefixes)
    data: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    marker = b"<!--%s-->\n" % _ENTRIES.encode()
    at = data.index(marker)
    start = data.rindex(b"\n", 0, at) + 1
    head, tail = finish(data[:start]), finish(data[at + len(marker) :])
    return _DECLARATION + head + b"".join(entries) + tail


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, safe_parser(remove_blank_text=True))


def _set_text(element: etree._Element | None, text: str) -> None:
    if element is None:
        raise ValueError("feedgen did not write an expected element")
    element.text = text


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _serialise(root: etree._Element) -> bytes:
    etree.cleanup_namespaces(root)
    data: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return _DECLARATION + data
