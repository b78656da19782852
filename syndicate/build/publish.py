"""Atomic publication of a run's files into out/. The files are staged in a folder of out/ as
they are made; then either each format's folder is built there whole (this run's files, the
user's own files, kept files) and swapped in, or, for a run that changes a few files of many
(an edit: `Staging.prefer_in_place`), only the new files are moved in, one rename each, and
syndicate's files that are gone are removed. Either way the steps are journaled in the build
state in the same transaction that records the new output, so a run killed between two steps
is completed by the next one before it does anything else: out/ is the old set or the new
set, never a mix for more than the moment of an interrupted run, and never a torn file.
Interrupts wait until the steps are done. Only files syndicate wrote are ever replaced or
removed."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from syndicate.formats.contract import OutputFile
from syndicate.readers.folders import said_path

LOCK_NAME = ".syndicate.lock"
NAME_MAX = 255
"""The longest file name, in bytes, most file systems take (ext4, XFS, APFS, NTFS in UTF-16
units, SFTP and FTP servers on them)."""
STAGING_PREFIX = ".syndicate-staging-"
_STAGING_NAME = re.compile(r"\.(?:syndicate-)?staging-[a-z0-9_]{8}")
"""The names `tempfile.mkdtemp` gives a staging folder (and gave, before the prefix named
syndicate): a folder of the user's such as `.staging-mysite` is not one."""
UNITS = ".units"
"""The folder of a staging folder where workers on this machine stage each unit's files
(`stage_file`), one folder a unit, until the driver takes the ones it accepts (`Staging.take`).
It is never swapped in: what is left there goes with the staging folder."""
TRASH = "trash"
"""The build state's folder of `Trash`."""
_RENAME_EXCHANGE = 2
FILE_MODE = 0o644
FOLDER_MODE = 0o755
"""The modes of the files (`FILE_MODE`) and folders syndicate makes in out/, and in staging
where they become out/'s, whatever the umask: a web server (another user) may read every one
after `rsync -a out/ web:`, and the tree is the same from cron's umask 077 as from a shell's
022. A folder of out/ that a format's folder rebuilt whole makes again takes the access the
one in out/ has (`Staging._same_access`): a folder made private stays private."""
log = logging.getLogger(__name__)
MOVES_SHARE = 4
"""A run that prefers to publish in place does so when the files it writes and removes are at
most a quarter of those syndicate has in out/ (plus `FSYNC_FILES`); beyond, building the
folders whole costs about what moving that many files does, and swaps them in at once."""
_LINKING = frozenset((".html", ".xhtml", ".xml", ".json", ".jsonld", ".txt"))
"""The kinds of files that link to others (pages, feeds, catalogs, sitemaps): moved in after
the files they may link to (images, books), so that a reader seldom follows a link early."""
FSYNC_FILES = 64
"""Up to this many files written, each is flushed with its folder; beyond, one `sync` of the
whole machine costs less (it also waits for what other programs wrote, which a shared
machine makes slow: hundreds of milliseconds where an edit's dozen files take a few)."""


def make_folders(path: str | Path) -> None:
    """`os.makedirs(path, exist_ok=True)`, each folder it makes `FOLDER_MODE` whatever the
    umask (`os.makedirs` gives the umask's, its `mode` is masked by it too)."""
    path = os.fspath(path)
    try:
        os.mkdir(path, FOLDER_MODE)
    except FileNotFoundError:
        parent = os.path.dirname(path)
        if not parent or parent == path:
            raise
        make_folders(parent)
        try:
            os.mkdir(path, FOLDER_MODE)
        except FileExistsError:  # made meanwhile (a worker, the helper)
            if not os.path.isdir(path):
                raise
            return
    except FileExistsError:
        if not os.path.isdir(path):  # as `os.makedirs` says
            raise
        return
    os.chmod(path, FOLDER_MODE)


def _failed_at(exc: OSError, out: Path) -> str | Path:
    """The path of out/ a publication failed at: a rename's target (`filename2`, where the
    user must mend a folder), not the staged file it moved, hidden in a staging folder."""
    return exc.filename2 or exc.filename or out


class OutputError(Exception):
    """out/ could not be written; the previous output is intact."""


class Busy(OutputError):
    """Another process holds the lock: nothing was written, and a later run will do it (the
    command line's exit status `EXIT_BUSY`, which a cron job retries, not a failure's)."""


def fitting_name(name: str, around: int = 0) -> str:
    """`name`, cut if need be so that with `around` more bytes (a prefix, a suffix) it makes a
    file name of at most `NAME_MAX` bytes: a name cut ends with `~` and a hash of the whole
    one, so two long names that start alike stay two names. A name that fits is kept."""
    room = NAME_MAX - around
    if len(os.fsencode(name)) <= room:
        return name
    tag = "~" + hashlib.sha256(os.fsencode(name)).hexdigest()[:10]
    cut = name
    while cut and len(os.fsencode(cut + tag)) > room:
        cut = cut[:-1]  # by characters: never half a UTF-8 sequence
    return cut + tag


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
        # out/ itself as its folders, the folders it is made in as the umask says (the
        # preview's is in the cache folder, which holds embargoed stories)
        out.parent.mkdir(parents=True, exist_ok=True)
        make_folders(out)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # (before a look at it fails the same way)
            raise _output_error(out, exc) from None
        if out.is_symlink() and not out.exists():
            target = os.readlink(out)
            raise OutputError(
                f"{out} is a link to {target}, which does not exist: make that folder, or"
                " remove the link"
            ) from None
        if out.exists() and not out.is_dir():
            raise OutputError(f"{out} is a file, not a folder: move it away") from None
        raise _output_error(out, exc) from None
    # (named as the user pastes it where they typed the command, not from the site folder)
    said = said_path(out)
    busy = f"another syndicate export is writing {said} (lock {lock}); wait for it to finish"
    with exclusive(lock, busy), _holding_folder(out):
        yield


@contextlib.contextmanager
def _holding_folder(out: Path) -> Iterator[None]:
    """Hold a lock on out/ itself (`flock` of the folder: no file made in it), which two runs
    share whatever build state each keeps (`SYNDICATE_CACHE_DIR` set for cron and not for an
    editor): a run of the other would remove this one's staging folder as a killed run's.
    A file system that cannot lock a folder leaves the build state's lock alone to hold."""
    try:
        fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(
                f"another syndicate export is writing {said_path(out)} (with another build"
                " state: see SYNDICATE_CACHE_DIR); wait for it to finish"
            ) from None
        except OSError:
            pass  # no folder locks here: the build state's lock holds
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive(lock: Path, busy: str) -> Iterator[None]:
    """Hold the file lock `lock` (created if needed), or raise Busy(`busy`) at once when
    another process holds it. The kernel releases it when the process ends, even killed."""
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a")
    except OSError as exc:
        raise OutputError(unwritable_folder(lock.parent, exc)) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(busy) from None
        yield


def check_path(path: str) -> PurePosixPath:
    if "\0" in path:  # no file system takes it (Python raises ValueError)
        raise OutputError(f"refusing to write a path holding a NUL character: {path!r}")
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise OutputError(f"refusing to write outside out/: {path!r}")
    return rel


def checked_path(path: str) -> str:
    """`check_path` as a string, the path as `PurePosixPath` spells it (`a//b` is `a/b`).
    A path already in that spelling, as writers give them, is checked without making a
    `PurePosixPath` (a no-op run checks every path of out/)."""
    if path and path[0] != "/" and path[-1] != "/" and "\0" not in path:
        parts = path.split("/")
        if "" not in parts and "." not in parts and ".." not in parts:
            return path
    return str(check_path(path))


@dataclass(frozen=True, slots=True)
class Staged:
    """A file a worker staged itself (`stage_file`) in its unit's `folder` under the `name`
    given it there: its path in out/, and whether out/ has that path, and with these bytes.
    The driver takes it (`Staging.take`) once it has accepted the path; its bytes never
    travel. A unit's files are side by side in its folder, not in folders of their paths: a
    story's dozen folders made in a worker and removed with the staging folder cost a
    full export of 500 stories about 2 s of `mkdir` and 1 s of `rmdir`."""

    folder: str
    path: str
    existed: bool
    same: bool
    name: str


@dataclass(frozen=True, slots=True)
class Swap:
    """One folder of out/ to replace: `folder` by the staged folder whose inode is `inode`."""

    folder: str
    inode: int


@dataclass(frozen=True, slots=True)
class Plan:
    """A staged run ready to go live, from the staging folder `staging` (its name in out/):
    the folders to swap, or the files to move in place and to delete, and what the run
    changes. `owned` is every file of syndicate's in the folders afterwards (this run's and,
    with `keep_others`, the earlier ones it kept)."""

    staging: str
    swaps: tuple[Swap, ...]
    """Empty when the run changes nothing, or publishes in place."""
    report: PublishReport
    owned: tuple[str, ...]
    removed: tuple[PurePosixPath, ...]
    moves: tuple[tuple[str, int], ...] = ()
    """In place: each new file, by its path, moved from the staging folder into out/, with
    its inode (which tells a file moved before an interruption from one still to move)."""
    deletes: tuple[str, ...] = ()
    """In place: syndicate's files that go (those of `removed`), deleted after the moves."""

    @property
    def steps(self) -> bool:
        """Whether applying the plan changes out/."""
        return bool(self.swaps or self.moves or self.deletes)

    def journal(self) -> str:
        """The plan as the build state keeps it while it is applied (see `recover`)."""
        swaps = [[swap.folder, swap.inode] for swap in self.swaps]
        moves = [[path, inode] for path, inode in self.moves]
        return json.dumps(
            {"staging": self.staging, "swaps": swaps, "moves": moves, "deletes": self.deletes}
        )

    def root(self, out: Path) -> Path:
        """Where the files of the swapped folders are until the plan is applied."""
        return out / self.staging if self.swaps else out

    def locate(self, out: Path) -> Callable[[str], str]:
        """Where each file of `owned` is until the plan is applied: in the staging folder when
        its folder is swapped in or it is moved, else in out/."""
        staging, live = os.fspath(out / self.staging), os.fspath(out)
        if self.swaps:
            return lambda path: f"{staging}/{path}"
        moved = {path for path, _ in self.moves}
        return lambda path: f"{staging if path in moved else live}/{path}"


class PartlyPublished(OutputError):
    """A publication that failed midway: out/ may hold part of the run's files, and the staging
    folder and the build state's journal are kept for the next run to complete it."""


class ForeignFiles(OutputError):
    """Files syndicate would write are there already, and it did not write them."""

    def __init__(
        self,
        paths: Sequence[PurePosixPath],
        in_the_way: Sequence[PurePosixPath] = (),
        folders: Sequence[PurePosixPath] = (),
    ) -> None:
        self.paths = tuple(paths)
        self.in_the_way = tuple(in_the_way)
        """Files or links where a folder of syndicate's goes (`Staging._in_the_way`)."""
        self.folders = tuple(folders)
        """Folders of the user's where a file of syndicate's goes."""
        count = len(self.paths) + len(self.in_the_way) + len(self.folders)
        super().__init__(f"{count} file(s) in out/ were not written by syndicate")


class Staging:
    """A run's files, written into a staging folder of out/ as they are produced (so memory
    does not grow with the run), then put in place by `prepare` and `apply`; discarded on any
    failure. Call inside `locked(out)`.

    `owned` are the files of out/ that syndicate wrote (the build state keeps the list): only
    those are ever replaced or removed. Any other file in a format's folder is the user's: it
    stays where it is, and a run that would overwrite it with other bytes is refused."""

    def __init__(
        self,
        out: Path,
        owned: Collection[str] = (),
        trash: Trash | None = None,
        *,
        adopt: bool = False,
    ) -> None:
        self.out = out
        self.owned = owned
        self.adopt = adopt
        """Take the files this run would overwrite that `owned` does not list as syndicate's
        old outputs (the build state that listed them was lost or damaged), instead of
        refusing them as the user's: they are replaced, and listed in `adopted`."""
        self.adopted: list[str] = []
        self.trash = trash
        """Where the staging folder goes once published (else it is deleted when done)."""
        try:
            self.dir = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            raise _output_error(out, exc) from None
        self.produced: set[str] = set()
        """This run's paths, as `checked_path` spells them."""
        self.reused: list[str] = []
        """Published files kept as they are: linked into staging only if a swap is needed."""
        self.foreign: list[str] = []
        """Files of the user's that this run would overwrite."""
        self.folders_in_way: list[str] = []
        """Folders of the user's where a file of this run goes: every one is said (by
        `prepare`, with the files of theirs in the way), not only the first met."""
        self.written = self.unchanged = 0
        self.created: list[str] = []
        """Files this run writes that out/ does not have (`--dry-run` lists them). Paths are
        kept as strings: a `PurePosixPath` costs about 400 bytes more a file, and a large
        archive writes hundreds of thousands of files."""
        self.changed: list[str] = []
        """Files this run writes with other bytes than out/ has."""
        self.applied = False
        self.kept_for_recovery = False
        self._written: list[str] = []
        self._access: list[str] = []
        """Folders of out/ remade in staging, whose permissions and owner they take last."""
        """The first `FSYNC_FILES` files written in staging."""
        self._made: set[str] = set()
        """Folders made in staging (`_folder`)."""
        self._flushing: threading.Thread | None = None
        """The `sync` that `flush_ahead` started, if it did."""
        self._ahead: _Ahead | None = None
        """The staged folders being made in the background (`ahead`), if they are."""
        self._in_place = False
        """Whether `prepare` publishes in place when it can (`prefer_in_place`)."""
        self._dir, self._out = os.fspath(self.dir), os.fspath(out)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._ahead is not None:
            self._ahead.stop()  # before its folders go, so that it makes none after
        # Only a publication leaves the replaced folders behind: any other staging folder is
        # this run's files (or none), deleted now, so that no run leaves the next work.
        if self.kept_for_recovery:
            return
        if not self.applied or self.trash is None or not self.trash.take(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)

    def ahead(self, folders: Sequence[str]) -> None:
        """Make the folders of the staged `folders` in the background once this run writes
        a file: then each will be swapped in, built whole by `prepare` (this run's files and
        links to the published ones it keeps), and the folders of its tree can be made while
        the run works on its stories and collections. A `mkdir` costs a fraction of a
        millisecond, and an edit in an archive of 500 stories spent 0.4 s of its 2.4 s on a
        thousand of them. `prepare` waits for them and makes any still missing."""
        self._ahead = _Ahead(self, tuple(folders))

    def prefer_in_place(self) -> None:
        """Publish in place when `prepare` finds that it can: this run changes a few files of
        many (see `MOVES_SHARE`), out/ has every folder, and no new file goes where out/
        has a folder, or under a file or a link. Then only the new files are moved in and the
        files of syndicate's that go are deleted: an edit in an archive of 500 stories linked
        15,000 published files into new folders (and the next run deleted the old ones) to
        change a dozen. Otherwise the folders are built whole and swapped in, as without."""
        self._in_place = True

    def add(self, file: OutputFile, twins: Twins | None = None) -> None:
        """Stage `file`; `twins`: the large files of the same story staged before it."""
        rel = checked_path(file.path)
        try:
            existed, same = stage_file(self._dir, self._out, rel, file.data, twins)
        except OSError as exc:
            if self._blocked(rel):
                return
            raise _output_error(self.out, exc) from None
        if existed and not same and stat.S_ISDIR(_mode(os.path.join(self._out, rel))):
            # a folder of the user's where the file goes, staged with no folder of out/'s
            # made in staging before it (a run that makes no story again: a collection file
            # of syndicate's the user replaced): said as `take` says it
            self.folders_in_way.append(rel)
            return
        self._note(rel, existed, same)

    def _blocked(self, rel: str) -> bool:
        """Whether a file could not be staged for a folder of the user's where it goes
        (linked into staging with out/'s folders): then it is noted in `folders_in_way`, to
        be said with every other file of theirs in the way, else the error is out/'s."""
        target = os.path.join(self._dir, rel)
        if os.path.isdir(target) and not os.path.islink(target):
            self.folders_in_way.append(rel)
            return True
        return False

    def take(self, staged: Staged) -> None:
        """Put in place a file a worker staged (`stage_file`, which said whether out/ has the
        path and whether with these bytes): one rename, its bytes not sent."""
        rel = checked_path(staged.path)
        target = os.path.join(self._dir, rel)
        there = os.path.join(self._out, rel)
        mine = staged.existed and not staged.same and not os.path.islink(there)
        if mine and os.path.isdir(there):  # a folder of the user's, said as `add` says it
            self.folders_in_way.append(rel)
            return
        try:
            self._folder(os.path.dirname(target))
            os.rename(os.path.join(staged.folder, staged.name), target)
        except OSError as exc:
            if self._blocked(rel):
                return
            raise _output_error(self.out, exc) from None
        self._note(rel, staged.existed, staged.same)

    def _note(self, rel: str, existed: bool, same: bool) -> None:
        self.produced.add(rel)
        if same:
            self.unchanged += 1
            return
        if rel not in self.owned and existed:
            (self.adopted if self.adopt else self.foreign).append(rel)
        (self.changed if existed else self.created).append(rel)
        self.written += 1
        if self.written == 1:
            self.expect_writes()
        if self.written <= FSYNC_FILES:
            self._written.append(os.path.join(self._dir, rel))

    def expect_writes(self) -> None:
        """This run is about to write files (it makes stories again, or it wrote one): start
        making the folders `ahead`, if asked to."""
        if self._ahead is not None:
            self._ahead.start()

    def flush_ahead(self) -> None:
        """Start writing the many files staged so far to disk, in the background (one `sync`
        of the machine, in a thread), while the run goes on to its collections: the `sync`
        that `prepare` makes before any swap then has only the later files left to flush."""
        if self.written > FSYNC_FILES and self._flushing is None:
            self._flushing = threading.Thread(target=os.sync, name="syndicate-sync", daemon=True)
            self._flushing.start()
        if self.written and self._ahead is not None:
            self._ahead.link(self.reused)  # the stories' kept files, while collections run

    def link_ahead(self, kept: Sequence[str]) -> None:
        """Start linking the published files `kept` (checked paths) into staging now, in
        the helper (`_Ahead.link`): the files of the stories a run already knows it keeps,
        before it makes the others (an edit keeps nearly every file, and linking 15,000
        took longer than the collections `flush_ahead` overlaps it with). Those this run
        ends up not keeping are taken out again by `prepare`."""
        if kept and self._ahead is not None:
            self._ahead.link(kept)

    def units(self) -> str:
        """Where workers on this machine stage their units' files (`UNITS`)."""
        return os.path.join(self._dir, UNITS)

    def reuse(self, path: str) -> None:
        """Keep the published out/`path` as it is (an output whose inputs did not change)."""
        rel = checked_path(path)
        self.produced.add(rel)
        self.reused.append(rel)
        self.unchanged += 1

    def prepare(self, folders: Sequence[str], *, keep_others: bool) -> Plan:
        """Build the new `folders` in staging: this run's files, the user's files, and with
        `keep_others` the earlier files of syndicate's this run did not produce (a run limited
        to some languages); without it those are removed (deleted stories disappear). A run
        that changes nothing plans no swap: out/ is left alone. Nothing in out/ changes yet."""
        in_the_way = {*self._in_the_way(folders), *self._under_theirs()}
        if self.foreign or in_the_way or self.folders_in_way:
            raise ForeignFiles(
                [PurePosixPath(path) for path in sorted(self.foreign)],
                [PurePosixPath(path) for path in sorted(in_the_way)],
                [PurePosixPath(path) for path in sorted(set(self.folders_in_way))],
            )
        try:
            in_place = all((self.out / folder).is_dir() for folder in folders)
            if self.written == 0 and in_place and not self._unproduced(folders):
                # Nothing written and nothing of syndicate's to remove or keep: out/ already
                # is this run's output, and the folders need no walk (the user's files in
                # them are only moved along in a swap).
                owned = tuple(sorted(self.produced))
                return Plan(self.dir.name, (), PublishReport(0, self.unchanged, 0), owned, ())
            if self._in_place and (plan := self._plan_in_place(folders, keep_others)):
                return plan
            linked: frozenset[str] = frozenset()
            if self._ahead is not None:
                linked = self._ahead.finish()
            stale, theirs = self._others(folders)
            kept = stale if keep_others else []
            # (`stale` are not among this run's files: no path twice, and no copy of the set)
            owned = tuple(sorted([*self.produced, *map(str, kept)]))
            if self.written == 0 and (keep_others or not stale) and in_place:
                return Plan(self.dir.name, (), PublishReport(0, self.unchanged, 0), owned, ())
            for path in self.reused:
                if path not in linked:
                    self._link_published(path)
            for path in theirs:
                self._link_published(path)
            if self._ahead is not None:
                self._unlink_unkept(self._ahead.sent, {*map(str, kept), *theirs})
            removed: list[PurePosixPath] = []
            for rel in stale:
                if keep_others:
                    if str(rel) not in linked:
                        self._link_published(rel)
                else:
                    removed.append(rel)
            for rel in removed:  # their folders, made ahead, are not swapped in empty
                _prune(self.dir, str(rel))
            for folder_rel in reversed(self._access):  # deepest first, once all is linked
                self._same_access(folder_rel)
            swaps = []
            for folder in folders:
                new_dir = self.dir / folder
                make_folders(new_dir)
                swaps.append(Swap(folder, new_dir.stat().st_ino))
            self._flush()
        except OSError as exc:
            raise _output_error(self.out, exc) from None
        report = PublishReport(self.written, self.unchanged, len(removed))
        return Plan(self.dir.name, tuple(swaps), report, owned, tuple(removed))

    def _in_the_way(self, folders: Sequence[str]) -> list[str]:
        """What stands where one of `folders` (or a folder around it, `partners` of
        `partners/msn`) goes and is not a folder: a file or a link of the user's, which the
        swap would put away with the old folder."""
        found: list[str] = []
        for folder in folders:
            for rel in (*reversed(list(_parents(folder))), folder):
                try:
                    mode = os.lstat(f"{self._out}/{rel}").st_mode
                except FileNotFoundError:
                    break
                except OSError:
                    continue  # out/ cannot be looked at: publishing it says why
                if not stat.S_ISDIR(mode):
                    if rel not in found:
                        found.append(rel)
                    break
        return found

    def _under_theirs(self) -> set[str]:
        """Files or links of the user's where a folder of this run's new files goes (a file
        `html/fr` where html/fr/ goes), said with everything else in the way: the swap met
        them only once the user's files were linked into staging, each export naming one.
        Only new files can go under one (out/ has no file under a file), and each folder is
        looked at once."""
        found: set[str] = set()
        seen: set[str] = set()
        for rel in self.created:
            parent = rel.rpartition("/")[0]
            while parent and parent not in seen:
                seen.add(parent)
                try:
                    mode = os.lstat(f"{self._out}/{parent}").st_mode
                except OSError:  # not there (or under a file, found above it)
                    mode = stat.S_IFDIR
                if not stat.S_ISDIR(mode) and parent not in self.owned:
                    found.add(parent)
                parent = parent.rpartition("/")[0]
        return found

    def _flush(self) -> None:
        """Put the new files on disk before any goes live, so a power cut cannot publish torn
        files: a few (an edit) synced one by one with their folders, many with one sync for
        the whole machine (cheaper than a fsync per file then)."""
        if self.written > FSYNC_FILES:
            if self._flushing is not None:
                self._flushing.join()
            os.sync()
        elif self.written:
            for path in self._written:
                _fsync(path)
            for folder in sorted({os.path.dirname(path) for path in self._written}):
                _fsync(folder)

    def _plan_in_place(self, folders: Sequence[str], keep_others: bool) -> Plan | None:
        """The plan that moves this run's new files into out/ and deletes syndicate's files
        that go, when it can be made (see `prefer_in_place`); else None. Syndicate's files
        that go are known from the build state's list (no walk of the folders): those of it
        out/ still has as files. The user's files stay where they are, untouched."""
        if not all(stat.S_ISDIR(_mode(self.out / folder)) for folder in folders):
            return None
        new = [*self.created, *self.changed]
        prefixes = tuple(f"{folder}/" for folder in folders)
        produced = self.produced
        stale = []
        for path in self.owned:
            if path.startswith(prefixes) and path not in produced:
                mode = _mode(self.out / path)
                if mode and not stat.S_ISDIR(mode):
                    stale.append(path)
        stale.sort()
        removed = [] if keep_others else stale
        if len(new) + len(removed) > len(self.owned) // MOVES_SHARE + FSYNC_FILES:
            return None
        if not self._fits(new):
            return None
        moves = []
        for path in sorted(new, key=lambda p: (os.path.splitext(p)[1] in _LINKING, p)):
            moves.append((path, os.lstat(os.path.join(self._dir, path)).st_ino))
        self._flush()
        owned = tuple(sorted([*produced, *(stale if keep_others else ())]))
        report = PublishReport(self.written, self.unchanged, len(removed))
        return Plan(
            self.dir.name,
            (),
            report,
            owned,
            tuple(map(PurePosixPath, removed)),
            tuple(moves),
            tuple(removed),
        )

    def _fits(self, paths: Sequence[str]) -> bool:
        """Whether each of `paths` can be moved into out/ as it is: nothing at the path but
        a file, and each folder on the way a folder or nothing yet (never a file, and never
        a link: a rename through a user's link would write outside syndicate's folders)."""
        seen: dict[str, bool] = {}
        """Folders looked at, and whether each fits (those above one are looked at with it)."""
        for path in paths:
            mode = _mode(self.out / path)
            if mode and stat.S_ISDIR(mode):
                return False
            for folder in _parents(path):
                fits = seen.get(folder)
                if fits is None:
                    mode = _mode(self.out / folder)
                    fits = seen[folder] = not mode or stat.S_ISDIR(mode)
                elif fits:
                    break
                if not fits:
                    return False
        return True

    def apply(self, plan: Plan) -> None:
        """Swap the planned folders in (or move the files in and delete those that go).
        Interrupts (Ctrl-C, SIGTERM) wait until every step is done; a crash midway is
        completed by `recover` on the next run."""
        if not plan.steps:
            return
        try:
            with deferred_signals():
                _apply(self.out, plan)
                self.applied = True
        except OSError as exc:
            self.kept_for_recovery = True  # the journal names this staging folder
            where = _failed_at(exc, self.out)
            raise PartlyPublished(
                f"cannot publish into {where}: {exc.strerror or exc}; out/ may hold part of this"
                " run's files until an export completes the publication, which the next one"
                " does first once that can be written"
            ) from None

    def commit(self, folders: Sequence[str], *, keep_others: bool) -> PublishReport:
        """`prepare` and `apply` in one step, for callers without a build state."""
        plan = self.prepare(folders, keep_others=keep_others)
        self.apply(plan)
        return plan.report

    def _unlink_unkept(self, sent: Sequence[str], kept: set[str]) -> None:
        """Take out of staging the files the helper linked (`sent`) that this run does not
        keep after all (a story it held back, a path two stories claim): they were never
        its to publish."""
        produced = self.produced
        for path in sent:
            if path not in produced and path not in kept:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self._dir}/{path}")
                _prune(self.dir, path)

    def _unproduced(self, folders: Sequence[str]) -> bool:
        """Whether syndicate wrote files in `folders` (by the build state's list, on disk or
        not) that this run did not produce."""
        prefixes = tuple(f"{folder}/" for folder in folders)
        produced = self.produced
        return any(p.startswith(prefixes) and p not in produced for p in self.owned)

    def _others(self, folders: Sequence[str]) -> tuple[list[PurePosixPath], list[str]]:
        """Files of `folders` this run did not produce: syndicate's (stale) and the user's.
        The user's folders are made in staging too, empty ones included. (Paths as strings:
        out/ may hold many files.)"""
        stale: list[PurePosixPath] = []
        theirs: list[str] = []
        staging = os.fspath(self.dir)
        produced, owned = self.produced, self.owned
        for folder in folders:
            for base, dirs, names in self._tree(folder):
                if base == folder:
                    self._folder(os.path.join(staging, base))
                    self._access.append(base)
                for name in dirs:
                    self._folder(os.path.join(staging, base, name))
                    self._access.append(f"{base}/{name}")
                for name in names:
                    rel = f"{base}/{name}"
                    if rel in produced:
                        continue
                    if rel in owned:
                        stale.append(PurePosixPath(rel))
                    else:
                        theirs.append(rel)
        return sorted(stale), sorted(theirs)

    def _same_access(self, rel: str) -> None:
        """Give the staging folder `rel` the permissions and owner of out/'s: a folder the
        user made private (`chmod 700`) stays private when its format's folder is rebuilt
        (it was made again with the default permissions, readable by the web server)."""
        try:
            now = os.lstat(f"{self._out}/{rel}")
            target = f"{self._dir}/{rel}"
            made = os.lstat(target)
        except FileNotFoundError:  # gone from out/ meanwhile, or pruned from staging
            return
        if not stat.S_ISDIR(now.st_mode):
            return
        if stat.S_IMODE(made.st_mode) != stat.S_IMODE(now.st_mode):
            os.chmod(target, stat.S_IMODE(now.st_mode))
        if (made.st_uid, made.st_gid) != (now.st_uid, now.st_gid):
            with contextlib.suppress(PermissionError):  # only root gives files away
                os.chown(target, now.st_uid, now.st_gid)

    def _tree(self, folder: str) -> Iterator[tuple[str, list[str], list[str]]]:
        """out/`folder` as `os.walk` lists it, top down: each folder's path from out/, its
        folders, and its files (links to folders among them: they are linked as they are,
        not walked). A folder that cannot be listed is left out, as `os.walk` does. (By hand:
        `os.walk` looks at every folder twice more, to tell links and to make its path.)"""
        out = os.fspath(self.out)
        pending = [folder]
        while pending:
            base = pending.pop()
            dirs: list[str] = []
            names: list[str] = []
            try:
                with os.scandir(f"{out}/{base}") as entries:
                    for entry in entries:
                        (dirs if _is_folder(entry) else names).append(entry.name)
            except OSError:
                continue
            yield base, dirs, names
            pending.extend(f"{base}/{name}" for name in reversed(dirs))

    def _folder(self, path: str) -> None:
        """Make the staging folder `path` (and its parents), once. Its parent is usually
        there (`_others` goes top down, and `_Ahead` may have made it too): one `mkdir` (and
        its mode, `FOLDER_MODE`)."""
        if path not in self._made:
            make_folders(path)
            self._made.add(path)

    def _link_published(self, rel: PurePosixPath | str) -> None:
        rel = os.fspath(rel)  # checked: relative, no `..` (a run links thousands)
        target = f"{self._dir}/{rel}"
        folder = target.rpartition("/")[0]
        if folder not in self._made:
            self._folder(folder)
        source = f"{self._out}/{rel}"
        try:
            os.link(source, target, follow_symlinks=False)
        except FileExistsError:  # linked by a helper that then failed (`_Ahead`)
            if os.path.isdir(target) and not os.path.islink(target):
                # a file of the user's where this run's folder goes (a new story's media/)
                raise ForeignFiles([], [PurePosixPath(rel)]) from None
            if not _same_file(source, target):
                os.unlink(target)
                os.link(source, target, follow_symlinks=False)


_AHEAD = """
import os, sys
os.umask(0o022)  # its folders FOLDER_MODE, as the run's (`make_folders`)
parent, out, staging, *folders = sys.argv[1:]
for folder in folders:
    for top, dirs, _ in os.walk(os.path.join(out, folder)):
        if os.getppid() != int(parent):
            sys.exit(1)  # the run was killed: its staging folder is to be removed
        base = os.path.join(staging, os.path.relpath(top, out))
        for name in dirs:
            if not os.path.islink(os.path.join(top, name)):
                os.makedirs(os.path.join(base, name), exist_ok=True)
"""
"""`Staging.ahead`'s program: the folders of out/'s `folders` (not links to folders, which are
linked as files), made in staging, as `Staging._others` makes them. It stops if the run that
started it is gone (killed: the next run removes its staging folder)."""


_LINK = """
import os, sys
os.umask(0o022)  # its folders FOLDER_MODE, as the run's (`make_folders`)
parent, out, staging, listing = map(os.fsencode, sys.argv[1:])
with open(listing, "rb") as paths:
    for count, rel in enumerate(paths.read().split(b"\\0")):
        if count % 1024 == 0 and os.getppid() != int(parent):
            sys.exit(1)
        target = os.path.join(staging, rel)
        try:
            os.link(os.path.join(out, rel), target, follow_symlinks=False)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(os.path.join(out, rel), target, follow_symlinks=False)
"""
"""`Staging.ahead`'s second program: the published files a run keeps (the paths of the file
`listing`, NUL-separated), linked into staging as `Staging._link_published` links them. Exit
status 0: every one is linked. It too stops if its run is gone."""
_LISTING = ".kept"
"""The file of a staging folder that lists the kept files for `_LINK` (never swapped in)."""


class _Ahead:
    """`Staging.ahead`'s helper process. A process, not a thread: each `mkdir` is a system
    call that releases the interpreter's lock, and a thread waits to take it back from the
    busy run after every one (a thread made a thousand folders in a second where the run
    alone takes 0.4 s). Whatever it does not do (it failed, or out/ changed since), `prepare`
    does; it only ever makes folders that `prepare` would make."""

    def __init__(self, staging: Staging, folders: tuple[str, ...]) -> None:
        self.staging = staging
        self.folders = folders
        self.where = [str(os.getpid()), os.fspath(staging.out), staging._dir]
        """What both programs are told first: the run's process, out/ and the staging folder."""
        self.process: subprocess.Popen[bytes] | None = None
        self.linking: subprocess.Popen[bytes] | None = None
        """The second helper (`link`), if it runs."""
        self.sent: Sequence[str] = ()
        """The published files it was given to link."""

    def start(self) -> None:
        if self.process is None and self.folders:
            self.process = _helper(_AHEAD, [*self.where, *self.folders])

    def link(self, kept: Sequence[str]) -> None:
        """Start linking the published files `kept` (checked paths; a copy is taken, the
        list may grow) into staging, in a second helper process, once: the folders are made
        by then or as it goes."""
        if self.process is None or self.linking is not None or not kept:
            return
        sent = tuple(kept)
        listing = os.path.join(self.staging._dir, _LISTING)
        try:
            with open(listing, "wb") as file:
                file.write(b"\0".join(map(os.fsencode, sent)))
        except OSError:
            return
        self.linking = _helper(_LINK, [*self.where, listing])
        if self.linking is not None:
            self.sent = sent

    def finish(self) -> frozenset[str]:
        """Wait until the helpers are done; the files they linked (none if the second helper
        failed: some may be, which `prepare` checks, and takes out those not kept)."""
        if self.process is not None:
            self.process.wait()
            self.process = None
        if self.linking is None:
            return frozenset()
        status, self.linking = self.linking.wait(), None
        return frozenset(self.sent) if status == 0 else frozenset()

    def stop(self) -> None:
        """Stop them now (the run failed or was interrupted)."""
        for process in (self.process, self.linking):
            if process is not None:
                process.kill()
        self.finish()


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder, not a link to one (as `os.walk` tells them, an entry it cannot look at is
    not a folder)."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _helper(program: str, args: Sequence[str]) -> subprocess.Popen[bytes] | None:
    """Run `program` in a helper process (this Python, isolated, without `site`), or None."""
    try:
        return subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", program, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        log.debug("cannot start a helper process", exc_info=True)
        return None


_EMPTY = """
import shutil, sys
for path in sys.argv[1:]:
    shutil.rmtree(path, ignore_errors=True)
"""
"""`Trash.empty_ahead`'s program: the folders it is given, removed."""


class Trash:
    """A folder of the build state's where a run's staging folder goes when the run is done,
    in one rename: after a publication it holds the folders the run replaced (every file of
    each swapped format folder, and its folders), and deleting them took an edit in a
    500-story archive 0.5 s before the command could return. The next run removes what is
    there in a helper process while it works (`empty_ahead`), and waits for it at its end
    (`wait`). Nothing of out/ is there: out/ never holds a run's leftovers after the run.
    A staging folder on another file system than the trash is deleted as before."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    def empty_ahead(self) -> None:
        """Start removing what earlier runs left here."""
        try:
            found = sorted(os.path.join(self.folder, name) for name in os.listdir(self.folder))
        except OSError:
            return  # none yet
        if not found:
            return
        self.process = _helper(_EMPTY, found)
        if self.process is None:  # no helper: removed here, as before
            for path in found:
                shutil.rmtree(path, ignore_errors=True)

    def wait(self) -> None:
        """Wait until what `empty_ahead` started is removed."""
        if self.process is not None:
            self.process.wait()
            self.process = None

    def take(self, folder: Path) -> bool:
        """Move `folder` here (under a name of its own); False when it cannot be."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            place = tempfile.mkdtemp(prefix="run-", dir=self.folder)
        except OSError:
            return False
        try:
            os.rename(folder, place + "/staging")
        except OSError:  # another file system: nothing of it left here
            with contextlib.suppress(OSError):
                os.rmdir(place)
            return False
        return True


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done (in the main thread; elsewhere the
    block just runs): an interrupt then arrives after, when what it says is true."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Python handlers, not a signal mask: a signal sent to the process may land on another
    # thread (a progress bar, a pool's manager) whose mask is open, and Python then runs the
    # handler in this thread anyway.
    received: list[int] = []

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    previous = {held: signal.signal(held, hold) for held in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for held, handler in previous.items():
            if handler is not None:  # None: set outside Python, left as it is
                signal.signal(held, handler)
        if received:
            signal.raise_signal(received[0])  # now, to the handler it was meant for


def unwritable(out: Path, plan: Plan) -> str | None:
    """A folder of out/ that applying `plan` must change but this user may not write (a
    format's folder owned by another user, made read-only, immutable, on a file system
    mounted read-only), said as the output error; None when every one may be written. Looked
    at before the build state records the plan: a swap that failed midway would leave out/
    part new and part old until an export could complete it."""
    looked: dict[Path, bool] = {}

    def writable(folder: Path) -> bool:
        while not os.path.lexists(folder) and folder != out:
            folder = folder.parent  # a folder not there yet is made in the nearest one that is
        if folder not in looked:
            # access(2) itself: faccessat2, which `follow_symlinks=False` asks for, is
            # refused by container seccomp profiles older than it (every folder "unwritable")
            looked[folder] = os.access(folder, os.W_OK)
        return looked[folder]

    needed = [out / swap.folder for swap in plan.swaps if _mode(out / swap.folder)]
    needed += [(out / swap.folder).parent for swap in plan.swaps]
    needed += [(out / path).parent for path, _ in plan.moves]
    needed += [(out / path).parent for path in plan.deletes]
    for folder in needed:
        if not writable(folder):
            return (
                f"cannot publish into {folder}: this user ({_user()}) may not write it; make"
                " it writable (chmod u+w, chown, or run as its owner); nothing was published,"
                " the previous output is unchanged"
            )
    return None


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return f"uid {os.geteuid()}"


def _apply(out: Path, plan: Plan) -> None:
    staging = out / plan.staging
    for swap in plan.swaps:
        live, new_dir = out / swap.folder, staging / swap.folder
        if _inode(live) == swap.inode:
            continue  # swapped before an interruption
        if _inode(new_dir) != swap.inode:
            raise FileNotFoundError(errno.ENOENT, "the staged folder is gone", str(new_dir))
        _swap_in(new_dir, live)
    changed = {out}
    for path, inode in plan.moves:
        live, new = out / path, staging / path
        if _inode(live) == inode:
            continue  # moved before an interruption
        if _inode(new) != inode:
            raise FileNotFoundError(errno.ENOENT, "the staged file is gone", str(new))
        _move_in(new, live)
        changed.add(live.parent)
    for path in plan.deletes:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(out / path)
            changed.add((out / path).parent)
    for path in plan.deletes:
        changed.update(_prune(out, path))
    for folder in sorted(changed):
        if folder.is_dir():
            _fsync_dir(folder)


def _prune(out: Path, path: str) -> list[Path]:
    """The folders the file `path` was in, removed while empty (a killed story's
    `html/media/<slug>/`), up to but not including its format's top folder; the folders that
    held them, to sync. A folder holding anything, a file of one's own included, stays."""
    parts = PurePosixPath(path).parts[:-1]
    held: list[Path] = []
    while len(parts) > 1:
        folder = out.joinpath(*parts)
        try:
            os.rmdir(folder)
        except OSError:  # not empty, or already gone
            break
        parts = parts[:-1]
        held.append(out.joinpath(*parts))
    return held


def recover(out: Path, journal: str) -> str | None:
    """Complete the publication a crashed run had begun (its `Plan.journal`): every folder it
    planned is swapped in, so out/ is the new set, as the build state already says. None when
    done; else why it cannot be (its staging folder was removed, a folder cannot be written)."""
    try:
        data = json.loads(journal)
        plan = Plan(
            str(data["staging"]),
            tuple(Swap(str(f), int(i)) for f, i in data["swaps"]),
            PublishReport(0, 0, 0),
            (),
            (),
            tuple((checked_path(str(p)), int(i)) for p, i in data.get("moves", ())),
            tuple(checked_path(str(p)) for p in data.get("deletes", ())),
        )
        check_path(plan.staging)
        with deferred_signals():
            _apply(out, plan)
    except FileNotFoundError:
        return "its staged files are gone"
    except OSError as exc:
        return f"{_failed_at(exc, out)}: {exc.strerror or exc}"
    except (ValueError, KeyError, TypeError, OutputError):
        return "its journal is unreadable"
    return None


def _inode(path: Path) -> int | None:
    try:
        return path.lstat().st_ino
    except OSError:
        return None


def _mode(path: Path | str) -> int:
    """The file's mode, not following a link; 0 when there is nothing there."""
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


def _parents(path: str) -> Iterator[str]:
    """The folders on the way to `path` (`a/b/c`: `a/b`, `a`)."""
    folder = os.path.dirname(path)
    while folder:
        yield folder
        folder = os.path.dirname(folder)


def _move_in(new: Path, live: Path) -> None:
    """Put the staged file `new` at `live` in one rename (over the old file, if any: `replace`,
    which Windows needs for that), making the folders it needs."""
    try:
        os.replace(new, live)
    except FileNotFoundError:
        if not new.exists():
            raise
        make_folders(live.parent)
        os.replace(new, live)


def unwritable_folder(folder: Path, exc: OSError) -> str:
    """Why the folder of a build state (its lock, its database, the delivery ledgers) cannot
    be made or written, and what to do: it is syndicate's cache (the site's `.syndicate/`, or
    `SYNDICATE_CACHE_DIR`), which a run cannot do without."""
    why = exc.strerror or str(exc)
    elsewhere = (
        "set SYNDICATE_CACHE_DIR to a folder {}, where the build state and the delivery"
        " ledgers are then kept"
    )
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        here = folder
        while not os.path.isdir(here) and here.parent != here:
            if os.path.lexists(here):
                which = "it" if here == folder else str(here)
                return (
                    f"cannot write to {folder}: {which} is a file, not a folder: move it away,"
                    f" or {elsewhere.format('of its own')}"
                )
            here = here.parent
    elif exc.errno == errno.EROFS:
        why += f": its disk is mounted read-only; {elsewhere.format('on a writable disk')}"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why += (
            ": give the user syndicate runs as write access to it, or"
            f" {elsewhere.format('it can write')}"
        )
    elif exc.errno == errno.ENOSPC:
        why += f": its disk is full; free some space, or {elsewhere.format('on another disk')}"
    return f"cannot write to {folder}: {why}"


def _output_error(out: Path, exc: OSError) -> OutputError:
    why = exc.strerror or str(exc)
    if exc.errno == errno.ENAMETOOLONG:
        why += f": a name in the path is longer than {NAME_MAX} bytes; choose a shorter one"
    elif exc.errno == errno.EROFS:  # (no access given makes a read-only disk writable)
        why += ": its disk is mounted read-only; export to a folder on a writable one (--out)"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why += (
            ": give the user syndicate runs as write access to it, or export to a folder it can"
            " write (--out)"
        )
    return OutputError(f"cannot write to {out}: {why}; the previous output is unchanged")


def _swap_in(new_dir: Path, live: Path) -> None:
    """Put `new_dir` at `live` atomically: exchange the two when the kernel can (Linux
    renameat2), else move the old one aside and the new one in."""
    if live.exists():
        if _exchange(new_dir, live):
            return  # the old folder now sits in staging and goes with it
        os.rename(live, new_dir.with_name(new_dir.name + ".old"))
    make_folders(live.parent)  # a nested folder's parent (`partners/`)
    os.rename(new_dir, live)


@functools.cache
def _renameat2() -> Any:
    """libc's `renameat2`, or None. Looked up once a process, first among the symbols the
    interpreter has loaded (its libc's, on Linux): finding libc by name
    (`ctypes.util.find_library`) runs `ldconfig` in a process of its own, which every
    export into an existing out/ paid. ctypes is imported here, by the first exchange: a run
    that publishes nothing (one that changes nothing) does not load it."""
    import ctypes
    import ctypes.util

    found = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if found is not None:
        return found
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    return getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    import ctypes  # (loaded by `_renameat2`)

    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def stage_file(
    folder: str,
    out: str,
    rel: str,
    data: bytes,
    twins: Twins | None = None,
    name: str | None = None,
) -> tuple[bool, bool]:
    """Put `data` at `folder`/`name` (by default `rel`), making its folders as needed: a hard
    link to out/`rel` when that file has exactly these bytes (kept as it is, its time too),
    else a link to a large file with these bytes staged just before (`twins`), else a new
    file, mode 0644. Whether out/ has something at `rel`, and whether these bytes. Something
    already at the place (a unit run again) is replaced, never written through: it may be a
    link to a published file. `rel` must be checked (`checked_path`); raises OSError."""
    target, old = os.path.join(folder, name or rel), os.path.join(out, rel)
    if _same_bytes(old, data):
        _place(target, os.link, old)
        return True, True
    existed = os.path.lexists(old)
    if twins is None:
        _place(target, _write_file, data)
        return existed, False
    twin = twins.find(data)
    try:
        if twin is not None:
            _place(target, os.link, twin)
    except OSError:  # a file system without links: written like any other
        twin = None
    if twin is None:
        _place(target, _write_file, data)
    twins.add(data, target)
    return existed, False


class Twins:
    """The large files of one story staged last (its photo, its book), by size: a file with
    the same bytes as one of them (the photo again, in another format's folder) is staged as
    a link to it rather than written again. Both names then are one file on disk, as an
    unchanged file is one file with the one published before it; neither is ever written
    through (`stage_file`). One story's: it holds their bytes, which its results hold anyway
    (a collection's files, a sitemap of tens of megabytes, are never kept)."""

    SMALLEST = 16384
    """Smaller files are written: looking costs about what writing them does."""
    KEPT = 16

    def __init__(self) -> None:
        self._staged: dict[int, tuple[bytes, str]] = {}

    def find(self, data: bytes) -> str | None:
        found = self._staged.get(len(data)) if len(data) >= self.SMALLEST else None
        return found[1] if found is not None and found[0] == data else None

    def add(self, data: bytes, path: str) -> None:
        if len(data) < self.SMALLEST:
            return
        if len(self._staged) >= self.KEPT and len(data) not in self._staged:
            del self._staged[next(iter(self._staged))]
        self._staged[len(data)] = (data, path)


def _place(target: str, make: Callable[[Any, str], None], what: Any) -> None:
    try:
        make(what, target)
    except FileNotFoundError:
        make_folders(os.path.dirname(target))
        make(what, target)
    except FileExistsError:
        os.unlink(target)
        make(what, target)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        found = os.stat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_CREATE |= getattr(os, "O_BINARY", 0)  # Windows


def _write_file(data: bytes, path: str) -> None:
    """A new file at `path` (none may be there) with `data`, `FILE_MODE` whatever the umask."""
    fd = os.open(path, _CREATE, FILE_MODE)
    try:
        if hasattr(os, "fchmod"):  # not on Windows before Python 3.13
            os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    if not hasattr(os, "fchmod"):
        os.chmod(path, FILE_MODE)


def _same_file(one: str, two: str) -> bool:
    try:
        first, second = os.lstat(one), os.lstat(two)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _fsync_dir(path: Path) -> None:
    _fsync(os.fspath(path))


def _fsync(path: str) -> None:
    """Flush a file or a folder (its entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(out: Path) -> None:
    """Staging folders of a run that was killed: never published, safe to delete."""
    for path in out.glob(".*staging-*"):
        if _STAGING_NAME.fullmatch(path.name) and _made_by_mkdtemp(path):
            shutil.rmtree(path, ignore_errors=True)


def _made_by_mkdtemp(path: Path) -> bool:
    """A folder only its owner may enter (`mkdtemp` makes it so), owned by this user."""
    try:
        status = path.lstat()
    except OSError:
        return False
    mine = status.st_uid == os.geteuid()
    return stat.S_ISDIR(status.st_mode) and stat.S_IMODE(status.st_mode) == 0o700 and mine
