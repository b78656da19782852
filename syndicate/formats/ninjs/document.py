"""One story variant as an IPTC ninjs document. The document is built once in the 3.x spelling
(camelCase) and respelled for 2.x, whose properties are the same in lower case but for a few
names and the association's `rel`, which 2.x lacks.

Like NewsML-G2, ninjs is what partners ingest: embargoed stories are written (with their images
beside the documents, in `ninjs/media/`), a story killed or withdrawn after release is a new
version with its pubStatus, an edNote saying what to do and nothing of the story, and a draft
has no document."""

from __future__ import annotations

from typing import Any, Literal

from syndicate.formats.contract import Context, in_site_order
from syndicate.i18n.dates import rfc3339
from syndicate.i18n.locales import stated_tag
from syndicate.i18n.terms import term
from syndicate.i18n.text import byline_text, isolated_in
from syndicate.model import Image, Place, Story, Subject, Variant
from syndicate.model.genres import genre_code, genre_uri
from syndicate.model.story import MEDIATOPIC_SCHEME, Status
from syndicate.render.text import body_text, body_words, char_count, word_count
from syndicate.render.xhtml import correction_text, render_body, to_string

Version = Literal["2.2", "3.1"]
VERSIONS: tuple[Version, ...] = ("2.2", "3.1")
Node = dict[str, Any]

SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json#"
XHTML_TYPE = "application/xhtml+xml"

# 3.x names whose 2.x spelling is not simply the lower case.
_V2_NAMES = {"embargoedUntil": "embargoed"}


MEDIA_FOLDER = "ninjs/media"


def media_path(slug: str, image: Image) -> str:
    """Where a story's image is published beside its documents."""
    return f"{MEDIA_FOLDER}/{slug}/{image.name}"


def pub_status(story: Story) -> Status:
    """The status a story's documents carry: its own (usable, withheld, canceled)."""
    return story.status


class DocumentBuilder:
    """The ninjs documents of one story, one per language."""

    def __init__(self, story: Story, ctx: Context[Any], version: Version) -> None:
        self.story = story
        self.ctx = ctx
        self.version = version
        self.languages = in_site_order(story, ctx)
        """What a document links to: the story's site languages, not only this run's, so a
        partial run writes the same bytes as a full one, in the site's order."""
        self.killed = story.lifecycle(ctx.now) in ("killed", "withdrawn")
        """A kill or withdrawal: the documents say so and carry nothing of the story."""

    def document(self, lang: str) -> Node:
        variant = self.story.variant(lang)
        doc = self._kill(variant) if self.killed else self._document(variant)
        return doc if self.version.startswith("3") else to_v2(doc)

    def _kill(self, variant: Variant) -> Node:
        """The new version that tells partners to stop using the story."""
        story, lang = self.story, variant.lang
        key = "kill_note" if story.status == "canceled" else "withdrawal_note"
        return {
            "uri": story.variant_id(lang),
            "standard": self._standard(),
            "type": "text",
            "representationType": "partial",
            "version": str(story.version),
            "firstCreated": rfc3339(story.published_for(lang)),
            "versionCreated": rfc3339(story.updated_for(lang)),
            "pubStatus": pub_status(story),
            "language": stated_tag(lang),
            "slugline": story.slug,
            "headlines": [{"role": "main", "value": variant.headline}],
            # isolated in a language of the other direction, as in the feeds' notices
            "edNote": term(key, lang, publisher=isolated_in(self.ctx.config.publisher.name, lang)),
            "altIds": [{"role": "story", "value": story.id}],
        }

    def _standard(self) -> Node:
        return {
            "name": "ninjs",
            "version": self.version,
            "schema": SCHEMA_URI.format(version=self.version),
        }

    def _document(self, variant: Variant) -> Node:
        story, lang = self.story, variant.lang
        rights = story.rights_for(lang)
        correction = story.correction_for(lang)  # none in a language first out with it
        counted = body_words(variant)  # without the list marks of the plain text
        words = word_count(counted)  # none for Thai and the like (render.text)
        counts: Node = {"charCount": char_count(counted)}
        if words is not None:
            counts["wordCount"] = words
        doc: Node = {
            "uri": story.variant_id(lang),
            "standard": self._standard(),
            "type": "text",
            "representationType": "full",
            "version": str(story.version),
            "firstCreated": rfc3339(story.published_for(lang)),
            "versionCreated": rfc3339(story.updated_for(lang)),
            "contentCreated": rfc3339(story.first_created),
            "pubStatus": pub_status(story),
            "urgency": story.urgency,
            "language": stated_tag(lang),
            "slugline": story.slug,
            "headlines": [{"role": "main", "value": variant.headline}]
            + (
                [{"role": "alternative", "value": variant.alt_headline}]
                if variant.alt_headline
                else []
            ),
            "descriptions": [
                {"role": "summary", "contentType": "text/plain", "value": variant.summary}
            ],
            "bodies": [
                {"role": "main", "contentType": XHTML_TYPE, "value": self.xhtml(variant), **counts},
                {
                    "role": "main",
                    "contentType": "text/plain",
                    "value": self.text(variant),
                    **counts,
                },
            ],
            "by": byline_text(variant),
            "copyrightHolder": rights.holder,
            "copyrightNotice": rights.notice.get(lang, story.original_lang) or rights.holder,
            "altIds": [{"role": "story", "value": story.id}],
        }
        optional: Node = {
            "embargoedUntil": rfc3339(story.embargo_until) if story.embargo_until else None,
            "usageTerms": rights.usage_terms.get(lang, story.original_lang)
            if rights.usage_terms
            else None,
            "edNote": correction.note.get(lang, story.original_lang) if correction else None,
            "located": variant.dateline or None,
            "genres": [self.genre()],
            "subjects": [self.subject(s, lang) for s in story.subjects],
            "places": [self.place(p, lang) for p in story.places],
            # An author's rel is `author`; a photographer's, an editor's... their contribution
            "people": [
                {"name": p.name, "rel": p.contribution or "author"}
                | ({"uri": p.url} if p.url else {})
                for p in variant.byline.people
            ],
            "organisations": [
                {"name": org, "rel": "author"} for org in [variant.byline.organisation] if org
            ],
            "renditions": self.page(lang),
            "associations": self.translations(lang) + self.images(lang),
        }
        doc.update((key, value) for key, value in optional.items() if value)
        return doc

    def xhtml(self, variant: Variant) -> str:
        """The body from the one body renderer, images at their public URLs, then the public
        correction note, as on the page (`edNote` is for partners' editors, not to publish)."""
        urls, slug = self.ctx.urls, self.story.slug

        def image_src(image: Image) -> str:
            return urls.media(media_path(slug, image), image.digest)

        return to_string(render_body(self.story, variant, image_src, corrected=True, wire=True))

    def text(self, variant: Variant) -> str:
        """The body as plain text, then the correction note's plain text, as `xhtml` has it."""
        correction = correction_text(self.story, variant.lang, wire=True)
        return "\n\n".join(filter(None, (body_text(variant), correction)))

    def genre(self) -> Node:
        """IPTC's genre, by its URI and its qcode (no name: IPTC names it in English only)."""
        genre = self.story.genre
        return {"uri": genre_uri(genre), "literal": "genre:" + genre_code(genre)}

    def subject(self, subject: Subject, lang: str) -> Node:
        node: Node = {"name": subject.name.get(lang, self.story.original_lang) or subject.code}
        if subject.topic is not None:
            node["uri"] = MEDIATOPIC_SCHEME + subject.topic
        node["literal"] = subject.code
        return node

    def place(self, place: Place, lang: str) -> Node:
        node: Node = {"name": place.name.get(lang, self.story.original_lang) or place.country}
        node["rel"] = place.role
        if place.coordinates:
            latitude, longitude = place.coordinates
            node["geoJSON"] = {"type": "Point", "coordinates": [longitude, latitude]}
        return node

    def page(self, lang: str) -> list[Node]:
        """The published page, while the public may see it."""
        if not self.story.is_visible(self.ctx.now):
            return []
        href = self.ctx.urls.article(self.story.slug, lang)
        return [{"name": "html", "href": href, "contentType": "text/html"}]

    def translations(self, lang: str) -> list[Node]:
        """The other language variants: `original` (from a translation) and `translation`."""
        links = []
        for other in self.languages:
            if other == lang:
                continue
            rel = "original" if other == self.story.original_lang else "translation"
            links.append(
                {
                    "name": f"{rel}-{other}",
                    "rel": rel,
                    "uri": self.story.variant_id(other),
                    "type": "text",
                    "language": stated_tag(other),
                    "headlines": [{"role": "main", "value": self.story.variant(other).headline}],
                }
            )
        return links

    def images(self, lang: str) -> list[Node]:
        """The pictures, the variant's own (`Story.main_image`) first, each under the id
        every partner channel gives it (`Story.picture_id`: NewsML-G2's `remoteContent` id)
        and the URI that names it (`Story.picture_uri`); its URL is the rendition's."""
        return [self.image(image, lang) for image in self.story.images_for(lang)]

    def image(self, image: Image, lang: str) -> Node:
        story = self.story
        href = self.ctx.urls.media(media_path(story.slug, image), image.digest)
        node: Node = {
            "name": story.picture_id(image),
            "rel": "image",
            "uri": story.picture_uri(image),
            "type": "picture",
            "renditions": [
                {
                    "name": "original",
                    "href": href,
                    "contentType": image.media_type,
                    "width": image.width,
                    "height": image.height,
                    "sizeInBytes": image.size,
                }
            ],
        }
        # An ornament's text alternative is said, empty (`alt=""`, as NewsML-G2 says it): left
        # out, a partner could not tell it from a picture whose description is missing.
        alt = "" if image.decorative else image.alt.get(lang, story.original_lang)
        caption = image.caption.get(lang, story.original_lang) if image.caption else None
        described = [("alt", alt), ("caption", caption)]
        descriptions = [
            {"role": role, "value": text}
            for role, text in described
            if text or (role == "alt" and image.decorative)
        ]
        if descriptions:
            node["descriptions"] = descriptions
        if image.credit:
            node["by"] = image.credit
        # The picture's rights, its own or the story's: a partner takes each association on
        # its own, and an agency's photo is not the publisher's.
        rights = story.image_rights(image, lang)
        node["copyrightHolder"] = rights.holder
        node["copyrightNotice"] = rights.notice.get(lang, story.original_lang) or rights.holder
        if rights.usage_terms and (terms := rights.usage_terms.get(lang, story.original_lang)):
            node["usageTerms"] = terms
        return node


def to_v2(node: Any, *, association: bool = False) -> Any:
    """The 3.x document in 2.x spelling: lower-case names, `embargoed`, no `rel` on
    associations (2.x tells them apart by name only)."""
    if isinstance(node, list):
        return [to_v2(item, association=association) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        _V2_NAMES.get(key, key.lower()): to_v2(value, association=key == "associations")
        for key, value in node.items()
        if not (association and key == "rel")
    }
