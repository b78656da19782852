"""schema.org JSON-LD graphs: for each language variant of a story one `@graph` in which the
publisher, the website, the web page and the NewsArticle reference each other by `@id` (the
shape Yoast SEO emits), with the translations linked both ways; and the graph of an index."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from syndicate.diagnostics import Diagnostic
from syndicate.formats.contract import Context, json_text, other_languages, site_languages
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import stated_tag
from syndicate.i18n.text import dateline_text, section_name
from syndicate.model import Image, Person, Place, Story, Subject
from syndicate.model.genres import genre_uri
from syndicate.model.story import MEDIATOPIC_SCHEME
from syndicate.readers.images import image_size
from syndicate.readers.schemas import check
from syndicate.render.text import body_text, body_words, word_count

_SIZES: dict[bytes, tuple[int, int]] = {}
"""The pixel size of each logo or icon read, by its bytes: a graph builder is made for each
story, and the logo is the same file each time."""

Node = dict[str, Any]

SCHEMA = "jsonld.schema.json"
HEADLINE_LIMIT = 110
"""Google truncates longer headlines in results; we warn and never cut."""
GOOGLE_LOGO_MIN = 112

# Characters that end a <script> element or open an HTML comment inside it; JSON lets any
# character be written as \\uXXXX, so the embedded text is the same data and cannot break out.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def article_id(ctx: Context[Any], story: Story, lang: str) -> str:
    return ctx.urls.article(story.slug, lang) + "#article"


def dumps(data: Node) -> str:
    """Deterministic JSON text: sorted keys, real characters, trailing newline."""
    return json_text(data) + "\n"


def script_text(data: Node) -> str:
    """JSON text safe inside `<script type="application/ld+json">`: no `<`, `>` or `&`."""
    text = dumps(data)
    for char, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def report_schema_problems(data: Any, shown: str, ctx: Context[Any]) -> None:
    """Check JSON-LD data against schemas/jsonld.schema.json."""
    for _, message in check(data, SCHEMA):
        ctx.diagnostics.error("jsonld.schema", message, shown)


def warn_long_headline(story: Story, lang: str, ctx: Context[Any]) -> None:
    """The JSON-LD and HTML writers both meet the headline; the run reports it once."""
    variant = story.variant(lang)
    if len(variant.headline) <= HEADLINE_LIMIT:
        return
    message = (
        f"headline is {len(variant.headline)} characters; search engines may truncate"
        f" headlines longer than {HEADLINE_LIMIT}"
    )
    where = variant.headline_source or variant.source
    ctx.diagnostics.add(Diagnostic("warning", "jsonld.headline", message, where.path, where.line))


class GraphBuilder:
    """Builds the `@graph` of each variant; publisher facts are computed once per run."""

    def __init__(self, ctx: Context[Any]) -> None:
        self.ctx = ctx
        publisher = ctx.config.publisher
        self.org_id = publisher.url + "#organization"
        self.website_id = publisher.url + "#website"
        self.organization = self._organization()
        self.website: Node = {
            "@type": "WebSite",
            "@id": self.website_id,
            "url": publisher.url,
            "name": publisher.name,
            "publisher": {"@id": self.org_id},
        }

    def graph(self, story: Story, lang: str) -> Node:
        warn_long_headline(story, lang, self.ctx)
        return {
            "@context": "https://schema.org",
            "@graph": [
                self.organization,
                self.website,
                self._webpage(story, lang),
                self._article(story, lang),
            ],
        }

    def collection(
        self,
        url: str,
        name: str,
        langs: Sequence[str],
        items: Sequence[tuple[str, str]],
        section: tuple[str, str] | None = None,
        *,
        total: int | None = None,
        first: int = 1,
    ) -> Node:
        """The graph of a story index: a CollectionPage whose main entity lists the
        (url, headline) of each story, in the order shown; a section's list says its
        section, `(code, name)`, as what the page is `about` (the `articleSection` of the
        articles it lists, by name). A page of a paged list gives the whole list's `total`
        and the position of its `first` story in it, as schema.org's ItemList asks of a list
        "described over several pages": page 2 of 50 a page starts at 51, not at 1 again."""
        page: Node = {
            "@type": "CollectionPage",
            "@id": url,
            "url": url,
            "name": name,
            "inLanguage": said[0] if len(said := [stated_tag(t) for t in langs]) == 1 else said,
            "isPartOf": {"@id": self.website_id},
            "mainEntity": {
                "@type": "ItemList",
                "numberOfItems": len(items) if total is None else total,
                "itemListElement": [
                    {"@type": "ListItem", "position": i, "url": item_url, "name": headline}
                    for i, (item_url, headline) in enumerate(items, start=first)
                ],
            },
        }
        if section is not None:
            code, title = section
            page["about"] = {"@type": "Thing", "identifier": code, "name": title}
        return {"@context": "https://schema.org", "@graph": [self.organization, self.website, page]}

    def _organization(self) -> Node:
        publisher = self.ctx.config.publisher
        node: Node = {
            "@type": "NewsMediaOrganization",
            "@id": self.org_id,
            "name": publisher.name,
            "url": publisher.url,
            "logo": self._logo(),
        }
        if publisher.email:
            node["email"] = publisher.email
        return node

    def _logo(self) -> Node:
        """Google wants a publisher logo of at least 112×112 pixels: a wide banner logo fails
        that, so the square icon stands in when the banner is too small."""
        publisher = self.ctx.config.publisher
        candidates = [publisher.logo, *([publisher.icon] if publisher.icon else [])]
        sized = [(file, self._size(file)) for file in candidates]
        file, (width, height) = next(
            ((f, s) for f, s in sized if min(s) >= GOOGLE_LOGO_MIN), sized[0]
        )
        url = self.ctx.urls.site_media(file)
        return {
            "@type": "ImageObject",
            "@id": publisher.url + "#logo",
            "url": url,
            "contentUrl": url,
            "width": width,
            "height": height,
            "caption": publisher.name,
        }

    def _size(self, file: Path) -> tuple[int, int]:
        data = self.ctx.read_asset(file)
        size = _SIZES.get(data)
        if size is None:
            if len(_SIZES) >= 16:  # a long `serve` seeing the logo change: keep few
                _SIZES.clear()
            size = _SIZES[data] = image_size(data)
        return size

    def _webpage(self, story: Story, lang: str) -> Node:
        variant = story.variant(lang)
        url = self.ctx.urls.article(story.slug, lang)
        node: Node = {
            "@type": "WebPage",
            "@id": url,
            "url": url,
            "name": variant.headline,
            "description": variant.summary,
            "inLanguage": stated_tag(lang),
            "isPartOf": {"@id": self.website_id},
            "datePublished": rfc3339(story.public_since_for(lang)),
            "dateModified": rfc3339(story.public_updated_for(lang)),
        }
        image = story.main_image(lang)
        # an ornament is the picture only when every image is one: it says it represents
        # nothing of the page (`representativeOfPage: false`), so it is no primary image
        if image is not None and not image.decorative:
            node["primaryImageOfPage"] = {"@id": self.ctx.urls.image(story.slug, image)}
        return node

    def _article(self, story: Story, lang: str) -> Node:
        variant = story.variant(lang)
        url = self.ctx.urls.article(story.slug, lang)
        rights = story.rights_for(lang)
        text = body_text(variant)
        node: Node = {
            "@type": "NewsArticle",
            "@id": article_id(self.ctx, story, lang),
            "url": url,
            "mainEntityOfPage": {"@id": url},
            "isPartOf": {"@id": url},
            # One identity per language variant, as in every format; the story is the work
            # its variants realise.
            "identifier": story.variant_id(lang),
            "exampleOfWork": {"@type": "CreativeWork", "identifier": story.id},
            "headline": variant.headline,
            "description": variant.summary,
            "articleBody": text,
            "wordCount": word_count(body_words(variant)),
            "articleSection": section_name(story.section, lang),
            # IPTC's genre by its URI: schema.org's `genre` takes a URL or a text, and a
            # code's name is English only.
            "genre": genre_uri(story.genre),
            "inLanguage": stated_tag(lang),
            # The dateline is the story's own text, dated as written (`published`); the
            # dates are when the public had it (after an embargo: its end).
            "dateline": dateline_text(story, variant),
            "datePublished": rfc3339(story.public_since_for(lang)),
            "dateModified": rfc3339(story.public_updated_for(lang)),
            "author": self._authors(story, lang),
            "publisher": {"@id": self.org_id},
            "copyrightHolder": self._organization_ref(rights.holder),
            "copyrightYear": story.published_for(lang).astimezone(ZoneInfo(story.timezone)).year,
            "isAccessibleForFree": True,
            "keywords": list(story.keywords_for(variant.lang)),
        }
        optional: Node = {
            "alternativeHeadline": variant.alt_headline,
            "copyrightNotice": rights.notice.get(lang, story.original_lang),
            # the page's picture first: Google takes the first for the article's thumbnail
            "image": [self._image(story, image, lang) for image in story.images_for(lang)],
            "about": [_subject(subject, lang, story) for subject in story.subjects],
            "contentLocation": [_place(p, lang, story) for p in story.places if p.role == "about"],
            "locationCreated": _place(story.located, lang, story) if story.located else None,
            "correction": self._correction(story, lang),
            **self._contributors(story, lang),
            **self._translation_links(story, lang),
        }
        node.update({k: v for k, v in optional.items() if v})
        if not text:  # a body of figures alone has no text to give
            del node["articleBody"]
        if node["wordCount"] is None:  # Thai and the like: not counted (render.text)
            del node["wordCount"]
        return node

    def _authors(self, story: Story, lang: str) -> list[Node]:
        """The byline's authors; a byline of contributors alone (a photographer) has the
        publisher as its author, as Google asks for one."""
        byline = story.variant(lang).byline
        people = [_person(person) for person in byline.authors]
        if byline.organisation:
            people.append(self._organization_ref(byline.organisation))
        return people or [{"@id": self.org_id}]

    def _contributors(self, story: Story, lang: str) -> Node:
        """The byline's other people: schema.org's `editor` and `translator`, `contributor`
        for a photographer, an illustrator or a videographer (it has no property of theirs)."""
        nodes: Node = {}
        for person in story.variant(lang).byline.contributors:
            kind = person.contribution
            key = kind if kind in ("editor", "translator") else "contributor"
            nodes.setdefault(key, []).append(_person(person))
        return nodes

    def _organization_ref(self, name: str) -> Node:
        """The publisher by `@id` when it is the one named; another organisation by name."""
        if name == self.ctx.config.publisher.name:
            return {"@id": self.org_id}
        return {"@type": "Organization", "name": name}

    def _image(self, story: Story, image: Image, lang: str) -> Node:
        url = self.ctx.urls.image(story.slug, image)
        node: Node = {
            "@type": "ImageObject",
            "@id": url,
            "url": url,
            "contentUrl": url,
            "encodingFormat": image.media_type,
            "width": image.width,
            "height": image.height,
        }
        if image.decorative:  # an ornament (a rule, a texture) shows nothing of the story
            node["representativeOfPage"] = False
        caption = image.caption.get(lang, story.original_lang) if image.caption else None
        if caption:
            node["caption"] = caption
        if image.credit:
            node["creditText"] = image.credit
        # Google's image metadata: who holds the picture's copyright (its own or the story's)
        rights = story.image_rights(image, lang)
        node["copyrightHolder"] = self._organization_ref(rights.holder)
        notice = rights.notice.get(lang, story.original_lang)
        if notice:
            node["copyrightNotice"] = notice
        return node

    def _correction(self, story: Story, lang: str) -> Node | None:
        """A `CorrectionComment`, but in a language first published with the correction or
        corrected before it reached the public, never out uncorrected
        (`Story.public_correction_for`)."""
        correction = story.public_correction_for(lang)
        if correction is None:
            return None
        note = correction.note.get(lang, story.original_lang)
        if not note:
            return None
        when = rfc3339(story.public_updated_for(lang))
        return {"@type": "CorrectionComment", "text": note, "datePublished": when}

    def _translation_links(self, story: Story, lang: str) -> Node:
        """`workTranslation` on the original, `translationOfWork` on each translation. An
        original the site does not publish has no page: its translations are translations
        of it, not of each other, and say neither (the `x-default` page stands in for it in
        `hreflang`, which claims no translation)."""
        if story.original_lang not in site_languages(story, self.ctx):
            return {}
        original = story.original_lang
        if lang != original:
            return {"translationOfWork": self._work_ref(story, original)}
        others = other_languages(story, lang, self.ctx)
        return {"workTranslation": [self._work_ref(story, other) for other in others]}

    def _work_ref(self, story: Story, lang: str) -> Node:
        return {
            "@type": "NewsArticle",
            "@id": article_id(self.ctx, story, lang),
            "url": self.ctx.urls.article(story.slug, lang),
            "headline": story.variant(lang).headline,
            "inLanguage": stated_tag(lang),
        }


def _subject(subject: Subject, lang: str, story: Story) -> Node:
    """IPTC Media Topics as DefinedTerms named by their NewsCodes URI."""
    name = subject.name.get(lang, story.original_lang) or subject.code
    if subject.topic is None:
        return {"@type": "Thing", "name": name, "identifier": subject.code}
    return {
        "@type": "DefinedTerm",
        "@id": MEDIATOPIC_SCHEME + subject.topic,
        "name": name,
        "termCode": subject.topic,
        "inDefinedTermSet": MEDIATOPIC_SCHEME,
    }


def _place(place: Place, lang: str, story: Story) -> Node:
    node: Node = {
        "@type": "Place",
        "name": place.name.get(lang, story.original_lang) or place.country,
        "address": {"@type": "PostalAddress", "addressCountry": place.country},
    }
    if place.coordinates:
        latitude, longitude = place.coordinates
        node["geo"] = {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
    return node


def _person(person: Person) -> Node:
    node: Node = {"@type": "Person", "name": person.name}
    if person.url:
        node["url"] = person.url
    return node
