"""What decides the bytes of a story's files besides the story, the run's settings and
syndicate's own files (`code_digest`): the libraries its formats call, native or not, and the
fonts its covers are drawn with. The same on every machine of a run, or a Dask worker with
another Pillow, libxml2, HarfBuzz or Noto would write other bytes than the driver, mixed in
silence with the others' (`skew`)."""

from __future__ import annotations

import importlib
import os
import sys
import unicodedata
import zlib
from collections.abc import Sequence
from functools import cache

DISTRIBUTIONS = (
    "babel",
    "ebooklib",
    "feedgen",
    "fonttools",
    "freetype-py",
    "idna",
    "Jinja2",
    "lxml",
    "markdown-it-py",
    "MarkupSafe",
    "msgspec",
    "nh3",
    "Pillow",
    "PyYAML",
    "regex",
    "uharfbuzz",
    "zlib-ng",
)
"""syndicate's dependencies whose version may change what it writes (not those that deliver,
validate or draw the terminal's progress: httpx, jsonschema, rich...): MarkupSafe escapes the
pages' text, idna writes a link's international host name. Not tzdata: the time zones are the
database zoneinfo reads (`time_zones`), the system's where it has one."""

PILLOW_CODECS = (
    ("Pillow's libjpeg", "jpg"),
    ("Pillow's libjpeg-turbo", "libjpeg_turbo"),
    ("Pillow's zlib", "zlib"),
    ("Pillow's zlib-ng", "zlib_ng"),
)
"""The libraries Pillow encodes the partners' renditions and the feeds' images with (JPEG, and
PNG's deflate), by the name `PIL.features` gives each: its own builds, not the system's (a
wheel's libjpeg-turbo and zlib-ng), so the same Pillow version built elsewhere (from its source,
by a distribution) may run others, and another libjpeg or zlib writes other bytes."""

Libraries = tuple[tuple[str, str], ...]
TIME_ZONES = "the time zone database"
PYTHON = "Python"


def output_libraries(font_dirs: tuple[str, ...] | None) -> Libraries:
    """Each library that makes a story's bytes with its version here; with `font_dirs` (the
    run writes EPUB), the covers' libraries and fonts too (`epub.font_dirs`). The libraries
    are read once a process, as it loaded them; the fonts are those it draws with
    (`font_files`): found once, and again by a build's driver that finds their folders
    changed (`fontfiles.fonts_now`), so that a long-running driver says the fonts it draws
    with, not its first build's, to its workers."""
    if font_dirs is None:
        return _libraries(covers=False)
    from syndicate.formats.epub.fontfiles import cover_fonts_digest

    return (*_libraries(covers=True), (fonts_name(font_dirs), cover_fonts_digest(font_dirs)))


@cache
def _libraries(covers: bool) -> Libraries:
    import lxml.etree
    from zlib_ng import zlib_ng

    found = [(PYTHON, python()), *((name, _version(name)) for name in DISTRIBUTIONS)]
    found += [
        ("libxml2", ".".join(str(part) for part in lxml.etree.LIBXML_VERSION)),
        ("zlib", zlib.ZLIB_RUNTIME_VERSION),
        ("zlib-ng's library", str(zlib_ng.ZLIBNG_RUNTIME_VERSION)),
        *pillow_codecs(),
        ("Python's Unicode data", unicodedata.unidata_version),
        (TIME_ZONES, time_zones()),
    ]
    if covers:
        from syndicate.formats.epub import (
            freetype_adapter,
            fribidi_adapter,
            harfbuzz_adapter,
            icu_adapter,
        )

        found += [
            ("HarfBuzz", harfbuzz_adapter.version()),
            ("FreeType", freetype_adapter.version()),
            ("FriBiDi", fribidi_adapter.version()),
            ("ICU", icu_adapter.version()),
        ]
    return tuple(found)


def python() -> str:
    """This process's Python, as the bytes it writes depend on it: its minor version (a
    release's standard library escapes, splits urls, formats dates and names identifiers
    its own way: `html`, `urllib.parse`, `email.utils`, `str.isidentifier`), with the
    implementation when it is not CPython, and how it writes a float (`repr`, as `json` does)
    when not the shortest way, as on a platform without IEEE doubles. Not its bugfix release
    (a cluster's machines rarely have the same one, and upgrading one is no new standard
    library), nor its Unicode data, a library of its own in `output_libraries`."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    notes = [] if sys.implementation.name == "cpython" else [sys.implementation.name]
    if sys.float_repr_style != "short":
        notes.append(f"{sys.float_repr_style} float repr")
    return f"{version} ({', '.join(notes)})" if notes else version


def pillow_codecs() -> list[tuple[str, str]]:
    """The version of each codec of `PILLOW_CODECS` Pillow runs here ("none": not built with
    it; "unknown": a Pillow that cannot tell, older than the feature)."""
    from PIL import features

    known = {*features.codecs, *features.features}
    found = []
    for name, feature in PILLOW_CODECS:
        if feature not in known:  # (`features.version` answers None, as for "none")
            found.append((name, "unknown"))
            continue
        version = features.version(feature)
        found.append((name, "none" if version is None else str(version)))
    return found


def time_zones() -> str:
    """The version of the time zone database zoneinfo reads (and babel, through it): the
    system's (`/usr/share/zoneinfo`, its `tzdata.zi`) before the tzdata package's, which is
    only its fallback: a worker with the same tzdata package and older zone rules wrote other
    local times, one with the same rules and another package the same bytes."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        if not os.path.isdir(folder):
            continue
        for name, prefix in (("tzdata.zi", "# version "), ("+VERSION", "")):
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    line = file.readline().strip()
            except (OSError, UnicodeDecodeError):
                continue
            if line.startswith(prefix) and line.removeprefix(prefix):
                return line.removeprefix(prefix)
        return "unknown (a system's, without tzdata.zi)"
    try:
        package = importlib.import_module("tzdata")
    except ImportError:
        return "not installed"
    return f"{getattr(package, 'IANA_VERSION', _version('tzdata'))} (the tzdata package)"


def _version(name: str) -> str:
    # importlib.metadata is imported here, not with the module: every export imports this one
    # (through the workers' module) and only a run on a Dask cluster asks for versions;
    # importing it (with email, csv and zipfile) was about a hundredth of an edition's export.
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def skew(
    here: Sequence[tuple[str, str]], export: Libraries, font_dirs: tuple[str, ...] | None = None
) -> str | None:
    """What differs between the libraries `here` (this process's, `output_libraries`) and the
    export's, said for the user, or None when nothing does. A process reads them once, when
    it first works for an export, and keeps them: when what its machine holds now is the
    export's (installed since), a restart is all it needs, and the advice says so."""
    mine = dict(here)
    differ = [(name, theirs) for name, theirs in export if mine.get(name) != theirs]
    if not differ:
        return None
    said = "; ".join(
        f"{name} {mine.get(name, 'unknown')} where the export has {theirs}"
        for name, theirs in differ
    )
    python = dict(export).get(PYTHON)
    if python is not None and mine.get(PYTHON) != python:
        # Another Python is no package to install: its libraries are that Python's builds.
        return (
            f"it has {said}: its stories would not have the export's bytes; run the workers"
            f" on Python {python}, as the driver does (an environment made with that Python,"
            " with the same versions of syndicate, its dependencies and fonts installed as on"
            " the driver), then restart them"
        )
    if all(on_disk(name, font_dirs) == theirs for name, theirs in differ):
        return (
            f"it has {said}: its stories would not have the export's bytes; its machine has"
            " the export's now, installed since it read its own (a worker reads its libraries"
            " and fonts once, when it first works for an export, and keeps them): restart it"
        )
    return (
        f"it has {said}: its stories would not have the export's bytes; install the same"
        " versions (and fonts) where the workers run as on the driver, then restart the"
        " workers (each reads its libraries and fonts once, when it first works for an"
        " export, and keeps them)"
    )


def on_disk(name: str, font_dirs: tuple[str, ...] | None) -> str | None:
    """What a process started now would have of the library `name` (of `output_libraries`),
    where this one can tell without starting one: a package's version (its metadata, read
    again), the time zone database's release, the cover fonts (found again); None for a
    library loaded with the process (libxml2, Pillow's codecs, HarfBuzz...)."""
    if name in DISTRIBUTIONS:
        return _version(name)
    if name == TIME_ZONES:
        return time_zones()
    if font_dirs is not None and name == fonts_name(font_dirs):
        from syndicate.formats.epub.fontfiles import fonts_digest, fonts_on_disk

        return fonts_digest(fonts_on_disk(font_dirs))
    return None


def fonts_name(font_dirs: tuple[str, ...]) -> str:
    """How the cover fonts under `font_dirs` are named among the libraries."""
    return f"the cover fonts under {', '.join(font_dirs)}"
