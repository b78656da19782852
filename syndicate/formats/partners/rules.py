"""A profile's rules, once: the writer applies them to each story (what breaks one is left out,
with a warning naming it) and `validate --outputs` to each feed file (an error naming it). A
rule is known by its code, `partner.<profile>.<rule>`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from syndicate.formats.partners.profiles import BUILTIN, ProfileOptions, built_in

TITLE = "title-length"
SUMMARY = "summary-length"
SUMMARY_PLAIN = "summary-plain"
IMAGE_SIZE = "image-size"
IMAGE_RATIO = "image-ratio"
IMAGE_BYTES = "image-bytes"
IMAGE_MISSING = "image-missing"
MAX_AGE = "max-age"
ITEM_BYTES = "item-bytes"
FEED_BYTES = "feed-bytes"
FULL_TEXT = "full-text"
CREATOR = "creator"
GUID = "guid"
DATES = "dates"
KILL = "kill-signal"
CHANNEL_DESCRIPTION = "channel-description"
LOGO = "logo"
HUB = "hub"
ITEM_COUNT = "item-count"


@dataclass(frozen=True, slots=True)
class Broken:
    """A rule a story or a file breaks: which, and what the partner wants."""

    rule: str
    message: str
    advice: bool = False
    """A partner's recommendation missed, not a requirement: what misses it is kept, with a
    warning (and `validate --outputs` warns, where a broken requirement is an error)."""


class Rules:
    """The rules of one profile, as checks on plain values (characters, pixels, bytes, dates),
    so the model and a parsed feed are judged alike."""

    def __init__(self, name: str, options: ProfileOptions, labelled: bool = True) -> None:
        """`labelled`: whether the profile's `label` is its own (a built-in profile's, or one
        the site wrote); a profile of the site's on a base is named by its name, not by the
        base's label, unless it gives one (the base's own too)."""
        self.name = name
        self.options = options
        label = options.label
        if name not in BUILTIN and not labelled and label == built_in(type(options), "label"):
            label = None
        self.label = label or name

    def code(self, rule: str) -> str:
        return f"partner.{self.name}.{rule}"

    def title(self, text: str) -> Broken | None:
        low, high = self.options.title_min, self.options.title_max
        if _outside(len(text), low, high):
            return Broken(TITLE, f"title is {len(text)} characters; {self._wants(low, high)}")
        return None

    def summary(self, text: str) -> Broken | None:
        """A description over `summary_max` (a requirement), or under `summary_min` (a
        recommendation: Flipboard's 300 characters "should generally" be there)."""
        low, high = self.options.summary_min, self.options.summary_max
        if high is not None and len(text) > high:
            message = f"description is {len(text)} characters; {self._wants(None, high)}"
            return Broken(SUMMARY, message)
        if low is not None and len(text) < low:
            message = (
                f"description is {len(text)} characters; {self.label} recommends at least {low}"
            )
            return Broken(SUMMARY, message, advice=True)
        return None

    def image_size(self, width: int, height: int) -> Broken | None:
        low_w, low_h = self.options.image_min_width, self.options.image_min_height
        if (low_w and width < low_w) or (low_h and height < low_h):
            wanted = (
                f"{low_w}x{low_h} px"
                if low_w and low_h
                else f"{low_w} px wide"
                if low_w
                else f"{low_h} px high"
            )
            message = f"image is {width}x{height} px; {self.label} requires at least {wanted}"
            return Broken(IMAGE_SIZE, message)
        return None

    def image_advice(self, width: int, height: int) -> Broken | None:
        """An image whose width and height are both under `image_recommended_side` (MSN: "at
        least 720px in height or width" is recommended): kept, with a warning."""
        side = self.options.image_recommended_side
        if side and max(width, height) < side:
            message = (
                f"image is {width}x{height} px; {self.label} recommends at least {side} px"
                " in width or height"
            )
            return Broken(IMAGE_SIZE, message, advice=True)
        return None

    def image_ratio(self, width: int, height: int) -> Broken | None:
        low, high = self.options.image_ratio_min, self.options.image_ratio_max
        ratio = width / height
        # Ratios are judged at two decimals, as partners write them (1.89, not 1.8888...).
        if _outside(round(ratio, 2), low, high):
            message = f"image ratio is {ratio:.2f}; {self._wants(low, high, 'a width/height of')}"
            return Broken(IMAGE_RATIO, message)
        return None

    def image_bytes(self, size: int) -> Broken | None:
        return self._bytes(IMAGE_BYTES, "image", size, self.options.image_max_bytes)

    def image(self, width: int, height: int, size: int) -> list[Broken]:
        """The rules an image as published breaks, and the recommendations it misses."""
        found = (
            self.image_size(width, height),
            self.image_advice(width, height),
            self.image_ratio(width, height),
            self.image_bytes(size),
        )
        return [broken for broken in found if broken is not None]

    def age(self, published: datetime, newest: datetime) -> Broken | None:
        """A story `max_age_days` old or older (MSN: "less than 365 days old"): what the
        writer leaves out of its feeds (`fresh`)."""
        days = self.options.max_age_days
        if days and newest - published >= timedelta(days=days):
            message = (
                f"published {(newest - published).days} days before the feed's newest change;"
                f" {self.label} takes stories under {days} days old"
            )
            return Broken(MAX_AGE, message)
        return None

    def item_bytes(self, size: int) -> Broken | None:
        return self._bytes(ITEM_BYTES, "item", size, self.options.max_item_bytes)

    def feed_bytes(self, size: int) -> Broken | None:
        return self._bytes(FEED_BYTES, "feed", size, self.options.max_bytes)

    def channel_description(self, text: str) -> Broken | None:
        high = self.options.channel_description_max
        if high and len(text) > high:
            message = f"channel description is {len(text)} characters; {self._wants(None, high)}"
            return Broken(CHANNEL_DESCRIPTION, message)
        return None

    def item_count(self, count: int) -> Broken | None:
        low = self.options.min_items
        if low and count < low:
            items = "1 item" if count == 1 else f"{count} items"
            return Broken(ITEM_COUNT, f"feed has {items}; {self._wants(low, None)}")
        return None

    def _bytes(self, rule: str, what: str, size: int, high: int | None) -> Broken | None:
        if high and size > high:
            return Broken(rule, f"{what} is {size:,} bytes; {self.label} takes {high:,}")
        return None

    def _wants(self, low: float | None, high: float | None, what: str = "") -> str:
        what = f" {what}" if what else ""
        if low is not None and high is not None:
            return f"{self.label} requires{what} {low}-{high}"
        if low is not None:
            return f"{self.label} requires{what} at least {low}"
        return f"{self.label} requires{what} at most {high}"


def fresh(published: datetime, now: datetime, window: timedelta) -> bool:
    """Whether a story published at `published` is less than `window` old at `now` (and not
    published after it): what the writer lists (and the engine rebuilds a feed by), as
    `Rules.age` judges a feed, so that export never writes what validate refuses."""
    return now - window < published <= now


def kill_title(notice: str, publisher: str, comment: str, low: int | None, high: int | None) -> str:
    """A kill item's title within the profile's title lengths: the notice ("Story no longer
    available"), else the notice and the publisher, else the notice and what it says, cut to
    the most the profile takes; the notice alone when it is over the most (never cut). MSN's
    "more than 20 characters" left "Article indisponible" (20) and "报道已不再提供" (7) under
    it: the one item a partner must not refuse. Each begins with the notice, which tells a
    kill item (`is_kill_title`)."""
    from syndicate.formats.partners.dialect import shorten

    named = [f"{notice} — {publisher}"] if publisher.strip() else []
    for title in (notice, *named):
        if not _outside(len(title), low, high):
            return title
    head = f"{notice}: "
    if (high is not None and high <= len(head)) or len(notice) >= (low or 0):
        return notice  # (never cut into the notice, which tells the item a kill's)
    return head + (shorten(comment, high - len(head)) if high is not None else comment)


def is_kill_title(title: str, notice: str) -> bool:
    """Whether an item's title is a kill item's (`kill_title`) in a feed of `notice`'s
    language."""
    return title == notice or title.startswith((f"{notice} — ", f"{notice}: "))


def _outside(value: float, low: float | None, high: float | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)
