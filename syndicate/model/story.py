"""The canonical, immutable story: shared facts plus one variant per language."""

from __future__ import annotations

import contextlib
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Literal

from syndicate.model.body import Block, Figure, placed_images, walk
from syndicate.model.site import IMAGE_DIGEST
from syndicate.model.source import SourceRef

Status = Literal["usable", "withheld", "canceled"]
STATUSES: tuple[Status, ...] = ("usable", "withheld", "canceled")
Lifecycle = Literal["draft", "scheduled", "embargoed", "public", "withdrawn", "killed"]
"""Where a story stands at a given time (see `lifecycle`)."""
UNRELEASED: frozenset[Lifecycle] = frozenset({"draft", "scheduled"})
"""The stages no output carries: never released (yet)."""
MEDIATOPIC_SCHEME = "http://cv.iptc.org/newscodes/mediatopic/"
"""The URI of IPTC's Media Topic vocabulary; a topic's URI is this plus its number."""
IMAGE_EXTENSIONS = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
}
"""The file name extensions of each image type, the usual one first."""
_NOT_IN_NAMES = re.compile(r"[^\w.-]+")
"""What a published name may not hold: anything but letters, digits, `_`, `.` and `-` (and
the marks and joiners `_name_part` keeps)."""
_JOINERS = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: a Persian or Indic word's spelling holds them."""
_INVISIBLE_MARKS = re.compile("[\u034f\u17b4\u17b5\u180b-\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef]")
"""Marks Unicode makes default-ignorable (the combining grapheme joiner, variation selectors,
Khmer's inherent vowels, Mongolian's variation selectors): nothing to see, so a name holding
them looks like one without them."""


def _name_part(match: re.Match[str]) -> str:
    """A run of characters `_NOT_IN_NAMES` matched, as a published name holds it: the
    combining marks that follow a letter (a Devanagari vowel sign, Thai's, Hebrew points) and
    a joiner between two letters are kept, as they are part of the word (`चित्र`, not
    `च-त-र`), each run of anything else made one `-`. A mark after anything else (a space, a
    `-`, the start of the name), a default-ignorable mark, and a joiner not between letters,
    or doubled, are nothing to read: kept, they would make a name start with a mark, or two
    names that look one (`a\u200d.png` and `a.png`), so they are made `-` too."""
    run, start, source = match[0], match.start(), match.string
    after_letter = start > 0 and source[start - 1].isalpha()  # (or after its kept marks)
    part: list[str] = []
    for at, char in enumerate(run):
        if char in _JOINERS:
            following = source[start + at + 1 : start + at + 2]
            kept = after_letter and (following.isalpha() or _visible_mark(following))
        else:
            kept = after_letter and _visible_mark(char)
        if kept:
            part.append(char)
        else:
            after_letter = False
            if not part or part[-1] != "-":
                part.append("-")
    return "".join(part)


def _visible_mark(char: str) -> bool:
    """Whether `char` is a combining mark one sees (not a variation selector's kind)."""
    return bool(char) and unicodedata.category(char)[0] == "M" and not _INVISIBLE_MARKS.match(char)


def variant_id(story_id: str, lang: str) -> str:
    """The permanent id of one language variant: the story id plus `:` and the language tag,
    or for a `urn:uuid:` id, whose part after the prefix must be one UUID and nothing else
    (RFC 9562), the UUID named by the language in the story's UUID (version 5)."""
    if story_id[:9].lower() == "urn:uuid:":
        with contextlib.suppress(ValueError):  # (a reader refuses a malformed one)
            return f"urn:uuid:{uuid.uuid5(uuid.UUID(story_id[9:]), lang)}"
    return f"{story_id}:{lang}"


def _first_given(table: dict[str, str], lang: str, fallback: str | None) -> str | None:
    """The tag `lang`'s text is taken from: exact tag, its primary language, `*`, then
    `fallback`'s exact tag and primary language."""
    # Tried in order, without building the list: this runs for every caption, credit and
    # rights notice of every file.
    if lang in table:
        return lang
    primary = lang.partition("-")[0]
    if primary in table:
        return primary
    if "*" in table:
        return "*"
    if fallback:
        if fallback in table:
            return fallback
        primary = fallback.partition("-")[0]
        if primary in table:
            return primary
    return None


@dataclass(frozen=True, slots=True)
class Localized:
    """A text given once per language, e.g. an image caption: `{"en": "...", "fr": "..."}`.

    A plain string in the source means "the same in every language".
    """

    values: tuple[tuple[str, str], ...]

    @classmethod
    def same(cls, text: str) -> Localized:
        return cls((("*", text),))

    def get(self, lang: str, fallback: str | None = None) -> str | None:
        """The text for `lang`: exact tag, then its primary language, then `fallback`'s."""
        table = dict(self.values)
        tag = _first_given(table, lang, fallback)
        return None if tag is None else table[tag]

    def written_in(self, lang: str, fallback: str | None = None) -> str | None:
        """The language of the text `get(lang, fallback)` gives: the tag it is given under
        (`*` for one text for every language, whose language is not known); None if none."""
        return _first_given(dict(self.values), lang, fallback)

    def languages(self) -> tuple[str, ...]:
        return tuple(tag for tag, _ in self.values if tag != "*")


@dataclass(frozen=True, slots=True)
class Subject:
    """An IPTC Media Topic, e.g. `medtop:11000000` ("politics")."""

    code: str
    name: Localized

    @property
    def topic(self) -> str | None:
        """The Media Topic number (`11000000`), or None for a code of another scheme."""
        scheme, _, number = self.code.partition(":")
        return number if scheme == "medtop" else None


@dataclass(frozen=True, slots=True)
class Place:
    name: Localized
    country: str
    """ISO 3166-1 alpha-2."""
    coordinates: tuple[float, float] | None = None
    role: Literal["located", "about"] = "about"
    """`located`: where the story was reported from (the dateline); `about`: what it covers."""


@dataclass(frozen=True, slots=True)
class Rights:
    holder: str
    notice: Localized
    usage_terms: Localized | None = None


@dataclass(frozen=True, slots=True)
class Image:
    file: str
    """Path relative to the story folder, e.g. `images/chart.png`."""
    path: str
    """Path on disk, as read."""
    media_type: str
    width: int
    height: int
    size: int
    """Bytes."""
    sha256: str
    alt: Localized
    caption: Localized | None
    credit: str | None
    source: SourceRef
    rights: Rights | None = None
    """The picture's own rights (an agency's photo); None: the story's."""
    animation: str | None = None
    """`checked`: an editor played the animation through and says it flashes no more than three
    times in any one second (WCAG 2.3.1) and stops by itself within five seconds (2.2.2), so
    the books holding it claim what they claim of a still image; None: not said (the
    `epub.animated` warning, for an animated image)."""
    decorative: bool | None = None
    """True: the picture is an ornament and says nothing (a rule, a texture): its text
    alternative is empty (`alt=""`) in every language, so screen readers pass it by, and it
    is no missing one (`epub.alt`); None: it has one (`alt`)."""

    @property
    def name(self) -> str:
        """The published file name: the source name with each run of characters other than
        letters (with their combining marks), digits, `_`, `.` and `-` made one `-` (so it
        is one path segment of a URL, and a file name everywhere), and an extension of its
        format, which the reader detected from the bytes: an `evil.html` that is a PNG is
        published as `evil.png`."""
        return _published_name(self.file, self.media_type)

    @property
    def digest(self) -> str:
        """A short digest of the image's bytes (the first 12 hex digits of their SHA-256), which
        every published URL of it carries (`photo.jpg?v=<digest>`): a photo replaced in place
        by a correction gets a new URL, so partners, CDNs and browsers that cache by URL fetch
        the new picture, and an unchanged one keeps its URL run after run."""
        return self.sha256[:IMAGE_DIGEST]


@lru_cache(maxsize=4096)
def _published_name(file: str, media_type: str) -> str:
    """`Image.name` of a source file of a format, worked out once while it is among the last
    few thousand asked for: each page, feed item and graph naming an image asks for it (1,764
    times for the bench's 100 stories' 84 images, each a pattern's substitution)."""
    stem, dot, ext = file.rsplit("/", 1)[-1].rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = _NOT_IN_NAMES.sub(_name_part, stem).strip("-.") or "image"
    known = IMAGE_EXTENSIONS.get(media_type, ("bin",))
    return f"{stem}.{ext.lower() if ext.lower() in known else known[0]}"


@dataclass(frozen=True, slots=True)
class RelatedLink:
    url: str
    title: Localized


@dataclass(frozen=True, slots=True)
class Correction:
    note: Localized
    source: SourceRef


Contribution = Literal["editor", "translator", "photographer", "illustrator", "videographer"]
_CONTRIBUTION_WORDS: tuple[tuple[Contribution, frozenset[str]], ...] = (
    # Tried in this order: a "photo editor" edits, a "graphics editor" too.
    ("editor", frozenset({"editor", "editors", "edited", "editing", "editora", "editorin"})),
    (
        "translator",
        frozenset(
            {"translator", "translators", "translated", "translation", "traducteur", "traduction"}
            | {"traducción", "übersetzung"}
            | {"traductrice", "traductor", "traductora", "übersetzer", "übersetzerin"}
        ),
    ),
    (
        "photographer",
        frozenset(
            {"photographer", "photographers", "photo", "photos", "photograph", "photographs"}
            | {"photography", "photographe", "fotógrafo", "fotógrafa", "fotograf", "fotografin"}
        ),
    ),
    (
        "illustrator",
        frozenset(
            {"illustrator", "illustrators", "illustration", "illustrations", "illustrateur"}
            | {"illustratrice", "graphic", "graphics", "infographic", "infographics"}
        ),
    ),
    (
        "videographer",
        frozenset({"videographer", "video", "camera", "cameraman", "camerawoman", "vidéaste"}),
    ),
)
"""The words of a byline role that name a contribution other than writing (docs/sources.md)."""
CONTRIBUTIONS: frozenset[str] = frozenset(kind for kind, _ in _CONTRIBUTION_WORDS)
_ALL_CONTRIBUTION_WORDS = frozenset().union(*(names for _, names in _CONTRIBUTION_WORDS))
_CONNECTIVES = frozenset(
    {"and", "by", "of", "the", "de", "del", "des", "du", "la", "le", "et", "y", "e", "und"}
    | {"von", "der", "die", "das"}
)
"""Words a role joins its words with ("photos and video", "traduction de"), not words of it."""


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    role: str | None = None
    url: str | None = None

    @property
    def contribution(self) -> Contribution | None:
        """What the person gave if not the text (a photographer's pictures), read from the
        words of the role; None for an author (a correspondent, a reporter, no role)."""
        return _contribution(self.role) if self.role else None


@lru_cache(maxsize=256)
def _contribution(role: str) -> Contribution | None:
    """`Person.contribution` of a role, worked out once a role: a story's byline is asked for
    its authors and contributors by every page, feed item and graph that names them (4,359
    times for the bench's 100 stories, of a few roles)."""
    words = set(_WORDS.findall(role.casefold())) - _CONNECTIVES
    if not words or not words <= _ALL_CONTRIBUTION_WORDS:
        return None  # a beat, a place, a rank ("Europe editor", "Text and photos")
    return next((kind for kind, names in _CONTRIBUTION_WORDS if words & names), None)


_WORDS = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Byline:
    people: tuple[Person, ...] = ()
    organisation: str | None = None

    @property
    def authors(self) -> tuple[Person, ...]:
        """The people who wrote the story: those whose role names no other contribution."""
        return tuple(p for p in self.people if p.contribution is None)

    @property
    def contributors(self) -> tuple[Person, ...]:
        """The people credited for something else: a photographer, an editor, a translator."""
        return tuple(p for p in self.people if p.contribution is not None)

    @property
    def names(self) -> tuple[str, ...]:
        """Every credited name, people first."""
        return tuple(p.name for p in self.people) + (
            (self.organisation,) if self.organisation else ()
        )


@dataclass(frozen=True, slots=True)
class Variant:
    """One language version of a story."""

    lang: str
    """BCP 47 tag, e.g. `zh-Hans`."""
    headline: str
    summary: str
    byline: Byline
    dateline: str
    """The place part of the dateline in this language ("Bruxelles"); dates are added by i18n."""
    body: tuple[Block, ...]
    source: SourceRef
    alt_headline: str | None = None
    keywords: tuple[str, ...] = ()
    rights: Rights | None = None
    """This language's rights statement (story rights with the language file's overrides)."""
    updated: datetime | None = None
    """When this language's text last changed, when the language file says so (a later fix of
    one translation); otherwise the story's `updated` is the variant's."""
    published: datetime | None = None
    """When this language was first published, when its file says so: a translation added
    to a story published before it (`Story.published_for`); otherwise the story's."""
    headline_source: SourceRef | None = field(default=None, compare=False)
    """Where the headline is written (its front matter line), for problems about it (a
    character the covers cannot draw); None for a variant not read from a file."""


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    id: str
    """A URN or tag URI that never changes for the life of the story."""
    original_lang: str
    section: str
    timezone: str
    first_created: datetime
    published: datetime
    updated: datetime
    status: Status
    version: int
    urgency: int
    genre: str
    rights: Rights
    source: SourceRef
    variants: tuple[Variant, ...]
    subjects: tuple[Subject, ...] = ()
    keywords: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    images: tuple[Image, ...] = ()
    related: tuple[RelatedLink, ...] = ()
    embargo_until: datetime | None = None
    correction: Correction | None = None
    folder: str = field(default="", compare=False)
    """The story folder on disk (for reading assets); not part of the story's identity."""
    version_source: SourceRef | None = field(default=None, compare=False)
    """Where `version` is written (story.yaml's line), for problems about versions."""
    updated_source: SourceRef | None = field(default=None, compare=False)
    """Where the latest `updated` is written (story.yaml's line, or a language file's when
    later), for problems about it; None when no file gives one."""
    release_source: SourceRef | None = field(default=None, compare=False)
    """Where the time it reaches the public is written: story.yaml's `embargo_until` line, or
    its `published` line when it has no embargo; for problems about its release."""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(v.lang for v in self.variants)

    @property
    def original(self) -> Variant:
        return self.variant(self.original_lang)

    def variant(self, lang: str) -> Variant:
        for v in self.variants:
            if v.lang == lang:
                return v
        raise KeyError(f"{self.slug} has no {lang!r} variant")

    def has(self, lang: str) -> bool:
        return any(v.lang == lang for v in self.variants)

    @property
    def lead_images(self) -> tuple[int, ...]:
        """The images story.yaml lists that no language's body places, in their order there:
        the story's lead images (a news site's "featured" photo), which a page and a book
        show before the body, in every language, as a placed one is shown. An image placed
        in some languages' bodies is not one: the editor chose where it goes, and a variant
        whose body leaves it out shows it nowhere (the reader warns, `image.unplaced`).

        Asked on every page and book (the hot path): a story with no image walks no body,
        and the walk ends at the figure that places the last image not yet found (most
        stories' bodies place their pictures, near the top of the first body)."""
        if not self.images:
            return ()
        left = set(range(len(self.images)))
        for variant in self.variants:
            for block in walk(variant.body):
                if isinstance(block, Figure):
                    left.discard(block.image)
                    if not left:
                        return ()
        return tuple(sorted(left))

    def shown_images(self, lang: str) -> tuple[int, ...]:
        """The images a page or a book in `lang` shows: the lead images and those its body
        places, each once, in their order in `images`."""
        if not self.images:
            return ()
        return tuple(sorted({*self.lead_images, *placed_images(self.variant(lang).body)}))

    def main_image(self, lang: str) -> Image | None:
        """The `lang` variant's picture: the one image every channel names as the story's
        (Open Graph's `og:image`, JSON-LD's `primaryImageOfPage`, JSON Feed's `image`, the
        RSS enclosure, the first of the media, associations and pictures of the feeds, the
        partner feeds, ninjs and NewsML-G2: `images_for`), decided here and nowhere else.

        The story's first lead image (`lead_images`), shown before the body in every
        language; without one, the first image the `lang` body places, in reading order;
        without one (a translation that lost its picture: `image.unplaced`), the original's,
        as its body places it; else the first listed. An ornament (`decorative`) is passed
        over for any picture that says something. None for a story without images."""
        if not self.images:
            return None
        return self.images[self._main_index(lang)]

    def images_for(self, lang: str) -> tuple[Image, ...]:
        """Every image of the story, as the channels of the `lang` variant carry them: its
        picture (`main_image`) first, then the others in their order in `images`."""
        return tuple(self.images[i] for i in self.image_order(lang))

    def image_order(self, lang: str) -> tuple[int, ...]:
        """`images_for` as indices into `images`: for a channel that also says each picture's
        place in `story.yaml` (NewsML-G2's `partMeta/@seq`, so a reader restores the order)."""
        if not self.images:
            return ()
        main = self._main_index(lang)
        return (main, *(i for i in range(len(self.images)) if i != main))

    def _main_index(self, lang: str) -> int:
        """`main_image`'s index: the first of `_candidates` that is no ornament (`decorative`:
        a rule, a texture, which no network or partner is to show for the story), else the
        first (a story of ornaments alone)."""
        first = None
        for index in self._candidates(lang):
            if not self.images[index].decorative:
                return index
            if first is None:
                first = index
        return first or 0

    def _candidates(self, lang: str) -> Iterator[int]:
        """The images in the order `main_image` prefers them, some more than once: the lead
        images, those the `lang` body places, the original's, then every image listed."""
        yield from self.lead_images
        for tag in dict.fromkeys((lang, self.original_lang)):
            if self.has(tag):
                for block in walk(self.variant(tag).body):
                    if isinstance(block, Figure) and 0 <= block.image < len(self.images):
                        yield block.image
        yield from range(len(self.images))

    def picture_id(self, image: Image) -> str:
        """The id every partner channel gives `image` (ninjs's association `name`, NewsML-G2's
        `remoteContent` id): `picture_id` of its published file name (see there)."""
        return picture_id(image.name)

    def picture_uri(self, image: Image) -> str:
        """The URI that identifies `image` as a part of the story (ninjs's association `uri`):
        the story's id and `#` its `picture_id`. It names the picture, not its file: a photo
        replaced in place keeps it (its URL's digest changes), as the story keeps its id."""
        return f"{self.id}#{self.picture_id(image)}"

    def translations(self, lang: str) -> tuple[Variant, ...]:
        """The other language variants of this story: what a variant links to."""
        return tuple(v for v in self.variants if v.lang != lang)

    def variant_id(self, lang: str) -> str:
        """The permanent id of one language variant (see `variant_id`)."""
        return variant_id(self.id, lang)

    def keywords_for(self, lang: str) -> tuple[str, ...]:
        """The `lang` variant's keywords: the language file's own (the story's in its
        language), else the story's, which are for every language."""
        return self.variant(lang).keywords or self.keywords

    def updated_for(self, lang: str) -> datetime:
        """When the `lang` variant last changed: the story's `updated`, or the language
        file's own when later."""
        own = self.variant(lang).updated
        return max(self.updated, own) if own else self.updated

    @property
    def last_updated(self) -> datetime:
        """The latest change of any variant (what a package of all the variants shows)."""
        return max(self.updated_for(v.lang) for v in self.variants)

    def published_for(self, lang: str) -> datetime:
        """When the `lang` variant was first published: the story's `published`, or the
        language file's own when later (a translation added to a published story)."""
        own = self.variant(lang).published
        return max(self.published, own) if own else self.published

    def first_out_in_this_version(self, lang: str) -> bool:
        """Whether this version is the first anyone gets of the `lang` variant: a language
        added to a story already out (its own `published`, later than the story's) at or
        after the time this version was made (the story's `updated`). Its items then update
        nothing: partners never had an earlier version of them."""
        return first_out_in_version(self.published_for(lang), self.published, self.updated)

    def correction_for(self, lang: str) -> Correction | None:
        """The correction the `lang` variant carries. A correction records no time of its
        own: it is the version that carries it, made at the story's `updated`. So a language
        first published at or after that time (`first_out_in_this_version`) was never out
        uncorrected, and has none to tell of."""
        return None if self.first_out_in_this_version(lang) else self.correction

    def public_correction_for(self, lang: str) -> Correction | None:
        """The correction the public channels (pages, feeds, JSON-LD, books) tell of in `lang`:
        `correction_for`, but none for a version made before the variant reached the public
        (`updated` before `public_since_for`: corrected under embargo, or while dated ahead),
        which the public never had uncorrected. Wire partners, who had the embargoed version,
        are told (`correction_for`). Strictly before: a version dated at the release itself
        is told, as a correction whose `updated` was left at `published` was always told."""
        if self.updated < self.public_since_for(lang):
            return None
        return self.correction_for(lang)

    @property
    def public_since(self) -> datetime:
        """When the story reached the public (see `public_since`): its first language."""
        return public_since(self.published, self.embargo_until)

    def public_since_for(self, lang: str) -> datetime:
        """When the `lang` variant reached the public (see `public_since`)."""
        return public_since(self.published_for(lang), self.embargo_until)

    def public_updated_for(self, lang: str) -> datetime:
        """When the `lang` variant last changed as the public channels say it (see
        `public_updated`)."""
        return public_updated(self.updated_for(lang), self.published_for(lang), self.embargo_until)

    def rights_for(self, lang: str) -> Rights:
        return self.variant(lang).rights or self.rights

    def image_rights(self, image: Image, lang: str) -> Rights:
        """An image's rights: its own, else the story's in `lang` (the publisher's picture)."""
        return image.rights or self.rights_for(lang)

    def rights_notice(self, lang: str) -> str:
        """The copyright notice in `lang`, or the holder's name when there is none."""
        rights = self.rights_for(lang)
        return rights.notice.get(lang, self.original_lang) or rights.holder

    @property
    def located(self) -> Place | None:
        return next((p for p in self.places if p.role == "located"), None)

    def is_visible(self, now: datetime) -> bool:
        """Whether the story may be shown to the public at `now` (feeds, pages, editions)."""
        return is_public(self.status == "usable", self.embargo_until, now, self.published)

    def lifecycle(self, now: datetime) -> Lifecycle:
        return lifecycle(
            self.status, self.version, self.embargo_until, now, self.published, self.updated
        )

    def was_public(self) -> bool:
        """Whether a killed or withdrawn story had reached the public before (see
        `was_public`)."""
        return was_public(self.published, self.embargo_until, self.updated)


_ID_KEEPS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def picture_id(name: str) -> str:
    """A picture's id for partners, from its published file name (`Image.name`, unique in the
    story): `picture-` and the name as it is (`IMG_1234.jpg` is `picture-IMG_1234.jpg`), each
    character but ASCII letters, digits, `.`, `_` and `-` written `_x<hex code point>_`
    (`图.png` is `picture-_x56fe_.png`), so it is an XML ID (NewsML-G2's `remoteContent/@id`)
    and a URI fragment. A `_` the name has before an `x` is written `_x5f_`, so `_x` begins
    nothing but an escape and two names never make one id; a camera's names (`IMG_1234.jpg`,
    `DSC_0042.JPG`, `PXL_20210218_093012345.jpg`) keep their `_`.

    Not its place in `story.yaml` or in a body: an editor moving a picture in a body, listing
    one more before it, or removing another renumbers nothing partners hold; the name is
    what every channel's URL of the picture is made from. Renaming the file makes it another
    picture, as its URL says."""
    return "picture-" + "".join(
        (c if c != "_" or name[i + 1 : i + 2] != "x" else "_x5f_")
        if c in _ID_KEEPS
        else f"_x{ord(c):x}_"
        for i, c in enumerate(name)
    )


def is_public(
    usable: bool, embargo_until: datetime | None, now: datetime, published: datetime | None = None
) -> bool:
    """The visibility rule: a usable story whose embargo (if any) has ended, and whose
    `published` has come (a story dated ahead is scheduled, as Hugo and WordPress hold back
    a post dated in the future)."""
    return (
        usable
        and (embargo_until is None or embargo_until <= now)
        and (published is None or published <= now)
    )


def lifecycle(
    status: Status,
    version: int,
    embargo_until: datetime | None,
    now: datetime,
    published: datetime | None = None,
    updated: datetime | None = None,
) -> Lifecycle:
    """Where a story stands at `now`. A usable story is `public`, or `embargoed` until its
    embargo and its `published` have come, or `scheduled` until its `published` comes when
    no embargo holds it (no output carries it before then, wire partners' included). A story
    withheld or canceled at version 1 is a `draft`: it was never
    released, and no output carries it; so is one withheld or canceled (at its `updated`)
    while it was scheduled, before its `published` came with no embargo: no one had it, and a
    kill would send wire partners the headline of a story that went out to no one.
    Withholding or canceling a released story is a new version (2 or more): `withdrawn`
    (withheld: not to be used for now) or `killed` (canceled: not to be used, ever); every
    output then says so in its own idiom."""
    if status == "usable":
        if is_public(True, embargo_until, now, published):
            return "public"
        # An embargo holds it until the later of the two: wire partners have it meanwhile.
        return "embargoed" if embargo_until is not None else "scheduled"
    if version == 1 or _taken_back_unsent(embargo_until, published, updated):
        return "draft"
    return "killed" if status == "canceled" else "withdrawn"


def _taken_back_unsent(
    embargo_until: datetime | None, published: datetime | None, updated: datetime | None
) -> bool:
    """Whether a story was withheld or canceled before anyone had it: while it was scheduled
    (its `published` still ahead of the change) and no embargo had sent it to the wire."""
    if embargo_until is not None or published is None or updated is None:
        return False
    return updated < published


def first_out_in_version(first: datetime, published: datetime, updated: datetime) -> bool:
    """Whether a language first published at `first` comes out in the version of a story
    published at `published` made at `updated` (see `Story.first_out_in_this_version`)."""
    return first > published and first >= updated


def public_since(published: datetime, embargo_until: datetime | None) -> datetime:
    """When a story reached the public: its `published`, or the end of an embargo that held
    it back past that (a story written on Monday under embargo until Thursday is news from
    Thursday: what a news sitemap's two days count from)."""
    return published if embargo_until is None else max(published, embargo_until)


def public_updated(
    updated: datetime, published: datetime, embargo_until: datetime | None
) -> datetime:
    """When a story last changed as the public channels (feeds, pages, sitemaps, books) say
    it: its `updated`, but never before it reached the public (`public_since`). A story
    published on Monday under embargo until Thursday, and not touched since, is new on
    Thursday to everyone who could not see it before: its publication date there is
    `public_since` and its modification date this. Wire formats (NewsML-G2, ninjs), which
    partners receive before the release, keep `published` and `updated` as written."""
    return max(updated, public_since(published, embargo_until))


def was_public(published: datetime, embargo_until: datetime | None, killed_at: datetime) -> bool:
    """Whether a story killed or withdrawn at `killed_at` (its `updated`) had been public: it
    had reached the public (`public_since`) by then. Public channels (feeds, pages) announce
    the kill only then; wire partners, who also got the embargoed versions, always get it."""
    return public_since(published, embargo_until) <= killed_at
