"""What decides the bytes of a story's files besides the story, the run's settings and
syndicate's own files (`code_digest`): the libraries its formats call, native or not, and the
fonts its covers are drawn with. The same on every machine of a run, or a Dask worker with
another Pillow, libxml2, HarfBuzz or Noto would write other bytes than the driver, mixed in
silence with the others' (`skew`)."""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence
from functools import cache
from importlib import metadata

DISTRIBUTIONS = (
    "babel",
    "ebooklib",
    "feedgen",
    "fonttools",
    "freetype-py",
    "Jinja2",
    "lxml",
    "markdown-it-py",
    "msgspec",
    "nh3",
    "Pillow",
    "PyYAML",
    "regex",
    "tzdata",
    "uharfbuzz",
    "zlib-ng",
)
"""syndicate's dependencies whose version may change what it writes (not those that deliver,
validate or draw the terminal's progress: httpx, jsonschema, rich...)."""

Libraries = tuple[tuple[str, str], ...]


@cache
def output_libraries(font_dirs: tuple[str, ...] | None) -> Libraries:
    """Each library that makes a story's bytes with its version here; with `font_dirs` (the
    run writes EPUB), the covers' libraries and fonts too (`epub.font_dirs`)."""
    import lxml.etree

    found = [(name, _version(name)) for name in DISTRIBUTIONS]
    found += [
        ("libxml2", ".".join(str(part) for part in lxml.etree.LIBXML_VERSION)),
        ("zlib", zlib.ZLIB_RUNTIME_VERSION),
        ("Python's Unicode data", unicodedata.unidata_version),
    ]
    if font_dirs is not None:
        from syndicate.formats.epub import (
            freetype_adapter,
            fribidi_adapter,
            harfbuzz_adapter,
            icu_adapter,
        )
        from syndicate.formats.epub.fontfiles import cover_fonts_digest

        found += [
            ("HarfBuzz", harfbuzz_adapter.version()),
            ("FreeType", freetype_adapter.version()),
            ("FriBiDi", fribidi_adapter.version()),
            ("ICU", icu_adapter.version()),
            (f"the cover fonts under {', '.join(font_dirs)}", cover_fonts_digest(font_dirs)),
        ]
    return tuple(found)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def skew(here: Sequence[tuple[str, str]], export: Libraries) -> str | None:
    """What differs between the libraries `here` and the export's, said for the user, or
    None when nothing does."""
    mine = dict(here)
    differ = [
        f"{name} {mine.get(name, 'unknown')} where the export has {theirs}"
        for name, theirs in export
        if mine.get(name) != theirs
    ]
    if not differ:
        return None
    return (
        f"it has {'; '.join(differ)}: its stories would not have the export's bytes; install"
        " the same versions (and fonts) where the workers run as on the driver"
    )
