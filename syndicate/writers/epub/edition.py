"""Which stories make a language's EPUB edition, and in what order (the `epub` config section)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo

from syndicate.model import Story


class Dated(Protocol):
    """What choosing an edition's stories reads: a story, or the EPUB writer's abstract."""

    @property
    def slug(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def published(self) -> dt.datetime: ...


S = TypeVar("S", bound=Dated)
T = TypeVar("T", bound=Dated)


class EditionError(ValueError):
    """An option of the `epub` section is unusable."""


@dataclass(frozen=True, slots=True)
class EditionOptions:
    select: Literal["day", "latest"]
    size: int
    day: dt.date | None
    title: str | None
    section_order: tuple[str, ...]
    font_dirs: tuple[str, ...]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> EditionOptions:
        select = options["edition"]
        if select not in ("day", "latest"):
            raise EditionError(f"epub: edition must be `day` or `latest`, not {select!r}")
        size = options["edition_size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise EditionError(f"epub: edition_size must be a positive integer, not {size!r}")
        title = options["edition_title"]
        if title is not None and not isinstance(title, str):
            raise EditionError("epub: edition_title must be a text with {publisher} and {date}")
        return cls(
            select,
            size,
            _day(options["edition_day"]),
            title,
            _strings(options, "section_order"),
            _strings(options, "font_dirs"),
        )


def _day(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise EditionError(
            f"epub: edition_day must be a date (YYYY-MM-DD), not {value!r}"
        ) from None


def _strings(options: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = options[name]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EditionError(f"epub: {name} must be a list of texts")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class Edition(Generic[S]):
    lang: str
    day: dt.date
    """The edition's day in the site's time zone."""
    date: dt.datetime
    """When its newest story was published."""
    sections: tuple[tuple[str, tuple[S, ...]], ...]
    """Section code and its stories, newest first, in the configured section order."""

    @property
    def stories(self) -> tuple[S, ...]:
        return tuple(s for _, stories in self.sections for s in stories)

    def map(self, whole: Callable[[S], T]) -> Edition[T]:
        """The same edition over other objects for its stories (abstracts to whole stories)."""
        sections = tuple((code, tuple(whole(s) for s in group)) for code, group in self.sections)
        return Edition(self.lang, self.day, self.date, sections)


StoryEdition = Edition[Story]


def select_editions(
    stories: Sequence[S],
    ready: Collection[tuple[str, str]],
    languages: Sequence[str],
    timezone: str,
    options: EditionOptions,
) -> list[Edition[S]]:
    """One edition per language that has stories; `stories` are newest first and `ready`
    holds the (slug, language) pairs whose books were built."""
    zone = ZoneInfo(timezone)
    editions = []
    for lang in languages:
        candidates = [s for s in stories if (s.slug, lang) in ready]
        chosen = _choose(candidates, options, zone)
        if chosen:
            newest = max(s.published for s in chosen)
            sections = _group(chosen, options.section_order)
            editions.append(Edition(lang, newest.astimezone(zone).date(), newest, sections))
    return editions


def _choose(stories: Sequence[S], options: EditionOptions, zone: ZoneInfo) -> list[S]:
    if options.select == "latest" or not stories:
        return list(stories[: options.size])
    day = options.day or max(s.published.astimezone(zone).date() for s in stories)
    return [s for s in stories if s.published.astimezone(zone).date() == day]


def _group(stories: Sequence[S], order: Sequence[str]) -> tuple[tuple[str, tuple[S, ...]], ...]:
    codes = sorted(
        {s.section for s in stories},
        key=lambda c: (order.index(c) if c in order else len(order), c),
    )
    return tuple((code, tuple(s for s in stories if s.section == code)) for code in codes)
