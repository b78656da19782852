"""The state a build keeps between runs, beside out/: which files each unit of work (one story's
files in one format, or a format's collection files) produced from which inputs, the summary of
every story read with the story itself (for the few collection files that need whole stories,
an EPUB edition's chapters), and the fragments collections reuse (rendered feed entries).

A unit is reused only while every file it produced is still in out/ with the size and time
recorded. Keys are hashes of the inputs, so an entry never goes stale; a run keeps what it used
and forgets the rest. Everything is plain data in one SQLite file (JSON text and compressed
bytes, never pickles): a damaged or foreign file can only cost a rebuild, never run code."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from syndicate.diagnostics import Diagnostic
from syndicate.model import Story, StorySummary, codec

STATE_FILE = "state.sqlite"
FORMAT = 3
"""Bumped whenever the layout or the meaning of the state changes: an older state is dropped."""
_LEGACY = ("manifest.json", "stories", "abstracts")
"""What earlier versions kept in the same folder."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
  key TEXT PRIMARY KEY, paths TEXT NOT NULL, diagnostics TEXT NOT NULL, fragments TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER);
CREATE TABLE IF NOT EXISTS stories (key TEXT PRIMARY KEY, summary TEXT, diagnostics TEXT);
CREATE TABLE IF NOT EXISTS models (key TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fragments (
  unit TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (unit, name)
) WITHOUT ROWID;
"""


def state_folder(out: Path) -> Path:
    """Beside out/ (`out` -> `.out.syndicate`), so out/ holds only what is published."""
    out = out.resolve()
    return out.with_name(f".{out.name}.syndicate")


@dataclass(frozen=True, slots=True)
class Unit:
    """What one unit of work produced: the paths it wrote, the problems it reported, and the
    names of the fragments it left for its format's collection files."""

    paths: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    fragments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story as a build remembers it without reading it again: its summary, and what
    reading it reported."""

    summary: StorySummary
    diagnostics: tuple[Diagnostic, ...]


class BuildState:
    """The state of the last successful build into an out/ folder, and this run's changes to
    it, saved by `save` once the run's files are published."""

    def __init__(self, out: Path, *, fresh: bool = False) -> None:
        self.out = out
        folder = state_folder(out)
        folder.mkdir(parents=True, exist_ok=True)
        for name in _LEGACY:
            _remove(folder / name)
        self.db = _open(folder / STATE_FILE)
        self._units: dict[str, Unit] = {}
        self._files: dict[str, tuple[int, int]] = {}
        self._stories: dict[str, StoryRecord] = {}
        if not fresh:
            self._load()
        self.kept: dict[str, Unit] = {}
        """The units of this run."""
        self.stories: dict[str, StoryRecord] = {}
        """The stories of this run."""

    def close(self) -> None:
        """Close the database; what `save` did not commit (a failed run's fragments) is lost."""
        self.db.close()

    def _load(self) -> None:
        try:
            self._units = {
                key: Unit(
                    tuple(json.loads(paths)),
                    tuple(Diagnostic(**d) for d in json.loads(diagnostics)),
                    tuple(json.loads(fragments)),
                )
                for key, paths, diagnostics, fragments in self.db.execute("SELECT * FROM units")
            }
            self._files = {
                path: (size, mtime)
                for path, size, mtime in self.db.execute("SELECT path, size, mtime FROM files")
            }
            self._stories = {
                key: StoryRecord(
                    StorySummary.from_json(json.loads(summary)),
                    tuple(Diagnostic(**d) for d in json.loads(diagnostics)),
                )
                for key, summary, diagnostics in self.db.execute("SELECT * FROM stories")
            }
        except (sqlite3.Error, ValueError, KeyError, TypeError):
            self._units, self._files, self._stories = {}, {}, {}

    # Stories --------------------------------------------------------------------------------

    def story(self, key: str) -> StoryRecord | None:
        """The story read from the inputs `key` names, if a build read it."""
        return self._stories.get(key)

    def record_story(self, key: str, record: StoryRecord, model: bytes | None = None) -> None:
        """A story of this run; `model` is the story itself (`pack_story`), when just read."""
        self.stories[key] = record
        if model is not None:
            self.db.execute("INSERT OR REPLACE INTO models VALUES (?, ?)", (key, model))

    def model(self, key: str) -> Story | None:
        """The whole story read from the inputs `key` names; None if it is not kept."""
        row = self.db.execute("SELECT data FROM models WHERE key = ?", (key,)).fetchone()
        try:
            return codec.loads(zlib.decompress(row[0])) if row else None
        except (zlib.error, codec.CodecError):
            return None

    # Units ----------------------------------------------------------------------------------

    def lookup(self, key: str) -> Unit | None:
        """The unit made from the inputs `key` names, if its files are in out/ untouched; it
        is then kept for the next run."""
        unit = self._units.get(key)
        if unit is None or not all(self._intact(path) for path in unit.paths):
            return None
        self.kept[key] = unit
        return unit

    def _intact(self, path: str) -> bool:
        try:
            stat = (self.out / path).stat()
        except OSError:
            return False
        return self._files.get(path) == (stat.st_size, stat.st_mtime_ns)

    def record(
        self,
        key: str,
        paths: Iterable[str],
        diagnostics: Iterable[Diagnostic],
        fragments: dict[str, bytes] | None = None,
    ) -> None:
        """This run made the unit `key`: its files, its problems, its fragments."""
        names = tuple(sorted(fragments or {}))
        self.kept[key] = Unit(tuple(paths), tuple(diagnostics), names)
        if fragments:
            self.db.executemany(
                "INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)",
                [(key, name, zlib.compress(data, 1)) for name, data in fragments.items()],
            )

    def fragment(self, key: str, name: str) -> bytes | None:
        """A fragment of the unit `key`; None if it is not kept (the state was emptied)."""
        row = self.db.execute(
            "SELECT data FROM fragments WHERE unit = ? AND name = ?", (key, name)
        ).fetchone()
        if row is None:
            return None
        try:
            return zlib.decompress(row[0])
        except zlib.error:
            return None

    # Saving ---------------------------------------------------------------------------------

    def save(self) -> None:
        """Replace the saved state by this run's, after its files were published."""
        files: dict[str, tuple[int, int]] = {}
        for unit in self.kept.values():
            for path in unit.paths:
                stat = (self.out / path).stat()
                files[path] = (stat.st_size, stat.st_mtime_ns)
        with self.db:
            self.db.execute("DELETE FROM units")
            self.db.executemany(
                "INSERT INTO units VALUES (?, ?, ?, ?)",
                [
                    (key, json.dumps(u.paths), _diagnostics(u.diagnostics), json.dumps(u.fragments))
                    for key, u in sorted(self.kept.items())
                ],
            )
            self.db.execute("DELETE FROM files")
            self.db.executemany(
                "INSERT INTO files VALUES (?, ?, ?)",
                [(path, size, mtime) for path, (size, mtime) in sorted(files.items())],
            )
            self.db.execute("DELETE FROM stories")
            self.db.executemany(
                "INSERT INTO stories VALUES (?, ?, ?)",
                [
                    (key, json.dumps(r.summary.to_json()), _diagnostics(r.diagnostics))
                    for key, r in sorted(self.stories.items())
                ],
            )
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (unit TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM used")
            self.db.executemany(
                "INSERT INTO used VALUES (?)", [(k,) for k, u in self.kept.items() if u.fragments]
            )
            self.db.execute("DELETE FROM fragments WHERE unit NOT IN (SELECT unit FROM used)")
            self.db.execute("DELETE FROM used")
            self.db.executemany("INSERT INTO used VALUES (?)", [(k,) for k in self.stories])
            self.db.execute("DELETE FROM models WHERE key NOT IN (SELECT unit FROM used)")


def recorded_summaries(out: Path) -> list[StorySummary]:
    """The stories of the last build into `out`, read without changing the state (a build may
    be running); none when there is no state, or one of another format or damaged."""
    path = state_folder(out) / STATE_FILE
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
        return [StorySummary.from_json(json.loads(summary)) for (summary,) in rows]
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return []


def pack_story(story: Story) -> bytes:
    """A story as the state keeps it: compressed JSON (see `syndicate.model.codec`)."""
    return zlib.compress(codec.dumps(story), 1)


def _diagnostics(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics])


def _open(path: Path) -> sqlite3.Connection:
    """The state database, created if needed; one of an older format, or not a database, is
    replaced by an empty one."""
    for _attempt in range(2):
        try:
            db = sqlite3.connect(path, isolation_level="DEFERRED")
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None or row[0] != str(FORMAT):
                _reset(db)
            return db
        except sqlite3.DatabaseError:
            db.close()
            _remove(path)
    raise sqlite3.DatabaseError(f"cannot create the build state {path}")


def _reset(db: sqlite3.Connection) -> None:
    with db:
        for table in ("units", "files", "stories", "models", "fragments", "meta"):
            db.execute(f"DELETE FROM {table}")
        db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        os.unlink(path)
