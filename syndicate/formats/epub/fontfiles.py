"""The font files under `epub.font_dirs`, by name, and what says they are the same files: no
font is opened here, so a book whose cover is taken back from its last work (`Memo`) loads no
font and no imaging code."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path


@cache
def font_files(dirs: tuple[str, ...]) -> dict[str, Path]:
    """Every font file under the folders by name; the first folder, then the first path in
    sorted order, wins."""
    found: dict[str, Path] = {}
    for folder in dirs:
        if not os.path.isdir(folder):
            continue
        for path in sorted(Path(folder).rglob("*")):
            if path.suffix.lower() in {".ttf", ".otf", ".ttc"} and path.is_file():
                found.setdefault(path.name, path)
    return found


@cache
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
