"""A story folder as the reader uses it, read once and safely: the listing of the folder, the
bytes of its text files (`story.yaml` and the language files), and each image the story lists,
with its SHA-256. Every file goes through `safefile` (regular files inside the folder, one name
on disk, within the budgets); files the story does not use are never opened.

The build names a story's inputs by hashing exactly what was read here, so the published story
is always the one its key names, even when a file changes while an export runs. A folder can
also be listed without reading its texts (`read=False`): then only their signatures are taken
(`signatures`), which tell a folder the build state has seen unchanged without reading it."""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from syndicate.readers import budgets
from syndicate.readers.folders import FOLDER_LOOP, FOLDER_OUTSIDE, is_ignored, links_outside
from syndicate.readers.safefile import (
    Refused,
    digest_seen,
    kind_of,
    outside,
    read_seen,
    resolved,
    status_checked,
)

STORY_FILE = "story.yaml"
LANGUAGE_SUFFIX = ".md"
ICLOUD_SUFFIX = ".icloud"
"""What iCloud Drive ("Optimise Mac Storage") leaves of a file it keeps only in the cloud: a
hidden placeholder, `fr.md` evicted is `.fr.md.icloud`. Read as no file, a story lost its
language (and its pages left out/ and the partners) for a file that is still there."""


def evicted(name: str) -> Refused:
    """The refusal of a story file (`fr.md`, `story.yaml`, `images/photo.jpg`) that iCloud
    keeps only in the cloud: the story is one with an error, kept as last published."""
    return Refused(
        "story.evicted",
        f"{name} is in iCloud only ({_placeholder(name)}): download it (Finder: Download Now)"
        " and export again; the story stays as last published until then",
    )


def _placeholder(rel: str) -> str:
    """The path of iCloud's placeholder of the file at `rel` (see `ICLOUD_SUFFIX`)."""
    folder, _, name = rel.rpartition("/")
    return f"{folder}/" * bool(folder) + f".{name}{ICLOUD_SUFFIX}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of the story folder: its name and what it is, `text` (a story file, read),
    `file` (another file, not read), `dir`, or the code of the reason it was refused."""

    name: str
    kind: str


class StoryFiles:
    """The files of one story folder; the listing and the text files are read when it is made,
    the images when the reader asks for them (`image`)."""

    def __init__(self, folder: Path, *, read: bool = True, root: Path | None = None) -> None:
        """`root`: the folder's real path, when the caller knows it (its listing of the
        articles folder said it is no link). A folder that is a link out of the articles
        folder (`links_outside`), as one that is a link to nothing, is a story that cannot
        be read (`problem`): kept as last published, never taken for a story deleted."""
        self.folder = folder
        self.read = read
        """Whether the text files were read (else only their signatures were taken)."""
        loop = None
        try:
            self.root = root or resolved(folder)
        except Refused:  # (a loop: nothing of it can be listed or read)
            self.root, loop = folder.absolute(), Refused("story.broken-link", FOLDER_LOOP)
        self.entries: tuple[Entry, ...] = ()
        self.problem: Refused | None = None
        """Why the folder itself cannot be listed, if it cannot."""
        self.used: dict[str, str] = {}
        """Each image read, by its path in the folder: its SHA-256."""
        self.images: dict[str, bytes] = {}
        """Each image read, by its path in the folder: the bytes hashed and checked, which the
        writers publish (the file may change on disk after it was read)."""
        self.seen: dict[str, str] = {}
        """Each image read or checked, by its path in the folder: its signature (see
        `safefile.signature`), when it has one."""
        self._texts: dict[str, bytes | Refused] = {}
        self._signed: dict[str, str | None] = {}
        """Each text file read or checked, by name: its signature (None if it has none)."""
        self._on_disk: dict[str, str] = {}
        """`on_disk`'s answers, by path as written (an image is looked up more than once)."""
        self._twins: dict[str, tuple[str, ...]] = {}
        """The paths `on_disk` found more than one file for, by path as written: each file
        whose name is that path's in another Unicode form (see `on_disk`)."""
        self._listed: dict[PurePosixPath, list[str] | None] = {}
        """The names in each folder of the story folder listed for a lookup (`_names`)."""
        self._text_bytes = 0
        self._image_bytes = 0
        if loop is not None:
            self.problem = loop
        elif root is None and links_outside(folder):  # (nothing of it is read, not even listed)
            self.problem = Refused("story.outside", FOLDER_OUTSIDE)
        else:
            self._list()

    @property
    def name(self) -> str:
        return self.folder.name

    def _list(self) -> None:
        found: dict[str, str | None] = {}
        away: set[str] = set()
        every: list[str] = []
        try:
            with os.scandir(self.folder) as listing:
                for entry in listing:
                    every.append(entry.name)
                    if not is_ignored(entry.name):
                        found[entry.name] = plain_kind(entry)
                    elif stood_for := _stood_for(entry.name):
                        away.add(stood_for)
        except OSError as exc:
            self.problem = Refused("file.unreadable", f"cannot list the folder: {exc.strerror}")
            if os.path.islink(self.folder) and not os.path.exists(self.folder):
                self.problem = Refused(
                    "story.broken-link",
                    f"the story folder is a link to {os.readlink(self.folder)}, which is not"
                    " there (a share not mounted?): mount it, or put the folder back; the story"
                    " stays as last published until then (delete the link to take it down)",
                )
            return
        self._listed[_HERE] = every  # (the lookups' listing of the folder itself)
        away -= found.keys()  # (downloaded again, beside a placeholder not yet removed)
        entries = []
        for name in sorted((*found, *away)):
            if name in away:  # listed as the file it holds the place of, which is refused
                self._texts[name] = evicted(name)
                entries.append(Entry(name, "story.evicted"))
                continue
            plain = found[name]
            kind = plain or kind_of(self.folder / name, self.root)
            if kind == "file" and (name == STORY_FILE or name.endswith(LANGUAGE_SUFFIX)):
                kind = self._read_text(name, plain=plain is not None)
            elif kind == "dir" and (name == STORY_FILE or name.endswith(LANGUAGE_SUFFIX)):
                kind = Refused("file.special", "a folder, not a file")
            if isinstance(kind, Refused):
                self._texts[name] = kind
                kind = kind.code
            entries.append(Entry(name, kind))
        self.entries = tuple(entries)

    def _read_text(self, name: str, *, plain: bool = False) -> str | Refused:
        """Read a story file (or, not `read`, take its signature); `plain`: listed as a
        regular file, not a link."""
        real = self.root / name if plain else None
        try:
            if not self.read:
                limit = budgets.MAX_TEXT_BYTES
                seen, size = status_checked(self.folder / name, self.root, limit, real=real)
                self._signed[name] = seen
                self._text_bytes += size
                return "text"
            data, seen = read_seen(self.folder / name, self.root, budgets.MAX_TEXT_BYTES, real=real)
        except Refused as exc:
            return exc
        self._signed[name] = seen
        self._text_bytes += len(data)
        if self._text_bytes > budgets.MAX_STORY_TEXT_BYTES:
            return Refused(
                "file.too-large",
                f"the story's text files together are over {budgets.MAX_STORY_TEXT_BYTES}"
                " bytes; split the story",
                self._text_bytes,
            )
        self._texts[name] = data
        return "text"

    def text(self, name: str) -> bytes | Refused | None:
        """The bytes of a story file (`story.yaml`, `fr.md`), why it was refused, or None if
        the folder has no such file."""
        assert self.read, "a folder listed without reading its texts has none of their bytes"
        return self._texts.get(name)

    def image(self, rel: str) -> bytes:
        """The bytes of the image at `rel` (a path relative to the folder), checked and counted
        against the story's budget; raises `Refused` (codes `image.path`, `image.missing`,
        `image.format` for its size, `story.evicted` for one iCloud keeps only in the cloud,
        or the file's own refusal)."""
        if story_path(rel) is None:
            raise Refused(
                "image.path",
                "is outside the story folder; keep images in it: copy it into the story folder"
                " (images/...) and write the path from the folder",
            )
        disk = self.on_disk(rel)
        if twins := self._twins.get(rel):
            raise Refused("image.name", twins_problem(twins))
        try:
            real = self._real(disk)
            data, seen = read_seen(
                self.folder / disk, self.root, budgets.MAX_IMAGE_BYTES, real=real
            )
        except Refused as exc:
            if exc.code == "file.missing" and self.in_cloud_only(rel):
                raise evicted(rel) from None
            raise _as_image_problem(exc) from None
        if seen is not None:
            self.seen[rel] = seen
        self._image_bytes += len(data)
        if self._image_bytes > budgets.MAX_STORY_IMAGE_BYTES:
            raise Refused(
                "image.format",
                f"the story's images together are over {budgets.MAX_STORY_IMAGE_BYTES} bytes",
            )
        self.used[rel] = hashlib.sha256(data).hexdigest()
        self.images[rel] = data
        return data

    def exists(self, rel: str) -> bool:
        """Whether a file is at `rel` (for messages: "not found" or "not listed")."""
        inside = story_path(rel)
        if inside is None:
            return False
        return (self.folder / self.on_disk(inside)).is_file()

    def in_cloud_only(self, rel: str) -> bool:
        """Whether the file at `rel` is replaced by iCloud's placeholder (see `ICLOUD_SUFFIX`)."""
        inside = story_path(rel)
        return inside is not None and os.path.lexists(
            self.folder / _placeholder(self.on_disk(inside))
        )

    def on_disk(self, rel: str) -> str:
        """`rel` as the file system spells it: a name written in story.yaml or a body (read
        as NFC, `story_path`) matches a file whose name is in another Unicode form (macOS
        saves `café.jpg` as NFD; Linux keeps the form it is given), part by part, whichever
        form is stored; `rel` itself when nothing matches, or when more than one name does
        (two files whose names differ only in their form, which a Linux disk can hold: the
        reader refuses to choose, `image`)."""
        if rel.isascii():
            return rel
        found = self._on_disk.get(rel)
        if found is None:
            found = self._on_disk[rel] = self._spelt(rel)
        return found

    def _spelt(self, rel: str) -> str:
        found, twins = spelt_on_disk(self.folder, rel, self._names)
        if twins:
            self._twins[rel] = twins
        return found

    def _names(self, under: PurePosixPath) -> list[str] | None:
        """The names in the folder at `under` (a path in the story folder), listed once for
        all the story's lookups (`on_disk`, `neighbours`); None when it cannot be listed."""
        if under not in self._listed:
            self._listed[under] = _lister(self.folder)(under)
        return self._listed[under]

    def neighbours(self, rel: str) -> list[str]:
        """The files beside `rel` in its folder, as paths relative to the story folder (for a
        "did you mean"): that folder as it is spelt on disk when it is written in other letter
        cases or another Unicode form (`images/` for the folder `Images/`)."""
        parent, _ = spelt(PurePosixPath(rel).parent.parts, self._names, any_case=True)
        names = None if parent is None else self._names(parent)
        if parent is None or names is None:
            return []
        return [(parent / n).as_posix() for n in sorted(names) if not is_ignored(n)]

    def unchanged(self, used: dict[str, str], seen: dict[str, str] | None = None) -> bool:
        """Whether every image in `used` still has the recorded SHA-256: an image whose
        signature is the one `seen` recorded is not read again, any other is hashed (in
        chunks). The signatures found are kept in `self.seen`."""
        seen = seen or {}
        limit = budgets.MAX_IMAGE_BYTES
        for rel, sha in used.items():
            disk = self.on_disk(rel)
            path = self.folder / disk
            try:
                real = self._real(disk)
                if rel in seen:
                    now = status_checked(path, self.root, limit, real=real)[0]
                    if now == seen[rel]:
                        self.seen[rel] = now
                        continue
                digest, now = digest_seen(path, self.root, limit, real=real)
            except Refused:
                return False
            if digest != sha:
                return False
            if now is not None:
                self.seen[rel] = now
        return True

    def _real(self, rel: str) -> Path | None:
        """The real path of the file at `rel` when no part of it is a link (one `lstat` a
        part, where resolving looks up every part from the file system's root): the folder's
        real path, then `rel`. None when a part is a link, or not what it must be (then
        `safefile` resolves it, and refuses what it must)."""
        parts = rel.split("/")
        if "" in parts or "." in parts or ".." in parts:
            return None
        real = self.root
        try:
            for number, part in enumerate(parts, start=1):
                real = real / part
                mode = os.lstat(real).st_mode
                if not (stat.S_ISREG(mode) if number == len(parts) else stat.S_ISDIR(mode)):
                    return None
        except (OSError, ValueError):
            return None
        return real

    def signatures(self) -> list[str] | None:
        """What tells the folder's texts unchanged without reading them: the listing and each
        text file's signature (see `safefile.signature`); the same whether the texts were read
        or not. None when a text file has no signature (changed a moment ago) or anything in
        the folder was refused: such a folder is read."""
        if self.problem is not None or self._text_bytes > budgets.MAX_STORY_TEXT_BYTES:
            return None
        out: list[str] = []
        for entry in self.entries:
            if entry.kind not in ("text", "file", "dir"):
                return None
            out += [entry.name, entry.kind]
            if entry.kind == "text":
                seen = self._signed.get(entry.name)
                if seen is None:
                    return None
                out.append(seen)
        return out

    def parts(self) -> list[str | bytes]:
        """What the story's text key hashes: the listing and the text files' bytes."""
        assert self.read, "a folder listed without reading its texts has no text key"
        out: list[str | bytes] = []
        for entry in self.entries:
            out += [entry.name, entry.kind]
            data = self._texts.get(entry.name)
            if isinstance(data, bytes):
                out.append(data)
        return out


def story_path(written: str) -> str | None:
    """A path written from the story folder in its one spelling, so that every way of writing
    a file names it once: `./images/a.png`, `images//a.png` and `images/../images/a.png` are
    `images/a.png` (POSIX `normpath`: by name, as a URL path resolves, not by following links;
    what is read is then checked to be inside the folder all the same), and `café.png` typed
    with its é decomposed (NFD, as macOS hands out file names, or %-escaped so in a body's
    `![](images/cafe%CC%81.png)`) is `café.png` composed (NFC): one picture, one published name,
    URL and id (`Image.name`), whatever the editor's machine; `StoryFiles.on_disk` finds the
    file in the form it is stored. None when the path leaves the folder (absolute, or `..`
    above it) or names the folder itself. A URL is no path: it is given back as written, for
    its own message."""
    if "://" in written:
        return written
    if not written or os.path.isabs(written):
        return None
    path = posixpath.normpath(unicodedata.normalize("NFC", written))
    if path in (".", "..") or path.startswith("../"):
        return None
    return path


def spelt_on_disk(
    folder: Path, rel: str, names: Listing | None = None
) -> tuple[str, tuple[str, ...]]:
    """`rel`, a path under `folder` written in any Unicode form, as the file system spells it,
    part by part (the one lookup of story images, `StoryFiles.on_disk`, and of the site's logo
    and icon, `load_config`): `rel` itself when nothing matches or more than one name does; then
    also those names (twins: names apart only in their form, which a Linux disk can hold).
    `names` lists a folder under `folder` (by default `os.listdir`, each time asked)."""
    if rel.isascii():
        return rel, ()
    found, twins = spelt(PurePosixPath(rel).parts, names or _lister(folder))
    return (rel, twins) if found is None else (found.as_posix(), ())


_HERE = PurePosixPath()
"""The story folder's own path in it (`_listed`'s key for its listing), made once: one made
for each story folder listed, as a run that finds nothing changed lists them all, cost that
listing 3.7% more instructions (callgrind, 500 story folders; 0.4% with this one)."""

Listing = Callable[[PurePosixPath], "list[str] | None"]
"""The names in a folder, given by its path under the folder looked in; None when it cannot
be listed."""


def spelt(
    parts: Sequence[str], names: Listing, *, any_case: bool = False
) -> tuple[PurePosixPath | None, tuple[str, ...]]:
    """The path of `parts` as the file system spells it, each part looked up in turn in the
    folder the parts before it found (`names`): a name in another Unicode form (macOS's NFD
    for an NFC `é`) or, `any_case`, in other letter cases (`Images/` for `images/`), the part
    as it is written first when it is there. None when a part matches no name, or more than
    one: then also those names (twins), as paths."""
    found = PurePosixPath()
    for part in parts:
        if part in ("/", ".."):  # (a site file's path may go up, or be absolute)
            found /= part
            continue
        listed = names(found)
        if listed is None:
            return None, ()
        if any_case and part in listed:
            found /= part
            continue
        wanted = _fold(part, any_case)
        match = sorted(
            (n for n in listed if _fold(n, any_case) == wanted),
            key=lambda n: (not unicodedata.is_normalized("NFC", n), n),  # composed first
        )
        if len(match) != 1:
            return None, tuple((found / name).as_posix() for name in match)
        found /= match[0]
    return found, ()


def _fold(name: str, any_case: bool) -> str:
    composed = unicodedata.normalize("NFC", name)
    return composed.casefold() if any_case else composed


def _lister(folder: Path) -> Listing:
    """`Listing` by `os.listdir` under `folder`, listing again each time it is asked."""

    def names(under: PurePosixPath) -> list[str] | None:
        try:
            return os.listdir(folder / under)
        except OSError:
            return None

    return names


def plain_kind(entry: os.DirEntry[str]) -> str | None:
    """A folder entry that is not a link, as `kind_of` would say it (`dir`, `file`), from the
    listing alone; None when `kind_of` must look (a link, anything else, an error). Such an
    entry of the story folder is inside it: the folder's real path, then its name."""
    try:
        if entry.is_symlink():
            return None
        if entry.is_dir(follow_symlinks=False):
            return "dir"
        if entry.is_file(follow_symlinks=False):
            return "file"
    except OSError:
        return None
    return None


def _stood_for(name: str) -> str | None:
    """The story file (`story.yaml`, a language file) whose place the hidden `name` holds, when
    it is iCloud's placeholder of one (`.fr.md.icloud`); else None."""
    if not name.endswith(ICLOUD_SUFFIX):
        return None
    stood_for = name[1 : -len(ICLOUD_SUFFIX)]
    return stood_for if stood_for == STORY_FILE or stood_for.endswith(LANGUAGE_SUFFIX) else None


def twins_problem(twins: tuple[str, ...]) -> str:
    """Why an image whose path names more than one file (`twins`, their names one in another
    Unicode form) is not read: which is which, and what to do."""
    names = [twin.rpartition("/")[2] for twin in twins]  # (the folders they are in are one)
    forms = [
        "composed (NFC: Windows, Linux)"
        if unicodedata.is_normalized("NFC", name)
        else "decomposed (NFD: macOS)"
        if unicodedata.is_normalized("NFD", name)
        else "in a mixed form"
        for name in names
    ]
    listed = "; ".join(f"{name!r}, {form}" for name, form in zip(twins, forms, strict=True))
    return (
        f"{len(twins)} files have this name, spelt in different Unicode forms"
        f" ({listed}): they look the same but are different files, which may hold different"
        " pictures; keep one (delete or rename the others)"
    )


def _as_image_problem(exc: Refused) -> Refused:
    if exc.code == "story.outside":
        return Refused("image.path", f"is {outside('the story folder', 'the image')}")
    if exc.code == "file.missing":
        return Refused("image.missing", "not found")
    if exc.code == "file.too-large":
        limit = budgets.MAX_IMAGE_BYTES
        return Refused("image.format", f"image is {exc.size} bytes; the limit is {limit}")
    return exc
