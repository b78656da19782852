"""What the Atom and RSS writers share: the `feeds` options, which feed documents exist (per
language, per language and section, RFC 5005 archive pages) and what goes into each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from syndicate.diagnostics import Diagnostics
from syndicate.i18n.terms import term
from syndicate.i18n.text import section_name
from syndicate.model import Story
from syndicate.model.story import MEDIATOPIC_SCHEME
from syndicate.render.xhtml import render_body, to_string
from syndicate.writers.base import Context, Option, OutputFile, Writer
from syndicate.writers.feeds.feedgen_adapter import Category, Entry, Feed, Link, Media, Person
from syndicate.writers.site_media import site_media_url

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` of a feed with no entries: fixed, so an empty feed is byte-stable."""

OPTIONS = (
    Option("languages", "all", "languages with feeds: all (the run's languages) or a list"),
    Option(
        "sections",
        "all",
        "sections with feeds of their own: all (every section of the stories), a list, or []",
    ),
    Option(
        "limit",
        50,
        "entries in a subscription feed (more if needed to hold every entry not yet archived)",
    ),
    Option("archive_size", 50, "entries per RFC 5005 archive page; 0 turns archives off"),
    Option("hub", None, "WebSub hub URL announced by subscription feeds"),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """The `feeds` options, checked."""

    languages: tuple[str, ...]
    sections: tuple[str, ...] | None
    """None: every section the stories have."""
    limit: int
    archive_size: int
    hub: str | None


@dataclass(frozen=True, slots=True)
class Listed:
    """A visible story as its feeds see it (the writer's abstract): where it goes, in what
    order, and its entry in each feed language, rendered once in the format."""

    id: str
    section: str
    published: datetime
    updated: datetime
    embargo_until: datetime | None
    """The story's times, in UTC."""
    entries: tuple[tuple[str, bytes], ...]
    """(language, the serialised entry) of each feed language the story has."""

    def has(self, lang: str) -> bool:
        return any(tag == lang for tag, _ in self.entries)

    def entry(self, lang: str) -> bytes:
        return next(data for tag, data in self.entries if tag == lang)


class FeedWriter(Writer[Listed]):
    """A feed format: each story's entries are rendered by `render_entry` (in the per-story
    work, so an edit renders one story's entries again), the documents are planned by
    `plan_documents` and assembled by `render_document`; `validate --outputs` runs
    `check_file` on each of them."""

    scope = "collection"
    config_section = "feeds"
    options = OPTIONS
    extension = ".xml"
    per_story = True

    def abstract(self, story: Story, ctx: Context) -> Listed | None:
        settings = read_settings(ctx, report=False)
        if settings is None or not story.is_visible(ctx.now):
            return None
        entries = tuple(
            (lang, self.render_entry(make_entry(story, lang, ctx)))
            for lang in settings.languages
            if story.has(lang)
        )
        # In UTC: comparing datetimes of one time zone object skips the offset lookups.
        embargo = story.embargo_until.astimezone(UTC) if story.embargo_until else None
        published, updated = story.published.astimezone(UTC), story.updated.astimezone(UTC)
        return Listed(story.id, story.section, published, updated, embargo, entries)

    def write_collection(self, stories: Sequence[Listed], ctx: Context) -> Iterable[OutputFile]:
        settings = read_settings(ctx)
        if settings is None:
            return
        for document in plan_documents(stories, ctx, self.name, self.media_type, settings):
            entries = [story.entry(document.lang) for story in document.stories]
            yield OutputFile(document.path, self.render_document(document.head, entries))

    render_entry: Callable[[Entry], bytes]
    render_document: Callable[[Feed, Sequence[bytes]], bytes]
    check_file: Callable[[Path, Diagnostics], None]

    def validate_outputs(self, out: Path, ctx: Context) -> None:
        for path in sorted((out / self.name).rglob("*.xml")):
            self.check_file(path, ctx.diagnostics)


def read_settings(ctx: Context, *, report: bool = True) -> Settings | None:
    """The options of `ctx`, or None after reporting every invalid one (if `report`)."""
    opts = ctx.options
    line = ctx.config.lines.get("feeds", 0)
    where = f"{ctx.config.source.path}:{line}" if line else ctx.config.source.path
    problems = []
    languages = _names(opts["languages"])
    sections = _names(opts["sections"])
    if languages is None and opts["languages"] != "all":
        problems.append("languages: give `all` or a list of language tags")
    elif languages and (unknown := [t for t in languages if t not in ctx.config.languages]):
        problems.append(f"languages: {', '.join(unknown)} not among the site's languages")
    if sections is None and opts["sections"] != "all":
        problems.append("sections: give `all` or a list of section codes")
    limit, size, hub = opts["limit"], opts["archive_size"], opts["hub"]
    if not _is_int(limit) or limit < 1:
        problems.append("limit: give a whole number of at least 1")
    if not _is_int(size) or size < 0:
        problems.append("archive_size: give a whole number (0 turns archives off)")
    if hub is not None and not (isinstance(hub, str) and hub.startswith(("https://", "http://"))):
        problems.append("hub: give the hub's http(s) URL")
    # Atom and RSS share the section: report each problem once when both formats run.
    seen = {d.message for d in ctx.diagnostics if d.code == "feeds.option"}
    for problem in problems if report else ():
        if f"feeds: {problem}" not in seen:
            ctx.diagnostics.error("feeds.option", f"feeds: {problem}", where)
    if problems:
        return None
    chosen = ctx.languages if languages is None else languages
    return Settings(
        languages=tuple(t for t in chosen if t in ctx.languages),
        sections=sections,
        limit=limit,
        archive_size=size,
        hub=hub,
    )


def _names(value: Any) -> tuple[str, ...] | None:
    """A list of names; None for `all` (every one) and for anything that is not a list."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Dated(Protocol):
    """What orders a story in its feeds: a story, or a feed writer's abstract of one."""

    @property
    def id(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def published(self) -> datetime: ...
    @property
    def updated(self) -> datetime: ...
    @property
    def embargo_until(self) -> datetime | None: ...
    def has(self, lang: str) -> bool: ...


D = TypeVar("D", bound=Dated)


@dataclass(frozen=True, slots=True)
class Document(Generic[D]):
    """One feed document: its path under out/, its head, and its entries' stories in order."""

    path: str
    lang: str
    head: Feed
    stories: tuple[D, ...]


def plan_documents(
    stories: Sequence[D],
    ctx: Context,
    fmt: str,
    media_type: str,
    settings: Settings,
) -> Iterator[Document[D]]:
    """Every document of format `fmt`: `<lang>.xml`, `<lang>/<section>.xml`, and their
    archive pages `.../archive/<n>.xml`; `stories` are the visible ones."""
    sections = settings.sections
    if sections is None:
        sections = tuple(sorted({s.section for s in stories}))
    for lang in settings.languages:
        public = sorted((s for s in stories if s.has(lang)), key=archive_key)
        kind = _Kind(lang, settings, media_type)
        yield from _feed_set(f"{fmt}/{lang}", None, public, ctx, kind)
        for section in sections:
            chosen = [s for s in public if s.section == section]
            yield from _feed_set(f"{fmt}/{lang}/{section}", section, chosen, ctx, kind)


def archive_key(story: Dated) -> tuple[datetime, str]:
    """Archive order: when the story reached the public (publication, or the end of its
    embargo). Unless a publication time is backdated, a story becomes public after every story
    already in a feed, so new entries land at the end and full archive pages keep their set."""
    appeared = max(story.published, story.embargo_until or story.published)
    return appeared, story.id


def recency_key(story: Dated) -> tuple[datetime, datetime, str]:
    """Order within a document, newest first: a corrected story counts as new again."""
    appeared, ident = archive_key(story)
    return story.updated, appeared, ident


def paginate(
    oldest_first: Sequence[D], limit: int, size: int
) -> tuple[list[tuple[D, ...]], tuple[D, ...]]:
    """(full archive pages, oldest first; the subscription feed's stories).

    Archive pages are filled oldest-first and only full pages are published, so the set of
    stories of a page never changes. The subscription feed holds every story not yet in a full
    page, topped up to `limit` with the most recently updated others, so corrections reach it.
    Without archives (`size` 0) it holds the `limit` most recently updated stories."""
    if size:
        cut = len(oldest_first) // size * size
        pages = [tuple(oldest_first[i : i + size]) for i in range(0, cut, size)]
    else:
        cut, pages = len(oldest_first), []
    tail = list(oldest_first[cut:])
    others = sorted(oldest_first[:cut], key=recency_key)
    extra = max(0, limit - len(tail))
    current = tail + (others[-extra:] if extra else [])
    return pages, tuple(sorted(current, key=recency_key, reverse=True))


@dataclass(frozen=True, slots=True)
class _Kind:
    """What the feeds of one language and format share."""

    lang: str
    settings: Settings
    media_type: str


def _feed_set(
    base: str, section: str | None, stories: Sequence[D], ctx: Context, kind: _Kind
) -> Iterator[Document[D]]:
    """The subscription feed at `<base>.xml` and its archive pages `<base>/archive/<n>.xml`."""
    settings, media_type = kind.settings, kind.media_type
    pages, current = paginate(stories, settings.limit, settings.archive_size)
    subscription = ctx.urls.output(f"{base}.xml")
    page_url = [ctx.urls.output(f"{base}/archive/{n}.xml") for n in range(1, len(pages) + 1)]
    links = [Link(settings.hub, "hub")] if settings.hub else []
    if pages:
        links.append(Link(page_url[-1], "prev-archive", media_type))
    head = _FeedHead(kind.lang, section, subscription, ctx)

    def document(
        path: str, url: str, links: list[Link], chosen: tuple[D, ...], archive: bool
    ) -> Document[D]:
        updated = max((s.updated for s in chosen), default=EPOCH)
        return Document(path, kind.lang, head.feed(url, links, updated, archive), chosen)

    yield document(f"{base}.xml", subscription, links, current, False)
    for n, page in enumerate(pages, start=1):
        links = [Link(subscription, "current", media_type)]
        if n > 1:
            links.append(Link(page_url[n - 2], "prev-archive", media_type))
        if n < len(pages):
            links.append(Link(page_url[n], "next-archive", media_type))
        newest_first = tuple(sorted(page, key=recency_key, reverse=True))
        yield document(f"{base}/archive/{n}.xml", page_url[n - 1], links, newest_first, True)


class _FeedHead:
    """What every document of one logical feed shares: id, titles, publisher."""

    def __init__(self, lang: str, section: str | None, subscription: str, ctx: Context) -> None:
        self.lang = lang
        self.ctx = ctx
        self.id = subscription
        pub = ctx.config.publisher
        topic = section_name(section, lang) if section else term("latest_news", lang)
        self.title = term("feed_title", lang, publisher=pub.name, section=topic)
        self.subtitle = term("feed_subtitle", lang, publisher=pub.name)
        self.rights = term("feed_rights", lang, publisher=pub.name)
        self.author = Person(pub.name, uri=pub.url, email=pub.email)
        self.logo = site_media_url(ctx, pub.logo)
        self.icon = site_media_url(ctx, pub.icon) if pub.icon else None

    def feed(self, self_url: str, links: list[Link], updated: datetime, archive: bool) -> Feed:
        return Feed(
            id=self.id,
            lang=self.lang,
            title=self.title,
            subtitle=self.subtitle,
            updated=updated,
            self_url=self_url,
            site_url=self.ctx.config.publisher.url,
            links=tuple(links),
            author=self.author,
            logo=self.logo,
            icon=self.icon,
            rights=self.rights,
            archive=archive,
        )


def make_entry(story: Story, lang: str, ctx: Context) -> Entry:
    variant = story.variant(lang)
    urls = ctx.urls
    body = render_body(story, variant, lambda image: urls.image(story, image))
    return Entry(
        id=story.variant_id(lang),
        lang=lang,
        title=variant.headline,
        link=urls.article(story, lang),
        translations=tuple(
            Link(urls.article(story, v.lang), "alternate", "text/html", v.lang)
            for v in story.variants
            if v.lang in ctx.languages
        ),
        published=story.published,
        updated=story.updated,
        summary=variant.summary,
        content=to_string(body),
        authors=tuple(Person(p.name, uri=p.url) for p in variant.byline.people)
        + ((Person(variant.byline.organisation),) if variant.byline.organisation else ()),
        categories=_categories(story, lang),
        media=tuple(
            Media(
                url=urls.image(story, image),
                type=image.media_type,
                size=image.size,
                width=image.width,
                height=image.height,
                caption=image.caption.get(lang, story.original_lang) if image.caption else None,
                credit=image.credit,
            )
            for image in story.images
        ),
        rights=story.rights_for(lang).notice.get(lang, story.original_lang),
    )


def _categories(story: Story, lang: str) -> tuple[Category, ...]:
    """The section, then the IPTC Media Topics (term and scheme make the topic's URI)."""
    cats = [Category(story.section, section_name(story.section, lang))]
    for subject in story.subjects:
        label = subject.name.get(lang, story.original_lang) or subject.code
        if subject.topic is not None:
            cats.append(Category(subject.topic, label, MEDIATOPIC_SCHEME))
        else:
            cats.append(Category(subject.code, label))
    return tuple(cats)
