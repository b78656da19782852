"""Opening an input file safely: only a regular file, with one name on disk, inside the folder
it must stay in (after links), within a size limit, is ever opened, and it is read at most to
that limit. What is refused is refused before it is opened: opening a FIFO blocks until a
writer comes, and opening a device can have side effects."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from pathlib import Path

CHUNK = 1024 * 1024
RACY_NS = 2_000_000_000
"""How long after its last change a file's signature is trusted (see `signature`), on a file
system that keeps whole seconds (FAT keeps every other second: a write that long after the
last may leave the same times)."""
FINE_SHARE = 20
"""On a file system that keeps finer times (its change times have a fraction of a second:
ext4, XFS, btrfs, tmpfs, APFS), the clock that stamps them ticks at least every 10 ms (the
kernel's coarse clock; exFAT keeps 10 ms): a signature is trusted after `RACY_NS` divided by
this (0.1 s, ten ticks)."""
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
    return read_seen(path, root, limit, real=real)[0]


def read_seen(
    path: Path, root: Path | None, limit: int, *, real: Path | None = None
) -> tuple[bytes, str | None]:
    """`read_checked`, and the file's `signature` as it was when opened."""
    fd, opened = _open(path, root, limit, real)
    chunks = []
    try:
        total = 0
        while chunk := _read(fd, min(CHUNK, limit + 1 - total) or 1):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew since it was checked
                raise _too_large(total, limit, path)
    finally:
        os.close(fd)
    return b"".join(chunks), signature(opened)


def digest_checked(path: Path, root: Path | None, limit: int) -> str:
    """The SHA-256 of `path`, read in chunks and checked (see the module); raises `Refused`."""
    return digest_seen(path, root, limit)[0]


def digest_seen(
    path: Path, root: Path | None, limit: int, *, real: Path | None = None
) -> tuple[str, str | None]:
    """`digest_checked`, and the file's `signature` as it was when opened (`real` as for
    `read_checked`)."""
    fd, opened = _open(path, root, limit, real)
    h = hashlib.sha256()
    total = 0
    try:
        while chunk := _read(fd, CHUNK):
            total += len(chunk)
            if total > limit:
                raise _too_large(total, limit, path)
            h.update(chunk)
    finally:
        os.close(fd)
    return h.hexdigest(), signature(opened)


def status_checked(
    path: Path, root: Path | None, limit: int, *, real: Path | None = None
) -> tuple[str | None, int]:
    """The `signature` and size of `path` without opening it, checked as if it were read (see
    the module; `real` as for `read_checked`); raises `Refused`."""
    status = _checked(path, root, limit, real)[1]
    return signature(status), status.st_size


def signature(status: os.stat_result) -> str | None:
    """What tells a file unchanged without reading it, as git's index does: its device, inode,
    size, and modification and change times (the change time moves with any write, and no
    program can set it back). None when the file changed less than `RACY_NS` ago (a tenth
    of a second on a file system with finer times than seconds, see `FINE_SHARE`), or later
    than now: a write in the same tick of the file system's clock would leave the same
    times, so such a file is read again. None on Windows, where the change time is the
    creation time."""
    if os.name == "nt":
        return None
    # The change time is the kernel's, never a program's: whole seconds say the file
    # system keeps no finer time (a file written a moment before a run, as the bench
    # and `syndicate serve` do, is trusted 0.1 s later instead of 2 s).
    changed = status.st_ctime_ns
    window = RACY_NS if changed % 1_000_000_000 == 0 else RACY_NS // FINE_SHARE
    if time.time_ns() - max(status.st_mtime_ns, changed) < window:
        return None
    return ":".join(str(n) for n in identity(status))


def identity(status: os.stat_result) -> tuple[int, int, int, int, int]:
    """What `signature` compares, trusted or not: the device, inode, size, and modification
    and change times. A program that writes a file and sets its modification time back
    (`touch -d`, `cp -p`, an editor's atomic save keeping the time) still moves its change
    time or its inode; a watcher that polls compares this (`syndicate serve --watch`)."""
    return (
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
    )


def outside(folder: str, what: str = "the file") -> str:
    """A link that leaves `folder`, in words, with the fix (a copy has no way out)."""
    return f"a link to a place outside {folder}; replace the link with a copy of {what}"


def site_refusal(exc: Refused) -> tuple[str, str]:
    """The code and message of a site file (a template, a terms file) refused as `exc` says:
    a link that leaves the site folder is a `site.outside`, not a story's."""
    if exc.code == "story.outside":
        return "site.outside", f"file is {outside('the site folder')}"
    return exc.code, exc.message


LINK_LOOP = "a link that leads back to itself (a loop of links)"


def link_loop(what: str = "the file it should be") -> Refused:
    """The refusal of a path that is a loop of links, with the fix: replace it with `what`."""
    return Refused("file.link-loop", f"{LINK_LOOP}; replace the link with {what}")


def folder_loop(name: str) -> str:
    """The message of a folder (`name`: out/, templates/, the cache folder) that is a loop of
    links, with the fix (`file.link-loop`, or the code of the option that names it)."""
    return f"{name} is {LINK_LOOP}; replace the link with a folder"


def loop_in(path: Path) -> Path | None:
    """The first part of `path` (itself, or a folder it is in) that is a loop of links (see
    `resolved`), to name in a message; None when there is none."""
    for part in (*reversed(path.parents), path):
        try:
            resolved(part)
        except Refused:
            return part
        except OSError:
            return None
    return None


def resolved(path: Path, *, strict: bool = False, what: str = "the file it should be") -> Path:
    """`path.resolve(strict=strict)`, a loop of links raised as `link_loop(what)`: Python 3.11
    and 3.12 raise RuntimeError ("Symlink loop from ..."), and OSError (ELOOP) when `strict`,
    which a caller taking OSError for a file gone would say wrong; 3.13 resolves a loop
    without `strict` to itself, told by the `stat` it fails (review). Every path a user can
    make a link (a story folder, out/, templates/, the cache folder) is resolved through
    this."""
    try:
        real = path.resolve(strict=strict)
    except RuntimeError:
        raise link_loop(what) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise link_loop(what) from None
        raise
    if not strict:
        try:
            os.stat(path)  # (a path not there yet, or unreadable, is the caller's to find)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise link_loop(what) from None
    return real


def kind_of(path: Path, root: Path) -> str | Refused:
    """What a folder entry is, without opening it: `dir`, `file` (regular), or why it is refused
    (a link leaving `root`, a FIFO, socket or device)."""
    try:
        real = resolved(path, strict=True)
        mode = os.stat(real).st_mode
    except Refused as exc:
        return exc
    except FileNotFoundError:
        return Refused("file.missing", _dangling(path))
    except OSError as exc:
        return Refused("file.unreadable", f"cannot read it: {_reason(exc)}")
    if not _inside(real, root):
        return Refused("story.outside", outside("the story folder", "what it links to"))
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return _special(mode)


def _dangling(path: Path) -> str:
    """The message of a story file that is a link to nothing: what it links to, and the fix
    (it said "a link to nothing" alone, which named neither)."""
    try:
        target = os.readlink(path)
        at, chain = path.parent / target, ""
        for _ in range(_MAX_HOPS):  # a link to a link to nothing: the last is not there
            if not os.path.islink(at):
                break
            end = os.readlink(at)
            at, chain = at.parent / end, f", which links to {end!r}"
    except OSError:  # (gone since it was listed)
        return "not found: it was removed while it was read; run again"
    return (
        f"a link to {target!r}{chain}, which is not there (a share not mounted?): mount it,"
        " or replace the link with the file"
    )


_MAX_HOPS = 40
"""Links followed to name where a chain of them ends (Linux's own limit)."""


def _read(fd: int, size: int) -> bytes:
    """`os.read`, a read error (EIO from a failing disk or a network share gone, a file
    evicted by a cloud drive that cannot fetch it) raised as `Refused`: a file that passed
    every check may still fail to be read."""
    try:
        return os.read(fd, size)
    except OSError as exc:
        raise unreadable(exc) from None


def unreadable(exc: OSError) -> Refused:
    """The refusal of a file whose reading failed with `exc`, with what to do."""
    return Refused(
        "file.unreadable",
        f"cannot read file: {_reason(exc)}; check the disk or share it is on (or copy the file"
        " again from a good copy) and run again",
    )


def _open(
    path: Path, root: Path | None, limit: int, real: Path | None = None
) -> tuple[int, os.stat_result]:
    real, before = _checked(path, root, limit, real)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise Refused(
            "file.unreadable", f"cannot read file: {_reason(exc)}{_access(exc)}"
        ) from None
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise Refused("file.unreadable", "the file was replaced while it was read; run again")
    return fd, now


def _checked(
    path: Path, root: Path | None, limit: int, real: Path | None = None
) -> tuple[Path, os.stat_result]:
    """The file's real path and status, when it may be read; raises `Refused`."""
    try:
        real = real or resolved(path, strict=True)
        before = os.stat(real)
    except FileNotFoundError:
        raise Refused("file.missing", "file not found") from None
    except OSError as exc:
        raise Refused(
            "file.unreadable", f"cannot read file: {_reason(exc)}{_access(exc)}"
        ) from None
    if root is not None and not _inside(real, root):
        raise Refused("story.outside", f"file is {outside('its folder')}")
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
        raise _too_large(before.st_size, limit, path)
    return real, before


def _inside(real: Path, root: Path) -> bool:
    """Whether `real` is `root` or a path under it, both resolved: what `is_relative_to` tells,
    as one string comparison (a story folder's every file is checked on every run)."""
    path, top = os.fspath(real), os.fspath(root)
    return path == top or path.startswith(top if top.endswith(os.sep) else top + os.sep)


def _special(mode: int) -> Refused:
    if stat.S_ISDIR(mode):
        return Refused("file.special", "a folder, not a file")
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return Refused("file.special", f"not a regular file but {kind}; use a plain file")


def _too_large(size: int, limit: int, path: Path) -> Refused:
    return Refused(
        "file.too-large",
        f"file is {size} bytes; source files are limited to {limit} bytes: make it smaller"
        + _SMALLER.get(path.suffix.lower(), ""),
        size,
    )


_SMALLER = {
    ".md": " (split a long story into several)",
    **dict.fromkeys(
        (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"),
        " (save the image with fewer pixels or a lower quality)",
    ),
}
"""How to make a file of each kind smaller, when there is more to say than "make it smaller"
(the configuration, a template, a terms file: what is in it is the user's to judge)."""


def _access(exc: OSError) -> str:
    """What to do about a file that cannot be opened: its permissions, when they are why."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            "; give the user syndicate runs as (the cron job's, CI's) read access to it and"
            " to the folders it is in (their owner or group)"
        )
    return "; check the disk or share it is on, and run again"


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def read_regular(path: Path, *, follow: bool = False) -> tuple[bytes, os.stat_result]:
    """The bytes and status of the regular file `path`, found without blocking on it (a FIFO
    put in its place would hang the reader): OSError when it is not a regular file. Without
    `follow`, a link at `path` is refused too (a file swapped for one after it was listed)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(), status
    finally:
        os.close(fd)
