"""What the Atom and RSS writers share: the `feeds` options, which feed documents exist (per
language, per language and section, RFC 5005 archive pages) and what goes into each.

A story killed or withdrawn after it was public leaves its feeds with a notice: an RFC 6721
deleted-entry in Atom, an item with the same guid and the notice in RSS, listed in the
subscription feeds while the kill is within `tombstone_days` of the newest change of that feed
(measured in the feed, not on the clock, so a feed's bytes depend only on its stories)."""

from __future__ import annotations

import functools
import heapq
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import (
    Context,
    Fragment,
    OutputFile,
    Planned,
    Writer,
    in_site_order,
)
from syndicate.formats.feedoptions import FeedOptions
from syndicate.formats.feeds.feedgen_adapter import (
    Category,
    Entry,
    Feed,
    Link,
    Logo,
    Media,
    Person,
    Tombstone,
)
from syndicate.formats.feeds.images import FeedImage
from syndicate.formats.lists import StoryLists, story_lists
from syndicate.i18n.locales import borrowed
from syndicate.i18n.terms import term
from syndicate.i18n.text import isolated_in, section_name
from syndicate.model import Story, StorySummary
from syndicate.model.story import MEDIATOPIC_SCHEME
from syndicate.render.xhtml import render_body, to_string

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The `updated` of an empty feed of a site with no story any feed may carry (`_Quiet`)."""
IMAGE_FILE = "logo.png"
"""The feed image beside each format's feeds (`atom/logo.png`, `rss/logo.png`)."""


class FeedWriter(Writer[FeedOptions]):
    """A feed format: each story's entries are rendered by `render_entry` in its own work (so an
    edit renders that story's entries again) and kept as fragments; the documents are planned
    by `plan_documents` and assembled by `render_document` from the entries' bytes;
    `validate --outputs` runs `check_file` on each of them."""

    scope = "collection"
    config_section = "feeds"
    Options = FeedOptions
    section_feeds = True
    extension = ".xml"

    render_entry: Callable[[Entry], bytes]
    """One entry, serialised as it stands in every document."""
    render_document: Callable[[Feed, Sequence[bytes]], bytes]
    """The whole document from its head and its entries' bytes."""
    render_tombstone: Callable[[Tombstone], bytes]
    """What replaces the entry of a story killed or withdrawn after it was public."""
    notices_first: bool = False
    """Every notice before the first entry (`notices_ahead`), not among the entries at its
    kill's time (`notice_places`): Atom's, whose schema allows no other place."""
    feed_image: Callable[[bytes, bytes | None], FeedImage]
    """The format's image from the publisher's logo and icon, in the size it allows."""
    check_file: Callable[[Path, Diagnostics], None]
    """`validate --outputs` on one document."""

    def story_files(self, story: Story, ctx: Context[FeedOptions]) -> Iterator[Fragment]:
        visible, killed = story.is_visible(ctx.now), is_killed(story, ctx)
        for lang in ctx.options.feed_languages(ctx.languages):
            if story.has(lang) and visible:
                yield Fragment(entry_name(lang), self.render_entry(make_entry(story, lang, ctx)))
            elif story.has(lang) and killed:
                tombstone = self.render_tombstone(make_tombstone(story, lang, ctx))
                yield Fragment(tombstone_name(lang), tombstone)

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[FeedOptions]
    ) -> Iterable[OutputFile]:
        publisher = ctx.config.publisher
        icon = ctx.read_asset(publisher.icon) if publisher.icon else None
        image = self.feed_image(ctx.read_asset(publisher.logo), icon)
        # made again only when the configuration (its logo and icon among it) changes
        yield Planned(f"{self.name}/{IMAGE_FILE}", image.make)
        logo = feed_logo(f"{self.name}/{IMAGE_FILE}", image, ctx)
        places = notices_ahead if self.notices_first else notice_places
        for document in plan_documents(stories, ctx, self.name, self.media_type, logo):
            make = functools.partial(assemble, self.render_document, document, ctx, places)
            yield planned(document, make)

    def check_stories(self, stories: Sequence[StorySummary], ctx: Context[FeedOptions]) -> None:
        unknown_sections(ctx.options, stories, ctx)

    def validate_outputs(self, out: Path, ctx: Context[FeedOptions]) -> None:
        from syndicate.formats.checking import output_files
        from syndicate.formats.feeds.w3c import feedvalidator, run_feedvalidator

        paths = output_files(out, self.name, (".xml",), ctx.diagnostics)
        for path in paths:
            self.check_file(path, ctx.diagnostics)
        named = feedvalidator(ctx.config)
        if named:
            run_feedvalidator(named, paths, ctx.diagnostics)


def feed_logo(path: str, image: FeedImage, ctx: Context[Any]) -> Logo:
    """A feed's image published at `path`, drawn from the publisher's logo or icon: its URL
    carries the digest of the one it was drawn from (`Urls.site_copy`)."""
    publisher = ctx.config.publisher
    source = publisher.icon if image.from_icon and publisher.icon else publisher.logo
    return Logo(ctx.urls.site_copy(path, source), image.width, image.height)


def entry_name(lang: str) -> str:
    """The fragment holding a story's entry in the feeds of `lang`."""
    return f"entry.{lang}"


def tombstone_name(lang: str) -> str:
    """The fragment holding the notice of a killed story in the feeds of `lang`."""
    return f"tombstone.{lang}"


def is_killed(story: Story | StorySummary, ctx: Context[Any]) -> bool:
    """Killed or withdrawn after it was public: its feeds say so (a draft was never there)."""
    return killed_at(story, ctx.now)


def killed_at(story: Story | StorySummary, now: datetime) -> bool:
    """`is_killed` at `now`."""
    return story.lifecycle(now) in ("killed", "withdrawn") and story.was_public()


@dataclass(frozen=True, slots=True)
class Document:
    """One feed document: its path under out/, its head, and its entries' stories in order."""

    path: str
    lang: str
    head: Feed
    stories: tuple[StorySummary, ...]
    killed: tuple[StorySummary, ...] = ()
    """Stories whose notice replaces their entry: recent kills in a subscription feed, and in
    an archive page, the stories killed since it was full (they keep their place)."""


def assemble(
    render: Callable[[Feed, Sequence[bytes]], bytes],
    document: Document,
    ctx: Context[FeedOptions],
    places: Callable[[Document], list[bool]] | None = None,
) -> bytes:
    """A feed document, `render`ed from its head and its stories' fragments, the notices at
    their `places` (`notice_places` unless told)."""
    lang = document.lang
    entries = ctx.fragments(document.stories, entry_name(lang))
    notices = ctx.fragments(document.killed, tombstone_name(lang))
    where = (places or notice_places)(document)
    return render(document.head, interleaved(where, entries, notices))


def notice_places(document: Document) -> list[bool]:
    """Where the document's notices go among its entries, newest first (True for a notice,
    False for an entry, in the order both are listed): a notice is dated at its kill, so a
    partner or reader who looks only at the top of a feed finds a recent kill there, not
    after years of entries. A notice and an entry of the same time: the entry first. RSS,
    JSON Feed and the partner profiles place them so; Atom puts them first (`notices_ahead`)."""
    lang = document.lang
    stories = [(-_instant(s.public_updated_for(lang)), False) for s in document.stories]
    notices = [(-_instant(s.public_updated_for(lang)), True) for s in document.killed]
    return [notice for _, notice in heapq.merge(stories, notices, key=lambda pair: pair[0])]


def notices_ahead(document: Document) -> list[bool]:
    """Atom's places of the notices (as `notice_places` gives them): all of them, newest
    first, before the first entry. RFC 4287's schema puts foreign elements, RFC 6721's
    `at:deleted-entry` among them, before every `atom:entry`: a notice after an entry newer
    than its kill made the feed invalid (`atom.rng`, `validate --outputs`). A partner or
    reader who looks only at the top of the feed still finds every recent kill there."""
    return [True] * len(document.killed) + [False] * len(document.stories)


def interleaved(
    places: Sequence[bool], entries: Sequence[bytes], notices: Sequence[bytes]
) -> list[bytes]:
    """`entries` and `notices`, each in its own order, put at their `notice_places`."""
    entry, notice = iter(entries), iter(notices)
    return [next(notice) if is_notice else next(entry) for is_notice in places]


def planned(document: Document, make: Callable[[], bytes]) -> Planned:
    """A document made by `make` from its head and its stories' fragments only (entries and
    notices in the document's language): kept as published while those did not change."""
    key = repr((document.lang, len(document.stories), document.head))
    return Planned(document.path, make, stories=(*document.stories, *document.killed), key=key)


def unknown_sections(
    options: FeedOptions, stories: Sequence[StorySummary], ctx: Context[Any]
) -> None:
    """A section listed that no story has (a typo, `Politics`) gets feeds that stay empty:
    said, with the nearest section the stories have (a feed format's or a partner profile's
    `sections`, at its line; `validate` says it too, through `check_stories`)."""
    if options.sections == "all":
        return
    sections = options.sections
    known = sorted({s.section for s in stories})
    own = ctx.config.section("profiles").get(ctx.writer) is not None
    path = ("profiles", ctx.writer, "sections") if own else ("feeds", "sections")
    for section in sections:
        if section not in known:
            ctx.diagnostics.warning(
                "feeds.section",
                f"{'.'.join(path)}: no story is in the section {section!r}, so its feeds stay"
                f" empty{did_you_mean(section, known)}",
                ctx.config.where(*path),
            )


def plan_documents(
    stories: Sequence[StorySummary],
    ctx: Context[FeedOptions],
    fmt: str,
    media_type: str,
    logo: Logo | None = None,
    extension: str = ".xml",
    every: Sequence[StorySummary] | None = None,
    notices: bool = True,
) -> Iterator[Document]:
    """Every document of format `fmt`: `<lang>.xml`, `<lang>/<section>.xml`, and their
    archive pages `.../archive/<n>.xml` (with `extension`), from all the stories of the run
    (`every`: the run's stories, when `stories` are only some of them, a partner profile's
    of one language: a section is told missing only when none of those has it); without
    `notices` (a profile's `kill: drop`), no kill's notice in any of them.

    Which stories each document holds depends on the stories and the options only, not on
    the format: it is worked out once (`story_sets`) for the Atom, RSS and JSON Feed formats
    of a run, which plan the same documents in three syntaxes."""
    options = ctx.options
    unknown_sections(options, stories if every is None else every, ctx)
    kinds: dict[str, _Kind] = {}
    quiet = _Quiet(stories if every is None else every, ctx.now)
    lists = story_lists(stories if every is None else every, ctx.now, ctx.config)
    languages = options.feed_languages(ctx.languages)
    for chosen in story_sets(stories, ctx.now, languages, options, notices):
        kind = kinds.get(chosen.lang)
        if kind is None:
            kind = kinds[chosen.lang] = _Kind(chosen.lang, options, media_type, logo, extension)
        yield from _feed_set(f"{fmt}/{chosen.name}", chosen, ctx, kind, quiet, lists)


class _Quiet:
    """When a feed with nothing in it says it changed: when the newest story of its language
    that any feed may carry (public, or killed after it was public) did, else the newest of
    any language; the epoch only when the site has none. Dated 1970, an empty feed looked
    broken to its readers (and the W3C validator, strict, refuses it), and a feed that had
    entries seemed to go back in time."""

    def __init__(self, stories: Sequence[StorySummary], now: datetime) -> None:
        self._stories, self._now = stories, now
        self._newest: dict[str, datetime] | None = None

    def when(self, lang: str) -> datetime:
        if self._newest is None:  # worked out only for a run with an empty feed
            newest: dict[str, datetime] = {}
            for story in self._stories:
                if story.is_visible(self._now) or killed_at(story, self._now):
                    for tag in story.languages:
                        moment = story.public_updated_for(tag)
                        if tag not in newest or moment > newest[tag]:
                            newest[tag] = moment
            self._newest = newest
        return self._newest.get(lang) or max(self._newest.values(), default=EPOCH)


@dataclass(frozen=True, slots=True)
class StorySet:
    """The stories of one logical feed (a language's, or a language and section's), as its
    documents hold them: the subscription feed's entries and notices, and each full archive
    page's entries and notices, oldest page first. Each list is newest first."""

    lang: str
    section: str | None
    current: tuple[StorySummary, ...]
    notices: tuple[StorySummary, ...]
    pages: tuple[tuple[tuple[StorySummary, ...], tuple[StorySummary, ...]], ...]
    last_kill: datetime | None = None
    """When the newest of its killed stories was killed, notice or not: a kill that leaves
    no notice (`tombstone_days: 0`, a profile's `kill: drop`) still changed the feed, which
    says so, rather than go back to the date of the newest story left in it."""

    @property
    def name(self) -> str:
        """The feed's path under its format's folder, without extension: `en`, `en/world`."""
        return self.lang if self.section is None else f"{self.lang}/{self.section}"


_SETS_KEPT = 4
"""How many plans `story_sets` keeps: the three feed formats of a run ask for one, and the
partner profiles one for each language."""
_sets: OrderedDict[tuple[Any, ...], tuple[tuple[StorySummary, ...], list[StorySet]]] = OrderedDict()
_sets_lock = threading.Lock()  # exports in several threads (the preview server's, an API's)


def story_sets(
    stories: Sequence[StorySummary],
    now: datetime,
    languages: Sequence[str],
    options: FeedOptions,
    notices: bool = True,
) -> list[StorySet]:
    """Every logical feed's `StorySet`, for the feeds of `languages` at `now`: each language's
    feed, then its sections' (`options.sections`, or every section of the stories); with
    no kill's notice in them unless `notices`.

    The same stories with the same options give the same sets, so the last few are kept and
    given again (by the identity of the stories, frozen summaries that the plan holds, and the
    options that choose them): ordering and paging every public story, once for each feed
    format, took a tenth of an edit's time on a 2,000-story archive."""
    key = (
        tuple(map(id, stories)),
        now,
        tuple(languages),
        options.sections,
        options.limit,
        options.archive_size,
        options.tombstone_days,
        notices,
    )
    with _sets_lock:
        found = _sets.get(key)
        if found is not None:
            _sets.move_to_end(key)
            return found[1]
    sets = list(_story_sets(stories, now, languages, options, notices))
    with _sets_lock:
        _sets[key] = (tuple(stories), sets)  # the stories kept alive: their ids stay theirs
        while len(_sets) > _SETS_KEPT:
            _sets.popitem(last=False)
    return sets


def _story_sets(
    stories: Sequence[StorySummary],
    now: datetime,
    languages: Sequence[str],
    options: FeedOptions,
    notices: bool,
) -> Iterator[StorySet]:
    visible = [s for s in stories if s.is_visible(now)]
    gone = [s for s in stories if killed_at(s, now)]
    every = options.sections == "all"
    # A section whose stories were all killed keeps its feeds, to carry their notices; so
    # does one a story left for another, in each language whose feeds had it there
    # (`former_sections_for`): its kill is told there.
    current = {s.section for s in (*visible, *gone)} if every else set()
    travelled = [s for s in (*visible, *gone) if s.former_sections] if every else []
    for lang in languages:
        order = Order([s for s in visible if s.has(lang)], lang)
        public = order.oldest_first
        killed = [s for s in gone if s.has(lang)]
        sections = options.sections
        if every:
            left_here = (
                name for s in travelled if s.has(lang) for name in s.former_sections_for(lang)
            )
            sections = tuple(sorted(current.union(left_here)))
        # The sections this language's feeds had each story in before it moved: another
        # language's (exported by a run of other languages, or added since) are not its own.
        left = {id(s): s.former_sections_for(lang) for s in killed if s.former_sections}
        corrected = {
            id(s): s.former_sections_for(lang)
            for s in public
            if s.former_sections and lang in s.corrected
        }
        moved = [s for s in public if corrected.get(id(s))]
        yield _story_set(lang, None, public, killed, order, options, None if notices else ())
        for section in sections:
            chosen = [s for s in public if s.section == section]
            placed = [s for s in killed if s.section == section]
            # The kill of a story public in this section before it moved: its notice only,
            # no place in the archive pages, which it left at the move; and its correction,
            # its entry as corrected, while as recent as a kill's notice would be.
            told = [
                s
                for s in killed
                if notices and (s.section == section or section in left.get(id(s), ()))
            ]
            amended = [s for s in moved if section in corrected[id(s)]]
            yield _story_set(lang, section, chosen, placed, order, options, told, amended)


def _story_set(
    lang: str,
    section: str | None,
    stories: Sequence[StorySummary],
    killed: Sequence[StorySummary],
    order: Order,
    options: FeedOptions,
    told: Sequence[StorySummary] | None = None,
    amended: Sequence[StorySummary] = (),
) -> StorySet:
    """One logical feed's stories (`stories` oldest first, in archive order), paged; `killed`
    keep their places in the archive pages, and the subscription feed tells the recent kills
    of `told` (`killed` unless given) and the recent corrections of `amended`, stories of
    other sections now, among its entries."""
    pages, current = paginate(stories, options.limit, options.archive_size, order, killed)
    told = killed if told is None else told
    notices, corrections = recent_kills_and_corrections(
        current, told, lang, options.tombstone_days, amended
    )
    if corrections:
        current = tuple(sorted((*current, *corrections), key=order.key, reverse=True))
    gone = {id(s) for s in killed}
    held = []
    for page in pages:
        newest_first = tuple(
            sorted((s for s in page if id(s) not in gone), key=order.key, reverse=True)
        )
        dead = tuple(
            sorted(
                (s for s in page if id(s) in gone),
                key=lambda s: (s.public_updated_for(lang), s.id),
                reverse=True,
            )
        )
        held.append((newest_first, dead))
    last_kill = max((s.public_updated_for(lang) for s in (*killed, *notices)), default=None)
    return StorySet(lang, section, current, notices, tuple(held), last_kill)


def archive_key(story: StorySummary, lang: str) -> tuple[datetime, str]:
    """Archive order: when the story reached the public in `lang`
    (`StorySummary.public_since_for`: publication, or the end of its embargo; a translation
    added later, its own publication). Unless a publication time is backdated, a story
    becomes public after every story already in a feed, so new entries land at the end and
    full archive pages keep their set."""
    return story.public_since_for(lang), story.id


class Order:
    """A language's public stories in archive order (`archive_key`), and each one's place in
    recency order, both worked out once: the language's feed, its section feeds and their
    archive pages each order a part of the same stories. Recency is the order within a
    document, by the modification date its entry says (`StorySummary.public_updated_for`),
    then by archive key: a corrected story counts as new again (its variant in the language
    changed), and so does a story just out of an embargo, whatever its `published` and
    `updated` (written before the release) say. Sorting by the keys themselves compares
    date-times in several time zones, a hundred times slower than comparing numbers: it took
    most of the feeds' planning."""

    def __init__(self, stories: Sequence[StorySummary], lang: str) -> None:
        self.lang = lang
        appeared = {id(s): _instant(archive_key(s, lang)[0]) for s in stories}
        self.oldest_first = sorted(stories, key=lambda s: (appeared[id(s)], s.id))
        newest = sorted(
            stories, key=lambda s: (_instant(s.public_updated_for(lang)), appeared[id(s)], s.id)
        )
        self.rank = {id(story): n for n, story in enumerate(newest)}

    def key(self, story: StorySummary) -> int:
        """The story's place in recency order: keys are unique (they end with the story's
        id, and ids are), so ordering by place is ordering by recency."""
        return self.rank[id(story)]


_MICROSECOND = timedelta(microseconds=1)


def _instant(moment: datetime) -> int:
    """Microseconds since the epoch: compared as `moment`s are (by instant, whatever zone)."""
    return (moment - EPOCH) // _MICROSECOND


def paginate(
    oldest_first: Sequence[StorySummary],
    limit: int,
    size: int,
    order: Order,
    killed: Sequence[StorySummary] = (),
) -> tuple[list[tuple[StorySummary, ...]], tuple[StorySummary, ...]]:
    """(full archive pages, oldest first; the subscription feed's stories).

    Archive pages are filled oldest-first and only full pages are published, so the set of
    stories of a page never changes: a story killed or withdrawn after it was public keeps its
    place in them (`killed`; its page shows its notice), so that the stories after it do not
    move to other pages. The subscription feed holds every public story not yet in a full page,
    topped up to `limit` with the most recently updated others, so corrections reach it.
    Without archives (`size` 0) it holds the `limit` most recently updated stories."""
    gone = {id(s) for s in killed}
    if size and killed:
        slots = sorted(
            [*oldest_first, *killed], key=lambda s: (_instant(archive_key(s, order.lang)[0]), s.id)
        )
    else:
        slots = list(oldest_first)
    if size:
        cut = len(slots) // size * size
        pages = [tuple(slots[i : i + size]) for i in range(0, cut, size)]
    else:
        cut, pages = len(slots), []
    tail = [s for s in slots[cut:] if id(s) not in gone]
    others = sorted((s for s in slots[:cut] if id(s) not in gone), key=order.key)
    extra = max(0, limit - len(tail))
    current = tail + (others[-extra:] if extra else [])
    return pages, tuple(sorted(current, key=order.key, reverse=True))


@dataclass(frozen=True, slots=True)
class _Kind:
    """What the feeds of one language and format share."""

    lang: str
    options: FeedOptions
    media_type: str
    logo: Logo | None
    extension: str


def _feed_set(
    base: str,
    chosen: StorySet,
    ctx: Context[FeedOptions],
    kind: _Kind,
    quiet: _Quiet,
    lists: StoryLists,
) -> Iterator[Document]:
    """The subscription feed at `<base>.xml` and its archive pages `<base>/archive/<n>.xml`."""
    settings, media_type = kind.options, kind.media_type
    pages = chosen.pages
    subscription = ctx.urls.output(f"{base}{kind.extension}")
    page_url = [
        ctx.urls.output(f"{base}/archive/{n}{kind.extension}") for n in range(1, len(pages) + 1)
    ]
    links = [Link(settings.hub, "hub")] if settings.hub else []
    if pages:
        links.append(Link(page_url[-1], "prev-archive", media_type))
    head = _FeedHead(kind.lang, chosen.section, subscription, kind.logo, ctx, lists)

    def document(
        path: str,
        url: str,
        links: list[Link],
        stories: tuple[StorySummary, ...],
        archive: bool,
        notices: tuple[StorySummary, ...] = (),
        last_kill: datetime | None = None,
    ) -> Document:
        # An empty feed is dated as one with nothing in it always is (`_Quiet`), never by
        # an older kill: its date went back from its last story's once that aged out.
        if stories or notices:
            updated = _newest(kind.lang, stories, notices)
        else:
            updated = quiet.when(kind.lang)
        if last_kill is not None and last_kill > updated:
            updated = last_kill
        head_ = head.feed(url, links, updated, archive)
        return Document(path, kind.lang, head_, stories, notices)

    current = f"{base}{kind.extension}"
    yield document(
        current, subscription, links, chosen.current, False, chosen.notices, chosen.last_kill
    )
    for n, (newest_first, dead) in enumerate(pages, start=1):
        links = [Link(subscription, "current", media_type)]
        if n > 1:
            links.append(Link(page_url[n - 2], "prev-archive", media_type))
        if n < len(pages):
            links.append(Link(page_url[n], "next-archive", media_type))
        path = f"{base}/archive/{n}{kind.extension}"
        yield document(path, page_url[n - 1], links, newest_first, True, dead)


def _newest(
    lang: str, chosen: tuple[StorySummary, ...], notices: tuple[StorySummary, ...]
) -> datetime:
    """When the newest of a document's entries and notices changed (`EPOCH` if it has none,
    which `_Quiet` dates):
    each list is newest first, so the first of each. As `max` over both would, it is the
    entry's date-time when they are the same instant."""
    firsts = [s.public_updated_for(lang) for s in (chosen[:1] + notices[:1])]
    return max(firsts, default=EPOCH)


class _FeedHead:
    """What every document of one logical feed shares: id, titles, publisher."""

    def __init__(
        self,
        lang: str,
        section: str | None,
        subscription: str,
        logo: Logo | None,
        ctx: Context[FeedOptions],
        lists: StoryLists,
    ) -> None:
        self.lang = lang
        self.ctx = ctx
        self.id = subscription
        # The site of the feed, as a reader's "visit website" opens it: the first page of the
        # story list it follows, in its language; a section's feed whose section has no list
        # there (all its stories killed, `html.section_pages` false), the language's; the
        # publisher's site when the HTML format makes neither (its links lead to a CMS).
        page = (section and lists.page(lang, section)) or lists.page(lang)
        self.site_url = ctx.urls.output(page) if page else ctx.config.publisher.url
        self.site_lang = lang if page else None
        pub = ctx.config.publisher
        topic = section_name(section, lang) if section else term("latest_news", lang)
        # The name isolated in a language of the other direction, as in the pages' titles and
        # the notices: an Arabic feed's "YCPress Ltd.: آخر الأخبار" showed ".YCPress Ltd". The
        # author is the name alone, a value a reader shows (and matches) as it is.
        named = isolated_in(pub.name, lang)
        self.title = term("feed_title", lang, publisher=named, section=topic)
        self.subtitle = term("feed_subtitle", lang, publisher=named)
        self.rights = term("feed_rights", lang, publisher=named)
        self.author = Person(pub.name, uri=pub.url, email=pub.email)
        self.logo = logo
        self.icon = ctx.urls.site_media(pub.icon) if pub.icon else None

    def feed(self, self_url: str, links: list[Link], updated: datetime, archive: bool) -> Feed:
        return Feed(
            id=self.id,
            lang=self.lang,
            title=self.title,
            subtitle=self.subtitle,
            updated=updated,
            self_url=self_url,
            site_url=self.site_url,
            site_lang=self.site_lang,
            links=tuple(links),
            author=self.author,
            logo=self.logo,
            icon=self.icon,
            rights=self.rights,
            archive=archive,
        )


def recent_kills_and_corrections(
    entries: Sequence[StorySummary],
    killed: Sequence[StorySummary],
    lang: str,
    days: int,
    corrected: Sequence[StorySummary] = (),
) -> tuple[tuple[StorySummary, ...], tuple[StorySummary, ...]]:
    """The killed stories whose notice a subscription feed still lists, and the `corrected`
    ones (stories that moved to another section, corrected since) whose entry it lists, each
    newest first: those killed or corrected within `days` of the feed's newest change (an
    entry's, a kill's or such a correction's)."""
    if not days or not (killed or corrected):
        return (), ()
    newest = max(s.public_updated_for(lang) for s in (*entries, *killed, *corrected))
    window = timedelta(days=days)

    def recent(stories: Sequence[StorySummary]) -> tuple[StorySummary, ...]:
        kept = [s for s in stories if newest - s.public_updated_for(lang) <= window]
        return tuple(sorted(kept, key=lambda s: (s.public_updated_for(lang), s.id), reverse=True))

    return recent(killed), recent(corrected)


def make_tombstone(story: Story, lang: str, ctx: Context[Any]) -> Tombstone:
    publisher = ctx.config.publisher.name
    key = "notice_killed" if story.status == "canceled" else "notice_withdrawn"
    return Tombstone(
        id=story.variant_id(lang),
        lang=lang,
        title=term("notice_title", lang),
        comment=term(key, lang, publisher=isolated_in(publisher, lang)),
        link=ctx.urls.article(story.slug, lang),
        when=story.updated_for(lang),
        published=story.public_since_for(lang),
    )


def make_entry(story: Story, lang: str, ctx: Context[Any]) -> Entry:
    """One language variant as an entry; feeds of any options (a partner profile's too) make
    their entries with it."""
    variant = story.variant(lang)
    urls = ctx.urls
    # what the page says after the body (a correction note), the feeds say too
    body = render_body(story, variant, lambda image: urls.image(story.slug, image), corrected=True)
    notice = story.rights_for(lang).notice
    written_in = notice.written_in(lang, story.original_lang)  # the original's, if lang has none
    return Entry(
        id=story.variant_id(lang),
        lang=lang,
        title=variant.headline,
        link=urls.article(story.slug, lang),
        # the run's languages or not (their pages are the site's), in the site's order
        translations=tuple(
            Link(urls.article(story.slug, other), "alternate", "text/html", other)
            for other in in_site_order(story, ctx)
        ),
        published=story.public_since_for(lang),
        updated=story.public_updated_for(lang),
        summary=variant.summary,
        content=to_string(body),
        body=body,
        # the people who wrote it: a translator or a photographer is a contributor
        authors=tuple(Person(p.name, uri=p.url) for p in variant.byline.authors)
        + ((Person(variant.byline.organisation),) if variant.byline.organisation else ()),
        contributors=tuple(Person(p.name, uri=p.url) for p in variant.byline.contributors),
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
            for image in story.images_for(lang)  # the variant's picture first: the enclosure
        ),
        rights=notice.get(lang, story.original_lang),
        rights_lang=written_in if written_in and borrowed(written_in, lang) else None,
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
