"""What a cover says (`CoverText`) and what it is (`Cover`), apart from the code that draws it:
a book whose cover is taken back from its last work (`Memo`) needs these and no more."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass

from syndicate.formats.epub.fontfiles import fonts_stamp


@dataclass(frozen=True, slots=True)
class CoverText:
    lang: str
    publisher: str
    kicker: str
    """Section name or "Edition", above the title."""
    title: str
    date: str


@dataclass(frozen=True, slots=True)
class Cover:
    png: bytes
    thumbnail: bytes
    missing: tuple[tuple[str, str], ...] = ()
    """(field of CoverText, grapheme) for every grapheme no installed font has: it is left out
    of the drawing, and reported."""


def cover_key(
    renderer: Callable[..., object], text: CoverText, font_dirs: Sequence[str]
) -> str | None:
    """What a cover is made from, besides syndicate's code and the installed packages (which
    the build engine answers for): the drawing function, the text, and the font files under
    the folders. None for a renderer that is not a function of a module (a `partial`, an
    object): what it draws cannot be named."""
    if not inspect.isfunction(renderer) or "<" in renderer.__qualname__:
        return None
    dirs = tuple(font_dirs)
    parts = [f"{renderer.__module__}.{renderer.__qualname__}", *astuple(text), dirs]
    data = json.dumps([*parts, fonts_stamp(dirs)], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogateescape")).hexdigest()
