"""The contents of an EPUB: XHTML documents (cover, contents, stories), packaged images and the
package metadata, for one story variant or one edition; `ebooklib_adapter` zips them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.builder import ElementMaker

from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context, other_languages
from syndicate.formats.epub.ebooklib_adapter import (
    Book,
    Document,
    Landmark,
    Marks,
    Property,
    Resource,
    TocEntry,
)
from syndicate.formats.epub.edition import Edition, StoryEdition
from syndicate.i18n.dates import format_human_date, format_human_datetime, rfc3339
from syndicate.i18n.locales import direction, display_name, language_label, stated_tag
from syndicate.i18n.scripts import (
    ARABIC_SCRIPT,
    BY_WEIGHT,
    CHINESE,
    CJK,
    UNTRACKED,
    LangRange,
    lang_ranges,
)
from syndicate.i18n.terms import lookup, term, term_language
from syndicate.i18n.text import (
    Part,
    byline_parts,
    isolate,
    isolated_in,
    listed,
    parts,
    section_name,
)
from syndicate.model import (
    Block,
    Figure,
    Heading,
    Image,
    Story,
    StorySummary,
    Variant,
    inline_text,
    walk,
)
from syndicate.model.site import fill
from syndicate.model.story import Contribution
from syndicate.readers.animation import is_animated
from syndicate.render.xhtml import (
    foreign_language,
    language_attributes,
    render_body,
)
from syndicate.xmlbase import EPUB_NS, XHTML_NS, XML_LANG

X = ElementMaker(namespace=XHTML_NS, nsmap={None: XHTML_NS, "epub": EPUB_NS})
_EPUB_TYPE = f"{{{EPUB_NS}}}type"
COVER_FILE = "images/cover.png"
STYLESHEET = "style.css"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# EPUB 3.3 core media types, with the file signatures that prove a file is what it claims.
IMAGE_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}
WEBP_FOURCC = (8, b"WEBP")
"""Where a RIFF file says it is WebP (and not, say, WAV)."""
# The kicker untracked in the languages the pages' stylesheet names (`syndicate.i18n.scripts`,
# `UNTRACKED`): letter-spacing pulls Arabic script's joined letters apart (and Syriac's,
# Mongolian's, N'Ko's...), cuts the headstroke Devanagari, Bengali and Gurmukhi letters hang
# from, and crowds CJK characters.
# Emphasis upright and bold in the same languages and in those of the scripts with no italic
# (`BY_WEIGHT`: Hebrew, the scripts of India and Sri Lanka, Thai, Lao, Khmer, Myanmar), as on
# the pages: a browser's italic is a synthetic oblique that breaks Arabic script's joined
# letters, slants CJK characters, and reads as a mistake in Hebrew or Devanagari; their
# emphasis is by weight (upright at the text's weight, an Arabic `*word*` showed nothing).
# Emphasis within emphasis there (`*a*` in `**b**`, `**b**` in `*a*`), or in a bold subheading
# or table header, bold on bold, showed nothing: the inner one at the text's weight, as roman
# inside italics in Latin type, and emphasis within emphasis in CJK with the script's emphasis
# dots (傍点, 着重号), below the line in Chinese,
# prefixed too: `-epub-` for EPUB 3.0 reading systems, `-webkit-` for WebKit's and older
# Chromium's. And Arabic script in the pages' faces for it, on each element that says its
# language (a caption in the original's Arabic in another book too): left to the reading
# system, Chromium's (fontconfig's) first face for Arabic is DejaVu Sans, a Latin sans.
#
# In CSS 2.1 selectors, `:lang()` alone: a language's exceptions (`zh-Latn`, pinyin, of `zh`)
# are a later rule of the same specificity that gives back what the text would have without
# the script's rule, not `:not(:lang(zh-Latn))`. calibre's conversion (to AZW3 for a Kindle,
# to its own EPUB) parses the stylesheet with `css_parser`, which knows no `:not()` of a
# pseudo-class and drops the whole rule such a selector is in: every rule here named one,
# so a converted Chinese book's emphasis was italic again, an Arabic one's kicker tracked and
# its text out of the Naskh. A reading system without Selectors 4 (`:is`, `:where`) drops a
# rule it cannot parse whole too. Each `:lang()` is on the styled element itself
# (`em:lang(zh)`), so the element's own language decides: pinyin in a Chinese story gets
# the plain text's style back, a Chinese passage in a `zh-Latn` book keeps the script's, and
# an English passage in an Arabic book is italic again.
_KICKER_SPACING = "0.05em"
_MARK_STYLE = ("-epub-", "-webkit-", "")


def _rule(scopes: list[str], inner: tuple[str, ...], declarations: str) -> str:
    """One rule: each inner selector in each scope (`em:lang(ar)`), one to a line. The
    language is the styled element's own, not an ancestor's: with `:lang(zh-Latn) em`, the
    exception's give-back also matched a Chinese passage's `em` inside a `zh-Latn` book (or
    Arabic-script Sindhi inside `sd-Deva`), and `:lang(ar) em` an English passage's in an
    Arabic book, through the book's `<html lang>`."""
    selectors = ",\n".join(f"{i}{s}" for s in scopes for i in inner)
    return f"{selectors} {{ {declarations}}}\n"


def _script_rules(
    ranges: tuple[LangRange, ...],
    inner: tuple[str, ...],
    declarations: str,
    undone: str,
) -> str:
    """A script's rule for every range of its languages, and the rule undoing it (`undone`:
    the declarations the text has without it) in their exceptions, after it; `inner`, the
    elements styled (`em`, `em strong`, `[lang]`: an element that says its language)."""
    scopes, exceptions = lang_ranges(ranges)
    rules = _rule(scopes, inner, declarations)
    return rules + (_rule(exceptions, inner, undone) if exceptions else "")


_UNTRACKED = _script_rules(
    UNTRACKED, (".kicker",), "letter-spacing: 0; ", f"letter-spacing: {_KICKER_SPACING}; "
)
_UPRIGHT = _script_rules(
    BY_WEIGHT,
    ("em",),
    "font-style: normal; font-weight: bold; ",
    "font-style: italic; font-weight: inherit; ",
)
_NESTED = _script_rules(
    BY_WEIGHT, ("em strong",), "font-weight: normal; ", "font-weight: bolder; "
) + _script_rules(
    BY_WEIGHT,
    ("strong em", *(f"{bold} em" for bold in ("h2", "h3", "h4", "h5", "h6", "th"))),
    "font-weight: normal; ",
    "font-weight: inherit; ",
)
_DOTTED = _script_rules(
    CJK,
    ("em strong", "strong em"),
    "".join(f"{p}text-emphasis-style: filled dot; " for p in _MARK_STYLE),
    "".join(f"{p}text-emphasis-style: none; " for p in _MARK_STYLE),
)
_BELOW = _script_rules(
    CHINESE,
    ("em strong", "strong em"),
    "".join(f"{p}text-emphasis-position: under right; " for p in _MARK_STYLE),
    "".join(f"{p}text-emphasis-position: over right; " for p in _MARK_STYLE),
)
ARABIC_SERIF = (
    '"Noto Naskh Arabic", Amiri, "Geeza Pro", "Traditional Arabic", "Times New Roman", serif'
)
"""The pages' serif for Arabic script (`templates/style.css`), which the books' text is set in."""
_ARABIC_FACES = _script_rules(
    ARABIC_SCRIPT,
    ("[lang]",),
    f"font-family: {ARABIC_SERIF}; ",
    "font-family: inherit; ",
)
CSS = f"""body {{ margin: 0 1em; line-height: 1.5; overflow-wrap: break-word; }}
:lang(ko) {{ word-break: keep-all; }}
h1 {{ font-size: 1.6em; line-height: 1.25; margin: 0.5em 0; }}
.kicker, .byline, .dateline, .date {{ margin: 0.2em 0; }}
.kicker {{ text-transform: uppercase; letter-spacing: {_KICKER_SPACING}; font-size: 0.85em; }}
{_UNTRACKED}.byline {{ font-weight: bold; }}
{_UPRIGHT}{_NESTED}{_DOTTED}{_BELOW}{_ARABIC_FACES}.date, .rights, .credit {{ font-size: 0.85em; }}
figure {{ margin: 1em 0; }}
img {{ max-width: 100%; height: auto; }}
.cover {{ margin: 0; padding: 0; text-align: center; }}
.cover img {{ max-height: 100vh; }}
""".encode()


# Checks ------------------------------------------------------------------------------------


def story_images(story: Story, ctx: Context[Any]) -> dict[int, Resource] | None:
    """The story's images as package resources; None (with errors) if one is unusable."""
    resources: dict[int, Resource] = {}
    for index, image in enumerate(story.images):
        data = _image_bytes(image, ctx.read_asset, ctx.diagnostics)
        if data is not None:
            resources[index] = Resource(image_file(story, image), image.media_type, data)
    return resources if len(resources) == len(story.images) else None


def _image_bytes(image: Image, read: Callable[[str], bytes], diags: Diagnostics) -> bytes | None:
    if "://" in image.file:
        diags.error(
            "epub.image",
            f"{image.file}: remote images cannot be packaged; download it into the story folder",
            image.source,
        )
        return None
    if image.media_type not in IMAGE_SIGNATURES:
        supported = ", ".join(sorted(IMAGE_SIGNATURES))
        diags.error(
            "epub.image",
            f"{image.file}: {image.media_type} is not an EPUB core image type ({supported})",
            image.source,
        )
        return None
    try:
        data = read(image.path)
    except OSError as exc:
        diags.error(
            "epub.image", f"{image.file}: cannot read image: {exc.strerror or exc}", image.source
        )
        return None
    if not _looks_like(image.media_type, data):
        diags.error(
            "epub.image", f"{image.file}: its content is not {image.media_type}", image.source
        )
        return None
    if len(data) != image.size:  # an edition reads it again: another file since
        diags.error(
            "epub.image",
            f"{image.file}: the file changed while the export ran (it was {image.size} bytes,"
            f" it is {len(data)}); run the export again",
            image.source,
        )
        return None
    return data


def _looks_like(media_type: str, data: bytes) -> bool:
    offset, fourcc = WEBP_FOURCC
    webp = media_type != "image/webp" or data[offset : offset + len(fourcc)] == fourcc
    return webp and data.startswith(IMAGE_SIGNATURES[media_type])


def check_variant(story: Story, variant: Variant, diags: Diagnostics) -> bool:
    """Whether the variant can become a book; reports why not at the source line."""
    ok = True
    if not variant.body:
        diags.error(
            "epub.empty",
            f"{story.slug} ({variant.lang}): the body is empty; an EPUB needs text",
            variant.source,
        )
        ok = False
    for figure in _figures(variant.body):
        if not 0 <= figure.image < len(story.images):
            diags.error(
                "epub.image",
                f"figure refers to image {figure.image + 1}, but the story has {len(story.images)}",
                figure.source,
            )
            ok = False
    warn_missing_alt(story, variant, diags)
    return ok


def warn_missing_alt(
    story: Story, variant: Variant, diags: Diagnostics, *, story_books: bool = True
) -> None:
    """Warn of each image the variant shows (`Story.shown_images`: a lead image too) that
    has no text alternative in its language: the books holding it (its own, or with
    `story_books` false the edition it is in) make no WCAG conformance claim."""
    books = "its books make" if story_books else "an edition holding it makes"
    for index in story.shown_images(variant.lang):
        if 0 <= index < len(story.images) and not (
            story.images[index].decorative or story.images[index].alt.get(variant.lang)
        ):
            image = story.images[index]
            diags.warning(
                "epub.alt",
                f"{image.file}: no text alternative in {variant.lang}; {books} no WCAG"
                " conformance claim (a picture that says nothing, an ornament: decorative: true"
                " in its images entry)",
                image.source,
            )


def warn_animated(
    story: Story,
    variants: Sequence[Variant],
    ctx: Context[Any],
    images: Mapping[int, Resource] | None = None,
) -> None:
    """Warn, once for the story, of each animated image its variants show (`_animated`): the
    books holding it say their hazards are unknown and make no WCAG conformance claim, as
    `accessibility` writes them. `images` are the story's books' (`story_images`); without
    them (no story books: `story_books: false`) the shown images are read here, a problem
    of one left to the edition holding it to say."""
    books = (
        "its books say their hazards are unknown and make"
        if images is not None
        else "an edition holding it says its hazards are unknown and makes"
    )
    shown = sorted({i for v in variants for i in story.shown_images(v.lang)})
    for index in shown:
        if not 0 <= index < len(story.images):
            continue  # said by check_variant
        image = story.images[index]
        if image.animation == "checked":  # an editor's word: it neither flashes nor lasts
            continue
        if images is not None:
            resource = images.get(index)
        else:
            data = _image_bytes(image, ctx.read_asset, Diagnostics())
            resource = None if data is None else Resource(image.file, image.media_type, data)
        if resource is not None and _animated(resource):
            ctx.diagnostics.warning(
                "epub.animated",
                f"{image.file}: an animated image plays by itself in reading systems, with no"
                f" way to pause it, and nobody measured its flashes: {books} no WCAG"
                " conformance claim; publish a still image (one frame, as PNG or JPEG) to keep"
                " the claim, or, once you have played it through and it flashes no more than"
                " three times in any one second and stops by itself within five seconds, write"
                " animation: checked in its images entry",
                image.source,
            )


def _figures(blocks: Sequence[Block]) -> Iterator[Figure]:
    return (block for block in walk(blocks) if isinstance(block, Figure))


def image_file(story: Story, image: Image) -> str:
    """Package path of a story image: stories of an edition may share file names."""
    return f"images/{story.slug}/{image.name}"


# Books -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a catalog says about a story variant's book, known without building it."""

    identifier: str
    title: str
    language: str
    creators: tuple[str, ...]
    contributors: tuple[tuple[str, str], ...]
    """(name, MARC relator code) of the people credited for something else than the text."""
    subjects: tuple[str, ...]
    description: str
    rights_lang: str | None = None
    """The language of the copyright notice when it is not the book's (`Book.rights_lang`)."""


RELATORS: Mapping[Contribution, str] = {
    "editor": "edt",
    "translator": "trl",
    "photographer": "pht",
    "illustrator": "ill",
    "videographer": "vdg",
}
"""A contribution's MARC relator code, the roles EPUB's `dc:contributor` takes."""


def variant_metadata(story: StorySummary, lang: str, publisher: str) -> Metadata:
    """From the summary, so the catalog and the book itself say the same."""
    variant = story.variant(lang)
    return Metadata(
        identifier=story.variant_id(lang),
        title=variant.headline,
        language=lang,
        creators=variant.byline or (publisher,),
        contributors=tuple((name, RELATORS[kind]) for name, kind in variant.contributors),
        subjects=subjects([story], lang),
        description=variant.summary,
        rights_lang=variant.rights_lang,
    )


def story_book(
    story: Story, variant: Variant, cover: bytes, images: Mapping[int, Resource], ctx: Context[Any]
) -> Book:
    lang = variant.lang
    doc = story_document(story, variant, ctx, story_file(story))
    used = _used_images(story, lang, images)
    meta = variant_metadata(StorySummary.of(story), lang, ctx.config.publisher.name)
    others = other_languages(story, lang, ctx)
    return Book(
        identifier=meta.identifier,
        title=meta.title,
        language=lang,
        direction=direction(lang),
        modified=story.public_updated_for(lang),
        date=_book_date(story.public_since_for(lang), story.timezone),
        creators=meta.creators,
        contributors=meta.contributors,
        publisher=ctx.config.publisher.name,
        subjects=meta.subjects,
        rights=story.rights_notice(lang),
        rights_lang=meta.rights_lang,
        description=meta.description,
        properties=accessibility(
            lang,
            _all_alt([story], lang),
            ctx.config.publisher.name,
            _outlined([story], lang),
            animated=_unchecked_animation(story, variant, images),
        ),
        cover=Resource(COVER_FILE, "image/png", cover),
        documents=(
            cover_document(
                lang,
                _cover_alt(
                    lang,
                    ctx,
                    section_name(story.section, lang),
                    variant.headline,
                    story.public_since_for(lang),
                    story.timezone,
                ),
            ),
            doc,
        ),
        resources=(_stylesheet(), *used),
        toc=(TocEntry(variant.headline, doc.file_name, doc.outline),),
        landmarks=_landmarks(lang, doc.file_name, None),
        nav_title=term("contents", lang),
        landmarks_title=term("landmarks", lang),
        nav_title_marks=phrase_marks("contents", lang),
        landmarks_title_marks=phrase_marks("landmarks", lang),
        identifiers=(web_address_identifier(ctx.urls.article(story.slug, lang)),),
        relations=tuple(ctx.urls.output(f"epub/{story.slug}.{other}.epub") for other in others),
    )


def web_address_identifier(url: str) -> str:
    """A book's web address as a `dc:identifier` calibre keeps: `url:https://...`. calibre
    reads an EPUB 3 identifier's scheme from the text before its first colon and drops the
    `http` and `https` ones (`parse_identifier` in its `opf3.py`); it keeps a `url` one, the
    form it writes itself, and shows a `url` identifier holding a web address as a link. EPUB 3
    takes any text as an identifier."""
    return f"url:{url}"


def edition_title(
    edition: Edition[Any], template: str | None, ctx: Context[Any], *, plain: bool = False
) -> str:
    """The edition's title; `plain`, as a plain text shows it (the OPDS entry's), with the
    publisher's name isolated in a language of the other direction (`isolated_in`): the
    book's own title keeps it bare, its cover and contents page isolate it themselves."""
    date = format_human_date(edition.date, edition.lang, ctx.config.timezone)
    name = ctx.config.publisher.name
    publisher = isolated_in(name, edition.lang) if plain else name
    if template:
        return fill(template, publisher=publisher, date=date)  # checked when loaded
    return term("edition_title", edition.lang, publisher=publisher, date=date)


def _one_rights_lang(stories: Sequence[Story], lang: str) -> str | None:
    """The language of an edition's notices when every story's is the same other language's
    (as the catalog's entry says it); None when any is the book's own, or they differ."""
    found = {StorySummary.of(s).variant(lang).rights_lang for s in stories}
    return found.pop() if len(found) == 1 else None


def edition_rights(notices: Sequence[str]) -> str:
    """An edition's rights: its stories' notices, each once."""
    return " ".join(dict.fromkeys(notices))


def edition_description(headlines: Sequence[str], lang: str) -> str:
    """An edition's description: its headlines, as a list in words of the language."""
    return listed(list(headlines), lang)


def edition_identifier(edition: Edition[Any], ctx: Context[Any]) -> str:
    """A name-based UUID: the same site, language and day always give the same identifier."""
    name = f"{ctx.urls.output(f'epub/edition-{edition.lang}.epub')}#{edition.day.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def edition_book(
    edition: StoryEdition,
    title: str,
    cover: bytes,
    images: Mapping[str, Mapping[int, Resource]],
    ctx: Context[Any],
) -> Book:
    lang = edition.lang
    stories = edition.stories
    docs = [story_document(s, s.variant(lang), ctx, story_file(s)) for s in stories]
    publisher = ctx.config.publisher.name
    used = [r for s in stories for r in _used_images(s, lang, images[s.slug])]
    return Book(
        identifier=edition_identifier(edition, ctx),
        title=title,
        language=lang,
        direction=direction(lang),
        modified=edition.modified,
        date=_book_date(edition.date, ctx.config.timezone),
        creators=(publisher,),
        publisher=publisher,
        subjects=subjects(stories, lang),
        rights=edition_rights([s.rights_notice(lang) for s in stories]),
        rights_lang=_one_rights_lang(stories, lang),
        description=edition_description([s.variant(lang).headline for s in stories], lang),
        properties=accessibility(
            lang,
            _all_alt(stories, lang),
            publisher,
            _outlined(stories, lang),
            animated=any(_unchecked_animation(s, s.variant(lang), images[s.slug]) for s in stories),
        ),
        cover=Resource(COVER_FILE, "image/png", cover),
        documents=(
            cover_document(
                lang,
                _cover_alt(
                    lang, ctx, term("edition", lang), title, edition.date, ctx.config.timezone
                ),
            ),
            contents_document(edition, title, ctx),
            *docs,
        ),
        resources=(_stylesheet(), *used),
        toc=_edition_toc(edition, docs),
        landmarks=_landmarks(lang, docs[0].file_name, "contents.xhtml"),
        nav_title=term("contents", lang),
        landmarks_title=term("landmarks", lang),
        nav_title_marks=phrase_marks("contents", lang),
        landmarks_title_marks=phrase_marks("landmarks", lang),
        identifiers=(web_address_identifier(ctx.urls.output(f"epub/edition-{lang}.epub")),),
        series=edition_series(edition, ctx),
    )


def _book_date(when: datetime, timezone: str) -> str:
    """A book's `dc:date`: `when` at the offset of `timezone` then (the story's for its book,
    the site's for an edition), so the day it says is the one its cover and title page say
    to a reading system that shows it as written, whatever offset the story's file gave it
    (an embargo ending at `2021-02-18T23:30:00Z` made a Brussels book of the 19th say the
    18th). An edition's is when it reached the public, its newest story's time out
    (`Edition.date`), the instant its OPDS entry gives as `published`. Not the bare day,
    which calibre reads as midnight UTC and its library showed as the day before west of UTC;
    nor an instant made up for the day (10:00 UTC), which came before the stories it holds
    (hours before an embargo ended, after `dcterms:modified`, or still to come when a
    morning's edition was built) and, in a zone of UTC+14 or UTC-11, outside the edition's
    own day."""
    return rfc3339(when.astimezone(ZoneInfo(timezone)))


def edition_series(edition: StoryEdition, ctx: Context[Any]) -> tuple[str, int]:
    """The editions of a language make a series ("YCPress (français)"), numbered by day
    (20210218), so a library sorts them in order."""
    name = f"{ctx.config.publisher.name} ({display_name(edition.lang)})"
    return name, int(edition.day.strftime("%Y%m%d"))


def _edition_toc(edition: StoryEdition, docs: Sequence[Document]) -> tuple[TocEntry, ...]:
    """Section, then its stories, then each story's headings (`docs`, the stories' documents);
    a section opens at its first story, because the nav must follow the reading order (a link
    back to the contents page would go backwards)."""
    outlines = {doc.file_name: doc.outline for doc in docs}
    return tuple(
        TocEntry(
            section_name(code, edition.lang),
            story_file(stories[0]),
            tuple(
                TocEntry(s.variant(edition.lang).headline, story_file(s), outlines[story_file(s)])
                for s in stories
            ),
            section_marks(code, edition.lang),
        )
        for code, stories in edition.sections
    )


def story_file(story: Story) -> str:
    return f"story-{story.slug}.xhtml"


def _landmarks(lang: str, first: str, contents: str | None) -> tuple[Landmark, ...]:
    marks = [Landmark("cover", term("cover", lang), "cover.xhtml", phrase_marks("cover", lang))]
    if contents:
        marks.append(
            Landmark("toc", term("contents", lang), contents, phrase_marks("contents", lang))
        )
    marks.append(Landmark("text", term("stories", lang), first, phrase_marks("stories", lang)))
    return tuple(marks)


def phrase_marks(key: str, lang: str) -> Marks:
    """The language attributes of the term `key` in a book in `lang`, for the navigation
    document and the package (`Marks`): `lang` and `dir="ltr"` of English where it stands in
    for a phrase `lang` has not (`term_language`), none for `lang`'s own phrase."""
    return tuple(foreign_language(term_language(key, lang), lang).items())


def section_marks(code: str, lang: str) -> Marks:
    """`phrase_marks` of a section's name: none for a section named by its code, which is in
    no language syndicate knows (`_in_section_language`)."""
    key = f"section.{code}"
    return phrase_marks(key, lang) if lookup(key, lang) is not None else ()


def _used_images(story: Story, lang: str, images: Mapping[int, Resource]) -> list[Resource]:
    """The images the `lang` variant shows (`Story.shown_images`), each once: a book carries
    no unused file."""
    return [images[i] for i in story.shown_images(lang)]


def subjects(stories: Sequence[Story | StorySummary], lang: str) -> tuple[str, ...]:
    names = (s.name.get(lang, story.original_lang) for story in stories for s in story.subjects)
    return tuple(dict.fromkeys(n for n in names if n))


def _all_alt(stories: Sequence[Story], lang: str) -> bool:
    """Whether every image these variants show (a lead image too) has a text alternative
    in `lang` (the original language's, which a reader of `lang` gets instead, does not
    count), or is decorative (its empty one is the one it should have: WCAG's H67)."""
    return all(
        story.images[i].decorative or story.images[i].alt.get(lang)
        for story in stories
        for i in story.shown_images(lang)
    )


def _outlined(stories: Sequence[Story], lang: str) -> bool:
    """Whether the subheadings of these variants skip no level (a `body.heading-level`
    warning): under the headline (level 1), each is at most one level below the one before."""
    for story in stories:
        above = 1
        for block in walk(story.variant(lang).body):
            if isinstance(block, Heading):
                if block.level > above + 1:
                    return False
                above = block.level
    return True


def accessibility(
    lang: str, all_alt: bool, publisher: str, outlined: bool = True, *, animated: bool = False
) -> tuple[Property, ...]:
    """EPUB Accessibility 1.1 metadata. Conformance to WCAG 2.1 AA is claimed only when every
    image has a text alternative, no subheading skips a level (`outlined`) and no image is
    animated, and `structuralNavigation` only when `outlined`: the rest (language on every
    document, reading order, navigation, no colour-only information) holds for every book this
    writer makes. An animated image (a GIF, an APNG, a WebP of several frames) plays by itself
    in reading systems, with no way to pause it (WCAG 2.2.2) and flashes nobody measured (2.3.1):
    the book says its hazards are unknown rather than that it has none, in its summary too.
    An animation an editor checked (`Image.animation`) is not `animated` here: its book says
    and claims what a still image's does."""
    features = ["alternativeText"] if all_alt else []
    features += ["structuralNavigation"] if outlined else []
    features += ["tableOfContents", "readingOrder"]
    props = [
        Property("schema:accessMode", "textual"),
        Property("schema:accessMode", "visual"),
        Property("schema:accessModeSufficient", "textual" if all_alt else "textual,visual"),
    ]
    props += [Property("schema:accessibilityFeature", f) for f in features]
    summary = "accessibility_summary_animated" if animated else "accessibility_summary"
    props += [
        # (EPUB Accessibility 1.1's `unknown`: DAISY Ace refuses the newer per-hazard ones)
        Property("schema:accessibilityHazard", "unknown" if animated else "none"),
        # The one value in words: English where the language has no summary, so marked. It
        # says what the hazards are as the hazard does: "no known hazards" beside `unknown`
        # told a reader wary of flashes that an animated book had none.
        Property("schema:accessibilitySummary", term(summary, lang), phrase_marks(summary, lang)),
    ]
    if all_alt and outlined and not animated:
        props += [
            Property("dcterms:conformsTo", CONFORMANCE),
            Property("a11y:certifiedBy", publisher),
        ]
    return tuple(props)


def _unchecked_animation(story: Story, variant: Variant, images: Mapping[int, Resource]) -> bool:
    """Whether the variant shows an animated image no editor checked (`Image.animation`):
    its book says its hazards are unknown and makes no conformance claim."""
    return any(
        story.images[i].animation != "checked" and _animated(images[i])
        for i in story.shown_images(variant.lang)
    )


def _animated(image: Resource) -> bool:
    """Whether a packaged image has more than one frame (an animated GIF, APNG or WebP), read
    off its chunks and blocks: no frame is decoded, and Pillow is not opened (an edit of a
    story's text opens no image). A multi-picture JPEG (MPO, a phone's) is not: its first
    image alone is shown, and nothing plays."""
    return is_animated(image.content)


def _stylesheet() -> Resource:
    return Resource(STYLESHEET, "text/css", CSS)


# Documents ---------------------------------------------------------------------------------


def _page(lang: str, title: str, *content: etree._Element, title_key: str = "") -> etree._Element:
    """An XHTML content document: `<html>` with language and direction, the common head, and
    `content` in its body; a title that is the term `title_key` is marked with its language
    (`_in_phrase_language`: the direction of a `<title>` is that of the reader's window title)."""
    head_title = X.title(title)
    return X.html(
        language_attributes(lang),
        X.head(
            X.meta(charset="utf-8"),
            _in_phrase_language(head_title, title_key, lang) if title_key else head_title,
            X.link(rel="stylesheet", type="text/css", href=STYLESHEET),
        ),
        X.body(*content),
    )


def _document(
    file_name: str,
    title: str,
    html: etree._Element,
    *,
    linear: bool = True,
    outline: tuple[TocEntry, ...] = (),
) -> Document:
    content: bytes = etree.tostring(
        html, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>", pretty_print=True
    )
    return Document(file_name, file_name.removesuffix(".xhtml"), title, content, linear, outline)


_HEADINGS = {f"{{{XHTML_NS}}}h{level}": level for level in range(2, 7)}


def _outline(
    body: etree._Element, file_name: str, lang: str, titles: Sequence[tuple[int, str]] = ()
) -> tuple[TocEntry, ...]:
    """The headings of a story's body (its subheadings and a correction's), each given an id
    to link to, nested by level (one that skips a level goes under the nearest above it),
    for the table of contents: a long story's sections are reachable as its stories are. A
    heading in another language than the book's (an English "Correction" standing in) says
    so on its link, as it does in the text. `titles` are the body's headings (level, plain
    text), in order (`inline_text`: "CO₂", not "CO2"); a heading past them (a correction's)
    gives its own text."""
    top: list[tuple[str, str, Marks, list[Any]]] = []
    open_: list[tuple[int, list[Any]]] = [(1, top)]
    headings = [el for el in body.iter() if isinstance(el.tag, str) and el.tag in _HEADINGS]
    for number, heading in enumerate(headings, 1):
        level = _HEADINGS[heading.tag]
        anchor = heading.get("id") or f"heading-{number}"
        heading.set("id", anchor)
        while open_[-1][0] >= level:
            open_.pop()
        children: list[Any] = []
        known = titles[number - 1] if number <= len(titles) else None
        said = known[1] if known and known[0] == level else "".join(heading.itertext())
        title = " ".join(said.split())
        open_[-1][1].append((title, f"{file_name}#{anchor}", _marks_of(heading, lang), children))
        open_.append((level, children))

    def entries(items: list[tuple[str, str, Marks, list[Any]]]) -> tuple[TocEntry, ...]:
        return tuple(TocEntry(t, href, entries(kids), marks) for t, href, marks, kids in items)

    return entries(top)


def _marks_of(element: etree._Element, lang: str) -> Marks:
    """The language attributes of the nearest element around `element` that says its
    language, when that is not `lang`: a nav link to it says the same."""
    for node in (element, *element.iterancestors()):
        said = node.get("lang")
        if said is not None:
            if said == stated_tag(lang):  # (as `language_attributes` states it)
                return ()
            return tuple((name, node.get(name, "")) for name in ("lang", "dir") if node.get(name))
    return ()


def _cover_alt(
    lang: str, ctx: Context[Any], kicker: str, title: str, when: datetime, tz: str
) -> str:
    date = format_human_date(when, lang, tz)
    return " — ".join((ctx.config.publisher.name, kicker, title, date))


def cover_document(lang: str, alt: str) -> Document:
    """The cover page: outside the reading order (linear="no"), reached through landmarks."""
    section = X.section(
        {_EPUB_TYPE: "cover", "class": "cover"},
        X.img(src=COVER_FILE, alt=alt, role="doc-cover"),
    )
    html = _page(lang, term("cover", lang), section, title_key="cover")
    return _document("cover.xhtml", term("cover", lang), html, linear=False)


def story_document(story: Story, variant: Variant, ctx: Context[Any], file_name: str) -> Document:
    """A story: section, headline, byline, dateline, dates, body with figures, rights."""
    lang = variant.lang
    header = X.header(
        _in_section_language(
            _para("kicker", section_name(story.section, lang)), story.section, lang
        ),
        X.h1(variant.headline),
        *(
            [_isolating("byline", byline_parts(variant), "by", lang)]
            if variant.byline.names
            else []
        ),
        # The dateline is the story's text, dated as written; the dates below it are when
        # the public had it (after an embargo, its end) and changes made since.
        _in_phrase_language(
            X.p(
                {"class": "dateline"},
                *_dated("dateline", lang, story.timezone, story.published, place=variant.dateline),
            ),
            "dateline",
            lang,
        ),
        _time("published", story.public_since_for(lang), story, lang),
        *(
            [_time("updated", story.public_updated_for(lang), story, lang)]
            if story.public_updated_for(lang) > story.public_since_for(lang)
            else []
        ),
    )
    body = render_body(
        story, variant, lambda image: image_file(story, image), corrected=True, lead=True
    )
    titles = [
        (b.level, inline_text(b.children)) for b in walk(variant.body) if isinstance(b, Heading)
    ]
    outline = _outline(body, file_name, lang, titles)
    parts = [header, body, *_translations(story, lang, ctx)]
    rights = _para("rights", story.rights_notice(lang))
    notice = story.rights_for(lang).notice
    for name, value in foreign_language(notice.written_in(lang, story.original_lang), lang).items():
        rights.set(name, value)
        if name == "lang":  # the book is XHTML: xml:lang beside lang
            rights.set(XML_LANG, value)
    article = X.article(*parts, X.footer(rights))
    page = _page(lang, variant.headline, article)
    return _document(file_name, variant.headline, page, outline=outline)


def _translations(story: Story, lang: str, ctx: Context[Any]) -> list[etree._Element]:
    """ "Also available in": the story's web pages in the site's other languages."""
    others = other_languages(story, lang, ctx)
    if not others:
        return []
    items = [
        X.li(
            X.a(
                language_label(other),
                {
                    "href": ctx.urls.article(story.slug, other),
                    "hreflang": stated_tag(other),
                    "lang": stated_tag(other),
                },
            )
        )
        for other in others
    ]
    heading = _in_phrase_language(X.h2(term("translations", lang)), "translations", lang)
    return [X.aside({"class": "translations"}, heading, X.ul(*items))]


def _para(cls: str, text: str) -> etree._Element:
    return X.p(text, {"class": cls})


def _isolating(cls: str, pieces: list[Part], key: str = "", lang: str = "") -> etree._Element:
    """A paragraph of a composed text, its values (names, a place) in `<bdi>`; made from the
    term `key` of a page in `lang`, marked with the phrase's language (`_in_phrase_language`)."""
    own = _value_marks(lang) if key and phrase_marks(key, lang) else None
    para = X.p({"class": cls}, *_pieces(pieces, own))
    return _in_phrase_language(para, key, lang) if key else para


def _in_phrase_language(element: etree._Element, key: str, lang: str) -> etree._Element:
    """`element`, a phrase made from the term `key`, marked as English (`lang`, `xml:lang`,
    `dir`) when a page in `lang` has no such phrase and English stands in (`term_language`):
    a right-to-left page shows "By <name>" in its order, a screen reader reads it in English."""
    for name, value in phrase_marks(key, lang):
        element.set(name, value)
        if name == "lang":  # the book is XHTML: xml:lang beside lang
            element.set(XML_LANG, value)
    return element


def _in_section_language(element: etree._Element, code: str, lang: str) -> etree._Element:
    """`element`, a section's name, marked as English where English names the section in a
    book in `lang` (`_in_phrase_language`); a section named by its code is in no language
    syndicate knows, and stays unmarked."""
    key = f"section.{code}"
    return _in_phrase_language(element, key, lang) if lookup(key, lang) is not None else element


def _time(key: str, when: datetime, story: Story, lang: str) -> etree._Element:
    """ "Published {date}": the date and time in the book's language (`_dated`)."""
    text = _dated(key, lang, story.timezone, when, long=True)
    return _in_phrase_language(
        X.p({"class": "date"}, X.time(*text, datetime=rfc3339(when))), key, lang
    )


_DATE_MARK = "\x00"
"""Where the date goes while a dated phrase is composed (it never reaches a file)."""


def _dated(
    key: str, lang: str, tz: str, when: datetime, *, long: bool = False, **values: str
) -> list[str | etree._Element]:
    """The term `key` of a book in `lang` with its `{date}` (the date, with the time if
    `long`, in `lang`'s format) and its other values (a dateline's place) in `<bdi>`. Where
    English stands in (`term_language`), the pieces go in an element the caller marks as
    English (`_in_phrase_language`), and the date, which is still `lang`'s, is in a `<bdi>`
    marked as `lang`: an Urdu date in "Published …" keeps its own
    order, and a screen reader reads it in Urdu."""
    date = (format_human_datetime if long else format_human_date)(when, lang, tz)
    isolated = {name: isolate(value) for name, value in values.items()}
    if not foreign_language(term_language(key, lang), lang):
        return _pieces(parts(term(key, lang, date=date, **isolated)))
    before, _, after = term(key, lang, date=_DATE_MARK, **isolated).partition(_DATE_MARK)
    own = _value_marks(lang)  # the story's own text (a place), in `lang`
    date_marks = language_attributes(lang)  # syndicate's date, in `lang` and its direction
    return [*_pieces(parts(before), own), X.bdi(date, date_marks), *_pieces(parts(after), own)]


def _value_marks(lang: str) -> dict[str, str]:
    """The attributes of a story's own value (a name, a place) in a phrase English stands in
    for in a book in `lang`: its language, and no `dir`, so that the `<bdi>` takes the
    direction of its text (`dir` auto), as in a book in a language with phrases of its own:
    "YCPress Ltd." forced right to left in an Urdu book was drawn ".YCPress Ltd"."""
    return {name: value for name, value in language_attributes(lang).items() if name != "dir"}


def _pieces(pieces: list[Part], own: Mapping[str, str] | None = None) -> list[str | etree._Element]:
    """A composed text's pieces as an element's content: its values in `<bdi>`, with `own`'s
    attributes (the values' language inside a phrase marked as English: `_dated`)."""
    return [X.bdi(text, dict(own or {})) if value else text for text, value in pieces]


def contents_document(edition: StoryEdition, title: str, ctx: Context[Any]) -> Document:
    """The edition's contents page: its sections, each listing its stories with bylines."""
    lang = edition.lang
    sections = [
        X.section(
            _in_section_language(X.h2(section_name(code, lang)), code, lang),
            X.ol(*(_contents_item(story, lang) for story in stories)),
            id=f"section-{code}",
        )
        for code, stories in edition.sections
    ]
    html = _page(
        lang,
        term("contents", lang),
        X.h1(*_name_isolated(title, ctx.config.publisher.name)),
        _para("date", format_human_date(edition.date, lang, ctx.config.timezone)),
        *sections,
        title_key="contents",
    )
    return _document("contents.xhtml", term("contents", lang), html)


def _name_isolated(title: str, publisher: str) -> list[str | etree._Element]:
    """An edition's title with the publisher's name in `<bdi>`: its own direction stays inside
    it, so in a right-to-left book "YCPress: 18 فبراير 2021" keeps the day with its month (the
    cover isolates it the same way)."""
    before, found, after = title.partition(publisher) if publisher else (title, "", "")
    if not found:
        return [title]
    return [*([before] if before else []), X.bdi(publisher), *([after] if after else [])]


def _contents_item(story: Story, lang: str) -> etree._Element:
    variant = story.variant(lang)
    byline = (
        [_isolating("byline", byline_parts(variant), "by", lang)] if variant.byline.names else []
    )
    return X.li(X.a(variant.headline, href=story_file(story)), *byline)
