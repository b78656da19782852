"""What the Atom and RSS writers share: the `feeds` options, which feed documents exist (per
language, per language and section, RFC 5005 archive pages) and what goes into each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


class FeedWriter(Writer):
    """A feed format: the documents come from `feed_documents`, the bytes from `render`,
    and `validate --outputs` runs `check_file` on each of them."""

    scope = "collection"
    config_section = "feeds"
    options = OPTIONS
    extension = ".xml"

    def write(self, stories: Sequence[Story], ctx: Context) -> Iterable[OutputFile]:
        settings = read_settings(ctx)
        if settings is None:
            return
        for path, feed in feed_documents(stories, ctx, self.name, self.media_type, settings):
            yield OutputFile(path, self.render(feed))

    render: Callable[[Feed], bytes]
    check_file: Callable[[Path, Diagnostics], None]

    def validate_outputs(self, out: Path, ctx: Context) -> None:
        for path in sorted((out / self.name).rglob("*.xml")):
            self.check_file(path, ctx.diagnostics)


def read_settings(ctx: Context) -> Settings | None:
    """The options of `ctx`, or None after reporting every invalid one."""
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
    for problem in problems:
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


def feed_documents(
    stories: Sequence[Story], ctx: Context, fmt: str, media_type: str, settings: Settings
) -> Iterator[tuple[str, Feed]]:
    """Every document of format `fmt`: `<lang>.xml`, `<lang>/<section>.xml`, and their
    archive pages `.../archive/<n>.xml`."""
    sections = settings.sections
    if sections is None:
        sections = tuple(sorted({s.section for s in stories}))
    for lang in settings.languages:
        public = sorted(
            (s for s in stories if s.has(lang) and s.is_visible(ctx.now)), key=archive_key
        )
        # Each entry is rendered once, though it appears in several documents.
        entries = {s.id: make_entry(s, lang, ctx) for s in public}
        kind = _Kind(lang, entries, settings, media_type)
        yield from _feed_set(f"{fmt}/{lang}", None, public, ctx, kind)
        for section in sections:
            chosen = [s for s in public if s.section == section]
            yield from _feed_set(f"{fmt}/{lang}/{section}", section, chosen, ctx, kind)


def archive_key(story: Story) -> tuple[datetime, str]:
    """Archive order: when the story reached the public (publication, or the end of its
    embargo). Unless a publication time is backdated, a story becomes public after every story
    already in a feed, so new entries land at the end and full archive pages keep their set."""
    appeared = max(story.published, story.embargo_until or story.published)
    return appeared, story.id


def recency_key(story: Story) -> tuple[datetime, datetime, str]:
    """Order within a document, newest first: a corrected story counts as new again."""
    appeared, ident = archive_key(story)
    return story.updated, appeared, ident


def paginate(
    oldest_first: Sequence[Story], limit: int, size: int
) -> tuple[list[tuple[Story, ...]], tuple[Story, ...]]:
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
    entries: dict[str, Entry]
    """By story id."""
    settings: Settings
    media_type: str


def _feed_set(
    base: str, section: str | None, stories: Sequence[Story], ctx: Context, kind: _Kind
) -> Iterator[tuple[str, Feed]]:
    """The subscription feed at `<base>.xml` and its archive pages `<base>/archive/<n>.xml`."""
    settings, media_type = kind.settings, kind.media_type
    pages, current = paginate(stories, settings.limit, settings.archive_size)
    subscription = ctx.urls.output(f"{base}.xml")
    page_url = [ctx.urls.output(f"{base}/archive/{n}.xml") for n in range(1, len(pages) + 1)]
    links = [Link(settings.hub, "hub")] if settings.hub else []
    if pages:
        links.append(Link(page_url[-1], "prev-archive", media_type))
    head = _FeedHead(kind.lang, section, subscription, ctx)
    yield f"{base}.xml", head.feed(subscription, links, _entries(current, kind), False)
    for n, page in enumerate(pages, start=1):
        links = [Link(subscription, "current", media_type)]
        if n > 1:
            links.append(Link(page_url[n - 2], "prev-archive", media_type))
        if n < len(pages):
            links.append(Link(page_url[n], "next-archive", media_type))
        newest_first = sorted(page, key=recency_key, reverse=True)
        yield (
            f"{base}/archive/{n}.xml",
            head.feed(page_url[n - 1], links, _entries(newest_first, kind), True),
        )


def _entries(stories: Sequence[Story], kind: _Kind) -> tuple[Entry, ...]:
    return tuple(kind.entries[s.id] for s in stories)


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

    def feed(
        self, self_url: str, links: list[Link], entries: tuple[Entry, ...], archive: bool
    ) -> Feed:
        return Feed(
            id=self.id,
            lang=self.lang,
            title=self.title,
            subtitle=self.subtitle,
            updated=max((e.updated for e in entries), default=EPOCH),
            self_url=self_url,
            site_url=self.ctx.config.publisher.url,
            links=tuple(links),
            author=self.author,
            logo=self.logo,
            icon=self.icon,
            rights=self.rights,
            archive=archive,
            entries=entries,
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
