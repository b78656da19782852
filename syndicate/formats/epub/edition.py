"""Which stories make a language's EPUB edition, and in what order (the `epub` config section)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from syndicate.formats.epub.options import EpubOptions
from syndicate.model import Story, StorySummary

S = TypeVar("S")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Edition(Generic[S]):
    lang: str
    day: dt.date
    """The edition's day in the site's time zone."""
    date: dt.datetime
    """When its newest story reached the public (`StorySummary.public_since`)."""
    sections: tuple[tuple[str, tuple[S, ...]], ...]
    """Section code and its stories, newest first, in the configured section order."""
    taken: dt.datetime | None = None
    """The latest kill or withdrawal of a story the edition would hold were it still public:
    the book changed then (a story left it), though no story left in it is that new."""

    @property
    def modified(self) -> dt.datetime:
        """When the edition last changed: its stories' latest change, or a story leaving it."""
        stories: tuple[StorySummary | Story, ...] = self.stories  # type: ignore[assignment]
        newest = max(s.public_updated_for(self.lang) for s in stories)
        return max(newest, self.taken) if self.taken is not None else newest

    @property
    def stories(self) -> tuple[S, ...]:
        return tuple(s for _, stories in self.sections for s in stories)

    def map(self, whole: Callable[[S], T]) -> Edition[T]:
        """The same edition over other objects for its stories (summaries to whole stories)."""
        sections = tuple((code, tuple(whole(s) for s in group)) for code, group in self.sections)
        return Edition(self.lang, self.day, self.date, sections, self.taken)


StoryEdition = Edition[Story]


def select_editions(
    stories: Sequence[StorySummary],
    ready: Collection[tuple[str, str]],
    languages: Sequence[str],
    timezone: str,
    options: EpubOptions,
    gone: Sequence[StorySummary] = (),
) -> list[Edition[StorySummary]]:
    """One edition per language that has stories; `stories` are newest first and `ready`
    holds the (slug, language) pairs whose books were built. `gone` are the stories the
    public had that were killed or withdrawn: one the edition would hold counts as a change
    of it (`Edition.taken`)."""
    zone = ZoneInfo(timezone)
    editions = []
    for lang in languages:
        # newest first in this language: a translation added later is news of its own day
        candidates = _newest_first([s for s in stories if (s.slug, lang) in ready], lang)
        chosen = _choose(candidates, lang, options, zone)
        if chosen:
            newest = max(s.public_since_for(lang) for s in chosen)
            sections = _group(chosen, options.section_order)
            day = newest.astimezone(zone).date()
            taken = _taken(gone, lang, chosen, len(candidates), day, options, zone)
            editions.append(Edition(lang, day, newest, sections, taken))
    return editions


def _taken(
    gone: Sequence[StorySummary],
    lang: str,
    chosen: Sequence[StorySummary],
    candidates: int,
    day: dt.date,
    options: EpubOptions,
    zone: ZoneInfo,
) -> dt.datetime | None:
    """The latest time a story the edition would hold, were it still public, was taken
    down: of the edition's day, or (the latest stories) newer than its oldest, or any when
    the edition is not full."""
    oldest = min(s.public_since_for(lang) for s in chosen)
    times = [
        story.updated
        for story in gone
        if story.has(lang)
        and (
            story.public_since_for(lang).astimezone(zone).date() == day
            if options.edition != "latest"
            else candidates < options.edition_size or story.public_since_for(lang) >= oldest
        )
    ]
    return max(times, default=None)


def _newest_first(stories: list[StorySummary], lang: str) -> list[StorySummary]:
    """Newest first by when each reached the public in `lang`; in the order given when at
    the same time."""
    return sorted(stories, key=lambda s: s.public_since_for(lang), reverse=True)


def _choose(
    stories: Sequence[StorySummary], lang: str, options: EpubOptions, zone: ZoneInfo
) -> list[StorySummary]:
    if options.edition == "latest" or not stories:
        return list(stories[: options.edition_size])
    # A day's stories are those that reached the public that day: one out of an embargo is
    # news of the day the embargo ended, not of the day it was written.
    days = {id(s): s.public_since_for(lang).astimezone(zone).date() for s in stories}
    day = options.edition_day or max(days.values())
    return [s for s in stories if days[id(s)] == day]


def _group(
    stories: Sequence[StorySummary], order: Sequence[str]
) -> tuple[tuple[str, tuple[StorySummary, ...]], ...]:
    codes = sorted(
        {s.section for s in stories},
        key=lambda c: (order.index(c) if c in order else len(order), c),
    )
    return tuple((code, tuple(s for s in stories if s.section == code)) for code in codes)
