"""A story's files carried to a worker that shares no file system with the export: taken on the
driver (`snapshot`), laid out again in the worker's scratch folder (`Mirror`), read there by the
ordinary reader, and the story's paths mapped back to the driver's (`Mirror.relocate`), so every
executor gives the same story, the same problems at the same `file:line`, the same bytes.

The mirror keeps what the reader judges: file names, sizes, links and what they point to (inside
the story folder, or outside it), never the content of a file outside the story folder."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import stat
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from syndicate.build.inputs import code_digest, digest
from syndicate.diagnostics import Diagnostic
from syndicate.model import SiteConfig, SourceRef, Story
from syndicate.model.site import is_left_aside, is_template
from syndicate.readers.budgets import MAX_IMAGE_BYTES, MAX_TEXT_BYTES
from syndicate.readers.folders import links_outside, shown_path
from syndicate.readers.safefile import Refused, read_checked, read_regular, resolved
from syndicate.readers.storyfiles import LANGUAGE_SUFFIX, STORY_FILE

CARRIED_BYTES = MAX_IMAGE_BYTES
"""Files up to the largest size any reader accepts travel whole; a larger one travels as its
size alone (the reader refuses it before reading, and must say the same size), as does a
file with several names on disk (a hard link, refused too)."""
Kind = Literal["file", "large", "withheld", "dir", "fifo", "socket", "device", "link"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One thing in a story folder. A link holds where it points: a relative path inside the
    folder, or `outside-file:SIZE`, `outside-dir`, `outside-missing` for what lies beyond it
    (whose content never travels)."""

    path: str
    """POSIX path relative to the story folder."""
    kind: Kind
    data: bytes = b""
    size: int = 0
    target: str = ""
    shown: str = ""
    """A link as problems show it on the driver (`shown_path` follows links)."""
    links: int = 1
    """How many names the file has on disk (a hard link is refused)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A story folder as the driver sees it, and the names under which it shows it."""

    name: str
    folder: str
    """The folder as given to the build (`str(path)`)."""
    shown: str
    """As problems show it (`shown_path`)."""
    resolved: str
    entries: tuple[Entry, ...]
    outside: bool = False
    """Whether the folder is a link out of the articles folder (`links_outside`): nothing of
    it travels, and the mirror is such a link too, which its reading refuses."""
    loop: bool = False
    """Whether the folder is a loop of links: nothing of it travels, and the mirror is such a
    loop too, which its reading refuses."""


def snapshot(folder: Path, *, lean: bool = False) -> Snapshot:
    """Everything in `folder`, without following links out of it; with `lean`, the content of
    only the files the story's texts may use (`_wanted`): the others travel as their size
    (`withheld`), and a reading that opens one is sent again whole (`Withheld`)."""
    try:
        root = resolved(folder)
    except Refused:  # a loop of links
        return Snapshot(folder.name, str(folder), shown_path(folder), str(folder), (), loop=True)
    if links_outside(folder):
        return Snapshot(folder.name, str(folder), shown_path(folder), str(root), (), True)
    entries: list[Entry] = []
    for top, dirs, files in os.walk(folder):
        base = Path(top)
        for name in sorted(dirs) + sorted(files):
            path = base / name
            rel = path.relative_to(folder).as_posix()
            entries.append(_entry(path, rel, root, read=not lean))
    if lean:
        entries = _wanted(folder, entries)
    return Snapshot(folder.name, str(folder), shown_path(folder), str(root), tuple(entries))


def _wanted(folder: Path, entries: list[Entry]) -> list[Entry]:
    """`entries` with the content of the files the story may read: its texts, and the files
    whose path one of them writes (its images); every file of a folder that holds a link
    (what a path names is then for the reader to find). A photographer's originals or a
    video beside the story were read and sent with every task, up to 20 MB a file, which the
    reader never opens: the driver's memory grew by gigabytes, and the run took 5 times as
    long."""
    linked = any(entry.kind == "link" for entry in entries)
    texts = {e.path for e in entries if "/" not in e.path and _is_text(e.path)}
    read = [_read(folder / e.path, e) if e.path in texts or linked else e for e in entries]
    if linked:
        return read
    written = b"\n".join(e.data for e in read if e.path in texts and e.kind == "file")
    return [_read(folder / e.path, e) if _written(e.path, written) else e for e in read]


def _is_text(name: str) -> bool:
    return name == STORY_FILE or name.endswith(LANGUAGE_SUFFIX)


def _written(rel: str, texts: bytes) -> bool:
    """Whether `rel` may be named in `texts`: as it is, in either Unicode form, or
    %-escaped (a Markdown link)."""
    forms = {rel, unicodedata.normalize("NFC", rel), unicodedata.normalize("NFD", rel)}
    forms |= {quote(form) for form in forms}
    return any(form.encode("utf-8", "surrogateescape") in texts for form in forms)


def _entry(path: Path, rel: str, root: Path, *, read: bool = True) -> Entry:
    info = path.lstat()
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return Entry(rel, "link", target=_target(path, root), shown=_shown(path))
    if stat.S_ISDIR(mode):
        return Entry(rel, "dir")
    if not stat.S_ISREG(mode):
        kind: Kind = (
            "fifo" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device"
        )
        return Entry(rel, kind)
    if info.st_size > CARRIED_BYTES or info.st_nlink > 1:  # refused unread by the reader
        return Entry(rel, "large", size=info.st_size, links=info.st_nlink)
    withheld = Entry(rel, "withheld", size=info.st_size)
    return _read(path, withheld) if read else withheld


def _read(path: Path, entry: Entry) -> Entry:
    """A `withheld` entry with its content (any other as it is)."""
    if entry.kind != "withheld":
        return entry
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as file:
            return Entry(entry.path, "file", file.read(CARRIED_BYTES + 1), entry.size)
    except OSError:
        return Entry(entry.path, "large", size=entry.size)  # unreadable: the reader says so


def _shown(path: Path) -> str:
    """`shown_path`, which follows links, of a link that may go round in a loop."""
    try:
        return shown_path(path)
    except (OSError, RuntimeError):
        return str(path)


def _target(link: Path, root: Path) -> str:
    try:
        resolved = link.resolve(strict=True)
    except FileNotFoundError:
        return "outside-missing"
    except (OSError, RuntimeError):  # a loop of links
        return "loop"
    if resolved.is_relative_to(root):
        return os.path.relpath(resolved, link.parent.resolve())
    if resolved.is_dir():
        return "outside-dir"
    if resolved.exists():
        return f"outside-file:{resolved.stat().st_size}"
    return "outside-missing"


class Mirror:
    """A snapshot laid out in a scratch folder of this process, removed on leaving."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.scratch = Path(tempfile.mkdtemp(prefix="syndicate-story-", dir=scratch_root()))
        self.folder = self.scratch / "story" / snap.name
        self.withheld: set[str] = set()
        """The real paths of the files laid out without their content (`snapshot`'s `lean`)."""

    def __enter__(self) -> Mirror:
        if self.snap.loop:
            self.folder.parent.mkdir(parents=True)
            self.folder.symlink_to(self.folder.name)
            return self
        if self.snap.outside:
            (self.scratch / "outside").mkdir()
            self.folder.parent.mkdir()
            self.folder.symlink_to(self.scratch / "outside", target_is_directory=True)
            return self
        self.folder.mkdir(parents=True)
        for number, entry in enumerate(self.snap.entries):
            self._make(entry, number)
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _make(self, entry: Entry, number: int) -> None:
        path = self.folder / entry.path
        if entry.kind == "dir":
            path.mkdir(exist_ok=True)
        elif entry.kind == "link":
            path.symlink_to(self._outside(entry.target, number, path) or entry.target)
        elif entry.kind in ("fifo", "socket", "device"):
            _special(path, entry.kind)
        elif entry.kind == "withheld":
            _sparse(path, entry.size)
            self.withheld.add(os.path.realpath(path))
        elif entry.kind == "large":
            _sparse(path, entry.size)
            for extra in range(1, entry.links):  # other names, outside the story folder
                os.link(path, self.scratch / f"name-{number}-{extra}")
        else:
            path.write_bytes(entry.data)

    def _outside(self, target: str, number: int, link: Path) -> Path | None:
        """A stand-in, outside the story folder, for what a link out of it points to."""
        kind, _, size = target.partition(":")
        place = self.scratch / f"outside-{number}"
        if kind == "loop":
            place.symlink_to(link)
        elif kind == "outside-dir":
            place.mkdir()
        elif kind == "outside-file":
            _sparse(place, int(size))
        elif kind != "outside-missing":
            return None
        return place

    def relocate(self, value: Any) -> Any:
        """`value` (a story, a summary, diagnostics) with the mirror's paths made the driver's:
        positions as problems show them, image paths as resolved, the story's folder as given."""
        snap = self.snap
        links = {_shown(self.folder / e.path): e.shown for e in snap.entries if e.kind == "link"}
        return _relocated(
            value,
            {
                "shown": (shown_path(self.folder), snap.shown, links),
                "path": (
                    str(self.folder if snap.loop else self.folder.resolve()),
                    snap.resolved,
                    {},
                ),
                "folder": (str(self.folder), snap.folder, {}),
            },
        )


Move = tuple[str, str, Mapping[str, str]]
"""The mirror's prefix, the driver's, and whole paths to replace first (links)."""


def _moved(path: str, move: Move) -> str:
    old, new, exact = move
    if path in exact:
        return exact[path]
    if path == old or path.startswith(old + os.sep):
        return new + path[len(old) :]
    return path


def _special(path: Path, kind: str) -> None:
    """A FIFO, a socket or a character device (a FIFO where this process may not make one)."""
    if kind == "socket":
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))
        return
    if kind == "device":
        with contextlib.suppress(OSError):
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
            return
    os.mkfifo(path)


def _sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that holds nothing (and takes no disk)."""
    with path.open("wb") as sparse:
        sparse.truncate(size)


def _relocated(value: Any, moves: Mapping[str, Move]) -> Any:
    """Every path of a model value or a diagnostic moved by `moves` (by kind of path)."""
    if isinstance(value, SourceRef):
        return SourceRef(_moved(value.path, moves["shown"]), value.line)
    if isinstance(value, Diagnostic):
        if value.path is None:
            return value
        return dataclasses.replace(value, path=_moved(value.path, moves["shown"]))
    if isinstance(value, tuple | list):
        items = [_relocated(v, moves) for v in value]
        same = all(new is old for new, old in zip(items, value, strict=True))
        return value if same else type(value)(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            if f.name in moves and isinstance(old, str):
                new = _moved(old, moves[f.name])
            else:
                new = _relocated(old, moves)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


SCRATCH_PREFIX = "syndicate-worker-"


@cache
def scratch_root() -> str:
    """This process's scratch folder (the worker's own disk), removed when it ends normally;
    those of this user's workers that ended otherwise (killed, or stopped by SIGTERM, which
    runs no exit handler) are removed when the next one on the machine makes its own (its
    first stories): they may hold the stories' texts."""
    import atexit

    _sweep_scratch()
    root = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    atexit.register(shutil.rmtree, root, True)
    return root


def _sweep_scratch() -> None:
    """Remove this user's scratch folders whose process is gone (`syndicate-worker-PID-*`).
    POSIX only (elsewhere `os.kill` would end the process it asks about)."""
    if os.name != "posix":
        return
    temp = tempfile.gettempdir()
    try:
        names = [name for name in os.listdir(temp) if name.startswith(SCRATCH_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(SCRATCH_PREFIX) :].partition("-")[0]
        path = os.path.join(temp, name)
        try:
            if not pid.isdigit() or os.lstat(path).st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)  # still running (or another user's process of that pid)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def story_assets(story: Story) -> dict[str, bytes]:
    """The image files of a story built by the caller (not read from a folder), by path."""
    assets: dict[str, bytes] = {}
    for image in story.images:
        with contextlib.suppress(OSError):  # the writers report an image they cannot read
            assets[image.path] = read_regular(Path(image.path), follow=True)[0]
    return assets


@dataclass(frozen=True, slots=True)
class SiteFiles:
    """What a worker elsewhere needs besides the stories: the files the configuration points
    to (logo, icon, the site's templates) by their path on the driver, and the driver's
    `code_digest` (a worker running other code would make other bytes)."""

    assets: Mapping[str, bytes]
    templates: tuple[tuple[str, bytes], ...]
    code: str
    plugins: tuple[tuple[str, str], ...] = ()
    """The plugin formats' packages with the driver's `package_digest` of each: a worker
    with another version of one made other bytes, mixed in silence with the driver's."""
    libraries: tuple[tuple[str, str], ...] = ()
    """The driver's `toolchain.output_libraries` of the run: a worker with another Pillow,
    libxml2, HarfBuzz or Noto made other bytes too."""


class TemplateRefused(Exception):
    """A site template refused while it is sent to the workers (replaced by a link, a FIFO or
    a larger file since the configuration checked it): the run stops rather than render pages
    without it."""


def site_files(config: SiteConfig) -> SiteFiles:
    publisher = config.publisher
    assets = {}
    for path in (publisher.logo, publisher.icon):
        if path is not None and path.is_file():
            with contextlib.suppress(OSError):  # (gone since: the writers say so)
                assets[str(path)] = read_regular(path, follow=True)[0]
    templates = []
    if config.templates is not None:
        # The templates alone: workers render pages; the static files beside them (fonts,
        # images) are published by the driver's collection files.
        # Checked as the configuration checked them when it loaded (`templates_ok`): one
        # refused since (replaced by a link or a FIFO during the run) stops the run, as pages
        # made without it would publish the default look.
        # Every entry with a template's name is read, not only the regular files among them:
        # one that became a FIFO or a link to nothing is refused here, not left out.
        root = config.templates.parent.resolve()
        for path in sorted(config.templates.rglob("*")):
            rel = path.relative_to(config.templates).as_posix()
            if is_template(rel) and not is_left_aside(rel) and not path.is_dir():
                try:
                    templates.append((rel, read_checked(path, root, MAX_TEXT_BYTES)))
                except Refused as exc:
                    raise TemplateRefused(
                        f"the site's template templates/{rel} changed during the run and is"
                        f" refused now ({exc.message}); restore it and export again"
                    ) from None
    return SiteFiles(assets, tuple(templates), code_digest())


def with_templates(config: SiteConfig, files: SiteFiles) -> SiteConfig:
    """The configuration with the site's templates laid out in this process's scratch folder,
    once per set of templates."""
    if config.templates is None:
        return config
    folder = Path(scratch_root()) / f"templates-{digest(*(p for t in files.templates for p in t))}"
    if not folder.is_dir():
        staging = Path(tempfile.mkdtemp(dir=scratch_root()))
        for rel, data in files.templates:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_bytes(data)
        try:
            os.replace(staging, folder)
        except OSError:
            # Another thread of this worker laid the same templates out first (its first
            # batches run at once): theirs are these. The batch failed ("Directory not empty").
            shutil.rmtree(staging, ignore_errors=True)
            if not folder.is_dir():
                raise
    return dataclasses.replace(config, templates=folder)
