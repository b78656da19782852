"""Atomic publication of a run's files into out/: each format folder is swapped in whole, so
out/ holds either the complete old set or the complete new set, never a mix or a torn file."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from syndicate.formats.contract import OutputFile

LOCK_NAME = ".syndicate.lock"
STAGING_PREFIX = ".staging-"
_RENAME_EXCHANGE = 2


class OutputError(Exception):
    """out/ could not be written; the previous output is intact."""


@dataclass(frozen=True, slots=True)
class PublishReport:
    written: int
    unchanged: int
    removed: int


@contextlib.contextmanager
def locked(out: Path, lock: Path | None = None) -> Iterator[None]:
    """Hold out/'s lock (the file `lock`, by default in out/): a second export fails at once with
    a clear message, never interleaves."""
    lock = lock or out / LOCK_NAME
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a")
    except OSError as exc:
        raise OutputError(f"cannot write to {out}: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"another syndicate export is writing {out} (lock {lock}); wait for it to finish"
            ) from None
        _remove_leftovers(out)
        yield


def check_path(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise OutputError(f"refusing to write outside out/: {path!r}")
    return rel


class Staging:
    """A run's files, written into a staging folder of out/ as they are produced (so memory
    does not grow with the run), then swapped in whole by `commit`; discarded on any failure.
    Call inside `locked(out)`."""

    def __init__(self, out: Path) -> None:
        self.out = out
        try:
            self.dir = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            raise _output_error(out, exc) from None
        self.produced: set[PurePosixPath] = set()
        self.reused: list[PurePosixPath] = []
        """Published files kept as they are: linked into staging only if a swap is needed."""
        self.written = self.unchanged = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def add(self, file: OutputFile) -> None:
        rel = check_path(file.path)
        self.produced.add(rel)
        target, old = self.dir / rel, self.out / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if _same_bytes(old, file.data):
                os.link(old, target)
                self.unchanged += 1
            else:
                _write_file(target, file.data)
                self.written += 1
        except OSError as exc:
            raise _output_error(self.out, exc) from None

    def reuse(self, path: str) -> None:
        """Keep the published out/`path` as it is (an output whose inputs did not change)."""
        rel = check_path(path)
        self.produced.add(rel)
        self.reused.append(rel)
        self.unchanged += 1

    def commit(self, folders: Sequence[str], *, keep_others: bool) -> PublishReport:
        """Put the staged files in place, replacing each folder in `folders` as one atomic
        step. With `keep_others`, files of those folders that this run did not produce stay (a
        run limited to some languages); otherwise they are removed (deleted stories
        disappear). Files whose bytes did not change keep their inode and modification time;
        a run that changed nothing leaves out/ alone."""
        try:
            stale = self._stale(folders)
            if self._nothing_changed(folders, stale, keep_others):
                return PublishReport(0, self.unchanged, 0)
            for rel in self.reused:
                self._link_published(rel)
            removed = 0
            for rel in stale:
                if keep_others:
                    self._link_published(rel)
                else:
                    removed += 1
            # One sync for the whole staging tree (cheaper than a fsync per file): the new files
            # are on disk before any folder is swapped in, so a power cut cannot publish torn files.
            if self.written:
                os.sync()
            for folder in folders:
                new_dir = self.dir / folder
                new_dir.mkdir(parents=True, exist_ok=True)
                _swap_in(new_dir, self.out / folder)
            _fsync_dir(self.out)
        except OSError as exc:
            raise _output_error(self.out, exc) from None
        return PublishReport(self.written, self.unchanged, removed)

    def _stale(self, folders: Sequence[str]) -> list[PurePosixPath]:
        """Published files of `folders` that this run did not produce."""
        stale: list[PurePosixPath] = []
        for folder in folders:
            for top, _, names in os.walk(self.out / folder):
                base = PurePosixPath(Path(top).relative_to(self.out).as_posix())
                stale.extend(rel for name in names if (rel := base / name) not in self.produced)
        return sorted(stale)

    def _nothing_changed(
        self, folders: Sequence[str], stale: list[PurePosixPath], keep_others: bool
    ) -> bool:
        """Every file is already published with these bytes, and none is to be removed."""
        return (
            self.written == 0
            and (keep_others or not stale)
            and all((self.out / folder).is_dir() for folder in folders)
        )

    def _link_published(self, rel: PurePosixPath) -> None:
        target = self.dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(self.out / rel, target)


def _output_error(out: Path, exc: OSError) -> OutputError:
    return OutputError(
        f"cannot write to {out}: {exc.strerror or exc}; the previous output is unchanged"
    )


def _swap_in(new_dir: Path, live: Path) -> None:
    """Put `new_dir` at `live` atomically: exchange the two when the kernel can (Linux
    renameat2), else move the old one aside and the new one in."""
    if live.exists():
        if _exchange(new_dir, live):
            return  # the old folder now sits in staging and goes with it
        os.rename(live, new_dir.with_name(new_dir.name + ".old"))
    live.parent.mkdir(parents=True, exist_ok=True)  # a nested folder's parent (`partners/`)
    os.rename(new_dir, live)


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _write_file(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o644)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(out: Path) -> None:
    """Staging folders of a run that was killed: never published, safe to delete."""
    for path in out.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(path, ignore_errors=True)
