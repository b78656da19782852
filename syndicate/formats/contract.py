"""The writer contract: what a format declares, what it receives (`Context`), what it returns.

A format is a `Writer` with two pure functions:

- `story_files(story, ctx)`: the files that depend on one story (its pages, items, books),
  the `Fragment`s of it that the format's collection files reuse (a rendered feed entry), and
  the `Memo`s of what its next work may take back instead of making it again (a cover);
- `collection_files(stories, ctx)`: the files over all the stories (feeds, indexes, editions,
  catalogs), from their `StorySummary`s; a story's fragments come back through
  `ctx.fragment`, and a whole story, for the few files that need one, through `ctx.story`.

Everything else (reading the sources, caching, worker processes, publishing into out/) belongs
to the build engine, so a writer never sees a cache, a process or the disk."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import quote

import msgspec

from syndicate.diagnostics import Diagnostics
from syndicate.model.site import IMAGE_DIGEST, SiteConfig, fill, uses_field
from syndicate.readers.safefile import read_regular

if TYPE_CHECKING:
    from syndicate.model import Image, Story, StorySummary

Scope = Literal["variant", "story", "collection"]
SiteInput = Literal["templates"]
"""A file of the site, beyond `syndicate.yaml` and what it points to, that a format may read
(`Writer.site_inputs`): `templates` is the site's `templates/` folder."""
OptionPath = str | tuple[str | int, ...]
"""Where an option is: its name, or a path into nested records."""
Progress = Callable[[str, int, int], None]
"""Told how a long step advances: (step, done, total), e.g. ("EPUBCheck", 3, 22)."""
SITE_MEDIA = "html/media/site"
"""Where the publisher's logo and icon are published: the HTML format writes them, every
format that links to them uses this place."""


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    """POSIX path relative to `out/`, starting with one of the writer's folders."""
    data: bytes


def output_problem(item: object) -> str | None:
    """What is wrong with something a writer gave as one of its files (a tuple, a file whose
    path is not text or whose data is not bytes); None for an `OutputFile` as it must be. A
    `Planned` file's bytes are not made to check them."""
    if not isinstance(item, OutputFile):
        shown = repr(item)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"gave {type(item).__name__} {shown} where an OutputFile(path, data) belongs"
    if not isinstance(item.path, str):
        return f"gave a file whose path is {type(item.path).__name__}, not text"
    if not isinstance(item, Planned) and not isinstance(item.data, bytes):
        kind = type(item.data).__name__
        hint = ": encode it, e.g. text.encode('utf-8')" if isinstance(item.data, str) else ""
        return f"gave {item.path!r} as {kind}, not bytes{hint}"
    return None


class Planned(OutputFile):
    """A collection file whose bytes are made only when asked for (`data`), with what they
    depend on: every input of `stories` (their fragments, the whole stories), the summaries
    of `summaries` (with whether each is visible, and in the writer's window, at `ctx.now`),
    and `key`, text saying everything else that goes into the file (a feed's head: its
    title, links, dates). The build engine keeps the published file, without making it,
    while none of these changed; whoever reads `data` gets the bytes as an `OutputFile`'s.
    A writer that yields one promises that the file depends on nothing else (besides the
    configuration, the run's languages and syndicate's own code); a story's fragment that
    its work makes from what its summary holds alone (the OPDS catalog's entry of a book) is
    of its summary, so the story may be listed under `summaries` only."""

    __slots__ = ("_made", "key", "make", "stories", "summaries")
    make: Callable[[], bytes]
    stories: tuple[StorySummary, ...]
    summaries: tuple[StorySummary, ...]
    key: str
    _made: bytes | None

    def __init__(
        self,
        path: str,
        make: Callable[[], bytes],
        *,
        stories: Iterable[StorySummary] = (),
        summaries: Iterable[StorySummary] = (),
        key: str = "",
    ) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "make", make)
        object.__setattr__(self, "stories", tuple(stories))
        object.__setattr__(self, "summaries", tuple(summaries))
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "_made", None)

    @property
    def data(self) -> bytes:
        made: bytes | None = self._made
        if made is None:
            made = self.make()
            object.__setattr__(self, "_made", made)
        return made


@dataclass(frozen=True, slots=True)
class Fragment:
    """A part of a collection file made in a story's own work (a feed entry, rendered once):
    the engine keeps it with the story's files and hands it back through `Context.fragment`,
    so a collection is rebuilt without rendering any story again."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Memo:
    """Says that one of the files a story's work just made (`path`, one of this writer's) was
    made from exactly what `key` names and nothing else: when the story's next work asks for
    it with the same key (`Context.memo`), it gets these bytes back instead of making them
    again. For what is costly to make and often the same when the story changes: an EPUB
    cover is the same after an edit of the body. The engine keeps the memo with the story's
    files and offers it only while the file is intact in out/, and only to the same code
    (syndicate's and the installed packages'): `key` says the rest (the texts, the options,
    the fonts)."""

    name: str
    key: str
    path: str


class Options(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A format's options: one section of `syndicate.yaml`, as a typed record.

    Each field declares its type, its default and, in `Annotated[..., msgspec.Meta(...)]`, its
    constraints and its `description` (listed by `syndicate formats`). The configuration is
    checked against these records when it is loaded, every problem reported at its line, so a
    writer receives valid options and never checks them itself.

    msgspec, not pydantic or bare dataclasses: it converts YAML values strictly with the same
    type hints (no `"5"` silently becoming 5), imports in a few milliseconds (exports run from
    cron; start-up counts), and its records are frozen and picklable for worker processes."""

    def check(self, config: SiteConfig) -> Iterator[tuple[OptionPath, str]]:
        """Rules that depend on the site rather than on the value alone: (field, problem); the
        field is a name, or a path into nested records (`("targets", 1, "languages")`)."""
        return iter(())


def listed_twice(key: str, items: object) -> Iterator[tuple[OptionPath, str]]:
    """A list option (`languages`, `sections`) naming an item twice, as the site's own
    `languages:` says it: each item makes a file (`partners/x/en.xml`), and the second made
    the same file, which stopped the export with no line to fix (`writer.conflict`)."""
    if isinstance(items, tuple):
        twice = next((item for n, item in enumerate(items) if item in items[:n]), None)
        if twice is not None:
            yield key, f"an item is listed twice ({twice!r})"


class NoOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A format without options."""


OptionsT = TypeVar("OptionsT", bound=Options)


class Urls:
    """Where published things live: every absolute link any writer makes comes from here."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.base = config.base_url

    def article(self, slug: str, lang: str) -> str:
        """The published page of one language variant."""
        return _article_url(self.config.article_url, self.base, slug, lang)

    def image(self, slug: str, image: Image) -> str:
        """The published image (`links: image:` of the configuration), with its digest: where
        the template puts `{digest}`, else as `v=<digest>` ending its query (`versioned`)."""
        return _image_url(self.config.image_url, self.base, slug, image.name, image.digest)

    def media(self, path: str, digest: str) -> str:
        """The public URL of an image a format publishes under `out/` itself (`newsml/media/`,
        `ninjs/media/`, a partner's renditions), with the digest of its bytes (`versioned`)."""
        return versioned(self.output(path), digest)

    def output(self, path: str) -> str:
        """The public URL of a file written under `out/` (`atom/en.xml`,
        `ninjs/media/<slug>/ميناء-جدة.png` as `.../%D9%85%D9%8A...png`)."""
        return self.base + url_path(path)

    def site_media(self, file: Path) -> str:
        """The public URL of the publisher's logo or icon (`html/media/site/`), with the digest
        of its bytes (`site_versioned`)."""
        return self.site_copy(site_media_path(file), file)

    def site_copy(self, path: str, file: Path) -> str:
        """The public URL of a copy of the publisher's logo or icon (`file`) that a format
        publishes at `path` under out/: the feeds' `atom/logo.png`, drawn to the size Atom
        wants, a partner's `brand.png`. It carries the digest of `file`, the source, not of
        the copy (`site_versioned`)."""
        return site_versioned(self.output(path), self.config, file)


def exported_languages(story: Story | StorySummary, ctx: Context[Any]) -> tuple[str, ...]:
    """The story's languages selected for this run (`--lang`): those whose files it makes."""
    return tuple(lang for lang in story.languages if lang in ctx.languages)


def site_languages(story: Story | StorySummary, ctx: Context[Any]) -> tuple[str, ...]:
    """The story's languages the site publishes: what a file links to, and what a file every
    language shares holds. Not limited to this run's `--lang`, so a partial run writes the
    same bytes as a full one."""
    return tuple(lang for lang in story.languages if lang in ctx.config.languages)


def in_site_order(story: Story | StorySummary, ctx: Context[Any]) -> tuple[str, ...]:
    """`site_languages` in the order of the site's `languages` (syndicate.yaml), the order
    every list of a story's languages follows, in every format: a page's translation links
    and hreflang alternates, its Open Graph locales, its JSON-LD `workTranslation`, its
    book's "Also available in" and `dc:relation`s and their OPDS alternates, the sitemap's
    alternates, a feed entry's (Atom, RSS, the partner profiles'), a NewsML-G2 item's links
    and its package's `itemRef`s, a ninjs document's associations; as the story lists' pages
    list theirs. One order site-wide, so a partner comparing two outputs finds one story's
    languages in the same order (the story's own is its original, then its files'
    alphabetically, which differs from story to story). No format's specification gives
    these lists an order of their own (Atom's readers look at the first or last alternate,
    which `feedgen_adapter` keeps the entry's own page)."""
    published = set(site_languages(story, ctx))
    return tuple(lang for lang in ctx.config.languages if lang in published)


def other_languages(story: Story | StorySummary, lang: str, ctx: Context[Any]) -> tuple[str, ...]:
    """The languages the `lang` files of a story link to as its other versions: the site's
    (not only this run's), in the site's order (`in_site_order`), `lang` left out."""
    return tuple(other for other in in_site_order(story, ctx) if other != lang)


def default_language(story: Story | StorySummary, ctx: Context[Any]) -> str:
    """The language of a story's `x-default` (its pages' hreflang links, its sitemap entries)
    and of the page that stands for it: the original if the site publishes it, else the first
    the site publishes in the site's order (`in_site_order`), as every list of its languages
    is; not the first of its files (alphabetical), which made an Arabic story that the site
    publishes only in English and French default to "en" though its `languages` start with
    "fr"."""
    langs = in_site_order(story, ctx)
    return story.original_lang if story.original_lang in langs else langs[0]


def versioned(url: str, digest: str) -> str:
    """`url` with `v=<digest>` ending its query (before a `#fragment`): the URL of one version
    of an image. A photo replaced in place by a correction keeps its file name and out/ its
    paths, but gets a new URL, which partners (MSN fetches an image once per URL), CDNs and
    browsers fetch again; the file's old URLs (without `v`, or an older `v`) still lead to it,
    as a server gives a file whatever the query. Relative links too (`media/<slug>/x.png`)."""
    head, hash_, fragment = url.partition("#")
    joint = "" if head.endswith(("?", "&")) else "&" if "?" in head else "?"
    return f"{head}{joint}v={digest}{hash_}{fragment}"


def site_versioned(url: str, config: SiteConfig, file: Path) -> str:
    """A URL (or a page's relative link) of the publisher's logo or icon (`file`), or of a
    copy of it, with `v=<digest>` of `file`'s bytes ending its query (`versioned`): a logo
    replaced in place (a rebrand) is a new URL, which partners, CDNs and browsers fetch
    again. The digest is the one the configuration read (`Publisher.digest`), the same in
    every process and on every machine. A copy drawn from it (a feed's logo) carries the
    source's: the copy is a function of the source's bytes and of syndicate's code (both in
    every key of the build), it is known without drawing the copy (a run that keeps the
    published one draws nothing), and it does not move with the Pillow or zlib a machine
    has. A publisher made in code without its digests gets the URL as it is."""
    digest = config.publisher.digest(file)
    return versioned(url, digest) if digest else url


def digest_of(data: bytes) -> str:
    """The digest a format's own image file carries in its URL (a partner's rendition), as
    `Image.digest` for a story's image: the first hex digits of the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:IMAGE_DIGEST]


@lru_cache(maxsize=4096)
def _article_url(template: str, base: str, slug: str, lang: str) -> str:
    """`Urls.article`, worked out once a page while the page is among the last few thousand
    asked for: a story's page is linked by its own page, its translations', the lists, the
    feeds and the graph (6,740 times for the bench's 100 stories' 400 pages)."""
    return fill(template, base_url=base, slug=url_path(slug), lang=url_path(lang))


@lru_cache(maxsize=4096)
def _image_url(template: str, base: str, slug: str, name: str, digest: str) -> str:
    """`Urls.image`, worked out once an image while it is among the last few thousand asked
    for (1,308 calls for the bench's 100 stories' 84 images)."""
    url = fill(template, base_url=base, slug=url_path(slug), name=url_path(name), digest=digest)
    return url if uses_field(template, "digest") else versioned(url, digest)


def url_path(path: str) -> str:
    """A path under out/ (or a part of one: a slug, a file name) as a URL or a relative link
    holds it: every character but ASCII letters, digits, `-._~` and `/` percent-encoded from
    UTF-8. The one spelling every format writes: an image name may hold any letter, and a
    raw one is an IRI, not the URI that ninjs (`"format": "uri"`), NewsML-G2 consumers and
    sitemaps take; `#`, `?` and `%` in a name would otherwise cut or change the link."""
    if _UNRESERVED(path):  # most slugs and names: nothing to encode
        return path
    return quote(path, safe="/")


_UNRESERVED = re.compile(r"[A-Za-z0-9\-._~/]*").fullmatch
"""A path that `quote(path, safe="/")` gives back as it is."""


def site_media_path(file: Path) -> str:
    """The path under out/ of the publisher's logo or icon: `html/media/site/logo.png`, its
    name composed (NFC) whichever Unicode form the disk spells it in, as story images'."""
    return f"{SITE_MEDIA}/{unicodedata.normalize('NFC', file.name)}"


def site_files(config: SiteConfig) -> tuple[Path, ...]:
    """The publisher's logo and icon, as configured (no duplicates)."""
    publisher = config.publisher
    files = (publisher.logo, publisher.icon) if publisher.icon else (publisher.logo,)
    return tuple(dict.fromkeys(files))


def static_path(rel: str) -> str:
    """The path under out/ of a static file of the site's `templates/` (`SiteConfig.static`),
    published as it is at the same path under out/html/: `html/fr/politics.css`."""
    return f"html/{rel}"


def site_paths(config: SiteConfig) -> frozenset[str]:
    """The paths under out/ of the site's own files, which no story or collection makes: the
    logo and icon, and the static files of `templates/` (a delivery takes them as no
    language's or section's, wherever they sit: `html/fr/politics.css`)."""
    media = {site_media_path(file) for file in site_files(config)}
    return frozenset(media | {static_path(rel) for rel in config.static})


class Recall(Protocol):
    """What the build engine lends the collection step: the fragments each story's work left,
    and whole stories for the files that need them."""

    def fragment(self, writer: str, story: StorySummary, name: str) -> bytes: ...

    def fragments(self, writer: str, stories: Sequence[StorySummary], name: str) -> list[bytes]: ...

    def story(self, story: StorySummary) -> Story: ...


@dataclass(frozen=True)
class Context(Generic[OptionsT]):
    """Everything a writer may depend on besides the stories; writers never read the wall clock,
    the environment or the disk, so the same input always gives the same bytes."""

    config: SiteConfig
    now: datetime
    """"Now" for embargoes and visibility: `--now`, or the time the run started."""
    languages: tuple[str, ...]
    """The languages selected for this run (`--lang`): the languages whose files the writer
    makes. What a file links to in the other languages (a translation, a feed's alternate),
    and a file every language shares (a package, a catalog's root), are the site's
    (`config.languages`): each file a run of some languages writes is the one a run of every
    language writes."""
    options: OptionsT
    """This writer's options (its section of syndicate.yaml), checked."""
    diagnostics: Diagnostics
    writer: str = ""
    """The name of the writer this context is for."""
    recall: Recall | None = field(default=None, repr=False)
    """Set by the engine for `collection_files`."""
    progress: Progress | None = field(default=None, repr=False, compare=False)
    """Set by `syndicate validate --outputs` on a terminal, for validators that take long."""
    memos: Mapping[str, tuple[str, bytes]] = field(default_factory=dict, repr=False)
    """Set by the engine for `story_files`: the memos of the story's last work, by name,
    each with its key and bytes (see `memo`)."""
    unchecked: list[str] = field(default_factory=list, repr=False, compare=False)
    """The checks `validate_outputs` could not run (see `not_checked`)."""
    urls: Urls = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "urls", Urls(self.config))

    def not_checked(self, by: str) -> None:
        """In `validate_outputs`: a check could not run (EPUBCheck without Java), `by` naming
        it. The validator warns why; this makes the summary say the format was "not checked
        by" it, never OK."""
        if by not in self.unchecked:
            self.unchecked.append(by)

    def read_asset(self, path: str | Path) -> bytes:
        """Bytes of an input asset (an image or the logo) that the model points to. A remote
        image (a story read back from NewsML-G2) is never looked up on the local disk. A
        story's own writers get its images as they were read and checked (the build engine
        gives them); what is read here again is a regular file, or an OSError (a FIFO put in
        its place since would hang the export)."""
        if "://" in str(path):
            raise FileNotFoundError(f"{path} is remote; it is not read from the local disk")
        return read_regular(Path(path), follow=True)[0]

    def memo(self, name: str, key: str) -> bytes | None:
        """In `story_files`: the bytes this writer's last work on the story declared as made
        from `key` (a `Memo` of that name), if that was `key`; None when they must be made."""
        found = self.memos.get(name)
        return found[1] if found is not None and found[0] == key else None

    def fragment(self, story: StorySummary, name: str) -> bytes:
        """The fragment `name` that this writer's `story_files` made of `story`."""
        return self._recall().fragment(self.writer, story, name)

    def fragments(self, stories: Sequence[StorySummary], name: str) -> list[bytes]:
        """The fragment `name` of each of `stories`, in their order (one look-up for all,
        where `fragment` would make one each)."""
        recall = self._recall()
        many = getattr(recall, "fragments", None)
        if many is None:  # a recall of its own (a test's, a benchmark's) with one at a time
            return [recall.fragment(self.writer, story, name) for story in stories]
        return list(many(self.writer, stories, name))

    def story(self, story: StorySummary) -> Story:
        """The whole story behind a summary (an EPUB edition's chapters need the bodies);
        only for a writer with `story_files` of its own (see `lists_summaries`)."""
        return self._recall().story(story)

    def _recall(self) -> Recall:
        if self.recall is None:
            raise LookupError("fragments and whole stories exist only in collection_files")
        return self.recall


class Writer(Generic[OptionsT]):
    """Base class of output formats. Subclasses declare their contract as class attributes and
    implement one or both of the two functions; the registry, the CLI and `syndicate formats`
    read the declarations. A writer made for a configuration (a partner feed profile: one
    writer class, one instance per profile) sets them on the instance instead."""

    name: str
    description: str
    media_type: str
    extension: str
    scope: Scope
    """What one file holds: one language variant, one story, or a collection of stories."""
    folders: tuple[str, ...] = ()
    """Folders of out/ this writer owns (default: its name); a folder may be nested
    (`partners/msn`)."""
    config_section: str | None = None
    """The section of syndicate.yaml holding its options (default: its name); a dotted path
    names a part of a section (`profiles.msn`)."""
    Options: type[OptionsT]
    """Its options record; writers that share a section share the record."""
    embargoed: bool = False
    """Whether it publishes stories before their embargo ends (to wire partners, as
    NewsML-G2 and ninjs do): `syndicate serve` warns when its folders are open to the
    network without a token."""
    site_inputs: tuple[SiteInput, ...] = ()
    """The site's own files it reads besides `syndicate.yaml`, the logo and icon, and
    `terms/` (which every format reads): the HTML format's pages come from the site's
    `templates/`. The build engine makes them part of this format's keys only, so an edit of
    a template makes its files again and no other format's."""
    section_feeds: bool = False
    """Whether its collection files include a subscription feed per section, which tells the
    kill of a story that moved to another section, and a correction made since, in the feeds
    of the sections it left, each language's where it had the story
    (`StorySummary.former_sections_for`, `StorySummary.corrected`): the build state
    remembers, for this format alone and language by language, the sections it showed each
    story in, so that a run of some formats or languages (`--format atom`, `--lang fr`) does
    not tell the others of a section they never showed the story in."""
    window: timedelta | None = None
    """For collection files that list what reached the public within this time before
    `ctx.now` (`StorySummary.public_since_for`; a news sitemap's two days): the engine rebuilds
    them when a story's variant enters or leaves that window, as it does when a story's visibility
    changes, although no story did."""

    def in_window(self, story: StorySummary, now: datetime, lang: str) -> bool:
        """Whether the story's `lang` variant is inside `window` at `now`, as the writer's
        collection files judge it (the engine keys them on it): when it reached the public
        within the window (`StorySummary.public_since_for`), both ends included. A writer
        whose window excludes its first instant (MSN: "less than 365 days old") overrides it,
        so the engine rebuilds its files when their list changes."""
        return self.window is not None and within(self.window, story.public_since_for(lang), now)

    def owned_folders(self) -> tuple[str, ...]:
        return self.folders or (self.name,)

    def section(self) -> str:
        return self.config_section or self.name

    def media_type_of(self, path: str) -> str | None:
        """The media type of one of its files under out/ (`atom/en.xml`), for servers and
        deliveries; None for a file that is not of its own kind (an image), which then gets
        the usual type of its extension. Formats whose folders hold several kinds override it."""
        return self.media_type if path.endswith(self.extension) else None

    def story_files(
        self, story: Story, ctx: Context[OptionsT]
    ) -> Iterable[OutputFile | Fragment | Memo]:
        """The files that depend on this one story alone (and on the config, the selected
        languages and whether the story is visible at `ctx.now`), and its fragments."""
        return ()

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[OptionsT]
    ) -> Iterable[OutputFile]:
        """The files that depend on several stories, from the summaries of every story of the
        run in story-folder order (visible or not: `ctx.now` says which the public may see)."""
        return ()

    def check_site_inputs(self, config: SiteConfig, diags: Diagnostics) -> None:
        """Check the site's own files of `site_inputs` as far as they can be without a story
        (the HTML pages' templates parse), so that `validate` tells their problems at their
        lines before an export would. This default checks nothing."""

    def check_stories(self, stories: Sequence[StorySummary], ctx: Context[OptionsT]) -> None:
        """Check its options against the summaries of every story of the site (a section
        listed that no story is in), so that `validate` tells what `collection_files` would
        warn of in an export, in the same words. This default checks nothing."""

    def validate_outputs(self, out: Path, ctx: Context[OptionsT]) -> None:
        """Check the files this format wrote under `out/` and report problems in
        `ctx.diagnostics`. This default checks that XML and JSON files are well-formed;
        formats with a schema of their own extend it."""
        from syndicate.formats.checking import output_files

        suffixes = XML_SUFFIXES + JSON_SUFFIXES
        for folder in self.owned_folders():
            for path in output_files(out, folder, suffixes, ctx.diagnostics):
                check_well_formed(path, ctx.diagnostics)


def lists_summaries(writer: Writer[Any]) -> bool:
    """Whether `writer` makes nothing of a story alone (no `story_files` of its own): then
    its collection files read nothing of a story but its summary (`Context.story` refuses),
    and the build keeps them as published while every summary says what it said."""
    return type(writer).story_files is Writer.story_files


_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e]|\\[\t\x20-\x7e])*"'
_MEDIA_TYPE = re.compile(
    rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*(?:{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))?)*"
).fullmatch
"""A parameter may be empty (`text/plain;`), as RFC 9110's `*( OWS ";" OWS [ parameter ] )`."""


def is_media_type(value: object) -> bool:
    """Whether `value` is a media type as an HTTP header holds it (RFC 9110, section 8.3.1):
    `type/subtype` with optional `; name=value` parameters, tokens or quoted text, nothing
    else (no line break: `serve` would send a broken response, if any)."""
    return isinstance(value, str) and _MEDIA_TYPE(value) is not None


def within(window: timedelta, when: datetime, now: datetime) -> bool:
    """Whether `when` falls in the `window` of time up to `now` (see `Writer.window`)."""
    return now - window <= when <= now


def json_document(data: Any) -> bytes:
    """A JSON output file: sorted keys, real characters (not `\\u` escapes), two-space indent,
    a final newline; the same data always gives the same bytes."""
    return (json_text(data) + "\n").encode("utf-8")


def json_text(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)`, made three times
    faster: the standard library's C encoder writes it compact (with `indent` it encodes in
    Python), msgspec indents it, numbers and strings kept as written. What msgspec cannot
    read (NaN, lone surrogates) takes the standard library's way. Data of texts, integers,
    booleans and nulls alone (no float: msgspec writes `1e16` where Python writes `1e+16`, and
    NaN as null) msgspec also encodes, its keys sorted as `sort_keys` sorts them: several times
    faster again for the long texts of an article's JSON-LD (its body)."""
    try:
        if _msgspec_writes_as_json_does(data):
            return msgspec.json.format(_SORTED_KEYS.encode(data), indent=2).decode("utf-8")
        compact = json.dumps(
            data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
        return msgspec.json.format(compact, indent=2)
    except (ValueError, msgspec.MsgspecError, UnicodeError):
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


_SORTED_KEYS = msgspec.json.Encoder(order="sorted")
_INT64 = range(-(2**63), 2**63)


def _msgspec_writes_as_json_does(data: Any) -> bool:
    """Whether `data` holds only what msgspec's encoder writes as `json.dumps` does: dicts
    with text keys, lists and tuples, texts, integers of 64 bits, booleans and None (each of
    these exact types: no subclass, no float). A lone surrogate in a text is msgspec's error
    (`UnicodeEncodeError`), and takes `json_text`'s way for errors."""
    todo = [data]
    while todo:
        value = todo.pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if value not in _INT64:
                return False
        elif kind is dict:
            for key in value:
                if type(key) is not str:
                    return False
            todo.extend(value.values())
        elif kind is list or kind is tuple:
            todo.extend(value)
        else:
            return False
    return True


AnyWriter = Writer[Any]
"""A writer, whatever its options are."""


def check_well_formed(path: Path, diags: Diagnostics) -> None:
    """Parse an XML or JSON output file, reporting where it is broken."""
    from syndicate.formats.checking import parse_json, parse_xml

    if path.suffix in XML_SUFFIXES:
        parse_xml(path, diags)
    elif path.suffix in JSON_SUFFIXES:
        parse_json(path, diags)


XML_SUFFIXES = (".xml", ".opf", ".ncx", ".xhtml", ".rng")
JSON_SUFFIXES = (".json", ".jsonld")
