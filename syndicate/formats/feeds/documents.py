"""What the Atom and RSS writers share: the `feeds` options, which feed documents exist (per
language, per language and section, RFC 5005 archive pages) and what goes into each."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import Context, Fragment, Options, OutputFile, Writer
from syndicate.formats.feeds.feedgen_adapter import Category, Entry, Feed, Link, Media, Person
from syndicate.i18n.terms import term
from syndicate.i18n.text import section_name
from syndicate.model import SiteConfig, Story, StorySummary
from syndicate.model.story import MEDIATOPIC_SCHEME
from syndicate.render.xhtml import render_body, to_string

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` of a feed with no entries: fixed, so an empty feed is byte-stable."""


class FeedOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Section `feeds` of syndicate.yaml, shared by the Atom and RSS formats."""

    languages: Annotated[
        Literal["all"] | tuple[str, ...],
        msgspec.Meta(description="languages with feeds: all (the run's languages) or a list"),
    ] = "all"
    sections: Annotated[
        Literal["all"] | tuple[str, ...],
        msgspec.Meta(
            description="sections with feeds of their own: all (every section of the stories),"
            " a list, or []"
        ),
    ] = "all"
    limit: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description="entries in a subscription feed (more if needed to hold every entry"
            " not yet archived)",
        ),
    ] = 50
    archive_size: Annotated[
        int,
        msgspec.Meta(ge=0, description="entries per RFC 5005 archive page; 0 turns archives off"),
    ] = 50
    hub: (
        Annotated[
            str,
            msgspec.Meta(
                pattern=r"^https?://\S+\Z",
                description="WebSub hub URL announced by subscription feeds",
                extra={"expected": "the hub's http(s) URL"},
            ),
        ]
        | None
    ) = None

    def check(self, config: SiteConfig) -> Iterator[tuple[str, str]]:
        if self.languages != "all":
            unknown = [tag for tag in self.languages if tag not in config.languages]
            if unknown:
                yield "languages", f"{', '.join(unknown)} not among the site's languages"

    def feed_languages(self, run: Sequence[str]) -> tuple[str, ...]:
        """The languages that get feeds in a run over the languages `run`."""
        chosen = run if self.languages == "all" else self.languages
        return tuple(tag for tag in chosen if tag in run)


class FeedWriter(Writer[FeedOptions]):
    """A feed format: each story's entries are rendered by `render_entry` in its own work (so an
    edit renders that story's entries again) and kept as fragments; the documents are planned
    by `plan_documents` and assembled by `render_document` from the entries' bytes;
    `validate --outputs` runs `check_file` on each of them."""

    scope = "collection"
    config_section = "feeds"
    Options = FeedOptions
    extension = ".xml"

    render_entry: Callable[[Entry], bytes]
    """One entry, serialised as it stands in every document."""
    render_document: Callable[[Feed, Sequence[bytes]], bytes]
    """The whole document from its head and its entries' bytes."""
    check_file: Callable[[Path, Diagnostics], None]
    """`validate --outputs` on one document."""

    def story_files(self, story: Story, ctx: Context[FeedOptions]) -> Iterator[Fragment]:
        if not story.is_visible(ctx.now):
            return
        for lang in ctx.options.feed_languages(ctx.languages):
            if story.has(lang):
                yield Fragment(entry_name(lang), self.render_entry(make_entry(story, lang, ctx)))

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[FeedOptions]
    ) -> Iterable[OutputFile]:
        visible = [story for story in stories if story.is_visible(ctx.now)]
        for document in plan_documents(visible, ctx, self.name, self.media_type):
            entries = [ctx.fragment(story, entry_name(document.lang)) for story in document.stories]
            yield OutputFile(document.path, self.render_document(document.head, entries))

    def validate_outputs(self, out: Path, ctx: Context[FeedOptions]) -> None:
        for path in sorted((out / self.name).rglob("*.xml")):
            self.check_file(path, ctx.diagnostics)


def entry_name(lang: str) -> str:
    """The fragment holding a story's entry in the feeds of `lang`."""
    return f"entry.{lang}"


@dataclass(frozen=True, slots=True)
class Document:
    """One feed document: its path under out/, its head, and its entries' stories in order."""

    path: str
    lang: str
    head: Feed
    stories: tuple[StorySummary, ...]


def plan_documents(
    stories: Sequence[StorySummary], ctx: Context[FeedOptions], fmt: str, media_type: str
) -> Iterator[Document]:
    """Every document of format `fmt`: `<lang>.xml`, `<lang>/<section>.xml`, and their
    archive pages `.../archive/<n>.xml`; `stories` are the visible ones."""
    options = ctx.options
    sections = options.sections
    if sections == "all":
        sections = tuple(sorted({s.section for s in stories}))
    for lang in options.feed_languages(ctx.languages):
        public = sorted((s for s in stories if s.has(lang)), key=archive_key)
        kind = _Kind(lang, options, media_type)
        yield from _feed_set(f"{fmt}/{lang}", None, public, ctx, kind)
        for section in sections:
            chosen = [s for s in public if s.section == section]
            yield from _feed_set(f"{fmt}/{lang}/{section}", section, chosen, ctx, kind)


def archive_key(story: StorySummary) -> tuple[datetime, str]:
    """Archive order: when the story reached the public (publication, or the end of its
    embargo). Unless a publication time is backdated, a story becomes public after every story
    already in a feed, so new entries land at the end and full archive pages keep their set."""
    appeared = max(story.published, story.embargo_until or story.published)
    return appeared, story.id


def recency_key(story: StorySummary) -> tuple[datetime, datetime, str]:
    """Order within a document, newest first: a corrected story counts as new again."""
    appeared, ident = archive_key(story)
    return story.updated, appeared, ident


def paginate(
    oldest_first: Sequence[StorySummary], limit: int, size: int
) -> tuple[list[tuple[StorySummary, ...]], tuple[StorySummary, ...]]:
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
    options: FeedOptions
    media_type: str


def _feed_set(
    base: str,
    section: str | None,
    stories: Sequence[StorySummary],
    ctx: Context[FeedOptions],
    kind: _Kind,
) -> Iterator[Document]:
    """The subscription feed at `<base>.xml` and its archive pages `<base>/archive/<n>.xml`."""
    settings, media_type = kind.options, kind.media_type
    pages, current = paginate(stories, settings.limit, settings.archive_size)
    subscription = ctx.urls.output(f"{base}.xml")
    page_url = [ctx.urls.output(f"{base}/archive/{n}.xml") for n in range(1, len(pages) + 1)]
    links = [Link(settings.hub, "hub")] if settings.hub else []
    if pages:
        links.append(Link(page_url[-1], "prev-archive", media_type))
    head = _FeedHead(kind.lang, section, subscription, ctx)

    def document(
        path: str, url: str, links: list[Link], chosen: tuple[StorySummary, ...], archive: bool
    ) -> Document:
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

    def __init__(
        self, lang: str, section: str | None, subscription: str, ctx: Context[FeedOptions]
    ) -> None:
        self.lang = lang
        self.ctx = ctx
        self.id = subscription
        pub = ctx.config.publisher
        topic = section_name(section, lang) if section else term("latest_news", lang)
        self.title = term("feed_title", lang, publisher=pub.name, section=topic)
        self.subtitle = term("feed_subtitle", lang, publisher=pub.name)
        self.rights = term("feed_rights", lang, publisher=pub.name)
        self.author = Person(pub.name, uri=pub.url, email=pub.email)
        self.logo = ctx.urls.site_media(pub.logo)
        self.icon = ctx.urls.site_media(pub.icon) if pub.icon else None

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


def make_entry(story: Story, lang: str, ctx: Context[FeedOptions]) -> Entry:
    variant = story.variant(lang)
    urls = ctx.urls
    body = render_body(story, variant, lambda image: urls.image(story.slug, image))
    return Entry(
        id=story.variant_id(lang),
        lang=lang,
        title=variant.headline,
        link=urls.article(story.slug, lang),
        translations=tuple(
            Link(urls.article(story.slug, v.lang), "alternate", "text/html", v.lang)
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
                url=urls.image(story.slug, image),
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
