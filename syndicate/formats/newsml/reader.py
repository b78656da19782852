"""NewsML-G2 back into the canonical model: the items our writer produces (a packageItem and its
language newsItems) become a `Story` again.

Reading is in two steps so that ingesting partners' items can reuse the first: `parse_news_item`
turns any newsItem into a `NewsItem` record of what it says (no assumptions about our profile
beyond the element names), and `assemble_story` combines a package with its items into a story,
using our own conventions (variant guids, `synrel:` links, `synsec:` service)."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from lxml import etree

from syndicate.diagnostics import Diagnostics
from syndicate.formats.newsml.vocabulary import (
    ALT_ROLE,
    ALTERNATIVE_HEADLINE_ROLE,
    CAPTION_ROLE,
    COUNTRY_SCHEME,
    PACKAGE_SUFFIX,
    PICTURE_ID,
    REL_ORIGINAL,
    REL_SEE_ALSO,
    SIG_UPDATE,
    SUMMARY_ROLE,
    qname,
)
from syndicate.i18n.dates import format_day
from syndicate.i18n.locales import is_valid_tag, stated_tag
from syndicate.i18n.terms import term
from syndicate.model import (
    IMAGE_EXTENSIONS,
    STATUSES,
    Block,
    Byline,
    Correction,
    Image,
    Localized,
    Person,
    Place,
    RelatedLink,
    Rights,
    SourceRef,
    Story,
    Subject,
    Variant,
)
from syndicate.model.genres import GENRE_NAMES
from syndicate.model.story import variant_id
from syndicate.readers.schemas import uri_form
from syndicate.readers.xhtml import FigureInfo, XhtmlBodyReader
from syndicate.xmlbase import NAR_NS, XHTML_NS, XML_LANG, has_doctype, safe_parser

NS = {"g2": NAR_NS, "h": XHTML_NS}
MAX_COUNT = 10**12
"""Bound on sizes, widths and heights: larger is a mistake or an attack."""
_ITEM_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\.xml")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*")


class NewsMLProblem(Exception):
    """An item that cannot be read; `where` points at the file and line."""

    def __init__(self, message: str, where: SourceRef) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass(frozen=True, slots=True)
class ItemLink:
    rel: str
    href: str
    title: str | None
    lang: str | None
    residref: str | None


@dataclass(frozen=True, slots=True)
class RemoteImage:
    href: str
    media_type: str
    width: int
    height: int
    size: int
    rights: Rights | None = None
    """The picture's own rights: a rightsInfo whose idrefs name the partMeta of the picture."""
    id: str = ""
    """The remoteContent's id (ours: `Story.picture_id`; before, `picture-<n>`, its place in
    `story.yaml`)."""
    part: PictureText | None = None
    """What the partMeta naming it says of it; None when none does."""


@dataclass(frozen=True, slots=True)
class PictureText:
    """What a partMeta says of a picture, in its item's language: its place in `story.yaml`
    (`seq`), credit line, caption and text alternative (`""`: an ornament)."""

    seq: int | None = None
    credit: str | None = None
    caption: tuple[str | None, str] | None = None
    """The language it is written in when it says one (the original's, standing in for a
    language without its own), and the text."""
    alt: tuple[str | None, str] | None = None
    """As `caption`."""


@dataclass(frozen=True, slots=True)
class Concept:
    """A subject or place as an item states it: qcode (if any), type, name, broader qcode."""

    qcode: str | None
    type: str | None
    name: str
    broader: str | None = None
    position: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class NewsItem:
    """What one newsItem says, in its own language."""

    source: SourceRef
    guid: str
    version: int
    lang: str
    status: str
    version_created: datetime
    first_created: datetime | None
    embargoed: datetime | None
    service: str | None
    ed_notes: tuple[str, ...]
    signals: tuple[str, ...]
    links: tuple[ItemLink, ...]
    urgency: int | None
    content_created: datetime | None
    content_modified: datetime | None
    located: Concept | None
    byline: Byline
    genre: str | None
    subjects: tuple[Concept, ...]
    keywords: tuple[str, ...]
    slugline: str | None
    headline: str
    dateline: str | None
    summary: str
    rights: Rights | None
    body: etree._Element | None
    """The XHTML body `<div>`, still to be read into blocks (it needs the images)."""
    images: tuple[RemoteImage, ...] = field(default=())
    alt_headline: str | None = None


@dataclass(frozen=True, slots=True)
class PackageItem:
    source: SourceRef
    guid: str
    lang: str
    keywords: tuple[str, ...]
    item_hrefs: tuple[str, ...]


def read_newsml(folder: Path, diags: Diagnostics, timezone: str = "UTC") -> list[Story]:
    """Every story whose package is in `folder`. NewsML-G2 has no time zone name, so human
    dates of the stories read back use `timezone`."""
    stories = []
    for package_file in sorted(folder.glob("*" + PACKAGE_SUFFIX)):
        try:
            package = parse_package(_parse(package_file))
            files = [_item_file(href, package) for href in package.item_hrefs]
            roots = [_parse(folder / name) for name in files]
            named = _site_tags(package, zip(files, roots, strict=True))
            items = [parse_news_item(_as_named(root, named)) for root in roots]
            stories.append(assemble_story(package, items, timezone))
        except NewsMLProblem as exc:
            diags.error("newsml.read", exc.message, exc.where)
    return stories


def _item_file(href: str, package: PackageItem) -> str:
    """The file of a package's item beside it: the last segment of its URL, a plain `.xml`
    file name (nothing else is ever read from the disk)."""
    name = href.rsplit("/", 1)[-1]
    if not _ITEM_FILE.fullmatch(name):
        raise NewsMLProblem(f"itemRef href {href!r} does not name an item file", package.source)
    return name


def _site_tags(package: PackageItem, items: Iterable[tuple[str, etree._Element]]) -> dict[str, str]:
    """The site's tag of each language our items state with another (`stated_tag`: a site of
    `iw` states `he`), by the stated one: the tag naming the item's file
    (`<slug>.iw.xml`) when the item's guid is the variant id it makes (`...:iw`), so that the
    story read back keeps its variants' identity."""
    named: dict[str, str] = {}
    for name, root in items:
        tag = name.removesuffix(".xml").rpartition(".")[2]
        content = _find(root, "g2:contentMeta")
        said = root.get(XML_LANG) or (
            _find_attr(content, "g2:language", "tag") if content is not None else None
        )
        if (
            said
            and tag != said
            and root.get("guid") == variant_id(package.guid, tag)
            and stated_tag(tag) == said
        ):
            named[said] = tag
    return named


def _as_named(root: etree._Element, named: dict[str, str]) -> etree._Element:
    """`root` with each language it states by a tag of `named` (its `xml:lang`s and
    `<language tag>`) said with the site's tag that names it (`_site_tags`)."""
    if named:
        for element in root.iter():
            said = element.get(XML_LANG)
            if said in named:
                element.set(XML_LANG, named[said])
        for language in root.iterfind("g2:contentMeta/g2:language", NS):
            if language.get("tag") in named:
                language.set("tag", named[language.get("tag", "")])
    return root


def _parse(path: Path) -> etree._Element:
    """The item's root. Partners' items are untrusted: entities are never expanded, and a
    DOCTYPE (which NewsML-G2 never needs) is refused, since only it can declare entities."""
    try:
        tree = etree.parse(str(path), safe_parser())
    except OSError as exc:
        raise NewsMLProblem(f"cannot read item: {exc}", SourceRef(str(path))) from None
    except etree.XMLSyntaxError as exc:  # also libxml2's refusal of entity amplification
        raise NewsMLProblem(
            f"not well-formed XML: {exc.msg}", SourceRef(str(path), exc.lineno or 0)
        ) from None
    if has_doctype(tree):
        raise NewsMLProblem(
            "DOCTYPE declarations are refused: NewsML-G2 needs no DTD, and DTD entities could"
            " expand without bound or read files",
            SourceRef(str(path), 1),
        )
    root: etree._Element = tree.getroot()
    return root


# Generic reading of G2 elements ---------------------------------------------------------------


def _source(el: etree._Element) -> SourceRef:
    return SourceRef(el.getroottree().docinfo.URL or "", el.sourceline or 0)


def _find(el: etree._Element, path: str) -> etree._Element | None:
    return el.find(path, NS)


def _text(el: etree._Element, path: str) -> str | None:
    found = _find(el, path)
    return found.text if found is not None and found.text is not None else None


def _required(el: etree._Element, path: str) -> str:
    value = _text(el, path)
    if value is None:
        raise NewsMLProblem(f"missing {path.replace('g2:', '')}", _source(el))
    return value


def _time(el: etree._Element, path: str) -> datetime | None:
    value = _text(el, path)
    if value is None:
        return None
    found = _find(el, path)
    where = _source(found if found is not None else el)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("no time zone")
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        name = path.replace("g2:", "")
        raise NewsMLProblem(f"{name}: {value!r} is not a date-time with an offset", where) from None
    return moment


def _int(el: etree._Element, attr: str, default: int, low: int = 0, high: int = MAX_COUNT) -> int:
    """A whole-number attribute, checked (a bad value is a problem at its line)."""
    value = el.get(attr)
    if value is None:
        return default
    if not re.fullmatch(r"\s*[0-9]{1,13}\s*", value) or not low <= int(value) <= high:
        raise NewsMLProblem(
            f"{etree.QName(el).localname} {attr}={value!r} is not a whole number from {low}"
            f" to {high}",
            _source(el),
        )
    return int(value)


def _number(el: etree._Element, attr: str, limit: float) -> float:
    """A decimal attribute between -limit and limit (a latitude or a longitude)."""
    value = el.get(attr, "")
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not -limit <= number <= limit:  # also refuses nan and inf
        raise NewsMLProblem(
            f"{etree.QName(el).localname} {attr}={value!r} is not a number from {-limit:g} to"
            f" {limit:g}",
            _source(el),
        )
    return number


def _href(el: etree._Element, attr: str = "href") -> str:
    """A URL attribute: only an absolute http(s) URL is accepted, never `javascript:`,
    `data:` or a file path (which a writer could otherwise read from the local disk); as a
    URI (`uri_form`), as links read from a story folder are."""
    value = str(el.get(attr, ""))
    if not _URL.fullmatch(value):
        raise NewsMLProblem(
            f"{etree.QName(el).localname} {attr}={value!r} is not an absolute http(s) URL",
            _source(el),
        )
    return uri_form(value)


def _texts(el: etree._Element, path: str) -> tuple[str, ...]:
    return tuple(found.text or "" for found in el.iterfind(path, NS))


def _after_colon(qcode: str | None) -> str | None:
    return qcode.split(":", 1)[1] if qcode and ":" in qcode else None


def _concept(el: etree._Element) -> Concept:
    broader = _find(el, "g2:broader")
    position = _find(el, "g2:geoAreaDetails/g2:position")
    return Concept(
        qcode=el.get("qcode"),
        type=el.get("type"),
        name=_text(el, "g2:name") or el.get("literal") or "",
        broader=broader.get("qcode") if broader is not None else None,
        position=(_number(position, "latitude", 90), _number(position, "longitude", 180))
        if position is not None
        else None,
    )


def _byline(meta: etree._Element) -> Byline:
    people: list[Person] = []
    organisation = None
    for creator in meta.iterfind("g2:creator", NS):
        name = _text(creator, "g2:name") or creator.get("literal") or ""
        if creator.get("type") == "cpnat:organisation" and organisation is None:
            organisation = name
        else:
            uri = _href(creator, "uri") if creator.get("uri") is not None else None
            people.append(Person(name, _text(creator, "g2:note"), uri))
    return Byline(tuple(people), organisation)


def _rights(root: etree._Element, lang: str) -> Rights | None:
    """The item's rights: its rightsInfo that names no part (the others are its parts')."""
    info = next((i for i in root.iterfind("g2:rightsInfo", NS) if i.get("idrefs") is None), None)
    return _rights_of(info, lang) if info is not None else None


def _part_rights(root: etree._Element, lang: str) -> dict[str, Rights]:
    """The rights of each part of the content, by the id of its remoteContent: a rightsInfo
    whose idrefs name a partMeta, whose contentrefs name the content."""
    contents = {
        part.get("partid", ""): (part.get("contentrefs") or "").split()
        for part in root.iterfind("g2:partMeta", NS)
    }
    rights: dict[str, Rights] = {}
    for info in root.iterfind("g2:rightsInfo[@idrefs]", NS):
        for partid in (info.get("idrefs") or "").split():
            for content in contents.get(partid, ()):
                rights.setdefault(content, _rights_of(info, lang))
    return rights


def _rights_of(info: etree._Element, lang: str) -> Rights:
    usage = _text(info, "g2:usageTerms")
    return Rights(
        holder=_text(info, "g2:copyrightHolder/g2:name") or "",
        notice=Localized(((lang, _text(info, "g2:copyrightNotice") or ""),)),
        usage_terms=Localized(((lang, usage),)) if usage is not None else None,
    )


def _links(meta: etree._Element) -> tuple[ItemLink, ...]:
    return tuple(
        ItemLink(
            rel=link.get("rel", ""),
            href=_href(link),
            title=link.get("title"),
            lang=_lang(link, link.get(XML_LANG)) if link.get(XML_LANG) is not None else None,
            residref=link.get("residref"),
        )
        for link in meta.iterfind("g2:link", NS)
    )


def _picture_texts(root: etree._Element) -> dict[str, PictureText]:
    """What each partMeta says of the content it names, by the content's id."""
    texts: dict[str, PictureText] = {}
    for part in root.iterfind("g2:partMeta", NS):
        roles = {
            d.get("role"): (
                _lang(d, d.get(XML_LANG)) if d.get(XML_LANG) is not None else None,
                "".join(d.itertext()),
            )
            for d in part.iterfind("g2:description", NS)
        }
        caption = roles.get(CAPTION_ROLE)
        text = PictureText(
            seq=_int(part, "seq", 0) if part.get("seq") is not None else None,
            credit=_text(part, "g2:creditline"),
            caption=caption if caption and caption[1] else None,
            alt=roles.get(ALT_ROLE),
        )
        for content in (part.get("contentrefs") or "").split():
            texts.setdefault(content, text)
    return texts


def _images(root: etree._Element, lang: str) -> tuple[RemoteImage, ...]:
    """The remote images, which stay remote: a story read back never points to a local file."""
    rights = _part_rights(root, lang)
    texts = _picture_texts(root)
    images = []
    for rc in root.iterfind("g2:contentSet/g2:remoteContent", NS):
        media_type = rc.get("contenttype", "")
        if media_type not in IMAGE_EXTENSIONS:
            raise NewsMLProblem(
                f"remoteContent contenttype={media_type!r} is not an image type syndicate"
                f" publishes ({', '.join(sorted(IMAGE_EXTENSIONS))})",
                _source(rc),
            )
        images.append(
            RemoteImage(
                href=_href(rc),
                media_type=media_type,
                width=_int(rc, "width", 0),
                height=_int(rc, "height", 0),
                size=_int(rc, "size", 0),
                rights=rights.get(rc.get("id", "")),
                id=rc.get("id", ""),
                part=texts.get(rc.get("id", "")),
            )
        )
    return tuple(images)


def _lang(el: etree._Element, tag: str | None) -> str:
    if not tag or not is_valid_tag(tag):
        raise NewsMLProblem(f"{tag!r} is not a known BCP 47 language tag", _source(el))
    return tag


def _check_root(root: etree._Element, tag: str) -> None:
    if root.tag != qname(tag):
        raise NewsMLProblem(f"expected a NewsML-G2 {tag}, found {root.tag}", _source(root))


def parse_news_item(root: etree._Element) -> NewsItem:
    _check_root(root, "newsItem")
    meta = _find(root, "g2:itemMeta")
    content = _find(root, "g2:contentMeta")
    if meta is None or content is None:
        raise NewsMLProblem("a newsItem needs itemMeta and contentMeta", _source(root))
    lang = _lang(root, root.get(XML_LANG) or _find_attr(content, "g2:language", "tag"))
    located = _find(content, "g2:located")
    status = _find(meta, "g2:pubStatus")
    urgency = _text(content, "g2:urgency")
    if urgency is not None and not re.fullmatch(r"[1-9]", urgency.strip()):
        raise NewsMLProblem(f"urgency {urgency!r} is not from 1 to 9", _source(content))
    guid = root.get("guid", "")
    if not guid.strip():
        raise NewsMLProblem("a newsItem needs a guid", _source(root))
    version_created = _time(meta, "g2:versionCreated")
    if version_created is None:
        raise NewsMLProblem("missing versionCreated", _source(meta))
    return NewsItem(
        source=_source(root),
        guid=guid,
        version=_int(root, "version", 1, low=1),
        lang=lang,
        status=_after_colon(status.get("qcode") if status is not None else None) or "usable",
        version_created=version_created,
        first_created=_time(meta, "g2:firstCreated"),
        embargoed=_time(meta, "g2:embargoed"),
        service=_find_attr(meta, "g2:service", "qcode"),
        ed_notes=_texts(meta, "g2:edNote"),
        signals=tuple(s.get("qcode", "") for s in meta.iterfind("g2:signal", NS)),
        links=_links(meta),
        urgency=int(urgency) if urgency is not None else None,
        content_created=_time(content, "g2:contentCreated"),
        content_modified=_time(content, "g2:contentModified"),
        located=_concept(located) if located is not None else None,
        byline=_byline(content),
        genre=_find_attr(content, "g2:genre", "qcode"),
        subjects=tuple(_concept(s) for s in content.iterfind("g2:subject", NS)),
        keywords=_texts(content, "g2:keyword"),
        slugline=_text(content, "g2:slugline"),
        headline=_required(content, "g2:headline"),
        dateline=_text(content, "g2:dateline"),
        summary=_summary(content),
        rights=_rights(root, lang),
        body=_body(root),
        images=_images(root, lang),
        alt_headline=_alternative_headline(content),
    )


def _body(root: etree._Element) -> etree._Element | None:
    """The XHTML body `<div>` without the correction note that ends it (our writer's
    `aside class="correction"`): the note is the story's, read from the `edNote`."""
    div = _find(root, "g2:contentSet/g2:inlineXML/h:html/h:body/h:div")
    if div is not None and len(div):
        last = div[-1]
        if last.tag == f"{{{XHTML_NS}}}aside" and last.get("class") == "correction":
            div.remove(last)
    return div


def _find_attr(el: etree._Element, path: str, attr: str) -> str | None:
    found = _find(el, path)
    return found.get(attr) if found is not None else None


def _alternative_headline(content: etree._Element) -> str | None:
    """The headline our writer gives the role `synhl:alternative` (`alt_headline`)."""
    for headline in content.iterfind("g2:headline", NS):
        if headline.get("role") == ALTERNATIVE_HEADLINE_ROLE:
            return "".join(headline.itertext())
    return None


def _summary(content: etree._Element) -> str:
    for description in content.iterfind("g2:description", NS):
        if description.get("role") == SUMMARY_ROLE:
            return "".join(description.itertext())
    return ""


def parse_package(root: etree._Element) -> PackageItem:
    _check_root(root, "packageItem")
    content = _find(root, "g2:contentMeta")
    refs = root.iterfind("g2:groupSet/g2:group/g2:itemRef", NS)
    return PackageItem(
        source=_source(root),
        guid=root.get("guid", ""),
        lang=root.get(XML_LANG, ""),
        keywords=_texts(content, "g2:keyword") if content is not None else (),
        item_hrefs=tuple(_href(ref) for ref in refs),
    )


# Our conventions: a package and its items make one story ------------------------------------


def _merge(values: Iterable[tuple[str, str | None]]) -> Localized:
    return Localized(tuple(sorted((lang, text) for lang, text in values if text is not None)))


def _unformat(key: str, lang: str, text: str, wanted: str, **known: str) -> str | None:
    """The value of `{wanted}` in `text` made from the term `key`; other fields are `known`
    literally or match anything."""
    pattern = ""
    for literal, name, _, _ in string.Formatter().parse(term(key, lang)):
        pattern += re.escape(literal)
        if name == wanted:
            pattern += f"(?P<{wanted}>.+)"
        elif name:
            pattern += re.escape(known[name]) if name in known else ".+?"
    match = re.fullmatch(pattern, text, re.DOTALL)
    return match.group(wanted) if match else None


def _nonempty(localized: Localized) -> Localized | None:
    return localized if localized.values else None


def _dateline_place(item: NewsItem, published: datetime) -> str:
    text = item.dateline or ""
    date = format_day(published.date(), item.lang)
    place = _unformat("dateline", item.lang, text, "place", date=date)
    return place or _unformat("dateline", item.lang, text, "place") or text


def assemble_story(package: PackageItem, items: list[NewsItem], timezone: str) -> Story:
    if not items:
        raise NewsMLProblem("the package refers to no items", package.source)
    original = next(
        (i for i in items if not any(link.rel == REL_ORIGINAL for link in i.links)), items[0]
    )
    # The model's order (the original, then the translations by tag), not the package's: its
    # itemRefs follow the site's `languages`, which a story read back does not know.
    items = sorted(items, key=lambda item: (item is not original, item.lang))
    status = next((s for s in STATUSES if s == original.status), None)
    if status is None:
        raise NewsMLProblem(f"unknown pubStatus stat:{original.status}", original.source)
    published = original.first_created or original.version_created
    # Each item says when its variant last changed; the story changed when the first did.
    updated = min(item.version_created for item in items)
    images = _story_images(original, items)
    return Story(
        slug=original.slugline or Path(package.source.path).name.removesuffix(PACKAGE_SUFFIX),
        id=package.guid,
        original_lang=original.lang,
        section=_after_colon(original.service) or "",
        timezone=timezone,
        first_created=original.content_created or published,
        published=published,
        updated=updated,
        status=status,
        version=original.version,
        urgency=original.urgency or 5,
        genre=_genre(original.genre),
        rights=_story_rights(original, items),
        source=package.source,
        variants=tuple(
            _variant(item, published, updated, images, package.keywords) for item in items
        ),
        subjects=tuple(
            Subject(s.qcode, _merge((i.lang, _name_of(i.subjects, s.qcode)) for i in items))
            for s in original.subjects
            if s.qcode
        ),
        keywords=package.keywords,
        places=_places(original, items),
        images=images,
        related=tuple(
            RelatedLink(link.href, _merge((i.lang, _link_title(i, link.href)) for i in items))
            for link in original.links
            if link.rel == REL_SEE_ALSO
        ),
        embargo_until=original.embargoed,
        correction=Correction(
            _merge((i.lang, i.ed_notes[0] if i.ed_notes else None) for i in items),
            original.source,
        )
        # A usable item updated with a note is a correction (a kill has a pubStatus of its own).
        if SIG_UPDATE in original.signals and status == "usable" and original.ed_notes
        else None,
    )


def _genre(qcode: str | None) -> str:
    code = _after_colon(qcode) or "Current"
    return GENRE_NAMES.get(code) or code.lower().replace("_", "-")


def _name_of(concepts: tuple[Concept, ...], qcode: str | None) -> str | None:
    return next((c.name for c in concepts if c.qcode == qcode), None)


def _link_title(item: NewsItem, href: str) -> str | None:
    return next((link.title for link in item.links if link.href == href), None)


def _story_rights(original: NewsItem, items: list[NewsItem]) -> Rights:
    return _merged_rights(original.rights, [(i.lang, i.rights) for i in items])


def _merged_rights(original: Rights | None, items: list[tuple[str, Rights | None]]) -> Rights:
    """Rights as each language's item states them, in one: the holder the original's."""
    holder = original.holder if original else ""
    notices = [(lang, r.notice.get(lang) if r else None) for lang, r in items]
    terms = [(lang, r.usage_terms.get(lang) if r and r.usage_terms else None) for lang, r in items]
    return Rights(holder, _merge(notices), _nonempty(_merge(terms)))


PlaceRole = Literal["located", "about"]


def _item_places(item: NewsItem) -> list[tuple[PlaceRole, Concept]]:
    """The located place first, then the places the story is about, as the writer orders them."""
    located: list[tuple[PlaceRole, Concept]] = [("located", item.located)] if item.located else []
    return located + [("about", s) for s in item.subjects if s.type == "cpnat:geoArea"]


def _places(original: NewsItem, items: list[NewsItem]) -> tuple[Place, ...]:
    by_lang = {item.lang: _item_places(item) for item in items}
    return tuple(
        Place(
            name=_merge(
                (lang, places[index][1].name if index < len(places) else None)
                for lang, places in by_lang.items()
            ),
            country=(concept.broader or "").removeprefix(COUNTRY_SCHEME + ":"),
            coordinates=concept.position,
            role=role,
        )
        for index, (role, concept) in enumerate(_item_places(original))
    )


def _listed(images: tuple[RemoteImage, ...]) -> tuple[RemoteImage, ...]:
    """The pictures in the story's order: ours say their place in `story.yaml` (partMeta's
    `seq`; in items written before, their id, `picture-<n>`), each item leading with its own
    picture (`Story.images_for`); anyone else's, in the item's order."""
    places: dict[int, RemoteImage] = {}
    for image in images:
        place = image.id.removeprefix(PICTURE_ID)
        if image.part is not None and image.part.seq is not None:
            places[image.part.seq] = image
        elif place != image.id and place.isascii() and place.isdigit():
            places[int(place)] = image
        else:
            return images
    if len(places) < len(images):  # two of one place: not ours
        return images
    return tuple(places[n] for n in sorted(places))


def _story_images(original: NewsItem, items: list[NewsItem]) -> tuple[Image, ...]:
    listed = _listed(original.images)
    figures = {item.lang: _figures(item, listed) for item in items}
    # what each item's partMeta says of each picture, by URL (each item leads with its own)
    parts = {item.lang: {i.href: i.part for i in item.images if i.part} for item in items}
    images = []
    for index, remote in enumerate(listed):
        seen = {lang: f[index] for lang, f in figures.items() if index in f}
        said = {lang: p[remote.href] for lang, p in parts.items() if remote.href in p}
        credit = next((part.credit for part in said.values() if part.credit), None) or next(
            (
                _unformat("credit", lang, info.credit, "credit")
                for lang, info in seen.items()
                if info.credit
            ),
            None,
        )
        # a text said in another language than its item's is that language's (the original's
        # standing in for a translation without its own): the story gave it in that one only.
        # An item whose partMeta says no such text (one written before partMetas carried them,
        # its credit line alone) has it in the figure its body places.
        alts = {p.alt[0] or lang: p.alt[1] for lang, p in said.items() if p.alt is not None}
        alts |= {
            lang: info.alt
            for lang, info in seen.items()
            if lang not in said or said[lang].alt is None
        }
        captions: dict[str, str | None] = {
            p.caption[0] or lang: p.caption[1] for lang, p in said.items() if p.caption
        }
        captions |= {
            lang: info.caption
            for lang, info in seen.items()
            if lang not in said or said[lang].caption is None
        }
        # An ornament: its text alternative empty wherever an item gives one (`alt=""`, WCAG's
        # H67), as `decorative: true` writes it; no story's picture (`Story.main_image`).
        decorative = bool(alts) and not any(alts.values())
        images.append(
            Image(
                file=_published_name(remote.href),
                path=remote.href,
                media_type=remote.media_type,
                width=remote.width,
                height=remote.height,
                size=remote.size,
                sha256="",
                alt=Localized.same("") if decorative else _merge(alts.items()),
                caption=_nonempty(_merge(captions.items())),
                credit=credit,
                source=original.source,
                rights=_merged_rights(
                    remote.rights,
                    # by URL: each item lists its own picture first (`Story.images_for`)
                    [(i.lang, _same_image(i.images, remote.href)) for i in items],
                )
                if remote.rights
                else None,
                decorative=True if decorative else None,
            )
        )
    return tuple(images)


_BIDI = frozenset(("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"))
"""The bidi classes of the characters that reorder the text around them (Unicode's UAX #9)."""


def _published_name(href: str) -> str:
    """The published file name a picture's URL ends in: its last segment, without the digest
    (`?v=`) and as written, not percent-encoded as a URL holds it (`图表.png`, not
    `%E5%9B%BE%E8%A1%A8.png`); a segment whose decoding is no UTF-8, is `.` or `..`, or would
    hold a `/`, `\\`, a control character (C0, DEL or C1: U+0085 ends a line) or a bidi
    embedding, override or isolate (`a`, U+202E and `gnp.exe` show as `aexe.png`) stays as it
    is: no published name of ours holds one (`Image.name`)."""
    segment = href.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    try:
        name = unquote(segment, errors="strict")
    except UnicodeDecodeError:  # not UTF-8: no name of ours
        return segment
    if name in (".", "..") or any(
        c in "/\\" or unicodedata.category(c) == "Cc" or unicodedata.bidirectional(c) in _BIDI
        for c in name
    ):
        return segment
    return name


def _same_image(images: tuple[RemoteImage, ...], href: str) -> Rights | None:
    """The rights an item gives the picture at `href`; None when it has none or no such one."""
    return next((image.rights for image in images if image.href == href), None)


def _image_index(images: tuple[RemoteImage, ...]) -> dict[str, int]:
    return {image.href: index for index, image in enumerate(images)}


def _figures(item: NewsItem, images: tuple[RemoteImage, ...]) -> dict[int, FigureInfo]:
    """The figures of an item's body, by image index."""
    if item.body is None:
        return {}
    index = _image_index(images)
    reader = XhtmlBodyReader(item.source, lambda info: index.get(info.src))
    reader.blocks(item.body)
    return {index[f.src]: f for f in reader.figures if f.src in index}


def _variant(
    item: NewsItem,
    published: datetime,
    updated: datetime,
    images: tuple[Image, ...],
    shared: tuple[str, ...],
) -> Variant:
    """A language variant read back from its item; keywords that are the story's (`shared`,
    the package's) are not its own (its file gave none)."""
    index = {image.path: i for i, image in enumerate(images)}
    body: tuple[Block, ...] = ()
    if item.body is not None:
        reader = XhtmlBodyReader(item.source, lambda info: index.get(info.src))
        body = reader.blocks(item.body)
        if reader.refused:
            href, where = reader.refused[0]
            raise NewsMLProblem(
                f"a link to {href!r} in the body: only http(s) and mailto: links are accepted",
                where,
            )
    return Variant(
        lang=item.lang,
        headline=item.headline,
        alt_headline=item.alt_headline,
        summary=item.summary,
        byline=item.byline,
        dateline=_dateline_place(item, published),
        body=body,
        source=item.source,
        keywords=() if item.keywords == shared else item.keywords,
        updated=item.version_created if item.version_created > updated else None,
    )
