"""The covers' font folders as the build's key sees them: their stamp (`folders_stamp`), with
nothing of the EPUB format imported, so an export of other formats imports only those
(docs/architecture.md). The EPUB format's `fontfiles` lists and reads the fonts under them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

DEFAULT_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
"""Where the cover fonts are looked for (`epub.font_dirs`) unless the site says."""
MAX_FONT_FOLDERS = 5000
"""Folders looked into under one font folder at most (a system's fonts are in a few hundred;
`font_dirs: [/]` would walk the whole machine on every export)."""


def folders_stamp(dirs: tuple[str, ...]) -> str:
    """The folders under `dirs` with their modification times, cheaply (no file is looked
    at): a font installed, removed or upgraded by a package manager (which renames a new file
    in place) changes a folder's time. Part of the build's configuration key, so covers are
    drawn again after a font change, even by a run that loads no format."""
    h = hashlib.sha256()
    pending = [folder for folder in dirs if isinstance(folder, str)]
    seen = 0
    while pending and seen < MAX_FONT_FOLDERS:
        seen += 1
        folder = pending.pop()
        try:
            h.update(f"{folder}\0{os.stat(folder).st_mtime_ns}\n".encode("utf-8", "replace"))
            with os.scandir(folder) as entries:
                pending += sorted(e.path for e in entries if e.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return h.hexdigest()


_stamp_now: Callable[[tuple[str, ...]], str] = folders_stamp
"""What `fonts_now` calls: `folders_stamp` until the EPUB format's `fontfiles` is imported,
then its `fonts_now`, which also forgets the fonts it found when they changed. Before that,
this process found no fonts: there is nothing to forget."""


def fonts_now(dirs: tuple[str, ...]) -> str:
    """The folders' stamp for the build's key, once a build (`fontfiles.fonts_now`)."""
    return _stamp_now(dirs)


def finding_fonts(stamp_now: Callable[[tuple[str, ...]], str]) -> None:
    """Called by `fontfiles` as it is imported, with its `fonts_now`."""
    global _stamp_now
    _stamp_now = stamp_now
