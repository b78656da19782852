"""The writer contract: what a format declares, what it receives (`Context`), what it returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Generic, Literal, Protocol, TypeVar

from syndicate.config import SiteConfig
from syndicate.diagnostics import Diagnostics
from syndicate.model import Image, Story

Scope = Literal["variant", "story", "collection"]
Abstract = TypeVar("Abstract")
"""What a writer's collection files need of one story (see `Writer.abstract`)."""


@dataclass(frozen=True, slots=True)
class Option:
    """A setting of a format, read from its section of `syndicate.yaml`."""

    name: str
    default: Any
    help: str


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    """POSIX path relative to `out/`, starting with one of the writer's folders."""
    data: bytes


class Slugged(Protocol):
    """A story, or an abstract of one: what its URLs are made from."""

    @property
    def slug(self) -> str: ...


class Urls:
    """Where published things live: every absolute link any writer makes comes from here."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.base = config.base_url

    def article(self, story: Slugged, lang: str) -> str:
        """The published page of one language variant."""
        return self.config.article_url.format(base_url=self.base, slug=story.slug, lang=lang)

    def image(self, story: Slugged, image: Image) -> str:
        return self.config.image_url.format(base_url=self.base, slug=story.slug, name=image.name)

    def output(self, path: str) -> str:
        """The public URL of a file written under `out/` (`atom/en.xml`)."""
        return self.base + path


@dataclass(frozen=True)
class Context:
    """Everything a writer may depend on besides the stories; writers never read the wall clock,
    the environment or the disk, so the same input always gives the same bytes."""

    config: SiteConfig
    now: datetime
    """"Now" for embargoes and visibility: `--now`, or the time the run started."""
    diagnostics: Diagnostics
    languages: tuple[str, ...]
    """The languages selected for this run."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """This writer's options, defaults filled in."""
    recall: Callable[[str], Story] | None = None
    """The whole story of a slug of this run, for the few collection files that need whole
    stories (an EPUB edition's chapters); set while collections are written."""

    @property
    def urls(self) -> Urls:
        return Urls(self.config)

    def read_asset(self, path: str | Path) -> bytes:
        """Bytes of an input asset (an image or the logo) that the model points to."""
        return Path(path).read_bytes()

    def story(self, slug: str) -> Story:
        """The whole story `slug` of this run (see `recall`)."""
        if self.recall is None:
            raise LookupError("whole stories are not available to this writer step")
        return self.recall(slug)


class Writer(Generic[Abstract]):
    """Base class of output formats. Subclasses declare their contract as class attributes and
    implement `write`; the registry, the CLI and `syndicate formats` read these declarations."""

    name: ClassVar[str]
    description: ClassVar[str]
    media_type: ClassVar[str]
    extension: ClassVar[str]
    scope: ClassVar[Scope]
    folders: ClassVar[tuple[str, ...]] = ()
    """Folders of out/ this writer owns (default: its name)."""
    config_section: ClassVar[str | None] = None
    """The section of syndicate.yaml holding its options (default: its name)."""
    options: ClassVar[tuple[Option, ...]] = ()

    @classmethod
    def owned_folders(cls) -> tuple[str, ...]:
        return cls.folders or (cls.name,)

    @classmethod
    def section(cls) -> str:
        return cls.config_section or cls.name

    per_story: ClassVar[bool] = False
    """True when `write` is `write_story` and `abstract` for each story, then
    `write_collection` over the abstracts: the export then caches each story's files and
    abstract, and renders stories in parallel. Otherwise `write` is one unit over all the
    stories, which are then all held in memory."""

    def write(self, stories: Sequence[Story], ctx: Context) -> Iterable[OutputFile]:
        abstracts = []
        for story in stories:
            yield from self.write_story(story, ctx)
            abstract = self.abstract(story, ctx)
            if abstract is not None:
                abstracts.append(abstract)
        yield from self.write_collection(abstracts, ctx)

    def write_story(self, story: Story, ctx: Context) -> Iterable[OutputFile]:
        """The files that depend on this one story alone (and on the config, the selected
        languages and whether the story is visible at `ctx.now`)."""
        return ()

    def abstract(self, story: Story, ctx: Context) -> Abstract | None:
        """What `write_collection` needs of this story, or None if nothing: small (only this
        writer's abstracts are in memory at once), picklable (the export caches it with the
        story's files), and like `write_story` a pure function of the story and `ctx`. Feeds
        keep their rendered entries here, so an edit re-renders one story's entries only."""
        return None

    def write_collection(self, abstracts: Sequence[Abstract], ctx: Context) -> Iterable[OutputFile]:
        """The files that depend on several stories (indexes, feeds, editions, catalogs), from
        the abstracts of the stories in story-folder order."""
        return ()

    def validate_outputs(self, out: Path, ctx: Context) -> None:
        """Check the files this format wrote under `out/` and report problems in
        `ctx.diagnostics`. This default checks that XML and JSON files are well-formed;
        formats with a schema of their own extend it."""
        for folder in self.owned_folders():
            for path in sorted((out / folder).rglob("*")):
                if path.is_file():
                    check_well_formed(path, ctx.diagnostics)


AnyWriter = Writer[Any]
"""A writer, whatever its abstracts are."""


def check_well_formed(path: Path, diags: Diagnostics) -> None:
    """Parse an XML or JSON output file, reporting where it is broken."""
    import json

    from lxml import etree

    from syndicate.readers.safexml import safe_parser

    shown = str(path)
    if path.suffix in {".xml", ".opf", ".ncx", ".xhtml", ".rng"}:
        try:
            etree.parse(str(path), safe_parser())
        except etree.XMLSyntaxError as exc:
            diags.error("output.xml", f"not well-formed XML: {exc.msg}", f"{shown}:{exc.lineno}")
    elif path.suffix in {".json", ".jsonld"}:
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            diags.error("output.json", f"not valid JSON: {exc}", shown)
