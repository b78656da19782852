"""Section `epub` of syndicate.yaml: which stories an edition holds, its title, the order of its
sections, and where the cover fonts are."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Annotated, Literal

import msgspec

from syndicate.formats.contract import OptionPath, Options
from syndicate.formats.epub.fontfiles import DEFAULT_FONT_DIRS, SYSTEM_FOLDERS
from syndicate.model import SiteConfig
from syndicate.readers.config import template_problem

EDITION_TITLE_FIELDS = ("publisher", "date")
"""The placeholders of `edition_title`."""


class EpubOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    edition: Annotated[
        Literal["day", "latest"],
        msgspec.Meta(
            description="which stories an edition holds: `day` (those of the newest publication"
            " day, or of `edition_day`) or `latest` (the newest `edition_size`)"
        ),
    ] = "day"
    edition_size: Annotated[
        int,
        msgspec.Meta(  # (a typo, 100000000, must not typeset every story into one book)
            ge=1, le=1_000, description="how many stories a `latest` edition holds"
        ),
    ] = 20
    edition_day: Annotated[
        dt.date | None,
        msgspec.Meta(
            description="the day (YYYY-MM-DD, site time zone) of a `day` edition;"
            " default: the newest day with a story in that language"
        ),
    ] = None
    edition_title: Annotated[
        str | None,
        msgspec.Meta(
            description="title template of editions with {publisher} and {date}, written as such"
            " (no format or conversion);"
            " default: the `edition_title` term of each language"
        ),
    ] = None
    section_order: Annotated[
        tuple[str, ...],
        msgspec.Meta(
            description="section codes in the order editions show them; sections not listed"
            " follow alphabetically"
        ),
    ] = ()
    story_books: Annotated[
        bool,
        msgspec.Meta(
            description="a book for each story variant besides the editions; false: the"
            " editions alone (and only they in the catalog)"
        ),
    ] = True
    font_dirs: Annotated[
        tuple[str, ...],
        msgspec.Meta(description="folders searched for the Noto fonts of the covers"),
    ] = DEFAULT_FONT_DIRS

    def check(self, config: SiteConfig) -> Iterator[tuple[OptionPath, str]]:
        for index, folder in enumerate(self.font_dirs):
            normal = os.path.normpath(folder) if folder else folder
            if normal in SYSTEM_FOLDERS or normal.startswith(("/proc/", "/sys/", "/dev/")):
                yield (
                    ("font_dirs", index),
                    f"{folder} is not a folder of fonts: name the folders that hold them,"
                    " e.g. /usr/share/fonts",
                )
        if self.font_dirs != DEFAULT_FONT_DIRS and not any(
            os.path.isdir(folder) for folder in self.font_dirs if folder
        ):
            yield (
                "font_dirs",
                "no folder listed exists, so no cover could be drawn: name the folders that"
                " hold the Noto fonts (e.g. /usr/share/fonts), or leave font_dirs out",
            )
        if self.edition_title is not None and not self.edition_title.strip():
            yield (
                "edition_title",
                "is empty, which gave the default title: write a title, such as"
                " '{publisher}: {date}', or leave edition_title out",
            )
        elif self.edition_title is not None:
            problem, _ = template_problem(self.edition_title, EDITION_TITLE_FIELDS)
            if problem is not None:
                yield "edition_title", problem
