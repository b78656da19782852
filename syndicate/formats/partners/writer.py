"""A partner profile's writer: RSS 2.0 feeds under `out/partners/<profile>/`, one per language
(`<lang>.xml`) and per chosen section (`<lang>/<section>.xml`), made by the feeds code (its
entries, its documents, its feedgen adapter) with the profile's dialect and rules.

Each story's items are made in its own work and kept as fragments, one per language: the item,
or nothing when the story breaks a rule of the profile (a warning names the rule). Its images
are checked there too, and the renditions the profile needs are published beside the feed
(`media/<slug>/`). A feed is then assembled from the fragments of the stories it lists."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from syndicate.formats.contract import Context, Fragment, OutputFile, Planned, Writer, digest_of
from syndicate.formats.feedoptions import FeedOptions
from syndicate.formats.feeds.documents import (
    Document,
    entry_name,
    feed_logo,
    interleaved,
    is_killed,
    make_entry,
    make_tombstone,
    notice_places,
    plan_documents,
    planned,
    tombstone_name,
    unknown_sections,
)
from syndicate.formats.feeds.feedgen_adapter import (
    Entry,
    Media,
    Person,
    RssDialect,
    rss_document,
    rss_item,
    rss_kill_item,
)
from syndicate.formats.feeds.images import rss_image
from syndicate.formats.partners.dialect import plain_text, plain_title, rss_dialect, shorten
from syndicate.formats.partners.images import Picture, fit
from syndicate.formats.partners.profiles import BUILTIN, FOLDER, SECTION, ProfileOptions
from syndicate.formats.partners.rules import (
    FEED_BYTES,
    IMAGE_MISSING,
    TITLE,
    Broken,
    Rules,
    fresh,
    kill_title,
)
from syndicate.i18n.dates import rfc3339_utc
from syndicate.i18n.text import isolated_in
from syndicate.model import Paragraph, Story, StorySummary, Variant, inline_text, walk

IMAGE_FILE = "logo.png"
"""The channel's image (RSS `<image>`) beside each profile's feeds."""
BRAND_FILE = "brand"
"""The publisher's logo as it is (SmartNews' `snf:logo`), with its own extension."""
MEDIA = "media"


class ProfileWriter(Writer[ProfileOptions]):
    """One writer class, one instance per profile: its name, folder, options record and time
    window are the profile's. `validate --outputs` checks each feed against the profile's
    rules and RSS 2.0's."""

    media_type = "application/rss+xml"
    extension = ".xml"
    scope = "collection"
    section_feeds = True

    def __init__(
        self, name: str, record: type[ProfileOptions], window_days: int | None = None
    ) -> None:
        self.name = name
        self.Options = record
        self.folders = (f"{FOLDER}/{name}",)
        self.config_section = f"{SECTION}.{name}"
        self.window = timedelta(days=window_days) if window_days else None
        if BUILTIN.get(name) is record:  # its partner's rules, from the record's docstring
            summary = " ".join((record.__doc__ or "").split()).split(". ")[0].rstrip(".")
            self.description = f"partner feeds (RSS 2.0) for {summary}"
        else:
            base = f", from the {record().label} profile" if record is not ProfileOptions else ""
            self.description = f"partner feeds (RSS 2.0): a profile of the site's own{base}"

    @property
    def folder(self) -> str:
        return self.folders[0]

    def in_window(self, story: StorySummary, now: datetime, lang: str) -> bool:
        """Under the profile's age (`max_age_days`) at `now`, counted from when the story
        reached the public (the pubDate the feed gives and partners judge), its last instant
        excluded as MSN has it ("less than 365 days old") and as `validate --outputs` judges
        a feed."""
        return self.window is None or fresh(story.public_since_for(lang), now, self.window)

    def story_files(
        self, story: Story, ctx: Context[ProfileOptions]
    ) -> Iterator[OutputFile | Fragment]:
        options = ctx.options
        run = _feed_options(options).feed_languages(ctx.languages)
        languages = [lang for lang in run if story.has(lang)]
        if not languages:  # none of the run's: its images are said by the runs that use them
            return
        if story.is_visible(ctx.now):
            yield from _Story(self, story, ctx).files(languages)
        elif options.kill != "drop" and is_killed(story, ctx):
            dialect = rss_dialect(options, lambda entry: {})
            # In every language of the profile's feeds, whatever its rules say of the killed
            # text: a kill often changes the very title, summary or image a rule judges, and
            # nothing in the sources says what the partner had. A partner can take a kill of
            # a story it never had; it must not miss one of a story it has.
            for lang in languages:
                tombstone = make_tombstone(story, lang, ctx)
                title = kill_title(
                    tombstone.title,
                    # isolated as in the notice: "... — YCPress Ltd." read ".YCPress Ltd"
                    isolated_in(ctx.config.publisher.name, lang),
                    plain_text(tombstone.comment),
                    options.title_min,
                    options.title_max,
                )
                notice = rss_kill_item(dataclasses.replace(tombstone, title=title), dialect)
                yield Fragment(tombstone_name(lang), notice)

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[ProfileOptions]
    ) -> Iterable[OutputFile]:
        options = ctx.options
        publisher = ctx.config.publisher
        logo_data = ctx.read_asset(publisher.logo)
        icon = ctx.read_asset(publisher.icon) if publisher.icon else None
        image = rss_image(logo_data, icon)
        # made again only when the configuration (its logo and icon among it) changes
        yield Planned(f"{self.folder}/{IMAGE_FILE}", image.make)
        logo = feed_logo(f"{self.folder}/{IMAGE_FILE}", image, ctx)
        brand = None
        if options.snf_logo:
            path = f"{self.folder}/{BRAND_FILE}{publisher.logo.suffix.lower()}"
            yield OutputFile(path, logo_data)
            brand = ctx.urls.site_copy(path, publisher.logo)
        dialect = rss_dialect(options, lambda entry: {}, brand)
        feeds = _feed_options(options)
        rules = profile_rules(self.name, ctx)
        for lang in feeds.feed_languages(ctx.languages):
            listed = [s for s in stories if s.has(lang) and _listed(self, s, lang, ctx)]
            # The feeds code plans the documents of one language: those this profile lists.
            single = msgspec.structs.replace(feeds, languages=(lang,))
            plan = Context(ctx.config, ctx.now, ctx.languages, single, ctx.diagnostics, self.name)
            documents = plan_documents(
                listed,
                plan,
                self.folder,
                self.media_type,
                logo,
                every=stories,
                notices=options.kill != "drop",
            )
            for document in documents:
                # made again only when its head or one of its items changed (or the profile)
                yield planned(document, functools.partial(_capped, document, dialect, rules, ctx))

    def check_stories(self, stories: Sequence[StorySummary], ctx: Context[ProfileOptions]) -> None:
        unknown_sections(_feed_options(ctx.options), stories, ctx)

    def validate_outputs(self, out: Path, ctx: Context[ProfileOptions]) -> None:
        from syndicate.formats.feeds.w3c import feedvalidator, run_feedvalidator
        from syndicate.formats.partners.validate import check_feed, dialect_markup

        rules = profile_rules(self.name, ctx)
        paths = sorted((out / self.folder).rglob("*.xml"))
        for path in paths:
            check_feed(path, rules, ctx.diagnostics, ctx.config.languages)
        named = feedvalidator(ctx.config)  # the feeds' setting: one for every feed of the site
        if named:
            known = functools.partial(dialect_markup, ctx.options)
            run_feedvalidator(named, paths, ctx.diagnostics, known)


def profile_rules(name: str, ctx: Context[ProfileOptions]) -> Rules:
    """The rules of profile `name`, labelled as its settings say (see `Rules`)."""
    written = ctx.config.section(SECTION).get(name)
    labelled = isinstance(written, dict) and written.get("label") is not None
    return Rules(name, ctx.options, labelled)


def _listed(
    writer: ProfileWriter, story: StorySummary, lang: str, ctx: Context[ProfileOptions]
) -> bool:
    """In the feeds of `lang`: public, within the profile's window and meeting its rules
    (its item is not empty), or killed and announced. A story ageing out of the window
    is not reported: every story does in time, and a warning for each would repeat at
    every export for the whole archive (and fail every `--strict` run). A profile that
    drops a killed story (`kill: drop`) is given it too, with no notice (`plan_documents`'s
    `notices`): it is in no item, but the feed is dated by its kill."""
    if story.is_visible(ctx.now):
        return writer.in_window(story, ctx.now, lang) and bool(
            ctx.fragment(story, entry_name(lang))
        )
    return is_killed(story, ctx)


def _feed_options(options: ProfileOptions) -> FeedOptions:
    """What the feeds code plans a profile's documents with: no archive pages (partners read
    the newest items; the rss format keeps the archives). A profile that drops killed
    stories keeps its `tombstone_days`, which say how long a moved story's correction is
    told in the sections it left: it asks for no kill items otherwise (`plan_documents`'s
    `notices`)."""
    return FeedOptions(
        languages=options.languages,
        sections=options.sections,
        limit=options.limit,
        archive_size=0,
        tombstone_days=options.tombstone_days,
        hub=options.hub,
    )


def _capped(
    document: Document, dialect: RssDialect, rules: Rules, ctx: Context[ProfileOptions]
) -> bytes:
    """The document under its size cap (`max_bytes`; kill items stay: a partner must learn of
    a kill). An item that cannot fit even alone in the feed is left out by itself, a warning
    naming its story, so one huge story does not empty the feed; then as many of the oldest
    items as the cap still needs."""
    lang = document.lang
    items = [ctx.fragment(s, entry_name(lang)) for s in document.stories]
    kills = [ctx.fragment(s, tombstone_name(lang)) for s in document.killed]
    places = notice_places(document)

    def feed(kept: Sequence[int]) -> bytes:
        """The document with the items at `kept` (indexes, newest first) and every kill
        item, newest first."""
        chosen = set(kept)
        shown, seen = [], 0
        for is_notice in places:
            if is_notice or seen in chosen:
                shown.append(is_notice)
            seen += not is_notice
        entries = [items[index] for index in kept]
        return rss_document(document.head, interleaved(shown, entries, kills), dialect)

    data = feed(range(len(items)))
    high = rules.options.max_bytes
    if high is None or rules.feed_bytes(len(data)) is None:
        return data
    bare = len(feed(()))
    if rules.feed_bytes(bare) is not None:  # no story item can fit: each is not to blame
        everyone = [story.slug for story in reversed(document.stories)]
        _over_without_items(document, everyone, rules.feed_bytes(bare), rules, ctx)
        return feed(())
    kept = []
    for index, item in enumerate(items):
        # An item adds its bytes and a little space; the exact size is made only near the cap.
        if bare + len(item) + SPLICE >= high:
            size = len(feed((index,)))
            alone = rules.feed_bytes(size)
            if alone is not None:
                # the kill items (which stay) are to blame when the item fits without them
                blame = bool(kills) and size - sum(map(len, kills)) <= high
                story = document.stories[index]
                _too_large(document, story, len(item), alone, rules, ctx, blame)
                continue
        kept.append(index)
    data = feed(kept)
    over = rules.feed_bytes(len(data))
    left: list[str] = []
    while kept and rules.feed_bytes(len(data)) is not None:
        excess = len(data) - high
        while kept and excess > 0:  # the items' own bytes are what leaving them out saves
            index = kept.pop()
            excess -= len(items[index])
            left.append(document.stories[index].slug)
        data = feed(kept)
    if over is not None:
        # Reported at the profile's options (where the cap is set), naming the file in out/
        # and the stories its partner will not see there.
        ctx.diagnostics.warning(
            rules.code(FEED_BYTES),
            f"{document.path}: {_oldest_left_out(left)}: {over.message}",
            ctx.config.where(SECTION, ctx.writer, "max_bytes"),
        )
    return data


def _over_without_items(
    document: Document,
    left: Sequence[str],
    over: Broken | None,
    rules: Rules,
    ctx: Context[ProfileOptions],
) -> None:
    """Said when the feed's head and its kill items, which stay (a partner must learn of a
    kill), are over the cap alone: every story item is left out."""
    kills = len(document.killed)
    items = f" and {kills} kill item{'s' if kills != 1 else ''}" if kills else ""
    fix = " or lower tombstone_days (kill items stay until then)" if kills else ""
    said = f"{_every_item_left_out(left)}, " if left else ""
    ctx.diagnostics.warning(
        rules.code(FEED_BYTES),
        f"{document.path}: {said}the feed's head{items} alone being over the cap:"
        f" {over.message if over else ''}; raise max_bytes{fix}",
        ctx.config.where(SECTION, ctx.writer, "max_bytes"),
    )


def _every_item_left_out(slugs: Sequence[str]) -> str:
    """`every item left out (a, b)`, the oldest first; past `SHOWN`, `and 7 more`."""
    more = f" and {len(slugs) - SHOWN} more" if len(slugs) > SHOWN else ""
    return f"every item left out ({', '.join(slugs[:SHOWN])}{more})"


SHOWN = 5
"""The stories a feed's cap left out named in its warning; past them, a count."""


def _oldest_left_out(slugs: Sequence[str]) -> str:
    """`2 oldest items left out (a, b)`, the oldest first; past `SHOWN`, `and 7 more`."""
    count = f"{len(slugs)} oldest item{'s' if len(slugs) != 1 else ''} left out"
    named = ", ".join(slugs[:SHOWN])
    more = f" and {len(slugs) - SHOWN} more" if len(slugs) > SHOWN else ""
    return f"{count} ({named}{more})" if slugs else count


SPLICE = 256
"""More than the bytes an item's place in a document adds to its own (its indentation)."""


def _too_large(
    document: Document,
    story: StorySummary,
    size: int,
    alone: Broken,
    rules: Rules,
    ctx: Context[ProfileOptions],
    blame_kills: bool = False,
) -> None:
    """Report a story whose item alone puts its feed over the cap, at the story; with
    `blame_kills`, the feed's kill items take the room it would fit in without them."""
    page = ctx.urls.article(story.slug, document.lang)
    kills = len(document.killed)
    # (kill items stay: when they take the room, lowering tombstone_days gives it back)
    beside = (
        f" and the feed's {kills} kill item{'s' if kills != 1 else ''}, which"
        f" {'stay' if kills != 1 else 'stays'} (lower tombstone_days, or raise max_bytes)"
        if blame_kills
        else ""
    )
    ctx.diagnostics.warning(
        rules.code(FEED_BYTES),
        f"left out of {document.path}: its item ({page}) is {size:,} bytes, more than the"
        f" feed can hold: with it alone{beside}, {alone.message}",
        story.source,
    )


class _Story:
    """One public story's work for one profile: its pictures, then an item per language."""

    def __init__(self, writer: ProfileWriter, story: Story, ctx: Context[ProfileOptions]) -> None:
        self.writer = writer
        self.story = story
        self.ctx = ctx
        self.options = ctx.options
        self.rules = profile_rules(writer.name, ctx)
        self.refused: Broken | None = None
        """Why no image of the story is usable, when none is."""
        self.pictures = self._pictures()

    def files(self, languages: Sequence[str]) -> Iterator[OutputFile | Fragment]:
        items = {lang: self.item(lang) for lang in languages}
        if any(items.values()):  # renditions only for a story that is in a feed
            for picture in self.pictures:
                if picture.data is not None:
                    yield OutputFile(self.media_path(picture), picture.data)
        for lang, item in items.items():
            yield Fragment(entry_name(lang), item)

    def media_path(self, picture: Picture) -> str:
        return f"{self.writer.folder}/{MEDIA}/{self.story.slug}/{picture.name}"

    def _pictures(self) -> list[Picture]:
        """The story's images as the profile takes them; each one left out is reported."""
        found: list[Picture] = []
        for image in self.story.images:
            made = fit(image, functools.partial(self.ctx.read_asset, image.path), self.rules)
            if isinstance(made, Picture):
                found.append(_own_name(made, found))
                advice = self.rules.image_advice(made.width, made.height)
                if advice is not None:  # kept: without an image, a story loses more
                    self.ctx.diagnostics.warning(
                        self.rules.code(advice.rule),
                        f"{image.file} kept in the {self.writer.name} items: {advice.message}",
                        image.source,
                    )
                continue
            self.refused = self.refused or made
            self.ctx.diagnostics.warning(
                self.rules.code(made.rule),
                f"{image.file} left out of the {self.writer.name} items: {made.message}",
                image.source,
            )
        if not found and self.refused is None:
            self.refused = Broken(IMAGE_MISSING, f"{self.rules.label} requires an image")
        return found

    def _content(self, variant: Variant, summary: Broken | None) -> Broken | None:
        plain = self.options.plain_description  # the title as the item gives it (`dialect`)
        broken = self.rules.title(plain_title(variant.headline) if plain else variant.headline)
        if broken is None and summary is not None and not summary.advice:
            broken = summary
        if broken is None and self.options.image_required and not self.pictures:
            broken = self.refused
        return broken

    def item(self, lang: str) -> bytes:
        """The item of `lang`, or nothing when the story breaks a rule in that language."""
        variant = self.story.variant(lang)
        entry = self.entry(lang, variant)
        summary = self.rules.summary(entry.summary)
        broken = self._content(variant, summary)
        if broken is None:
            data = rss_item(entry, rss_dialect(self.options, self.values))
            broken = self.rules.item_bytes(len(data))
            if broken is None:
                if summary is not None:  # a recommendation: the story's text has no more
                    self.ctx.diagnostics.warning(
                        self.rules.code(summary.rule),
                        f"kept in the {self.writer.name} feed in {lang}, its summary and body"
                        f" giving no more text: {summary.message}",
                        variant.source,
                    )
                return data
        title = broken.rule == TITLE and variant.headline_source is not None
        self.ctx.diagnostics.warning(
            self.rules.code(broken.rule),
            f"left out of the {self.writer.name} feed in {lang}: {broken.message}",
            variant.headline_source if title else variant.source,
        )
        return b""

    def entry(self, lang: str, variant: Variant) -> Entry:
        """The feeds' entry, with the profile's description, images and author."""
        entry = make_entry(self.story, lang, self.ctx)
        # the entry's media in the variant's order (`Story.images_for`): its picture first,
        # the enclosure and the thumbnail, when the profile kept it
        order = self.story.images_for(lang)
        originals = dict(zip(order, entry.media, strict=True))
        kept = sorted(self.pictures, key=lambda picture: order.index(picture.image))
        media = tuple(self.media(originals[picture.image], picture) for picture in kept)
        authors = entry.authors
        if not authors and self.options.require_creator:
            authors = (Person(self.ctx.config.publisher.name),)
        summary = description(variant, self.options)
        return dataclasses.replace(entry, summary=summary, media=media, authors=authors)

    def media(self, original: Media, picture: Picture) -> Media:
        if picture.data is None:
            return original
        url = self.ctx.urls.media(self.media_path(picture), digest_of(picture.data))
        return dataclasses.replace(
            original,
            url=url,
            type=picture.media_type,
            size=picture.size,
            width=picture.width,
            height=picture.height,
        )

    def values(self, entry: Entry) -> dict[str, str]:
        """The placeholders of `item_elements`."""
        return {
            "id": entry.id,
            "link": entry.link,
            "lang": entry.lang,
            "section": self.story.section,
            "published": rfc3339_utc(entry.published),
            "updated": rfc3339_utc(entry.updated),
        }


def _own_name(picture: Picture, before: Sequence[Picture]) -> Picture:
    """`picture` under a rendition name no earlier picture of the story has (in any case: a
    file system or a target may not tell them apart). A rendition is named by its original's
    stem and its size, so `port.jpg` and `port.webp` of one size made the same file, and the
    whole export failed on it (`writer.conflict`): the later one takes `-2`, `-3`..., which
    no rendition name ends with (they end with the size)."""
    if picture.data is None:
        return picture
    taken = {p.name.casefold() for p in before if p.data is not None}
    stem, dot, suffix = picture.name.rpartition(".")
    name, n = picture.name, 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}{dot}{suffix}"
    return picture if name == picture.name else dataclasses.replace(picture, name=name)


_WORD = re.compile(r"\S+")


def description(variant: Variant, options: ProfileOptions) -> str:
    """The item's description: the summary (as plain text for `plain_description`), gone on
    with the body's first words when the partner wants more (`summary_min`), as far as the
    body goes, shortened when it wants less (`summary_max`)."""
    text = plain_text(variant.summary) if options.plain_description else variant.summary
    low = options.summary_min
    if low and len(text) < low:
        paragraphs = (b.children for b in walk(variant.body) if isinstance(b, Paragraph))
        words = _WORD.findall(" ".join(inline_text(children) for children in paragraphs))
        taken = 0
        while taken < len(words) and len(text) < low:
            text = f"{text} {words[taken]}"
            taken += 1
        if taken < len(words):
            text += " …"
    if options.summary_max:
        text = shorten(text, options.summary_max)
    return text
