"""The state a build keeps between runs, beside out/: which files each unit of work (one story's
files in one format, or a format's collection files) produced from which inputs, the summary of
every story read with the story itself (for the few collection files that need whole stories,
an EPUB edition's chapters), and the fragments collections reuse (rendered feed entries).

A unit is reused only while every file it produced is still in out/ with the size and time
recorded. Keys are hashes of the inputs, so an entry never goes stale; a run keeps what it used
and forgets the rest. Everything is plain data in one SQLite file (JSON text and compressed
bytes, never pickles): a damaged or foreign file can only cost a rebuild, never run code."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import msgspec
from zlib_ng import zlib_ng

from syndicate.build.publish import NAME_MAX, OutputError, fitting_name, unwritable_folder
from syndicate.diagnostics import Diagnostic
from syndicate.readers.safefile import Refused, resolved

if TYPE_CHECKING:
    from syndicate.model import Story, StorySummary

_ZLIB_NG_ERROR = cast("type[Exception]", zlib_ng.error)
"""zlib-ng's exception class (its type stub calls it an instance)."""
_decode = msgspec.json.Decoder().decode
STATE_FILE = "state.sqlite"
FORMAT = 14
"""Bumped whenever the layout or the meaning of the state changes: an older state is dropped
(but for the history and the sections, kept across formats: `_reset`)."""
_IN_QUERY = 500
"""Units looked up in one query (SQLite allows 999 parameters in its oldest builds)."""
_LEGACY = ("manifest.json", "stories", "abstracts")
"""What earlier versions kept in the same folder."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
  key TEXT PRIMARY KEY, paths TEXT NOT NULL, diagnostics TEXT NOT NULL, fragments TEXT NOT NULL,
  parts TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER);
CREATE TABLE IF NOT EXISTS stories (
  key TEXT PRIMARY KEY, story_key TEXT NOT NULL, summary TEXT, diagnostics TEXT, images TEXT,
  seen TEXT, texts TEXT, checked TEXT
);
CREATE TABLE IF NOT EXISTS models (key TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS history (
  id TEXT PRIMARY KEY, version INTEGER, status TEXT, digest TEXT, released INTEGER
);
CREATE TABLE IF NOT EXISTS shown_in (id TEXT PRIMARY KEY, sections TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS read_from (
  id TEXT PRIMARY KEY, digest TEXT NOT NULL, sources TEXT NOT NULL, code TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fragments (
  unit TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (unit, name)
) WITHOUT ROWID;
"""


FINGERPRINT = "fingerprint"
"""The key in `meta` of the last full run's fingerprint (`syndicate.build.unchanged`)."""

MEMO = "memo:"
"""The fragments of a unit named so are its memos (`syndicate.formats.contract.Memo`): the
stamp of the code that made them (`BuildState.memos`), their key and their file's path, one
a line."""

EVERY_FORMAT = ""
"""The format named so in a story's `BuildState.shown_in` stands for every format with none of
its own there: what a state of an earlier syndicate, which did not tell formats apart, kept."""

EVERY_LANGUAGE = ""
"""The language named so in a format's part of a story's `BuildState.shown_in` stands for every
language with none of its own there: what a state of format 13, which kept the sections format
by format but not language by language, kept."""

Sections = tuple[str, ...]
"""The sections a story was public in, sorted."""

Shown = Sections | dict[str, Sections | dict[str, Sections]]
"""A story's `BuildState.shown_in`: the sections it was public in, in every format and language
(a tuple: a state of an earlier syndicate), or by format (`EVERY_FORMAT` for the others): in
every language of the format (a tuple: a state of format 13), or by language
(`EVERY_LANGUAGE` for the others)."""

CACHE_NAME = ".syndicate"
"""The site's cache folder, beside syndicate.yaml: the build state of each out/ folder the
site exports into (and the delivery ledgers). Never published; ignored by git."""


def builds_folder(cache: Path) -> Path:
    """The folder of the cache `cache` holding the build state of each out/ folder."""
    return cache / "builds"


def _real(folder: Path) -> Path:
    """`folder` resolved; as it is written (made absolute) when it is a loop of links, which
    holds no state and which the export refuses (`out_apart`): `validate` reads none then."""
    try:
        return resolved(folder)
    except Refused:
        return folder.absolute()


def state_folder(out: Path, cache: Path, *, move: bool = True) -> Path:
    """The build state of `out` in the cache folder `cache`: `builds/<name>-<hash>`, named after
    out/ and the hash of its path relative to the cache's parent (the site folder), so a site
    moved or checked out elsewhere keeps its state. A state an earlier version kept beside
    out/ (`.out.syndicate`) is moved there; with `move` false (a command that only reads the
    state, `validate`: an export may be running), it is left where it is, and is the folder
    given."""
    out, cache = _real(out), _real(cache)
    where = os.path.relpath(out, cache.parent)
    tag = hashlib.sha256(os.fsencode(where)).hexdigest()[:10]
    # (a name of 245 bytes or more is cut: the hash of its path keeps it apart)
    folder = builds_folder(cache) / f"{fitting_name(out.name or 'root', len(tag) + 1)}-{tag}"
    if not out.name:  # the root folder: no earlier version could keep a state beside it
        return folder
    legacy = out.with_name(f".{out.name}.syndicate")
    fits = len(os.fsencode(legacy.name)) <= NAME_MAX  # (a name too long was never made)
    if fits and not folder.exists() and (legacy / STATE_FILE).is_file():
        if not move:
            return legacy
        with contextlib.suppress(OSError):
            folder.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(legacy, folder)
    return folder


def prepare_cache(cache: Path) -> None:
    """Create the cache folder with a .gitignore of its own, so it is never committed."""
    cache.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# syndicate's build state (see its docs): never commit it\n*\n")


@dataclass(frozen=True, slots=True)
class Unit:
    """What one unit of work produced: the paths it wrote, the problems it reported, and the
    names of the fragments it left for its format's collection files."""

    paths: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    fragments: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    """The units this one is made of (a collection's documents, see `Planned`): kept with it."""


@dataclass(frozen=True, slots=True)
class Published:
    """What the last build published of a story (by id): the version partners and readers
    have, what it said, and whether it had been released (a draft is not)."""

    version: int
    status: str
    digest: str
    released: bool
    public: bool = False
    """Whether a build published it to the public (pages, feeds), not only to wire partners
    under embargo; once true, it stays so (kept as 2 in the `released` column)."""
    shown: bool = False
    """Whether the last build that read it published it to the public: its pages and feed
    entries are out (kept as 3 in the `released` column; a state of an earlier version,
    which did not say, reads as not shown)."""
    sources: str = ""
    """The key of the files it was read from (`inputs.sources_key`), "" if not known (a
    state of an earlier version): kept in a table of its own (`read_from`), with the digest
    it goes with, so that a state an older syndicate wrote on since is never believed."""
    code: str = ""
    """The syndicate that read it (`inputs.code_digest`), kept with `sources`: the same
    files read otherwise by the same code were read under another configuration."""


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story as a build remembers it without reading it again: its summary, what reading
    it reported, the images it read with their SHA-256 (which its texts name, so a run checks
    just these), and the key of all its inputs."""

    summary: StorySummary
    diagnostics: tuple[Diagnostic, ...]
    images: tuple[tuple[str, str], ...]
    key: str
    seen: tuple[tuple[str, str], ...] = ()
    """The images' signatures when they were last read or checked (see
    `safefile.signature`): an image found with the same one is not read again."""
    texts: str = ""
    """The key of the story folder's listing and its text files' signatures when they were
    last read or checked (`inputs.signature_key`), "" if it had none: a folder found with the
    same one is not read again."""
    checked: tuple[str, ...] = ()
    """The checks of its texts against the schema that passed when it was last read
    (`SchemaVerdict`): its next reading checks only the texts that changed."""


class OutFolder:
    """The files of out/ as the state records them, looked up from one descriptor of the
    folder: the kernel then walks only each file's own parts, not out/'s path from the root
    again (a quarter of the time of `stat`-ing the 15,000 files an archive of 500 stories
    keeps). Where the system takes no `dir_fd`, the joined paths."""

    def __init__(self, out: Path | str) -> None:
        self._out = os.fspath(out)
        self._fd: int | None = None

    def intact(self, path: str, recorded: tuple[int, int] | None) -> bool:
        """Whether the file at `path` (relative to out/) has the `recorded` size and
        modification time."""
        try:
            stat = os.stat(path, dir_fd=self._folder()) if _DIR_FD else self._stat(path)
        except OSError:
            return False
        return recorded == (stat.st_size, stat.st_mtime_ns)

    def _folder(self) -> int:
        if self._fd is None:
            self._fd = os.open(self._out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        return self._fd

    def _stat(self, path: str) -> os.stat_result:
        return os.stat(os.path.join(self._out, path))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_DIR_FD = os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


class BuildState:
    """The state of the last successful build into an out/ folder, and this run's changes to
    it, saved by `save` once the run's files are published."""

    def __init__(self, out: Path, folder: Path, *, fresh: bool = False) -> None:
        self.out = out
        self._out = os.fspath(out)
        self._files = OutFolder(out)
        self.notes: list[str] = []
        """What was wrong with the saved state (discarded and rebuilt), for a warning."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in _LEGACY:
            _remove(folder / name)
        self.path = folder / STATE_FILE
        self.db = _open(self.path, self.notes)
        self._damaged = False
        """Whether SQLite found the file damaged (`is_damage`) while loading it."""
        self._units: dict[str, Unit] = {}
        self._stories: dict[str, StoryRecord] = {}
        self._by_name: dict[str, tuple[str, StoryRecord]] | None = None
        self._by_texts: dict[str, tuple[str, StoryRecord]] | None = None
        self.owned = self._owned()
        """The files of out/ syndicate wrote, with their size and time: only these are ever
        replaced or removed. Kept across `--force`, like the history."""
        self.history = self._history()
        """By story id; kept across `--force`: it is about what was published, not cached."""
        self._history_saved = dict(self.history)
        """`history` as the file holds it (with `read_from`): a save writes the rows that
        differ (see `save`)."""
        self._shapes: dict[object, Shown] = {}
        """One object for each value of `shown_in` (`_shape`)."""
        self.shown_in = self._shown_in()
        """The sections each story (by id) was public in, in the builds into out/, for each
        format with section feeds (`Writer.section_feeds`) and each language of its feeds
        (`sections_shown`); kept across `--force`, as the history: a story moved since leaves
        its kill's notice in the feeds of the sections it left
        (`StorySummary.former_sections_for`)."""
        self._shown_saved = dict(self.shown_in)
        """`shown_in` as the file holds it: a save writes the rows that differ (see `save`)."""
        self._loaded = False
        """Whether the units and stories in memory are those of the file (see `save`)."""
        self.shared: dict[object, object] = {}
        """The values the summaries of the stories, loaded or of this run, share
        (`StorySummary.shared`)."""
        if not fresh:
            self._load()
        if self._damaged:
            self._replace_damaged()
        self.kept: dict[str, Unit] = {}
        """The units of this run."""
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.stories: dict[str, StoryRecord] = {}
        """The stories of this run."""
        self._marked = False
        """Whether this run is a preview's (`mark_previewed`)."""
        self.unpreview = False
        """Set by a run that makes every file of a preview's folder anew (`previewed`): the
        mark goes with the state it saves."""
        self.changed = False
        """Whether this run recorded anything but what it found as it was (a unit made, a
        story read, a version published): if not, and it kept all it found, `save` has
        nothing to write."""

    def _replace_damaged(self) -> None:
        """A file SQLite finds damaged (a page overwritten, a disk error) is not written to
        again: every save into it would fail, and every run with it. It is replaced by an
        empty state; what could be read of the files syndicate wrote and of the history is
        kept in memory and saved with this run's, as a state not loaded is (`save`)."""
        self.db.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            _remove(self.path.with_name(self.path.name + suffix))
        self.db = _open(self.path, self.notes)
        self._units, self._stories = {}, {}
        self._by_name = self._by_texts = None
        self._loaded = False
        self._damaged = False

    def pending(self) -> str | None:
        """The journal of a publication a run began and did not finish (see
        `syndicate.build.publish.recover`)."""
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'pending'").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None

    def keep_fingerprint(self, fingerprint: str) -> None:
        """Save `fingerprint` for the state as it is saved (see `save`), if it is another."""
        with self.db:
            _keep_fingerprint(self.db, fingerprint)

    def clear_pending(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM meta WHERE key = 'pending'")

    @property
    def previewed(self) -> bool:
        """Whether a run nobody receives (the preview's, `releases=False`) wrote into this
        out/ (`mark_previewed`): what it holds shows embargoed stories, and with `--drafts`
        drafts, as if released."""
        return _marked_preview(self.out) or self.preview_recorded

    @property
    def preview_recorded(self) -> bool:
        """Whether this build state says a preview's run wrote into its out/ (`previewed`): if
        not, while out/ says so, the state does not know the preview's files (it was
        replaced as damaged, or the preview's is in another cache folder)."""
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'preview'").fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def mark_previewed(self) -> None:
        """Say, before anything is published, that a preview's run writes into this out/:
        neither `export` nor `deliver` may then take it for a folder partners get. Said in
        out/ itself too (`PREVIEW_MARK`): a build state replaced as damaged, or another one
        (another SYNDICATE_CACHE_DIR), would not say it while the preview's files remain."""
        self._marked = True
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('preview', '1')")
        mark = self.out / PREVIEW_MARK
        if not mark.is_file():
            try:
                mark.write_text(_PREVIEW_NOTE, encoding="utf-8")
            except OSError as exc:
                raise OutputError(f"cannot write {mark}: {exc.strerror or exc}") from None

    def orphan_watch(self) -> object:
        """What each orphaned folder of out/ carried when it was orphaned (see
        `syndicate.build.orphans`), as saved: JSON data, unchecked; None if there is none."""
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'orphan_watch'").fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def standing(self) -> object:
        """The warnings of the history that hold while a story stays at the version they
        were said of (`story.updated`), by story id, as saved: JSON data, unchecked; None if
        there are none."""
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'standing'").fetchone()
            return json.loads(row[0]) if row else None
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def _keep_standing(self, standing: dict[str, Any] | None) -> None:
        """Within a transaction: save `standing` (see `standing`); None or empty: forget
        them. In `save`'s transaction, with the history that says the version they are of
        published: a run stopped between the two left the version published and its warning
        forgotten, never said again."""
        if standing:
            value = json.dumps(standing, ensure_ascii=False, sort_keys=True)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('standing', ?)", (value,))
        else:
            self.db.execute("DELETE FROM meta WHERE key = 'standing'")

    def _keep_orphan_watch(self, watch: dict[str, Any] | None) -> None:
        """Within a transaction: save `watch` (`orphan_watch`); None or empty: forget it."""
        if watch:
            value = json.dumps(watch, ensure_ascii=False, sort_keys=True)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('orphan_watch', ?)", (value,))
        else:
            self.db.execute("DELETE FROM meta WHERE key = 'orphan_watch'")

    def _owned(self) -> dict[str, tuple[int, int]]:
        try:
            return _files(self.db)
        except (sqlite3.Error, TypeError, ValueError) as exc:
            self._damaged = self._damaged or is_damage(exc)
            self.notes.append("the list of files syndicate wrote was unreadable")
            return {}

    def close(self) -> None:
        """Close the database; what `save` did not commit (a failed run's fragments) is lost."""
        self.db.close()
        self._files.close()

    def _history(self) -> dict[str, Published]:
        """The saved history; a row that does not hold a version, a status, a digest and
        one of the `released` values (a damaged file) is forgotten, that story's alone: its
        next build publishes it as a story it has no record of, and writes its row again. A
        `read_from` row that holds no key reads as not known (the story is read again)."""
        try:
            return _read_history(self.db)
        except sqlite3.Error as exc:
            self._damaged = self._damaged or is_damage(exc)
            return {}

    def _shown_in(self) -> dict[str, Shown]:
        """The saved `shown_in`; a row that holds neither a list of names, nor an object of
        such lists or of objects of them by language, by format (a damaged file) is
        forgotten, that story's alone: its build knows the section it is in now. The rows of
        an archive hold a few texts (each format and language showed the story in its one
        section): each is decoded once."""
        shown: dict[str, Shown] = {}
        texts: dict[str, Shown] = {}
        try:
            for ident, sections in self.db.execute("SELECT id, sections FROM shown_in"):
                value = texts.get(sections)
                if value is None:
                    value = self._read_shown(sections)
                    if value is None:
                        continue
                    if isinstance(sections, str):
                        texts[sections] = value
                shown[str(ident)] = value
        except sqlite3.Error as exc:
            self._damaged = self._damaged or is_damage(exc)
            return {}
        return shown

    def _read_shown(self, text: object) -> Shown | None:
        """The value of a row of `shown_in` (its shape: `_shape`); None if it holds none."""
        try:
            names = _decode(text)  # type: ignore[arg-type]
        except (msgspec.MsgspecError, TypeError):
            return None
        if _names(names):
            return self._shape(tuple(names))
        if not isinstance(names, dict):
            return None
        own: dict[str, Sections | dict[str, Sections]] = {}
        for fmt, listed in names.items():
            if _names(listed):
                own[fmt] = tuple(listed)
            elif isinstance(listed, dict) and listed and all(map(_names, listed.values())):
                own[fmt] = {lang: tuple(names) for lang, names in listed.items()}
            else:
                return None
        return self._shape(own)

    def sections_shown(
        self, story_id: str, fmt: str, lang: str = EVERY_LANGUAGE
    ) -> Sections | None:
        """The sections the format `fmt` showed the story in (sorted), in its feeds of the
        language `lang`; None when the state knows of none (a story new to it, or a state of
        an earlier syndicate, which kept no sections). Those a state kept before it told
        formats apart are every format's, and those it kept before it told languages apart,
        every language's."""
        return shown_in_entry(self.shown_in.get(story_id), fmt, lang)

    def record_shown_in(
        self,
        story_id: str,
        sections: Sections,
        fmt: str | None = None,
        lang: str | None = None,
    ) -> None:
        """Remember the sections the story was public in (sorted), all of them so far, in
        the format `fmt` (None: in every format) and its feeds of the language `lang` (None:
        in every language; given only with `fmt`). What the format knew for the other
        languages (every language's, or every format's) stays theirs."""
        entry = self.shown_in.get(story_id)
        if fmt is None:
            if entry != sections:
                self.shown_in[story_id] = self._shape(sections)
                self.changed = True
            return
        if isinstance(entry, tuple):  # (none: a story shown by no feed yet)
            entry = {EVERY_FORMAT: entry} if entry else {}
        known = None if entry is None else entry.get(fmt, entry.get(EVERY_FORMAT))
        if lang is None:
            mine: Sections | dict[str, Sections] = sections
        elif isinstance(known, dict):
            mine = {**known, lang: sections}
        else:  # (every language knew the same: the others still do)
            mine = {lang: sections} if known is None else {EVERY_LANGUAGE: known, lang: sections}
        if entry is None or entry.get(fmt) != mine:
            self.shown_in[story_id] = self._shape({**(entry or {}), fmt: mine})
            self.changed = True

    def _shape(self, value: Shown) -> Shown:
        """The one object of the values of `shown_in` equal to `value`: the stories of an
        archive share a few (each format showed the story in its one section, in each of its
        languages), and a run looks at each shape once for all the stories that have it
        (`_Build._note_sections`)."""
        return self._shapes.setdefault(_frozen(value), value)

    def record_history(self, story_id: str, published: Published) -> None:
        self.history[story_id] = published
        self.changed = True

    def _load(self) -> None:
        try:
            # msgspec decodes these lists 5x faster than json.loads, to the same values; a unit
            # without problems (nearly all) shares one empty tuple.
            self._units = {
                key: Unit(
                    tuple(_decode(paths)),
                    ()
                    if diagnostics == "[]"
                    else tuple(_diagnostic(d) for d in _decode(diagnostics)),
                    tuple(_decode(fragments)),
                    tuple(_decode(parts)),
                )
                for key, paths, diagnostics, fragments, parts in self.db.execute(
                    "SELECT key, paths, diagnostics, fragments, parts FROM units"
                )
            }
            from syndicate.model.summary import StorySummary  # loaded with the state

            rows = self.db.execute(
                "SELECT key, story_key, summary, diagnostics, images, seen, texts, checked"
                " FROM stories"
            )
            self._stories = {
                key: StoryRecord(
                    StorySummary.from_json(_decode(summary), self.shared),
                    tuple(_diagnostic(d) for d in _decode(diagnostics)),
                    tuple((str(rel), str(sha)) for rel, sha in _decode(images)),
                    story_key,
                    tuple((str(rel), str(sign)) for rel, sign in _decode(seen)),
                    str(texts or ""),
                    tuple(map(str, _decode(checked or "[]"))),
                )
                for key, story_key, summary, diagnostics, images, seen, texts, checked in rows
            }
        except (sqlite3.Error, ValueError, KeyError, TypeError, msgspec.MsgspecError) as exc:
            self._damaged = self._damaged or is_damage(exc)
            self.notes.append("its records were unreadable")
            self._units, self._stories = {}, {}
            return
        self._loaded = not self.notes

    # Stories --------------------------------------------------------------------------------

    def story(self, text_key: str) -> StoryRecord | None:
        """The story read from the texts `text_key` names, if a build read it."""
        return self._stories.get(text_key)

    def signed(self, texts: str) -> tuple[str, StoryRecord] | None:
        """The story whose folder had the listing and text signatures `texts` names
        (`StoryRecord.texts`) when a build last read or checked it, with its text key."""
        return self._signed().get(texts)

    def has_signatures(self) -> bool:
        """Whether any story of the last build can be found by its signatures (`signed`)."""
        return bool(self._signed())

    def _signed(self) -> dict[str, tuple[str, StoryRecord]]:
        if self._by_texts is None:
            self._by_texts = {r.texts: (key, r) for key, r in self._stories.items() if r.texts}
        return self._by_texts

    def last_stories(self) -> list[StorySummary]:
        """The summaries of the last build's stories."""
        return [record.summary for record in self._stories.values()]

    def previous(self, name: str) -> tuple[str, StoryRecord] | None:
        """The last build's record of the story in the folder `name`, with its text key."""
        if self._by_name is None:
            self._by_name = {r.summary.slug: (key, r) for key, r in self._stories.items()}
        return self._by_name.get(name)

    def record_story(self, text_key: str, record: StoryRecord, model: bytes | None = None) -> None:
        """A story of this run; `model` is the story itself (`pack_story`), when just read."""
        self.stories[text_key] = record
        if model is not None or self._stories.get(text_key) is not record:
            self.changed = True
        if model is not None:
            with self._tolerating_damage():
                self.db.execute("INSERT OR REPLACE INTO models VALUES (?, ?)", (record.key, model))

    def model(self, key: str) -> Story | None:
        """The whole story read from the inputs `key` (a story key) names; None if it is not
        kept."""
        from syndicate.model import codec

        row = None
        with self._tolerating_damage():
            row = self.db.execute("SELECT data FROM models WHERE key = ?", (key,)).fetchone()
        try:
            return codec.loads(zlib_ng.decompress(row[0])) if row else None
        except (_ZLIB_NG_ERROR, codec.CodecError):
            return None

    # Units ----------------------------------------------------------------------------------

    def lookup(self, key: str) -> Unit | None:
        """The unit made from the inputs `key` names, if its files are in out/ untouched; it
        is then kept for the next run."""
        unit = self._units.get(key)
        if unit is None or not all(self._intact(path) for path in unit.paths):
            return None
        self.kept[key] = unit
        # A collection's documents: their files are among the unit's, found intact. (A
        # story's part, its other languages' files, is looked up where it is used.)
        for part in unit.parts:
            found = self._units.get(part)
            if found is not None:
                self.kept[part] = found
        return unit

    def _intact(self, path: str) -> bool:
        return self._files.intact(path, self.owned.get(path))

    def record(
        self,
        key: str,
        paths: Iterable[str],
        diagnostics: Iterable[Diagnostic],
        fragments: dict[str, bytes] | None = None,
        parts: Iterable[str] = (),
    ) -> None:
        """This run made the unit `key`: its files, its problems, its fragments, and the
        units it is made of (kept as long as it is)."""
        names = tuple(sorted(fragments or {}))
        names = self._names.setdefault(names, names)  # the few sets of names, shared
        self.kept[key] = Unit(tuple(paths), tuple(diagnostics), names, tuple(parts))
        self.changed = True
        if fragments:
            with self._tolerating_damage():
                self.db.executemany(
                    "INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
                    [(key, name, zlib_ng.compress(data, 1)) for name, data in fragments.items()],
                )

    def fragment(self, key: str, name: str) -> bytes | None:
        """A fragment of the unit `key`; None if it is not kept (the state was emptied)."""
        row = None
        with self._tolerating_damage():
            row = self.db.execute(
                "SELECT data FROM fragments WHERE unit = ? AND name = ?", (key, name)
            ).fetchone()
        if row is None:
            return None
        try:
            return zlib_ng.decompress(row[0])
        except _ZLIB_NG_ERROR:
            return None

    def memos(self, key: str, stamp: str) -> dict[str, tuple[str, bytes]]:
        """The memos of the unit `key` (see `MEMO`) that code of this `stamp` made, with their
        files' bytes, by name: those whose file is one of the unit's and intact in out/. The
        unit is not kept for it (it is the last work's, not this run's)."""
        unit = self._units.get(key)
        found: dict[str, tuple[str, bytes]] = {}
        if unit is None:
            return found
        for name in unit.fragments:
            if not name.startswith(MEMO) or (raw := self.fragment(key, name)) is None:
                continue
            lines = raw.decode("utf-8", "replace").split("\n")
            if len(lines) != 3:
                continue
            made_by, memo_key, path = lines
            if made_by != stamp or path not in unit.paths or not self._intact(path):
                continue
            try:
                with open(os.path.join(self._out, path), "rb") as file:
                    found[name.removeprefix(MEMO)] = (memo_key, file.read())
            except OSError:
                continue
        return found

    def fragments(self, keys: Sequence[str], name: str) -> dict[str, bytes]:
        """The fragment `name` of each of the units `keys`, by unit, in a few queries (one
        per `_IN_QUERY` units); the units whose fragment is not kept are left out."""
        found: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), _IN_QUERY):
            chunk = wanted[start : start + _IN_QUERY]
            marks = ", ".join("?" * len(chunk))
            with self._tolerating_damage():
                rows = self.db.execute(
                    f"SELECT unit, data FROM fragments WHERE name = ? AND unit IN ({marks})",
                    (name, *chunk),
                )
                for unit, data in rows:
                    try:
                        found[str(unit)] = zlib_ng.decompress(data)
                    except _ZLIB_NG_ERROR:
                        continue
        return found

    @contextlib.contextmanager
    def _tolerating_damage(self) -> Iterator[None]:
        """Go on when SQLite finds the file damaged (`is_damage`) where loading did not
        look: what it held is made again from the sources, and `save` replaces the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):  # a full disk, an I/O error, a lock held too long
                why = in_the_way(self.path, "the build state")
                raise OutputError(
                    f"{why}, then export again; nothing was published, and the previous"
                    " output is unchanged"
                    if why is not None
                    else f"cannot write the build state in {self.path.parent}: {exc}; nothing"
                    " was published, and the previous output is unchanged: free space (or mend"
                    " the disk) and export again"
                ) from None
            if not self._damaged:
                self.notes.append(f"SQLite found it damaged during the run ({exc})")
            self._damaged = True

    # Saving ---------------------------------------------------------------------------------

    def save(
        self,
        locate: Callable[[str], str],
        owned: Sequence[str],
        folders: Collection[str],
        journal: str | None,
        intact: Iterable[str] = (),
        fingerprint: str | None = None,
        orphan_watch: dict[str, Any] | None = None,
        standing: dict[str, Any] | None = None,
    ) -> None:
        """Replace the saved state by this run's, before its files go live: `owned` are the
        files of syndicate's in this run's `folders` once it is published, each found where
        `locate` says until then (`Plan.locate`: the staging folder or out/); `journal` is the
        publication still to do (`Plan.journal`), kept in the same transaction. `intact` are
        files of `owned` this run kept as published, found intact by `lookup`: their records
        stand, and they are not looked at again (an edit keeps thousands). A run that found
        everything as the last one left it and kept all of it writes nothing.

        A build saves once: the state is not used afterwards (what it holds in memory is
        emptied, so that a second use would find nothing rather than something stale).

        `fingerprint` is this run's (`syndicate.build.unchanged`), if it left one: saved in
        the same transaction, which removes the last one whatever this run leaves, so a
        fingerprint always describes the state saved with it.

        `orphan_watch` is what the orphaned folders of out/ carried (`orphan_watch`), saved
        in the same transaction: none, there are none; so is `standing` (`standing`)."""
        replaced = self._damaged
        if replaced:  # found during the run
            self._start_again()
        if not replaced and journal is None and self._unchanged(owned, folders):
            if fingerprint is not None:  # the same state: its fingerprint may be newer
                self.keep_fingerprint(fingerprint)
            if (orphan_watch or None) != self.orphan_watch():
                with self.db:
                    self._keep_orphan_watch(orphan_watch)
            if (standing or None) != self.standing():
                with self.db:
                    self._keep_standing(standing)
            self._unmark()
            return
        try:
            self._save(locate, owned, folders, journal, intact, fingerprint, orphan_watch, standing)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            self.notes.append(f"SQLite found it damaged while saving ({exc})")
            self._start_again()
            self._save(locate, owned, folders, journal, intact, fingerprint, orphan_watch, standing)
        self._unmark()
        self.owned, self._units, self._stories = {}, {}, {}
        self._loaded = False

    def _unmark(self) -> None:
        """For a run that makes every file of a preview's folder anew (`unpreview`), once its
        state is saved with the journal of its publication (which a run stopped since
        completes): a run that fails to save publishes nothing, and out/ stays the preview."""
        if not self.unpreview:
            return
        with self.db:
            self.db.execute("DELETE FROM meta WHERE key = 'preview'")
        try:
            (self.out / PREVIEW_MARK).unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(
                f"cannot remove {self.out / PREVIEW_MARK}: {exc.strerror or exc}"
            ) from None

    def _start_again(self) -> None:
        """Damage found where loading did not look (fragments, models): the file is replaced,
        and this run's files and the history are saved in it with no cache (no unit, no
        story: the next run makes them again, as after `--force`)."""
        self._replace_damaged()
        self.kept, self.stories = {}, {}
        if self._marked:  # (the files this run saves are a preview's: the state says so)
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('preview', '1')")

    def _save(
        self,
        locate: Callable[[str], str],
        owned: Sequence[str],
        folders: Collection[str],
        journal: str | None,
        intact: Iterable[str],
        fingerprint: str | None,
        orphan_watch: dict[str, Any] | None,
        standing: dict[str, Any] | None = None,
    ) -> None:
        prefixes = tuple(f"{folder}/" for folder in folders)
        recorded, untouched = self.owned, frozenset(intact)

        def written() -> Iterator[tuple[str, int, int]]:
            """The rows of `owned`: an archive's hundreds of thousands, never all in memory."""
            for path in owned:
                known = recorded.get(path) if path in untouched else None
                if known is not None:
                    yield path, *known
                    continue
                stat = os.lstat(locate(path))
                yield path, stat.st_size, stat.st_mtime_ns

        # The tables as loaded are the last build's: only the rows that differ are written
        # (an edit changes a few dozen of many thousands). A state not loaded whole (`fresh`,
        # or unreadable) is written whole.
        whole = not self._loaded
        units = self.kept if whole else _changed(self._units, self.kept, lambda a, b: a is b)
        stories = self.stories if whole else _changed(self._stories, self.stories, _same)
        if whole:  # the files of the formats this run left alone, then this run's
            others = sorted((p, *k) for p, k in self.owned.items() if not p.startswith(prefixes))
            paths: Iterable[tuple[str, int, int]] = itertools.chain(others, written())
        else:
            before = self.owned
            paths = (row for row in written() if before.get(row[0]) != row[1:])
        with self.db:
            if whole:
                for table in ("units", "files", "stories"):
                    self.db.execute(f"DELETE FROM {table}")
            else:
                now = set(owned)
                for table, column, gone in (
                    ("units", "key", self._units.keys() - self.kept.keys()),
                    ("files", "path", {p for p in self.owned if p.startswith(prefixes)} - now),
                    ("stories", "key", self._stories.keys() - self.stories.keys()),
                ):
                    self.db.executemany(
                        f"DELETE FROM {table} WHERE {column} = ?",
                        [(key,) for key in sorted(gone)],
                    )
            self.db.executemany(
                "INSERT OR REPLACE INTO units VALUES (?, ?, ?, ?, ?)",
                (
                    (
                        key,
                        json.dumps(u.paths),
                        _diagnostics(u.diagnostics),
                        json.dumps(u.fragments),
                        json.dumps(u.parts),
                    )
                    for key, u in sorted(units.items())
                ),
            )
            self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", paths)
            self.db.execute("DELETE FROM meta WHERE key = ?", (FINGERPRINT,))
            if fingerprint is not None:
                self.db.execute("INSERT INTO meta VALUES (?, ?)", (FINGERPRINT, fingerprint))
            self.db.executemany(
                "INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        key,
                        r.key,
                        json.dumps(r.summary.to_json()),
                        _diagnostics(r.diagnostics),
                        json.dumps(r.images),
                        json.dumps(r.seen),
                        r.texts,
                        json.dumps(r.checked),
                    )
                    for key, r in sorted(stories.items())
                ),
            )
            # (the rows that differ: an edit writes those of the stories it read again)
            history = _changed({} if whole else self._history_saved, self.history, _equal)
            self.db.executemany(
                "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?)",
                (
                    (ident, p.version, p.status, p.digest, _released(p))
                    for ident, p in sorted(history.items())
                ),
            )
            # (the rows that differ: an edit writes those of the stories it moved or released)
            saved = {} if whole else self._shown_saved
            self.db.executemany(
                "INSERT OR REPLACE INTO shown_in VALUES (?, ?)",
                (
                    (ident, json.dumps(names, sort_keys=True))
                    for ident, names in sorted(self.shown_in.items())
                    if saved.get(ident) != names
                ),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO read_from VALUES (?, ?, ?, ?)",
                (
                    (ident, p.digest, p.sources, p.code)
                    for ident, p in sorted(history.items())
                    if p.sources
                ),
            )
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (unit TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM used")
            self.db.executemany(
                "INSERT INTO used VALUES (?)", ((k,) for k, u in self.kept.items() if u.fragments)
            )
            self.db.execute("DELETE FROM fragments WHERE unit NOT IN (SELECT unit FROM used)")
            self.db.execute("DELETE FROM used")
            self.db.executemany(
                "INSERT INTO used VALUES (?)", ((r.key,) for r in self.stories.values())
            )
            self.db.execute("DELETE FROM models WHERE key NOT IN (SELECT unit FROM used)")
            if journal is not None:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('pending', ?)", (journal,))
            self._keep_orphan_watch(orphan_watch)
            self._keep_standing(standing)

    def _unchanged(self, owned: Iterable[str], folders: Collection[str]) -> bool:
        """Whether saving would write what is saved already: nothing recorded, every unit
        and story of the last build kept, and syndicate's files in `folders` exactly those of
        the units kept (whose size and time `lookup` checked against the saved ones)."""
        if self.changed or self.kept.keys() != self._units.keys():
            return False
        if self.stories.keys() != self._stories.keys():
            return False
        verified = {path for unit in self.kept.values() for path in unit.paths}
        now = set(owned)
        if not now <= verified:
            return False
        prefixes = tuple(f"{folder}/" for folder in folders)
        return now == {path for path in self.owned if path.startswith(prefixes)}


def _names(value: object) -> bool:
    """Whether a value read from the state is a list of names."""
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


def shown_in_entry(entry: Shown | None, fmt: str, lang: str) -> Sections | None:
    """`BuildState.sections_shown` of a story's entry of `shown_in`."""
    if entry is None or isinstance(entry, tuple):
        return entry
    own = entry.get(fmt)
    if own is None:
        own = entry.get(EVERY_FORMAT)
    if own is None or isinstance(own, tuple):
        return own
    found = own.get(lang)
    return own.get(EVERY_LANGUAGE) if found is None else found


def listed_in_entry(entry: Shown) -> Iterator[Sections]:
    """Each list of sections a story's entry of `shown_in` holds, of any format and
    language."""
    if isinstance(entry, tuple):
        yield entry
        return
    for mine in entry.values():
        if isinstance(mine, tuple):
            yield mine
        else:
            yield from mine.values()


def _frozen(value: Shown) -> object:
    """A value of `shown_in`, hashable: the key of its shape (`BuildState._shape`)."""
    if isinstance(value, tuple):
        return ("every", value)
    return (
        "own",
        *sorted(
            (fmt, mine if isinstance(mine, tuple) else tuple(sorted(mine.items())))
            for fmt, mine in value.items()
        ),
    )


def _released(published: Published) -> int:
    """The `released` column of the history: 0 or 1 (released), 2 if public, 3 if shown."""
    return 3 if published.shown else 2 if published.public else int(published.released)


V = TypeVar("V")


def _changed(
    before: Mapping[str, V], after: Mapping[str, V], same: Callable[[V, V], bool]
) -> dict[str, V]:
    """The entries of `after` that `before` does not have the same."""
    changed = {}
    for key, value in after.items():
        old = before.get(key)
        if old is None or not same(old, value):
            changed[key] = value
    return changed


def _equal(a: Published, b: Published) -> bool:
    """Whether two histories of a story are saved as the same rows."""
    return a == b


def _same(a: StoryRecord, b: StoryRecord) -> bool:
    """Whether two records are saved as the same row (the one loaded, found again)."""
    return a is b or a == b


def _read_history(db: sqlite3.Connection, *, read_from: bool = True) -> dict[str, Published]:
    """The history table (`BuildState._history`), its rows that are not a story's record
    left out; a `sqlite3.Error` if it cannot be read. Without `read_from` (a state of a
    format that had no such table), what each story was read from is not known."""
    history: dict[str, Published] = {}
    rows = db.execute(
        "SELECT h.id, h.version, h.status, h.digest, h.released, r.sources, r.code"
        " FROM history h LEFT JOIN read_from r ON r.id = h.id AND r.digest = h.digest"
        if read_from
        else "SELECT id, version, status, digest, released, NULL, NULL FROM history"
    )
    for ident, version, status, digest, released, sources, code in rows:
        if not (
            isinstance(ident, str)
            and isinstance(version, int)
            and isinstance(status, str)
            and isinstance(digest, str)
            and released in (0, 1, 2, 3)
        ):
            continue
        known = isinstance(sources, str) and isinstance(code, str)
        history[ident] = Published(
            version,
            status,
            digest,
            bool(released),
            public=released >= 2,
            shown=released == 3,
            sources=sources if known else "",
            code=code if known else "",
        )
    return history


def recorded_history(
    folder: Path,
) -> tuple[dict[str, Published], list[StorySummary], object] | None:
    """The history of the build state in `folder` (what was published of each id), the
    stories of its last build and its standing warnings (`BuildState.standing`: JSON data,
    unchecked), read only: nothing is created, locked or written (a build may be running).
    A state of an older format holds the history alone, as the export that opens it keeps
    it (`_reset`): no stories, no standing warnings. None when there is no state, or one of
    a newer format, or one that cannot be read."""
    db = _read_only(folder)
    if db is None:
        return None
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        meta = (
            dict(db.execute("SELECT key, value FROM meta WHERE key IN ('format', 'standing')"))
            if "meta" in tables
            else {}
        )
        found = meta.get("format")
        if found is not None and not (found.isdigit() and int(found) <= FORMAT):
            return None  # a newer syndicate's, which the export refuses
        history = _read_history(db, read_from="read_from" in tables)
        if found != str(FORMAT):  # what the export keeps of an older state: its history
            return history, [], None
        rows = db.execute("SELECT summary FROM stories ORDER BY key").fetchall()
        standing = json.loads(meta["standing"]) if "standing" in meta else None
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        db.close()
    from syndicate.model.summary import StorySummary

    try:
        return history, [StorySummary.from_json(json.loads(s)) for (s,) in rows], standing
    except (ValueError, KeyError, TypeError):
        return None


def recorded_summaries(folder: Path) -> list[StorySummary]:
    """The stories of the last build whose state is in `folder` (see `state_folder`), read
    without changing the state (a build may be running); none when there is no state, or one
    of another format or damaged."""
    path = folder / STATE_FILE
    if not path.is_file():
        return []
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None or row[0] != str(FORMAT):
                return []
            rows = db.execute("SELECT summary FROM stories ORDER BY key").fetchall()
        finally:
            db.close()
        from syndicate.model.summary import StorySummary

        return [StorySummary.from_json(json.loads(summary)) for (summary,) in rows]
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return []


def pack_story(story: Story) -> bytes:
    """A story as the state keeps it: compressed JSON (see `syndicate.model.codec`). zlib-ng
    compresses and inflates the state's data (the same zlib format, several times faster)."""
    from syndicate.model import codec

    return zlib_ng.compress(codec.dumps(story), 1)


def _diagnostic(record: dict[str, Any]) -> Diagnostic:
    """A problem kept in the state (its `named` files a JSON list, or none in an older one)."""
    return Diagnostic(**{**record, "named": tuple(record.get("named", ()))})


def _diagnostics(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics])


def last_fingerprint(folder: Path) -> str | None:
    """The fingerprint the last full run left in the build state in `folder` (see
    `syndicate.build.unchanged`); None when there is none, the state is of another format or
    unreadable, or a publication is pending. Read only: nothing is created or changed."""
    db = _read_only(folder)
    if db is None:
        return None
    try:
        keys = ("format", "pending", FINGERPRINT)
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN (?, ?, ?)", keys))
        if meta.get("format") != str(FORMAT) or "pending" in meta or FINGERPRINT not in meta:
            return None
        return str(meta[FINGERPRINT])
    except sqlite3.Error:
        return None
    finally:
        db.close()


def recorded_files(folder: Path) -> dict[str, tuple[int, int]] | None:
    """The files of out/ the build state in `folder` lists, with their size and time (None
    if it cannot be read). Read only."""
    db = _read_only(folder)
    if db is None:
        return None
    try:
        return _files(db)
    except (sqlite3.Error, TypeError, ValueError):
        return None
    finally:
        db.close()


def published_ids(folder: Path) -> dict[str, str]:
    """The folder each id of the last build's stories was in (none when the build state in
    `folder` cannot be read). Read only: `validate` says which of two folders giving one id
    is the copy."""
    db = _read_only(folder)
    if db is None:
        return {}
    try:
        rows = db.execute(
            "SELECT json_extract(summary, '$.id'), json_extract(summary, '$.slug') FROM stories"
        )
        return {ident: slug for ident, slug in rows if isinstance(ident, str) and slug}
    except sqlite3.Error:
        return {}
    finally:
        db.close()


PREVIEW_MARK = ".syndicate-preview"
"""The file a preview's run leaves in its out/ (`BuildState.mark_previewed`)."""

_PREVIEW_NOTE = (
    "A preview (syndicate serve --watch) exported into this folder: embargoed stories, and\n"
    "with --drafts drafts, are shown in it as if released. syndicate export and deliver\n"
    "refuse it until syndicate export --format all --force makes every file of it anew.\n"
)


def _marked_preview(out: Path) -> bool:
    return os.path.lexists(out / PREVIEW_MARK)


def was_previewed(folder: Path, out: Path | None = None) -> bool:
    """Whether a preview's run (`BuildState.mark_previewed`) wrote into the out/ whose build
    state is in `folder` (or into `out`, which it marks whatever its state). Read only: only
    the mark in `out` says so when the state cannot be read."""
    if out is not None and _marked_preview(out):
        return True
    db = _read_only(folder)
    if db is None:
        return False
    try:
        return db.execute("SELECT 1 FROM meta WHERE key = 'preview'").fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        db.close()


def shown_drafts(folder: Path) -> list[str]:
    """The folders of the drafts the last build showed as if released (a preview with
    `--drafts` into that folder: `StorySummary.draft`); none when the build state in `folder`
    cannot be read. Read only: `deliver` sends no such folder."""
    db = _read_only(folder)
    if db is None:
        return []
    try:
        rows = db.execute(
            "SELECT json_extract(summary, '$.slug') FROM stories"
            " WHERE json_extract(summary, '$.draft') IS NOT NULL"
        )
        return sorted(slug for (slug,) in rows if isinstance(slug, str))
    except sqlite3.Error:
        return []
    finally:
        db.close()


def _files(db: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """The `files` table: each path of out/ with its size and time. A row of other types
    raises `ValueError`: the table is unreadable. (Its types checked by SQLite, not each
    value converted in Python: a third less time for an archive's 61,000 files.)"""
    wrong = db.execute(
        "SELECT 1 FROM files WHERE typeof(path) != 'text' OR typeof(size) != 'integer'"
        " OR typeof(mtime) != 'integer' LIMIT 1"
    ).fetchone()
    if wrong is not None:
        raise ValueError("a row of the files table is not a path, a size and a time")
    rows = db.execute("SELECT path, size, mtime FROM files")
    return {path: (size, mtime) for path, size, mtime in rows}


def released_ids(folder: Path, wanted: Callable[[str], bool]) -> dict[str, tuple[str, str]]:
    """The ids of the last build's stories that a build released, to wire partners under
    embargo at least (a draft is not: it is in no file of out/), that are `wanted`, each
    with its folder's name and its `story.yaml` as the build named it (from the site
    folder); none when the build state in `folder` cannot be read. Read only. The stories'
    summaries are read only when an id is wanted (usually none is: reading every one cost
    0.6 s in 100,000)."""
    db = _read_only(folder)
    if db is None:
        return {}
    try:
        rows = db.execute("SELECT id FROM history WHERE released >= 1")
        idents = {ident for (ident,) in rows if isinstance(ident, str) and wanted(ident)}
        if not idents:
            return {}
        rows = db.execute(
            "SELECT json_extract(summary, '$.id'), json_extract(summary, '$.slug'),"
            " json_extract(summary, '$.source[0]') FROM stories"
        )
        return {
            ident: (slug, source)
            for ident, slug, source in rows
            if ident in idents and isinstance(slug, str) and isinstance(source, str)
        }
    except sqlite3.Error:
        return {}
    finally:
        db.close()


def _read_only(folder: Path) -> sqlite3.Connection | None:
    path = folder / STATE_FILE
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None


def keep_fingerprint(
    folder: Path,
    fingerprint: str,
    signed: Iterable[tuple[str, str, tuple[tuple[str, str], ...]]] = (),
) -> None:
    """`BuildState.keep_fingerprint` without loading the state, by a run that found
    everything as the fingerprint it read says: the state saved is the one it describes.
    `signed` are the stories that run found by reading their texts or hashing their images,
    by text key, with the signatures it took (`StoryRecord.texts` and `seen`): recorded as a
    run that loads the state records them, so that no later run reads them again. A state
    that cannot be written keeps what it had, which is true too."""
    try:
        db = sqlite3.connect(folder / STATE_FILE, isolation_level="DEFERRED")
    except sqlite3.Error:
        return
    try:
        with db:
            db.executemany(
                "UPDATE stories SET texts = ?, seen = ? WHERE key = ?",
                [(texts, json.dumps(seen), key) for key, texts, seen in signed],
            )
            _keep_fingerprint(db, fingerprint)
    except sqlite3.Error:
        return
    finally:
        db.close()


def _keep_fingerprint(db: sqlite3.Connection, fingerprint: str) -> None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (FINGERPRINT,)).fetchone()
    if row is None or row[0] != fingerprint:
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (FINGERPRINT, fingerprint))


def _open(path: Path, notes: list[str]) -> sqlite3.Connection:
    """The state database, created if needed; one of an older format, or not a database, is
    replaced by an empty one. A file of no bytes (cut short, a disk that filled up) is a
    state lost, not a new one: SQLite would open it as an empty database, and out/'s files
    would then be refused as the user's (`output.foreign`), where a damaged state's are
    taken back."""
    with contextlib.suppress(OSError):
        if path.stat().st_size == 0:
            notes.append("it was empty: 0 bytes")
    for _attempt in range(2):
        try:
            db = sqlite3.connect(path, isolation_level="DEFERRED")
        except sqlite3.Error as exc:
            raise OutputError(cannot_open(path, "the build state", exc)) from None
        try:
            row = _format(db)
            if row is not None and (not row.isdigit() or int(row) > FORMAT):
                db.close()
                raise OutputError(
                    f"the build state {path} was written by a newer syndicate (its format is"
                    f" {row}; this one reads {FORMAT}): run the newer syndicate again. To go"
                    f" back to this one on purpose, delete {path} and export with --force (the"
                    " stories' history goes with it: no version check then knows what partners"
                    " hold)"
                )
            db.executescript(_SCHEMA)
            if row != str(FORMAT):
                _reset(db)
            return db
        except sqlite3.DatabaseError as exc:
            db.close()
            code = getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_ERROR) & 0xFF
            if is_damage(exc):
                notes.append("it was not a database")
            elif code == sqlite3.SQLITE_ERROR:  # a database of another shape
                notes.append(f"it was another program's database: {exc}")
            else:  # busy, locked, read-only, full, an I/O error: the file is not at fault
                said = cannot_open(path, "the build state", exc)
                if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    said += (
                        "; another program holds it (an sqlite3 session, a backup): close"
                        " that, then export again"
                    )
                raise OutputError(said) from None
            _remove(path)
    raise sqlite3.DatabaseError(f"cannot create the build state {path}")


SQLITE_MAX_PATH = 512
"""The longest path SQLite opens a database at (its unix VFS's `MAX_PATHNAME`)."""


def cannot_open(path: Path, what: str, exc: Exception) -> str:
    """Why the SQLite database `what` at `path` cannot be opened, and what to do."""
    length = len(os.fsencode(os.path.abspath(path)))
    if length >= SQLITE_MAX_PATH - 16:  # (and its journal's name, a few bytes more)
        return (
            f"cannot open {what} {path}: its path is {length} bytes, and SQLite opens none"
            f" over {SQLITE_MAX_PATH}: set SYNDICATE_CACHE_DIR to a shorter folder, where the"
            " build state and the delivery ledgers are then kept"
        )
    return in_the_way(path, what) or f"cannot open {what} {path}: {exc}"


def in_the_way(path: Path, what: str) -> str | None:
    """What keeps SQLite from opening or writing the database `what` at `path`, and what to
    do, when its folder is at fault (SQLite says only "unable to open database file"): a
    folder at the file's path, or a folder that cannot be written (read-only, another
    user's), as `exclusive` says of it (`unwritable_folder`). None when neither is: only
    looked at once SQLite has failed."""
    if path.is_dir() and not path.is_symlink():
        return (
            f"cannot open {what} {path}: it is a folder, not a file: move it away (syndicate"
            " makes the file anew)"
        )
    return cannot_write(path.parent)


def cannot_write(folder: Path) -> str | None:
    """What keeps a file from being made in `folder`, a build state's (read-only, another
    user's), and what to do, as `exclusive` says of it (`unwritable_folder`); None when one
    can be. Only looked at once SQLite has failed (`in_the_way`; deliver's ledger, whose
    folder's fault is `deliver.state`, not the ledger's)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return unwritable_folder(folder, exc)
    return None


def _format(db: sqlite3.Connection) -> str | None:
    """The state's format, as its `meta` table says (None: no such table or row, a new or
    emptied file)."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return None if row is None else str(row[0])


def _reset(db: sqlite3.Connection) -> None:
    """Empty the state, its tables made again in this format's shapes."""
    with db:
        # What syndicate wrote into out/ and what it published of each story stay: they are
        # facts about out/ and about partners, not cache, and their shapes do not change.
        for table in ("units", "stories", "models", "fragments", "meta"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
    db.executescript(_SCHEMA)
    with db:
        db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite says the database file is damaged or is not one (as opposed to busy,
    read-only or out of space, which a new file would not mend)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        os.unlink(path)
