"""Section `feeds` of syndicate.yaml: read by the Atom and RSS formats (`formats.feeds`), which
write the feeds, and by the pages (`formats.html`), which link the feeds it says there are. It
stands apart from the feeds' code so that a run of the pages alone does not import it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Literal

import msgspec

from syndicate.formats.contract import OptionPath, Options, listed_twice
from syndicate.i18n.locales import not_site_languages
from syndicate.model import SiteConfig


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
            le=10_000,  # a typo (100000000) must not put every story in one feed file
            description="entries in a subscription feed (more if needed to hold every entry"
            " not yet archived)",
        ),
    ] = 50
    archive_size: Annotated[
        int,
        msgspec.Meta(
            ge=0, le=10_000, description="entries per RFC 5005 archive page; 0 turns archives off"
        ),
    ] = 50
    tombstone_days: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            le=36525,  # a hundred years: a date that far from --now is past the calendar's
            description="days a killed or withdrawn story's notice stays in the subscription"
            " feeds, after the newest change of each feed; 0: none",
        ),
    ] = 30
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
    feedvalidator: Annotated[
        str | None,
        msgspec.Meta(
            description="path to the W3C Feed Validator's feed_validate.py, relative to"
            " syndicate.yaml's folder: `syndicate validate --outputs` then runs it on every RSS"
            " and Atom feed (partner profiles too), reporting its errors as w3c.<Type>"
            " (or set SYNDICATE_FEEDVALIDATOR)"
        ),
    ] = None

    def check(self, config: SiteConfig) -> Iterator[tuple[OptionPath, str]]:
        yield from listed_twice("languages", self.languages)
        yield from listed_twice("sections", self.sections)
        languages = self.languages
        if languages != "all" and (problem := not_site_languages(languages, config.languages)):
            yield "languages", problem

    def feed_languages(self, run: Sequence[str]) -> tuple[str, ...]:
        """The languages that get feeds in a run over the languages `run`."""
        chosen = run if self.languages == "all" else self.languages
        return tuple(tag for tag in chosen if tag in run)
