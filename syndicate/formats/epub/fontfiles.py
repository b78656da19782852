"""The font files under `epub.font_dirs`, by name, and what says they are the same files: no
font is opened here, so a book whose cover is taken back from its last work (`Memo`) loads no
font and no imaging code."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable
from functools import lru_cache, wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

from syndicate.readers.fontfolders import DEFAULT_FONT_DIRS as DEFAULT_FONT_DIRS
from syndicate.readers.fontfolders import MAX_FONT_FOLDERS, finding_fonts, folders_stamp

SYSTEM_FOLDERS = ("/", "/proc", "/sys", "/dev", "/run")
"""Folders that hold no fonts of their own and much else: refused as font folders."""


P = ParamSpec("P")
T = TypeVar("T")
_generation = 0
"""Bumped by `fonts_now` when the fonts changed: a cache of `fonts_cache` looks up and stores
only what was made since (in the key), so a cover another thread was drawing with the old
fonts as they changed stores nothing a later build finds."""
_forgotten: list[Callable[[], None]] = []
"""What empties each cache of what was found or read of the font files (`fonts_cache`)."""


def fonts_cache(maxsize: int | None = None) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """`functools.lru_cache` (`cache` without `maxsize`) for what is found or read of the font
    files (their names, faces, glyphs, covers drawn with them), emptied by `fonts_now` when
    the fonts change. Its entries are by `_generation`: emptying a cache while another thread
    (`serve`'s builds, an API's) is inside a call left that call to store what it made of
    the old fonts after, and every later build found it (a font listing taken that way
    hid a font installed since for the life of the process)."""

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        def by_generation(generation: int, *args: P.args, **kwargs: P.kwargs) -> T:
            return function(*args, **kwargs)

        cached = lru_cache(maxsize)(by_generation)
        _forgotten.append(cached.cache_clear)

        @wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> T:
            return cached(_generation, *args, **kwargs)  # type: ignore[arg-type]  # (hashable)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return decorate


@fonts_cache()
def font_files(dirs: tuple[str, ...]) -> dict[str, Path]:
    """Every font file under the folders by name; the first folder, then the first path in
    sorted order, wins. Looked for once a process, and again when a build finds the folders
    changed since (`fonts_now`): the covers a process draws take the fonts it found then,
    even once others are installed (`cover_fonts_digest` says which)."""
    _found_at[dirs] = folders_stamp(dirs)  # before the walk: a font added during it is new
    return fonts_on_disk(dirs)


_found_at: dict[tuple[str, ...], str] = {}
"""The folders' stamp (`folders_stamp`) when this process found the fonts under them."""


def fonts_now(dirs: tuple[str, ...]) -> str:
    """The folders' stamp (`folders_stamp`, for the build's key), and, when they changed
    since this process found the fonts under them, all it found and read of the fonts
    forgotten: its next cover finds them again. A long-running process (`syndicate serve`,
    a CMS calling `export` again) drew with the fonts of its first build for life, a font
    installed since ignored until it restarted. The build's driver calls it once a build,
    before any cover; a Dask worker keeps the fonts it found (`toolchain.skew` says to
    restart it). About a millisecond for a system's fonts (a stat and a listing a folder)."""
    stamp = folders_stamp(dirs)
    if _found_at.get(dirs, stamp) != stamp:
        global _generation
        # The record first: a listing started after it is emptied (still of the old
        # generation) is stored where no later call looks, its record at worst asking for one
        # more look. Emptied after the bump, it lost the record of a listing of the new one
        # started in between, and this never looked again: the fonts were never found again.
        _found_at.clear()
        _generation += 1  # a call in flight stores under the old one, never found
        for forget in _forgotten:
            forget()
    return stamp


def fonts_on_disk(dirs: tuple[str, ...]) -> dict[str, Path]:
    """`font_files` as the folders hold them now (what a process started now would find)."""
    found: dict[str, Path] = {}
    for folder in dirs:
        if not os.path.isdir(folder):
            continue
        paths: list[Path] = []
        for folders, (top, subdirs, names) in enumerate(os.walk(folder)):  # unlistable: left out
            subdirs.sort()
            if folders >= MAX_FONT_FOLDERS:
                break
            for name in names:
                if os.path.splitext(name)[1].lower() in {".ttf", ".otf", ".ttc"}:
                    path = Path(top, name)
                    with contextlib.suppress(OSError):
                        if stat.S_ISREG(path.stat().st_mode):
                            paths.append(path)
        for path in sorted(paths):
            found.setdefault(path.name, path)
    return found


@fonts_cache()
def fonts_stamp(dirs: tuple[str, ...]) -> str:
    """A digest of which file each font name is under the folders, with its size and time:
    another font installed, removed or upgraded changes it."""
    h = hashlib.sha256()
    for name, path in sorted(font_files(dirs).items()):
        try:
            stat = path.stat()
        except OSError:
            continue
        h.update(f"{name}\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode("utf-8", "replace"))
    return h.hexdigest()


COVER_FONTS = "Noto"
"""The names of the files the covers draw with start so (`fonts.script_fonts`)."""


@fonts_cache()
def cover_fonts_digest(dirs: tuple[str, ...]) -> str:
    """What says the cover fonts under `dirs` are the same files on two machines: how many
    there are and a digest of their names and table directories, whose checksums cover every
    byte of each font (a full read of the 130 MB of a system's Noto fonts took 1.5 s; this is
    a few small reads a file). Times and paths, which differ between machines, are not in it.
    Of the fonts this process draws with (`font_files`, found once), read when it first
    asks."""
    return fonts_digest(font_files(dirs))


def fonts_digest(found: dict[str, Path]) -> str:
    """`cover_fonts_digest` of the font files `found` (`font_files`, or `fonts_on_disk`)."""
    h = hashlib.sha256()
    count = 0
    for name, path in sorted(found.items()):
        if not name.startswith(COVER_FONTS):
            continue
        count += 1
        h.update(f"{name}\0".encode("utf-8", "replace"))
        try:
            with open(path, "rb") as file:
                head = file.read(12)
                offsets = [0]
                if head[:4] == b"ttcf":  # a collection: a directory for each of its fonts
                    fonts = int.from_bytes(head[8:12], "big")
                    table = file.read(4 * min(fonts, 1024))
                    offsets = [
                        int.from_bytes(table[i : i + 4], "big") for i in range(0, len(table), 4)
                    ]
                h.update(str(os.fstat(file.fileno()).st_size).encode())
                for offset in offsets:
                    file.seek(offset)
                    header = file.read(12)
                    tables = int.from_bytes(header[4:6], "big")
                    h.update(header + file.read(16 * tables))
        except OSError:
            h.update(b"unreadable")
    return f"{count} files, digest {h.hexdigest()[:16]}"


finding_fonts(fonts_now)  # the build's key forgets what this process found of changed fonts
