"""`newsml`: NewsML-G2 2.35 for wire partners, a newsItem per language variant and a packageItem
per story, in the element order the IPTC schema requires.

Partners ingest every version of a story, embargoed ones included. A story killed or withdrawn
after release (status canceled or withheld, version 2 or more) is a new version of its items and
package with that pubStatus, an edNote saying what to do, and no content; a draft (withheld or
canceled at version 1) was never released and has no item."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

import msgspec
from lxml import etree
from lxml.builder import ElementMaker

from syndicate.formats.contract import (
    Context,
    Options,
    OutputFile,
    Writer,
    default_language,
    exported_languages,
    in_site_order,
    other_languages,
)
from syndicate.formats.newsml.vocabulary import (
    ALT_ROLE,
    ALTERNATIVE_HEADLINE_ROLE,
    CAPTION_ROLE,
    CATALOG_FILE,
    CATALOGITEM_TYPE,
    COUNTRY_SCHEME,
    IPTC_CATALOG,
    NEWSITEM_TYPE,
    PACKAGE_SUFFIX,
    PACKAGEITEM_TYPE,
    PART_SUFFIX,
    REL_ORIGINAL,
    REL_SEE_ALSO,
    REL_TRANSLATION,
    SCHEMES,
    SIG_UPDATE,
    SUMMARY_ROLE,
    genre_qcode,
    item_path,
    media_path,
    package_path,
    scheme_uri,
)
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import borrowed, direction, stated_tag, territory_name
from syndicate.i18n.terms import term
from syndicate.i18n.text import byline_text, dateline_text, isolated_in, section_name
from syndicate.model import (
    UNRELEASED,
    Image,
    Localized,
    Person,
    Place,
    Rights,
    SourceRef,
    Story,
    StorySummary,
    Variant,
)
from syndicate.render.text import body_words, char_count, word_count
from syndicate.render.xhtml import render_body, set_language
from syndicate.xmlbase import NAR_NS, XHTML_NS, XML_LANG

XSD_ENV = "SYNDICATE_NEWSML_XSD"
G = ElementMaker(namespace=NAR_NS, nsmap={None: NAR_NS})
H = ElementMaker(namespace=XHTML_NS, nsmap={None: XHTML_NS})


class NewsMLOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    official_xsd: Annotated[
        str | None,
        msgspec.Meta(
            description="path to IPTC's NewsML-G2_2.35-spec-All-Power.xsd, relative to"
            " syndicate.yaml's folder: `syndicate validate --outputs` then checks out/newsml/"
            f" against it too (or set {XSD_ENV})"
        ),
    ] = None


class NewsMLWriter(Writer[NewsMLOptions]):
    name = "newsml"
    embargoed = True
    description = "NewsML-G2 2.35: a newsItem per language, a packageItem per story"
    media_type = NEWSITEM_TYPE
    extension = ".xml"
    scope = "variant"
    Options = NewsMLOptions

    def media_type_of(self, path: str) -> str | None:
        if path == CATALOG_FILE:
            return CATALOGITEM_TYPE
        if path.endswith(PACKAGE_SUFFIX):
            return PACKAGEITEM_TYPE
        return super().media_type_of(path)

    def story_files(self, story: Story, ctx: Context[NewsMLOptions]) -> Iterator[OutputFile]:
        langs = exported_languages(story, ctx)
        if not langs:
            return
        if story.lifecycle(ctx.now) in UNRELEASED:
            return
        # Each item links to its translations and the package holds every item, of this
        # run's languages or not: what a run of some languages writes, a run of all writes.
        builder = _ItemBuilder(story, ctx, in_site_order(story, ctx))
        for lang in langs:
            yield OutputFile(item_path(story.slug, lang), serialise(builder.news_item(lang)))
        yield OutputFile(package_path(story.slug), serialise(builder.package_item()))
        if not builder.killed:
            for image in story.images:
                yield OutputFile(media_path(story.slug, image.name), ctx.read_asset(image.path))

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[NewsMLOptions]
    ) -> Iterable[OutputFile]:
        """Our catalog, which every item points to, once there is an item."""
        released = (s for s in stories if s.lifecycle(ctx.now) not in UNRELEASED)
        if any(exported_languages(story, ctx) for story in released):  # as story_files
            yield OutputFile(CATALOG_FILE, serialise(catalog(ctx)))

    def validate_outputs(self, out: Path, ctx: Context[NewsMLOptions]) -> None:
        from syndicate.formats.newsml.validate import validate_folder

        super().validate_outputs(out, ctx)
        # Validation, not writing: reading the environment here keeps writers pure. The variable
        # wins over syndicate.yaml, so one run can be pointed at another copy of the schema.
        # A relative setting is the site folder's, as the site's other paths are.
        official = os.environ.get(XSD_ENV)
        schema = Path(official) if official else None
        named: SourceRef | str = XSD_ENV
        if schema is None and ctx.options.official_xsd:
            schema = (ctx.config.folder or Path()) / Path(ctx.options.official_xsd).expanduser()
            named = ctx.config.where("newsml", "official_xsd")
        validate_folder(out / "newsml", ctx.diagnostics, schema, named)


def serialise(root: etree._Element) -> bytes:
    """UTF-8 with a double-quoted declaration, as most G2 consumers' examples show."""
    body: bytes = etree.tostring(root, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def language(lang: str, within: str | None = None) -> dict[str, str]:
    """`xml:lang` (the tag BCP 47 prefers, `stated_tag`) and, for right-to-left languages,
    `dir="rtl"` (NewsML-G2 has no `lang`).
    Inside an element of the language `within`, the direction is said whenever it is not
    that element's: a link to the English original inside an Arabic item is `dir="ltr"`."""
    own, stated = direction(lang), stated_tag(lang)
    if within is not None and direction(within) != own:
        return {XML_LANG: stated, "dir": own}
    return {XML_LANG: stated, "dir": "rtl"} if own == "rtl" else {XML_LANG: stated}


def catalog(ctx: Context[NewsMLOptions]) -> etree._Element:
    """Our catalog, generated for the publisher: its `url` is where it is published, its
    schemes' URIs are under the publisher's base URL."""
    url = ctx.urls.output(CATALOG_FILE)
    root = G.catalog(
        G.title("syndicate NewsML-G2 schemes", {XML_LANG: "en"}),
        *(
            G.scheme(
                G.name(scheme.name, {XML_LANG: "en"}),
                G.definition(scheme.definition, {XML_LANG: "en"}),
                alias=scheme.alias,
                uri=scheme_uri(url, scheme.alias),
            )
            for scheme in SCHEMES
        ),
        url=url,
        authority=ctx.config.publisher.url,
    )
    etree.indent(root, space="  ")
    return root


def optional(text: str | None) -> tuple[str, ...]:
    """An element's text when there is one: `G.edNote(*optional(note))`."""
    return () if text is None else (text,)


def localized_name(name: Localized, lang: str, original: str) -> etree._Element:
    """`<name>` of a subject or place in `lang`; one that stands in from another language
    (the original's, as a story adds a language) says which, as an image's text does."""
    text = name.get(lang, original)
    written_in = name.written_in(lang, original)
    said = language(written_in, within=lang) if written_in and borrowed(written_in, lang) else {}
    return G.name(*optional(text), said)


class _ItemBuilder:
    """Builds the items of one story; every element goes in the order the XSD prescribes."""

    def __init__(self, story: Story, ctx: Context[NewsMLOptions], langs: tuple[str, ...]) -> None:
        self.story = story
        self.ctx = ctx
        self.langs = langs
        self.killed = story.lifecycle(ctx.now) in ("killed", "withdrawn")
        """A kill or withdrawal: the items say so and carry no content."""

    # newsItem -----------------------------------------------------------------------------

    def news_item(self, lang: str) -> etree._Element:
        if self.killed:
            return self._kill_item(lang)
        story, variant = self.story, self.story.variant(lang)
        text = body_words(variant)  # counted without list marks (render.text)
        words = word_count(text)
        inline = G.inlineXML(
            contenttype="application/xhtml+xml",
            **({"wordcount": str(words)} if words is not None else {}),
            charcount=str(char_count(text)),
        )
        pictures = self._pictures(lang)
        root = self._item_root(
            "newsItem",
            story.variant_id(lang),
            lang,
            self._rights_info(lang),
            *self._picture_rights(lang, pictures),
            self._item_meta(
                "ninat:text",
                lang,
                *self._correction(lang),
                *self._links(lang),
                *self._related(lang),
            ),
            self._content_meta(variant),
            *self._picture_parts(lang, pictures),
            G.contentSet(inline, *(self._remote_content(image) for _, image in pictures)),
        )
        # Indent the G2 envelope only: whitespace inside the XHTML body would change its text.
        etree.indent(root, space="  ")
        inline.append(self._xhtml(variant))
        return root

    def _kill_item(self, lang: str) -> etree._Element:
        """The new version of an item that tells partners to stop using it: its pubStatus, an
        edNote saying what to do, what identifies it, and no content."""
        story, variant = self.story, self.story.variant(lang)
        root = self._item_root(
            "newsItem",
            story.variant_id(lang),
            lang,
            self._rights_info(lang),
            self._item_meta("ninat:text", lang, *self._kill_note(lang), *self._links(lang)),
            self._dates_meta(
                lang,
                G.language({"tag": stated_tag(lang)}),
                G.genre(qcode=genre_qcode(story.genre)),
                G.slugline(story.slug),
                G.headline(variant.headline),
                G.dateline(dateline_text(story, variant)),
            ),
        )
        etree.indent(root, space="  ")
        return root

    def _kill_note(self, lang: str) -> list[etree._Element]:
        """What tells partners to stop using a killed or withdrawn story, in `lang`."""
        key = "kill_note" if self.story.status == "canceled" else "withdrawal_note"
        # Plain text an editor reads in the item's direction: the name isolated in a language
        # of the other direction, as in the feeds' notices ("ألغت YCPress Ltd. هذا الخبر."
        # showed ".YCPress Ltd"); the provider's name stays bare, a name partners match.
        publisher = isolated_in(self.ctx.config.publisher.name, lang)
        note = term(key, lang, publisher=publisher)
        return [G.edNote(note), G.signal(qcode=SIG_UPDATE)]

    def _item_root(
        self, tag: str, guid: str, lang: str, *children: etree._Element
    ) -> etree._Element:
        attributes = {
            "guid": guid,
            "version": str(self.story.version),
            "standard": "NewsML-G2",
            "standardversion": "2.35",
            "conformance": "power",
            **language(lang),
        }
        return G(
            tag,
            attributes,
            G.catalogRef(href=IPTC_CATALOG),
            G.catalogRef(href=self.ctx.urls.output(CATALOG_FILE)),
            *children,
        )

    def _rights_info(
        self, lang: str, rights: Rights | None = None, *, idrefs: str | None = None
    ) -> etree._Element:
        """The item's rights (the story's in `lang`), or with `idrefs` one picture's."""
        rights = rights or self.story.rights_for(lang)
        original = self.story.original_lang
        terms = rights.usage_terms
        notice = rights.notice
        return G.rightsInfo(
            language(lang) | ({"idrefs": idrefs} if idrefs else {}),
            G.copyrightHolder(G.name(rights.holder)),
            G.copyrightNotice(*optional(notice.get(lang, original)), self._said(notice, lang)),
            *(
                [G.usageTerms(*optional(terms.get(lang, original)), self._said(terms, lang))]
                if terms
                else []
            ),
        )

    # Each picture is a part of the item: its remoteContent has an id, a partMeta refers to it
    # (with the credit line), and a rightsInfo with idrefs to that partMeta states the
    # picture's own rights; the item's first rightsInfo, without idrefs, stays the text's
    # and every picture's that has none of its own (NewsML-G2 2.35, rightsInfo/@idrefs:
    # "idrefs must include the partid value of a partMeta element which in turn references
    # the part of the content").

    def _pictures(self, lang: str) -> tuple[tuple[int, Image], ...]:
        """The pictures, the variant's own (`Story.main_image`) first: the first remoteContent
        is the one a partner takes for the story's. Each with its place in `story.yaml`, its
        partMeta's `seq`, the same in every item of the story, so a reader gets the story's
        order back whatever picture an item leads with."""
        images = self.story.images
        return tuple((i + 1, images[i]) for i in self.story.image_order(lang))

    def _picture_rights(
        self, lang: str, pictures: tuple[tuple[int, Image], ...]
    ) -> Iterator[etree._Element]:
        for _, image in pictures:
            if image.rights is not None:
                yield self._rights_info(lang, image.rights, idrefs=self._part_id(image))

    def _picture_parts(
        self, lang: str, pictures: tuple[tuple[int, Image], ...]
    ) -> Iterator[etree._Element]:
        """Each picture's partMeta: its place in `story.yaml`, its credit line, caption and
        text alternative in `lang` (the original's, said in its language, when `lang` has
        none), which partners show with a lead image that no body places (a placed one's are
        in the body's figure too)."""
        original = self.story.original_lang
        for seq, image in pictures:
            texts = []
            if image.credit:
                texts.append(G.creditline(image.credit))
            if image.caption and (caption := image.caption.get(lang, original)):
                texts.append(
                    G.description(caption, self._said(image.caption, lang), role=CAPTION_ROLE)
                )
            if image.decorative:
                texts.append(G.description(role=ALT_ROLE))  # alt="": an ornament
            elif alt := image.alt.get(lang, original):
                texts.append(G.description(alt, self._said(image.alt, lang), role=ALT_ROLE))
            content = self.story.picture_id(image)
            attributes = {"partid": self._part_id(image), "seq": str(seq), "contentrefs": content}
            yield G.partMeta(attributes, *texts)

    def _said(self, text: Localized, lang: str) -> dict[str, str]:
        """The language of `text` in `lang` when it stands in from another: the original's
        text, in a language that has none, is said in its language, as an edNote or a place's
        name is (an English notice is no Arabic, right to left)."""
        written_in = text.written_in(lang, self.story.original_lang)
        return (
            language(written_in, within=lang) if written_in and borrowed(written_in, lang) else {}
        )

    def _part_id(self, image: Image) -> str:
        """The partid of a picture's partMeta, which its rightsInfo refers to."""
        return self.story.picture_id(image) + PART_SUFFIX

    def _item_meta(
        self, item_class: str, lang: str | None, *more: etree._Element
    ) -> etree._Element:
        """`lang` None: the package's, which changes with any of its variants."""
        story = self.story
        publisher = self.ctx.config.publisher
        created = story.last_updated if lang is None else story.updated_for(lang)
        service_lang = lang or self.package_lang
        return G.itemMeta(
            G.itemClass(qcode=item_class),
            G.provider(G.name(publisher.name), uri=publisher.url),
            G.versionCreated(rfc3339(created)),
            G.firstCreated(rfc3339(story.published if lang is None else story.published_for(lang))),
            # A kill or withdrawal is to be acted on at once, whatever embargo held the story.
            *(
                [G.embargoed(rfc3339(story.embargo_until))]
                if story.embargo_until and not self.killed
                else []
            ),
            G.pubStatus(qcode=f"stat:{story.status}"),
            G.service(
                G.name(section_name(story.section, service_lang)), qcode=f"synsec:{story.section}"
            ),
            *more,
        )

    def _correction(self, lang: str) -> list[etree._Element]:
        """A correction's note and signal; a later version without one, the signal alone:
        every version after the first updates the one before it. A language this version
        first publishes updates and corrects nothing: partners never had it."""
        story = self.story
        correction = story.correction_for(lang)
        if correction is None:
            updates = story.version > 1 and not story.first_out_in_this_version(lang)
            return [G.signal(qcode=SIG_UPDATE)] if updates else []
        original = self.story.original_lang
        note = correction.note.get(lang, original)
        written_in = correction.note.written_in(lang, original)
        # The original's note, in a translation that has none: said in its language.
        said = (
            language(written_in, within=lang) if written_in and borrowed(written_in, lang) else {}
        )
        return [G.edNote(*optional(note), said), G.signal(qcode=SIG_UPDATE)]

    def _links(self, lang: str) -> Iterator[etree._Element]:
        """Links to the other language variants the site publishes."""
        story = self.story
        for other in map(story.variant, other_languages(story, lang, self.ctx)):
            rel = REL_ORIGINAL if other.lang == story.original_lang else REL_TRANSLATION
            attributes = {
                "rel": rel,
                "href": self.ctx.urls.output(item_path(story.slug, other.lang)),
                "residref": story.variant_id(other.lang),
                "version": str(story.version),
                "contenttype": NEWSITEM_TYPE,
                "title": other.headline,
                **language(other.lang, within=lang),
            }
            yield G.link(attributes)

    def _related(self, lang: str) -> Iterator[etree._Element]:
        original = self.story.original_lang
        for related in self.story.related:
            title = related.title.get(lang, original) or related.url
            # A title the language has not, the original's: said in its language, as pages do.
            written_in = related.title.written_in(lang, original)
            said = (
                language(written_in, within=lang)
                if written_in and borrowed(written_in, lang)
                else {}
            )
            attributes = {"rel": REL_SEE_ALSO, "href": related.url, "title": title}
            yield G.link({**attributes, "contenttype": "text/html", **said})

    def _content_meta(self, variant: Variant) -> etree._Element:
        story, lang = self.story, variant.lang
        original = story.original_lang
        byline = variant.byline
        return self._dates_meta(
            lang,
            *([self._located(story.located, lang)] if story.located else []),
            *(self._person(person) for person in byline.people),
            *(
                [G.creator(G.name(byline.organisation), type="cpnat:organisation")]
                if byline.organisation
                else []
            ),
            G.language({"tag": stated_tag(lang)}),
            G.genre(qcode=genre_qcode(story.genre)),
            *(
                G.subject(
                    localized_name(subject.name, lang, original),
                    type="cpnat:abstract",
                    qcode=subject.code,
                )
                for subject in story.subjects
            ),
            *(self._place("subject", p, lang) for p in story.places if p.role == "about"),
            *(G.keyword(keyword) for keyword in story.keywords_for(variant.lang)),
            G.slugline(story.slug),
            G.headline(variant.headline),
            *(
                [G.headline(variant.alt_headline, role=ALTERNATIVE_HEADLINE_ROLE)]
                if variant.alt_headline
                else []
            ),
            G.dateline(dateline_text(story, variant)),
            *([G.by(byline_text(variant))] if byline.names else []),
            G.description(variant.summary, role=SUMMARY_ROLE),
        )

    def _dates_meta(self, lang: str | None, *more: etree._Element) -> etree._Element:
        story = self.story
        modified = story.last_updated if lang is None else story.updated_for(lang)
        return G.contentMeta(
            G.urgency(str(story.urgency)),
            G.contentCreated(rfc3339(story.first_created)),
            G.contentModified(rfc3339(modified)),
            *more,
        )

    def _place(self, tag: str, place: Place, lang: str, *more: etree._Element) -> etree._Element:
        return G(
            tag,
            localized_name(place.name, lang, self.story.original_lang),
            G.broader(
                G.name(territory_name(place.country, lang)),
                type="cpnat:geoArea",
                qcode=f"{COUNTRY_SCHEME}:{place.country}",
            ),
            *more,
            type="cpnat:geoArea",
        )

    def _located(self, place: Place, lang: str) -> etree._Element:
        details = []
        if place.coordinates:
            latitude, longitude = place.coordinates
            position = G.position(latitude=repr(latitude), longitude=repr(longitude))
            details.append(G.geoAreaDetails(position))
        return self._place("located", place, lang, *details)

    def _person(self, person: Person) -> etree._Element:
        attributes = {"type": "cpnat:person", **({"uri": person.url} if person.url else {})}
        note = [G.note(person.role)] if person.role else []
        return G.creator(attributes, G.name(person.name), *note)

    def _remote_content(self, image: Image) -> etree._Element:
        return G.remoteContent(
            id=self.story.picture_id(image),
            href=self.ctx.urls.media(media_path(self.story.slug, image.name), image.digest),
            contenttype=image.media_type,
            size=str(image.size),
            width=str(image.width),
            height=str(image.height),
        )

    def _xhtml(self, variant: Variant) -> etree._Element:
        story = self.story
        html = H.html(H.head(H.title(variant.headline)))
        set_language(html, variant.lang)

        def image_url(image: Image) -> str:
            return self.ctx.urls.media(media_path(story.slug, image.name), image.digest)

        # The public correction note ends the body, as on the page: partners publish the
        # body, not the edNote, which is for their editors.
        html.append(H.body(render_body(story, variant, image_url, corrected=True, wire=True)))
        return html

    # packageItem --------------------------------------------------------------------------

    @property
    def package_lang(self) -> str:
        """The package's language: the original's, when the site publishes it, else the
        first the site publishes in its order, as the pages' `x-default` (`default_language`)."""
        return default_language(self.story, self.ctx)

    def package_item(self) -> etree._Element:
        story = self.story
        lang = self.package_lang
        root = self._item_root(
            "packageItem",
            story.id,
            lang,
            self._rights_info(lang),
            self._item_meta("ninat:composite", None, *self._package_signal(lang)),
            self._dates_meta(
                None,
                *(G.keyword(keyword) for keyword in story.keywords),
                G.slugline(story.slug),
                G.headline(story.variant(lang).headline),
            ),
            G.groupSet(
                G.group(
                    *(self._item_ref(story.variant(other)) for other in self.langs),
                    id="variants",
                    mode="pgrmod:alt",
                ),
                root="variants",
            ),
        )
        etree.indent(root, space="  ")
        return root

    def _package_signal(self, lang: str) -> list[etree._Element]:
        """A kill's note and signal; any other version after the first, `sig:update` alone,
        as its items carry it (a correction too: the package is a new version of the one
        partners hold). None when every language is first out in this version: partners
        had no package before it."""
        if self.killed:
            return self._kill_note(lang)
        story = self.story
        updates = story.version > 1 and not all(
            story.first_out_in_this_version(other) for other in self.langs
        )
        return [G.signal(qcode=SIG_UPDATE)] if updates else []

    def _item_ref(self, variant: Variant) -> etree._Element:
        story = self.story
        attributes = {
            "href": self.ctx.urls.output(item_path(story.slug, variant.lang)),
            "residref": story.variant_id(variant.lang),
            "version": str(story.version),
            "contenttype": NEWSITEM_TYPE,
            **language(variant.lang),
        }
        return G.itemRef(
            attributes,
            G.itemClass(qcode="ninat:text"),
            G.pubStatus(qcode=f"stat:{story.status}"),
            G.language({"tag": stated_tag(variant.lang)}),
            G.headline(variant.headline),
        )
