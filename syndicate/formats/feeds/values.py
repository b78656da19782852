"""The values of RSS 2.0 and Atom elements, as the W3C Feed Validator judges them: full URLs
where RSS 2.0 wants one, integers where it wants one, e-mail addresses, image sizes, MIME types,
and the Media RSS, Dublin Core and content: extensions syndicate's feeds and partner profiles
write. Written from the RSS 2.0 specification and the validator's documented rules (the
validator itself is third-party and not shipped), so `validate --outputs` refuses what the
validator would: `<link>ycpress</link>`, `<ttl>soon</ttl>`, `<managingEditor>nobody</...>`.

Only errors: the validator's warnings (an address without a name, a blank category) say how a
feed could be better, not that a reader will refuse it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree

from syndicate.formats.checking import is_uri
from syndicate.xmlbase import ATOM_NS, CONTENT_NS, DC_NS, MEDIA_NS, clark

Problem = tuple[int, str, str]
"""(line, code, message)."""

TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
MIME = re.compile(rf'^{TOKEN}/{TOKEN}(\s*;\s*{TOKEN}=({TOKEN}|"([^"\\]|\\.)*"))*\Z')
"""A media type as RFC 9110 writes it: type/subtype, then parameters."""
ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@([A-Za-z0-9-]+\.)+[A-Za-z0-9][A-Za-z0-9-]*\Z"
)
"""An addr-spec with a dotted domain name (`news@ycpress.example`)."""
NAMED = re.compile(r"^(?P<address>\S+)\s+\((?P<name>[^()]*\S[^()]*)\)\Z")
"""RSS 2.0's form of a contact: `news@ycpress.example (YCPress newsroom)`."""
INTEGER = re.compile(r"^\s*[0-9]+\s*\Z")
IMAGE_MAX = {"width": 144, "height": 400}
"""RSS 2.0's largest channel image."""
MEDIUMS = frozenset({"image", "audio", "video", "document", "executable"})
"""Media RSS's `medium` values."""
HOSTED = frozenset({"http", "https", "ftp"})
"""Schemes whose URLs name a host: `http:/x` is no full URL."""
CONTACTS = ("managingEditor", "webMaster")
MEDIA_CONTENT, MEDIA_THUMBNAIL = clark(MEDIA_NS, "content"), clark(MEDIA_NS, "thumbnail")
ATOM_LINK = clark(ATOM_NS, "link")


def full_url(value: str) -> bool:
    """An absolute URI (RFC 3986, ASCII), with a host for the web's schemes."""
    if not is_uri(value):
        return False
    parts = urlsplit(value)
    return bool(parts.netloc) or parts.scheme.lower() not in HOSTED


def web_url(value: str) -> bool:
    """A full http or https URL: what a reader downloads an enclosure from."""
    return full_url(value) and urlsplit(value).scheme.lower() in ("http", "https")


def rss_values(channel: etree._Element) -> Iterator[Problem]:
    """The channel's and its items' values."""
    yield from _urls(channel, ("link", "docs"), "the channel's")
    yield from _atom_links(channel)
    yield from _ttl(channel)
    for name in CONTACTS:
        for element in channel.iterfind(name):
            yield from _contact(element)
    for image in channel.iterfind("image"):
        yield from _image(image)
    yield from _categories(channel)
    for item in channel.iterfind("item"):
        yield from _item(item)


def _item(item: etree._Element) -> Iterator[Problem]:
    yield from _urls(item, ("link", "comments"), "an item's")
    yield from _atom_links(item)
    for source in item.iterfind("source"):
        yield from _url(source, "source url", source.get("url"), "rss.link")
    for author in item.iterfind("author"):
        yield from _contact(author)
    yield from _guid(item.find("guid"))
    for enclosure in item.iterfind("enclosure"):
        yield from _enclosure(enclosure)
    yield from _categories(item)
    for creator in item.iterfind(clark(DC_NS, "creator")):
        if not (creator.text or "").strip():
            yield creator.sourceline or 0, "rss.creator", "dc:creator is empty: it names no one"
    for encoded in item.iterfind(clark(CONTENT_NS, "encoded")):
        if not (encoded.text or "").strip():
            message = "content:encoded is empty: leave it out or give the item's full text"
            yield encoded.sourceline or 0, "rss.content", message
    for media in item.iter(MEDIA_CONTENT, MEDIA_THUMBNAIL):
        yield from _media(media)


def _urls(parent: etree._Element, names: tuple[str, ...], whose: str) -> Iterator[Problem]:
    for name in names:
        for element in parent.iterfind(name):
            yield from _url(element, f"{whose} {name}", element.text, "rss.link")


def _url(element: etree._Element, what: str, value: str | None, code: str) -> Iterator[Problem]:
    if value is None or not full_url(value.strip()):
        shown = "missing" if value is None else repr(value)
        yield element.sourceline or 0, code, f"{what} {shown} is not a full URL"


def _atom_links(parent: etree._Element) -> Iterator[Problem]:
    for link in parent.iterfind(ATOM_LINK):
        yield from _url(link, "atom:link href", link.get("href"), "rss.link")


def _ttl(channel: etree._Element) -> Iterator[Problem]:
    for ttl in channel.iterfind("ttl"):
        text = ttl.text or ""
        if not INTEGER.match(text) or int(text) == 0:
            message = f"ttl {text!r} is not a positive integer (the minutes a reader may cache)"
            yield ttl.sourceline or 0, "rss.ttl", message


def _contact(element: etree._Element) -> Iterator[Problem]:
    """An e-mail address, best as RSS 2.0 writes it: `news@x.example (Newsroom)`; a `mailto:`
    URL, or an address alone, are accepted as the validator accepts them."""
    text = (element.text or "").strip()
    value = text.removeprefix("mailto:")
    named = NAMED.match(value)
    address = named["address"] if named else value
    if not ADDRESS.match(address):
        message = (
            f"{element.tag} {text!r} is not an e-mail address"
            " (RSS 2.0 writes 'news@example.com (Name)')"
        )
        yield element.sourceline or 0, "rss.contact", message


def _image(image: etree._Element) -> Iterator[Problem]:
    for name in ("url", "link"):
        for element in image.iterfind(name):
            yield from _url(element, f"the image's {name}", element.text, "rss.link")
    for name, largest in IMAGE_MAX.items():
        for element in image.iterfind(name):
            text = element.text or ""
            if not INTEGER.match(text) or not 0 < int(text) <= largest:
                message = (
                    f"the image's {name} {text!r} is not a whole number of pixels from 1 to"
                    f" {largest}, RSS 2.0's largest"
                )
                yield element.sourceline or 0, "rss.image-size", message


def _guid(guid: etree._Element | None) -> Iterator[Problem]:
    if guid is None:
        return
    line, value, permalink = (
        guid.sourceline or 0,
        (guid.text or "").strip(),
        guid.get("isPermaLink"),
    )
    if permalink not in (None, "true", "false"):
        message = f'guid isPermaLink={permalink!r} is neither "true" nor "false"'
        yield line, "rss.guid", message
    elif (
        permalink != "false"
        and value
        and (not full_url(value) or value.lower().startswith(("tag:", "urn:uuid:")))
    ):
        message = (
            f"guid {value!r} is a permalink (isPermaLink is true when left out) but not"
            ' a URL to the item: it needs isPermaLink="false"'
        )
        yield line, "rss.permalink", message


def _enclosure(enclosure: etree._Element) -> Iterator[Problem]:
    line = enclosure.sourceline or 0
    url, length, kind = (enclosure.get(name) for name in ("url", "length", "type"))
    if url is None or not web_url(url.strip()):
        shown = "missing" if url is None else repr(url)
        yield line, "rss.enclosure", f"enclosure url {shown} is not a full http(s) URL"
    if length is None or not INTEGER.match(length):
        shown = "missing" if length is None else repr(length)
        message = f"enclosure length {shown} is not a whole number of bytes (0 when unknown)"
        yield line, "rss.enclosure", message
    if kind is None or not MIME.match(kind.strip()):
        shown = "missing" if kind is None else repr(kind)
        yield line, "rss.enclosure", f"enclosure type {shown} is not a MIME type"


def _categories(parent: etree._Element) -> Iterator[Problem]:
    """A category with a `domain` names a term of that taxonomy: both must be there."""
    for category in parent.iterfind("category"):
        domain = category.get("domain")
        if domain is not None and not domain.strip():
            message = "category domain is empty: leave it out or name the taxonomy"
            yield category.sourceline or 0, "rss.category", message
        elif domain is not None and not (category.text or "").strip():
            message = f"category in domain {domain!r} has no term"
            yield category.sourceline or 0, "rss.category", message


def _media(media: etree._Element) -> Iterator[Problem]:
    line, what = media.sourceline or 0, f"media:{etree.QName(media).localname}"
    url = media.get("url")
    if url is not None or media.tag == MEDIA_THUMBNAIL:
        yield from _url(media, f"{what} url", url, "rss.media")
    names = ("width", "height") + (("fileSize",) if media.tag == MEDIA_CONTENT else ())
    for name in names:
        value = media.get(name)
        if value is not None and (not INTEGER.match(value) or int(value) == 0):
            yield line, "rss.media", f"{what} {name} {value!r} is not a positive integer"
    medium = media.get("medium")
    if medium is not None and medium not in MEDIUMS:
        allowed = ", ".join(sorted(MEDIUMS))
        yield line, "rss.media", f"{what} medium {medium!r} is not one of {allowed}"
    kind = media.get("type")
    if kind is not None and not MIME.match(kind.strip()):
        yield line, "rss.media", f"{what} type {kind!r} is not a MIME type"


def atom_values(feed: etree._Element) -> Iterator[Problem]:
    """Atom's identifiers are full IRIs; its links, icons and logos IRI references."""
    for element in feed.iter(clark(ATOM_NS, "id")):
        value = (element.text or "").strip()
        if not full_url(_as_uri(value)):
            yield element.sourceline or 0, "atom.id", f"id {value!r} is not a full IRI"
    for element in feed.iter(ATOM_LINK):
        href = element.get("href")
        if href is None or not _reference(href):
            shown = "missing" if href is None else repr(href)
            yield element.sourceline or 0, "atom.link", f"link href {shown} is not an IRI"
    for name in ("icon", "logo"):
        for element in feed.iterfind(clark(ATOM_NS, name)):
            value = element.text or ""
            if not value.strip() or not _reference(value):
                yield element.sourceline or 0, "atom.link", f"{name} {value!r} is not an IRI"


def _reference(value: str) -> bool:
    """An IRI reference: relative ones resolved against any base."""
    return full_url(urljoin("https://base.example/", _as_uri(value.strip())))


def _as_uri(iri: str) -> str:
    """The URI of an IRI (RFC 3987, 3.1): its characters beyond ASCII percent-encoded (a space
    or a control character, in neither, stays to be refused)."""
    if any(c <= " " or c == "\x7f" for c in iri):
        return iri
    return quote(iri, safe="".join(chr(c) for c in range(0x21, 0x7F)))
