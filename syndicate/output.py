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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from syndicate.writers.base import OutputFile

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


def publish(
    out: Path, files: Iterable[OutputFile], folders: Sequence[str], *, keep_others: bool
) -> PublishReport:
    """Write `files` into out/, replacing each folder in `folders` as one atomic step.

    With `keep_others`, files of those folders that this run did not produce stay (a run
    limited to some languages); otherwise they are removed (deleted stories disappear).
    Files whose bytes did not change keep their inode and modification time.
    Call inside `locked(out)`.
    """
    with Staging(out) as staging:
        for file in files:
            staging.add(file)
        return staging.commit(folders, keep_others=keep_others)


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
        target = self.dir / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(self.out / rel, target)
        except OSError as exc:
            raise _output_error(self.out, exc) from None
        self.produced.add(rel)
        self.unchanged += 1

    def commit(self, folders: Sequence[str], *, keep_others: bool) -> PublishReport:
        """Swap each folder in; see `publish`."""
        try:
            removed = self._carry_over(folders, keep_others)
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

    def _carry_over(self, folders: Sequence[str], keep_others: bool) -> int:
        """Link the old files this run did not produce (with `keep_others`); count the others."""
        removed = 0
        for folder in folders:
            old_dir = self.out / folder
            if not old_dir.is_dir():
                continue
            for old in _files_under(old_dir):
                rel = PurePosixPath(old.relative_to(self.out).as_posix())
                if rel in self.produced:
                    continue
                if keep_others:
                    (self.dir / rel).parent.mkdir(parents=True, exist_ok=True)
                    os.link(old, self.dir / rel)
                else:
                    removed += 1
        return removed


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


def _files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path


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
