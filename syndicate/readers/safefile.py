"""Opening an input file safely: only a regular file, with one name on disk, inside the folder
it must stay in (after links), within a size limit, is ever opened, and it is read at most to
that limit. What is refused is refused before it is opened: opening a FIFO blocks until a
writer comes, and opening a device can have side effects."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

CHUNK = 1024 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC


class Refused(Exception):
    """A file that is not read; `code` and `message` make its diagnostic."""

    def __init__(self, code: str, message: str, size: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.size = size
        """The file's size, for `file.too-large`."""


def read_checked(path: Path, root: Path | None, limit: int, *, real: Path | None = None) -> bytes:
    """The bytes of `path`, checked (see the module); raises `Refused`. `real` is the path
    with no link in it, when the caller knows it (an entry of the folder `root` that is not
    a link); the file is then not resolved again (a link put there since is still refused:
    the last component is opened without following links)."""
    fd = _open(path, root, limit, real)
    chunks = []
    try:
        total = 0
        while chunk := os.read(fd, min(CHUNK, limit + 1 - total) or 1):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew since it was checked
                raise _too_large(total, limit)
    finally:
        os.close(fd)
    return b"".join(chunks)


def digest_checked(path: Path, root: Path | None, limit: int) -> str:
    """The SHA-256 of `path`, read in chunks and checked (see the module); raises `Refused`."""
    fd = _open(path, root, limit)
    h = hashlib.sha256()
    total = 0
    try:
        while chunk := os.read(fd, CHUNK):
            total += len(chunk)
            if total > limit:
                raise _too_large(total, limit)
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest()


def kind_of(path: Path, root: Path) -> str | Refused:
    """What a folder entry is, without opening it: `dir`, `file` (regular), or why it is refused
    (a link leaving `root`, a FIFO, socket or device)."""
    try:
        real = path.resolve(strict=True)
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return Refused("file.missing", "a link to nothing")
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links
        return Refused("file.unreadable", f"cannot read it: {_reason(exc)}")
    if not real.is_relative_to(root):
        return Refused("story.outside", "a link to a place outside the story folder")
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return _special(mode)


def _open(path: Path, root: Path | None, limit: int, real: Path | None = None) -> int:
    try:
        real = real or path.resolve(strict=True)
        before = os.stat(real)
    except FileNotFoundError:
        raise Refused("file.missing", "file not found") from None
    except (OSError, RuntimeError) as exc:
        raise Refused("file.unreadable", f"cannot read file: {_reason(exc)}") from None
    if root is not None and not real.is_relative_to(root):
        raise Refused("story.outside", "file is a link to a place outside the story folder")
    if not stat.S_ISREG(before.st_mode):
        raise _special(before.st_mode)
    if before.st_nlink > 1:
        raise Refused(
            "file.hard-link",
            f"file is a hard link (one file with {before.st_nlink} names on disk), which can"
            " be another file's content; replace it with a copy of its own (cp FILE COPY &&"
            " mv COPY FILE)",
        )
    if before.st_size > limit:
        raise _too_large(before.st_size, limit)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise Refused("file.unreadable", f"cannot read file: {_reason(exc)}") from None
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise Refused("file.unreadable", "the file was replaced while it was read; run again")
    return fd


def _special(mode: int) -> Refused:
    if stat.S_ISDIR(mode):
        return Refused("file.special", "a folder, not a file")
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return Refused("file.special", f"not a regular file but {kind}; use a plain file")


def _too_large(size: int, limit: int) -> Refused:
    return Refused(
        "file.too-large", f"file is {size} bytes; source files are limited to {limit} bytes", size
    )


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
