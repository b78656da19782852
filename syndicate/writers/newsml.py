"""`newsml`: NewsML-G2 2.35 for wire partners, a newsItem per language variant and a packageItem
per story, in the element order the IPTC schema requires."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from babel import Locale
from lxml import etree

from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import locale_for
from syndicate.i18n.text import byline_text, dateline_text, section_name
from syndicate.model import Image, Person, Place, Story, Variant
from syndicate.render.text import body_text, char_count, word_count
from syndicate.render.xhtml import XHTML_NS, render_body, set_language
from syndicate.validate.schemas import schema_path
from syndicate.writers.base import Context, Option, OutputFile, Writer

NAR_NS = "http://iptc.org/std/nar/2006-10-01/"
IPTC_CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"
CATALOG_SOURCE = "newsml-g2-catalog.xml"
"""Our own catalog in schemas/, for the schemes IPTC's lacks (synrel, synsec)."""
CATALOG_FILE = "newsml/catalog.syndicate.xml"
NEWSITEM_TYPE = "application/vnd.iptc.g2.newsitem+xml"
XSD_ENV = "SYNDICATE_NEWSML_XSD"
REL_ORIGINAL = "synrel:original"
REL_TRANSLATION = "synrel:translation"
REL_SEE_ALSO = "irel:seeAlso"
SIG_CORRECTION = "sig:correction"
SUMMARY_ROLE = "drol:summary"
COUNTRY_SCHEME = "iso3166-1a2"
_N = f"{{{NAR_NS}}}"


def qname(tag: str) -> str:
    """The Clark name of a NewsML-G2 element: `itemMeta` -> `{http://iptc.org/...}itemMeta`."""
    return _N + tag


def item_path(story: Story, lang: str) -> str:
    return f"newsml/{story.slug}.{lang}.xml"


def package_path(story: Story) -> str:
    return f"newsml/{story.slug}.package.xml"


def genre_qcode(genre: str) -> str:
    """Our genre codes are IPTC's in kebab case: `current` -> `genre:Current`."""
    return "genre:" + "".join(part.capitalize() for part in genre.split("-"))


class NewsMLWriter(Writer[bool]):
    name = "newsml"
    description = "NewsML-G2 2.35: a newsItem per language, a packageItem per story"
    media_type = NEWSITEM_TYPE
    extension = ".xml"
    scope = "variant"
    options = (
        Option(
            "official_xsd",
            None,
            "path to IPTC's NewsML-G2_2.35-spec-All-Power.xsd: `syndicate validate --outputs`"
            f" then checks out/newsml/ against it too (or set {XSD_ENV})",
        ),
    )

    per_story = True

    def write_story(self, story: Story, ctx: Context) -> Iterable[OutputFile]:
        langs = _languages(story, ctx)
        if not langs:
            return
        builder = _ItemBuilder(story, ctx, langs)
        for lang in langs:
            yield OutputFile(item_path(story, lang), serialise(builder.news_item(lang)))
        yield OutputFile(package_path(story), serialise(builder.package_item()))

    def abstract(self, story: Story, ctx: Context) -> bool | None:
        """True for a story with items: the catalog they point to must be published."""
        return True if _languages(story, ctx) else None

    def write_collection(self, stories: Sequence[bool], ctx: Context) -> Iterable[OutputFile]:
        if stories:
            yield OutputFile(CATALOG_FILE, ctx.read_asset(schema_path(CATALOG_SOURCE)))

    def validate_outputs(self, out: Path, ctx: Context) -> None:
        from syndicate.validate.newsml import validate_folder

        super().validate_outputs(out, ctx)
        # Validation, not writing: reading the environment here keeps writers pure. The variable
        # wins over syndicate.yaml, so one run can be pointed at another copy of the schema.
        official = os.environ.get(XSD_ENV) or ctx.options.get("official_xsd")
        validate_folder(out / "newsml", ctx.diagnostics, Path(official) if official else None)


def _languages(story: Story, ctx: Context) -> tuple[str, ...]:
    return tuple(v.lang for v in story.variants if v.lang in ctx.languages)


def serialise(root: etree._Element) -> bytes:
    """UTF-8 with a double-quoted declaration, as most G2 consumers' examples show."""
    body: bytes = etree.tostring(root, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def sub(
    parent: etree._Element, name: str, text: str | None = None, /, **attrs: str
) -> etree._Element:
    """A NewsML-G2 child element with its text and attributes, in the order given."""
    element = etree.SubElement(parent, qname(name))
    for key, value in attrs.items():
        element.set(key, value)
    if text is not None:
        element.text = text
    return element


def set_item_language(element: etree._Element, lang: str) -> None:
    """`xml:lang` and, for right-to-left languages, `dir="rtl"` (NewsML-G2 has no `lang`)."""
    set_language(element, lang)
    del element.attrib["lang"]


def country_name(code: str, lang: str) -> str:
    locale: Locale = locale_for(lang)
    return str(locale.territories.get(code, code))


class _ItemBuilder:
    """Builds the items of one story; every element goes in the order the XSD prescribes."""

    def __init__(self, story: Story, ctx: Context, langs: tuple[str, ...]) -> None:
        self.story = story
        self.ctx = ctx
        self.langs = langs

    # newsItem -----------------------------------------------------------------------------

    def news_item(self, lang: str) -> etree._Element:
        story, variant = self.story, self.story.variant(lang)
        root = self._item_root("newsItem", story.variant_id(lang), lang)
        self._rights_info(root, lang)
        meta = self._item_meta(root, "ninat:text", lang)
        if story.correction:
            sub(meta, "edNote", story.correction.note.get(lang, story.original_lang))
            sub(meta, "signal", qcode=SIG_CORRECTION)
        self._variant_links(meta, lang)
        self._related_links(meta, lang)
        self._content_meta(root, variant)
        content_set = sub(root, "contentSet")
        inline = sub(content_set, "inlineXML", contenttype="application/xhtml+xml")
        text = body_text(variant)
        inline.set("wordcount", str(word_count(text)))
        inline.set("charcount", str(char_count(text)))
        for image in story.images:
            self._remote_content(content_set, image)
        # Indent the G2 envelope only: whitespace inside the XHTML body would change its text.
        etree.indent(root, space="  ")
        inline.append(self._xhtml(variant))
        return root

    def _item_root(self, tag: str, guid: str, lang: str) -> etree._Element:
        root = etree.Element(qname(tag), nsmap={None: NAR_NS})
        for key, value in (
            ("guid", guid),
            ("version", str(self.story.version)),
            ("standard", "NewsML-G2"),
            ("standardversion", "2.35"),
            ("conformance", "power"),
        ):
            root.set(key, value)
        set_item_language(root, lang)
        sub(root, "catalogRef", href=IPTC_CATALOG)
        sub(root, "catalogRef", href=self.ctx.urls.output(CATALOG_FILE))
        return root

    def _rights_info(self, root: etree._Element, lang: str) -> None:
        rights = self.story.rights_for(lang)
        info = sub(root, "rightsInfo")
        set_item_language(info, lang)
        holder = sub(info, "copyrightHolder")
        sub(holder, "name", rights.holder)
        sub(info, "copyrightNotice", rights.notice.get(lang, self.story.original_lang))
        if rights.usage_terms:
            sub(info, "usageTerms", rights.usage_terms.get(lang, self.story.original_lang))

    def _item_meta(self, root: etree._Element, item_class: str, lang: str) -> etree._Element:
        story = self.story
        meta = sub(root, "itemMeta")
        sub(meta, "itemClass", qcode=item_class)
        publisher = self.ctx.config.publisher
        provider = sub(meta, "provider", uri=publisher.url)
        sub(provider, "name", publisher.name)
        sub(meta, "versionCreated", rfc3339(story.updated))
        sub(meta, "firstCreated", rfc3339(story.published))
        if story.embargo_until:
            sub(meta, "embargoed", rfc3339(story.embargo_until))
        sub(meta, "pubStatus", qcode=f"stat:{story.status}")
        service = sub(meta, "service", qcode=f"synsec:{story.section}")
        sub(service, "name", section_name(story.section, lang))
        return meta

    def _variant_links(self, meta: etree._Element, lang: str) -> None:
        story = self.story
        for other in story.translations(lang):
            if other.lang not in self.langs:
                continue
            rel = REL_ORIGINAL if other.lang == story.original_lang else REL_TRANSLATION
            link = sub(
                meta,
                "link",
                rel=rel,
                href=self.ctx.urls.output(item_path(story, other.lang)),
                residref=story.variant_id(other.lang),
                version=str(story.version),
                contenttype=NEWSITEM_TYPE,
                title=other.headline,
            )
            set_item_language(link, other.lang)

    def _related_links(self, meta: etree._Element, lang: str) -> None:
        for related in self.story.related:
            title = related.title.get(lang, self.story.original_lang) or related.url
            link = sub(meta, "link", rel=REL_SEE_ALSO, href=related.url, title=title)
            link.set("contenttype", "text/html")

    def _content_meta(self, root: etree._Element, variant: Variant) -> None:
        story, lang = self.story, variant.lang
        meta = self._dates_meta(root)
        if story.located:
            self._located(meta, story.located, lang)
        for person in variant.byline.people:
            self._person(meta, person)
        if variant.byline.organisation:
            creator = sub(meta, "creator", type="cpnat:organisation")
            sub(creator, "name", variant.byline.organisation)
        sub(meta, "language", tag=lang)
        sub(meta, "genre", qcode=genre_qcode(story.genre))
        for subject in story.subjects:
            concept = sub(meta, "subject", type="cpnat:abstract", qcode=subject.code)
            sub(concept, "name", subject.name.get(lang, story.original_lang))
        for place in story.places:
            if place.role == "about":
                self._place(meta, "subject", place, lang)
        for keyword in variant.keywords:
            sub(meta, "keyword", keyword)
        sub(meta, "slugline", story.slug)
        sub(meta, "headline", variant.headline)
        sub(meta, "dateline", dateline_text(story, variant))
        if variant.byline.names:
            sub(meta, "by", byline_text(variant))
        sub(meta, "description", variant.summary, role=SUMMARY_ROLE)

    def _dates_meta(self, root: etree._Element) -> etree._Element:
        story = self.story
        meta = sub(root, "contentMeta")
        sub(meta, "urgency", str(story.urgency))
        sub(meta, "contentCreated", rfc3339(story.first_created))
        sub(meta, "contentModified", rfc3339(story.updated))
        return meta

    def _place(self, parent: etree._Element, tag: str, place: Place, lang: str) -> etree._Element:
        element = sub(parent, tag, type="cpnat:geoArea")
        sub(element, "name", place.name.get(lang, self.story.original_lang))
        country = sub(
            element, "broader", type="loctyp:Country", qcode=f"{COUNTRY_SCHEME}:{place.country}"
        )
        sub(country, "name", country_name(place.country, lang))
        return element

    def _located(self, meta: etree._Element, place: Place, lang: str) -> None:
        located = self._place(meta, "located", place, lang)
        if place.coordinates:
            details = sub(located, "geoAreaDetails")
            latitude, longitude = place.coordinates
            sub(details, "position", latitude=repr(latitude), longitude=repr(longitude))

    def _person(self, meta: etree._Element, person: Person) -> None:
        creator = sub(meta, "creator", type="cpnat:person")
        if person.url:
            creator.set("uri", person.url)
        sub(creator, "name", person.name)
        if person.role:
            sub(creator, "note", person.role)

    def _remote_content(self, content_set: etree._Element, image: Image) -> None:
        sub(
            content_set,
            "remoteContent",
            href=self.ctx.urls.image(self.story, image),
            contenttype=image.media_type,
            size=str(image.size),
            width=str(image.width),
            height=str(image.height),
        )

    def _xhtml(self, variant: Variant) -> etree._Element:
        html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS})
        set_language(html, variant.lang)
        head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
        etree.SubElement(head, f"{{{XHTML_NS}}}title").text = variant.headline
        body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
        body.append(
            render_body(self.story, variant, lambda img: self.ctx.urls.image(self.story, img))
        )
        return html

    # packageItem --------------------------------------------------------------------------

    def package_item(self) -> etree._Element:
        story = self.story
        lang = story.original_lang if story.original_lang in self.langs else self.langs[0]
        root = self._item_root("packageItem", story.id, lang)
        self._rights_info(root, lang)
        self._item_meta(root, "ninat:composite", lang)
        meta = self._dates_meta(root)
        for keyword in story.keywords:
            sub(meta, "keyword", keyword)
        sub(meta, "slugline", story.slug)
        sub(meta, "headline", story.variant(lang).headline)
        group_set = sub(root, "groupSet", root="variants")
        group = sub(group_set, "group", id="variants", mode="pgrmod:alt")
        for variant_lang in self.langs:
            self._item_ref(group, story.variant(variant_lang))
        etree.indent(root, space="  ")
        return root

    def _item_ref(self, group: etree._Element, variant: Variant) -> None:
        story = self.story
        ref = sub(
            group,
            "itemRef",
            href=self.ctx.urls.output(item_path(story, variant.lang)),
            residref=story.variant_id(variant.lang),
            version=str(story.version),
            contenttype=NEWSITEM_TYPE,
        )
        set_item_language(ref, variant.lang)
        sub(ref, "itemClass", qcode="ninat:text")
        sub(ref, "pubStatus", qcode=f"stat:{story.status}")
        sub(ref, "language", tag=variant.lang)
        sub(ref, "headline", variant.headline)
