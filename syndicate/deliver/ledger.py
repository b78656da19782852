"""The delivery ledger, beside the build state: for each target, every file it holds (path,
SHA-256, the story's version) as last delivered, and for WebSub, the feeds last announced.
Each file is recorded the moment the target confirmed it, so a run stopped at any point
resumes where it was; nothing is recorded that was not delivered."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from syndicate.build.inventory import file_sha256
from syndicate.build.state import cannot_open

LEDGER_FILE = "deliver.sqlite"
FORMAT = 1
"""Bumped whenever the layout changes: a ledger of another format is dropped (every target
then gets everything again, which is safe). A table added beside the others does not bump it:
`words` (which story each delivered file is of, and that story's status then) came later, in
a table of its own, so an older syndicate reading the ledger sees the layout it knows; a row
of it is trusted only while its SHA-256 is the delivered file's. So is `sections` (the section
of its story under which the target took each story's file), later still, and `stores` (the
server of a target's url when the url does not name it: an S3 `endpoint_url`; a target with no
row was recorded before it was kept, and is taken as on the server it has now)."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS targets (name TEXT PRIMARY KEY, url TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS delivered (
  target TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
  mtime INTEGER NOT NULL, version INTEGER, at TEXT NOT NULL, PRIMARY KEY (target, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sending (
  target TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (target, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS words (
  target TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, story TEXT NOT NULL,
  status TEXT NOT NULL, PRIMARY KEY (target, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sections (
  target TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, section TEXT NOT NULL,
  PRIMARY KEY (target, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stores (target TEXT PRIMARY KEY, store TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS announced (
  path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
  topic TEXT, at TEXT NOT NULL
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """A file as it was delivered (or announced): its bytes' SHA-256, and the size and
    modification time it had in out/, so an untouched file is known without reading it."""

    path: str
    sha256: str
    size: int
    mtime: int
    version: int | None = None
    word: Word | None = None
    """Of a story's file (not an image): the story's id and its status in this file."""
    section: str | None = None
    """Of a story's file (its images too): the section under which the target took the story,
    one its `sections` named (the story's, or the one it had when the target first took it,
    if it moved since: `plan.selection`). None for a collection, or not recorded (a ledger
    from before it was kept)."""

    @classmethod
    def of(
        cls,
        path: str,
        data: bytes,
        stat: os.stat_result,
        version: int | None,
        word: Word | None,
        section: str | None = None,
    ) -> Entry:
        """The entry of a file read just now: `data` and `stat` of out/`path`."""
        sha = hashlib.sha256(data).hexdigest()
        return cls(path, sha, stat.st_size, stat.st_mtime_ns, version, word, section)


@dataclass(frozen=True, slots=True)
class Word:
    """What a story's file tells a partner of the story: its id, and its status (`usable`,
    or `canceled` or `withheld`: a kill or a withdrawal)."""

    story: str
    status: str

    @property
    def live(self) -> bool:
        return self.status == "usable"


def changed(
    out: Path,
    path: str,
    old: Entry | None,
    version: int | None = None,
    word: Word | None = None,
    section: str | None = None,
) -> Entry | None:
    """The entry of out/`path` now, or None when its size and time are those `old` recorded
    (the file is then not read: an export keeps the time of a file whose bytes it kept)."""
    stat = os.lstat(out / path)  # a link is not followed: `file_sha256` refuses it
    if old is not None and (old.size, old.mtime) == (stat.st_size, stat.st_mtime_ns):
        return None
    sha = file_sha256(out / path)
    return Entry(path, sha, stat.st_size, stat.st_mtime_ns, version, word, section)


class Ledger:
    """The ledger of an out/ folder (`deliver.sqlite` in its state folder)."""

    def __init__(self, folder: Path, *, repair: bool = True, dry_run: bool = False) -> None:
        """`repair`: check the whole file and replace one that is not a database or is of an
        older format (`deliver`); without it (an export announcing its feeds) such a ledger
        is a LedgerError, left for `deliver` to replace and warn of. `dry_run`: the ledger is
        read only, left byte for byte as it is (`_open_dry`); one the run would replace is
        read as empty, said as `replaced` too. One of a newer format (a newer syndicate wrote
        it) is always a LedgerError: emptied, it would make every target get everything
        again."""
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        """The build state's folder it lives in."""
        self.path = folder / LEDGER_FILE
        self.replaced: str | None = None
        """Why the ledger found was replaced by an empty one (unreadable: its header
        overwritten, the file cut short or emptied), to warn of; None when it was not."""
        opened = _open_dry(self.path) if dry_run else _open(self.path, repair=repair)
        self.db, self.replaced, self.stale = opened
        self.site = ""
        """The configuration file of the site it belongs to (`belongs_to`)."""
        self._claims: dict[str, tuple[str, str]] = {}
        """The URL (and store) each target is being sent to, by name, until its first
        confirmed change (`claim`)."""

    def close(self) -> None:
        self.db.close()

    def belongs_to(self, site: str, *, record: bool = True) -> None:
        """Mark the ledger as the one of the site whose configuration is at `site` (a cache
        folder may hold the build states of several sites: `delivered_urls`); a dry run
        (not `record`) writes nothing."""
        self.site = site
        if not record:
            return
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('site', ?)", (site,))

    def delivered(self, target: str, url: str, store: str = "") -> dict[str, Entry]:
        """What `target` holds. A target whose URL changed (`url`: its place, see
        `options.place`), or its store (`store`: its S3 endpoint, see `Target.store`), is a
        new destination: it holds nothing yet (see `claim`)."""
        if self.stale:
            return {}
        if not self._same(target, url, store):
            return {}
        rows = self.db.execute(
            "SELECT d.path, d.sha256, d.size, d.mtime, d.version, w.story, w.status, s.section"
            " FROM delivered d LEFT JOIN words w"
            " ON w.target = d.target AND w.path = d.path AND w.sha256 = d.sha256"
            " LEFT JOIN sections s"
            " ON s.target = d.target AND s.path = d.path AND s.sha256 = d.sha256"
            " WHERE d.target = ?",
            (target,),
        )
        return {
            path: Entry(
                path, sha, size, mtime, version, Word(story, status) if story else None, section
            )
            for path, sha, size, mtime, version, story, status, section in rows
        }

    def _same(self, target: str, url: str, store: str) -> bool:
        """Whether the ledger's record of `target` is of `url` on `store` (a record from
        before stores were kept is taken as on `store`)."""
        row = self.db.execute("SELECT url FROM targets WHERE name = ?", (target,)).fetchone()
        if row is None or row[0] != url:
            return False
        kept = self.db.execute("SELECT store FROM stores WHERE target = ?", (target,)).fetchone()
        return kept is None or kept[0] == store

    def former(self, target: str, url: str, configured: set[str], store: str = "") -> list[str]:
        """The names the ledger knows a target by at `url` on `store` that the configuration
        no longer has, when it knows nothing of `target`: the name it had before a rename,
        maybe. One at the same url on another store (an S3 bucket of another endpoint) is
        another place, not this one."""
        if self.stale:
            return []
        if self.db.execute("SELECT 1 FROM targets WHERE name = ?", (target,)).fetchone():
            return []
        rows = self.db.execute(
            "SELECT t.name FROM targets t LEFT JOIN stores s ON s.target = t.name"
            " WHERE t.url = ? AND (s.store IS NULL OR s.store = ?) ORDER BY t.name",
            (url, store),
        )
        return [name for (name,) in rows if name not in configured]

    def claim(self, target: str, url: str, store: str = "") -> None:
        """Before sending to `target` at `url`: once it confirms a change there, what it held
        at another URL is forgotten. Not before: a run that reaches nothing at a new URL (a
        mistyped host, a refused connection) leaves the ledger as it was, so going back to
        the old URL sends only what changed, deletions included."""
        self._claims[target] = (url, store)

    def keep_store(self, target: str, url: str, store: str) -> None:
        """A record of `target` at `url` from before stores were kept is taken as on `store`
        (`_same`): say so in the ledger now, even when nothing is to be sent, so that a later
        move to another store is a new destination (a target current at the upgrade, never
        settled, took every later store for the one holding its files)."""
        if self.stale or not self._same(target, url, store):
            return
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO stores VALUES (?, ?)", (target, store))

    def _settle(self, target: str) -> None:
        """Inside the transaction of `target`'s first confirmed change: its claim applied."""
        claim = self._claims.pop(target, None)
        if claim is None:
            return
        url, store = claim
        if not self._same(target, url, store):
            self.db.execute("DELETE FROM delivered WHERE target = ?", (target,))
            self.db.execute("DELETE FROM words WHERE target = ?", (target,))
            self.db.execute("DELETE FROM sections WHERE target = ?", (target,))
            self.db.execute("INSERT OR REPLACE INTO targets VALUES (?, ?)", (target, url))
        self.db.execute("INSERT OR REPLACE INTO stores VALUES (?, ?)", (target, store))

    def record(self, target: str, entry: Entry) -> None:
        """`target` confirmed it holds `entry`."""
        with self.db:
            self._settle(target)
            self.db.execute(
                "INSERT OR REPLACE INTO delivered VALUES (?, ?, ?, ?, ?, ?, ?)",
                (target, entry.path, entry.sha256, entry.size, entry.mtime, entry.version, _now()),
            )
            self._word(target, entry)
            self.db.execute(
                "DELETE FROM sending WHERE target = ? AND path = ?", (target, entry.path)
            )

    def sending(self, target: str, path: str) -> None:
        """An upload of `path` to `target` starts: until `record` (or `sent`), what it may
        leave there if it stops midway (a temporary file) is to clear (`unfinished`)."""
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO sending VALUES (?, ?)", (target, path))

    def sent(self, target: str, path: str) -> None:
        """What an upload of `path` left on `target` is cleared, or it was never started."""
        with self.db:
            self.db.execute("DELETE FROM sending WHERE target = ? AND path = ?", (target, path))

    def unfinished(self, target: str) -> list[str]:
        """The paths whose upload to `target` stopped midway (a run killed, interrupted or
        given up on), whose temporary files may be left there."""
        if self.stale:
            return []
        rows = self.db.execute("SELECT path FROM sending WHERE target = ? ORDER BY path", (target,))
        return [path for (path,) in rows]

    def doubt(self, target: str, path: str) -> None:
        """`target` may hold another file at `path` than the version recorded (a write
        straight under its name, cut midway, left a part of another there): the next run
        sends it again whatever out/ holds, and deletes it there if it left out/."""
        with self.db:
            self.db.execute(
                "UPDATE delivered SET sha256 = '', mtime = -1 WHERE target = ? AND path = ?",
                (target, path),
            )

    def forget(self, target: str, path: str) -> None:
        """`target` no longer holds `path`."""
        with self.db:
            self._settle(target)
            self.db.execute("DELETE FROM delivered WHERE target = ? AND path = ?", (target, path))
            self.db.execute("DELETE FROM words WHERE target = ? AND path = ?", (target, path))
            self.db.execute("DELETE FROM sections WHERE target = ? AND path = ?", (target, path))

    def _word(self, target: str, entry: Entry) -> None:
        if entry.word is None:
            self.db.execute("DELETE FROM words WHERE target = ? AND path = ?", (target, entry.path))
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO words VALUES (?, ?, ?, ?, ?)",
                (target, entry.path, entry.sha256, entry.word.story, entry.word.status),
            )
        if entry.section is None:
            self.db.execute(
                "DELETE FROM sections WHERE target = ? AND path = ?", (target, entry.path)
            )
        else:
            self.db.execute(
                "INSERT OR REPLACE INTO sections VALUES (?, ?, ?, ?)",
                (target, entry.path, entry.sha256, entry.section),
            )

    def told_of(self, stories: set[str]) -> set[str]:
        """Those of `stories` (ids) a target was sent a file of, by any name."""
        query = "SELECT 1 FROM words WHERE story = ? LIMIT 1"
        return {story for story in stories if self.db.execute(query, (story,)).fetchone()}

    def announced(self) -> dict[str, Entry]:
        """The feeds as last announced to their hub (or found to announce none)."""
        rows = self.db.execute("SELECT path, sha256, size, mtime FROM announced")
        return {path: Entry(path, *rest) for path, *rest in rows}

    def record_announced(self, entry: Entry, topic: str | None) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO announced VALUES (?, ?, ?, ?, ?, ?)",
                (entry.path, entry.sha256, entry.size, entry.mtime, topic, _now()),
            )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def delivered_urls(path: Path, site: str) -> set[tuple[str, str | None]]:
    """The target URLs the ledger at `path`, of the site `site` (see `Ledger.belongs_to`), has
    delivered to, each with its store (`Target.store`; None when not recorded: a ledger from
    before stores were kept). Read only; none if it cannot be read, or is another site's:
    the same URL may be another place there, an S3 bucket of another endpoint."""
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return set()
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'site'").fetchone()
        if row is None or row[0] != site:
            return set()
        try:
            rows = db.execute(
                "SELECT DISTINCT t.url, s.store FROM targets t"
                " LEFT JOIN stores s ON s.target = t.name"
            ).fetchall()
        except sqlite3.OperationalError:  # a ledger from before stores were kept
            rows = [(url, None) for (url,) in db.execute("SELECT DISTINCT url FROM targets")]
        return set(rows)
    except sqlite3.Error:
        return set()
    finally:
        db.close()


BUSY_SECONDS = 30.0
"""How long opening the ledger waits for another program that holds it (a second run is
refused by the delivery lock first; this is for a program such as `sqlite3` reading it)."""


class LedgerError(Exception):
    """The delivery ledger cannot be opened; the message says why and what to do."""


DAMAGED_SUFFIX = ".damaged"
"""A ledger that is not a database is kept beside the new one under this suffix."""


def damaged(path: Path, exc: Exception | str) -> str:
    """What to say of a ledger SQLite reads as damaged, and what to do."""
    return (
        f"the delivery ledger {path} is damaged ({exc}); move it aside or delete it (with its"
        f" -wal file): the next run then sends every target every file current again and"
        " warns of files a target holds that no ledger knows"
    )


def _open(path: Path, *, repair: bool = True) -> tuple[sqlite3.Connection, str | None, bool]:
    """The ledger database, created if needed, why the one found was replaced (None if it
    was not), and False (it is read as it is; see `_open_dry`). One of an older format is
    emptied (every target then gets everything again,
    which is safe), said; one of a newer format is a LedgerError; one that is not a database
    (its header overwritten, the file cut short) is kept aside and replaced, said; one
    damaged inside (SQLite reads it, its pages are corrupt) is a LedgerError: its records
    may be recovered, so it is not replaced."""
    existed = path.is_file()
    replaced: str | None = None
    for _attempt in range(2):
        try:
            db = sqlite3.connect(path, timeout=BUSY_SECONDS)
        except sqlite3.Error as exc:
            raise LedgerError(cannot_open(path, "the delivery ledger", exc)) from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")] if repair else []
            if problems not in (["ok"], []):
                db.close()
                said = " ".join(" ".join(problems).split())
                raise LedgerError(damaged(path, said if len(said) < 160 else said[:157] + "..."))
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is not None and row[0] != str(FORMAT):
                found = str(row[0])
                if _newer_format(found):
                    db.close()
                    raise LedgerError(_newer(path, found))
                if not repair:
                    db.close()
                    raise LedgerError(
                        f"the delivery ledger {path} is of an older format ({found}):"
                        " syndicate deliver replaces it"
                    )
                replaced = _replaced(path, _older(found), aside=None)
            if row is None and existed and replaced is None:
                replaced = _replaced(path, "it was empty", aside=None)
            if row is None or row[0] != str(FORMAT):
                with db:
                    tables = (
                        "targets",
                        "delivered",
                        "words",
                        "sections",
                        "sending",
                        "announced",
                        "meta",
                    )
                    for table in tables:
                        db.execute(f"DELETE FROM {table}")
                    db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
            return db, replaced, False
        except sqlite3.DatabaseError as exc:
            db.close()
            name = getattr(exc, "sqlite_errorname", "")
            if name == "SQLITE_CORRUPT":
                raise LedgerError(damaged(path, exc)) from None
            if name != "SQLITE_NOTADB" or not repair:  # locked, read-only, full, I/O
                raise LedgerError(cannot_open(path, "the delivery ledger", exc)) from None
            aside = path.with_name(path.name + DAMAGED_SUFFIX)
            number = 1
            while aside.exists():  # an earlier damaged ledger is kept too
                number += 1
                aside = path.with_name(f"{path.name}{DAMAGED_SUFFIX}.{number}")
            path.replace(aside)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            replaced = _replaced(path, f"{exc}", aside=aside)
    raise LedgerError(f"cannot create the delivery ledger {path}")


def _open_dry(path: Path) -> tuple[sqlite3.Connection, str | None, bool]:
    """The ledger as a dry run reads it: read only, the file left byte for byte as it was.
    A table an older syndicate's ledger lacks is read as empty (a temporary one, in memory);
    one that is not a database, is empty or is of an older format is read as the empty
    ledger the run would make of it (stale), and said so; no ledger at all, as a new one."""
    if not path.is_file():
        db = sqlite3.connect(":memory:")
        db.executescript(_SCHEMA)
        return db, None, False
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error as exc:
        raise LedgerError(cannot_open(path, "the delivery ledger", exc)) from None
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        for statement in filter(str.strip, _SCHEMA.split(";")):
            name = statement.split("EXISTS", 1)[1].split("(", 1)[0].strip()
            if name not in tables:
                db.execute(statement.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE"))
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            db.close()
            raise LedgerError(damaged(path, " ".join(" ".join(problems).split())[:160]))
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.DatabaseError as exc:
        db.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
            empty = sqlite3.connect(":memory:")
            empty.executescript(_SCHEMA)
            return empty, _replaced(path, f"{exc}", aside=None, dry_run=True), True
        raise LedgerError(cannot_open(path, "the delivery ledger", exc)) from None
    if row is None:
        return db, _replaced(path, "it was empty", aside=None, dry_run=True), True
    found = str(row[0])
    if found == str(FORMAT):
        return db, None, False
    if _newer_format(found):
        db.close()
        raise LedgerError(_newer(path, found))
    return db, _replaced(path, _older(found), aside=None, dry_run=True), True


def _newer_format(found: str) -> bool:
    """Whether a ledger's format (not this syndicate's) is a newer syndicate's."""
    return not found.isdigit() or int(found) > FORMAT


def _older(found: str) -> str:
    return f"it is of an older format ({found}) than this syndicate reads ({FORMAT})"


def _newer(path: Path, found: str) -> str:
    return (
        f"the delivery ledger {path} was written by a newer syndicate (its format is"
        f" {found}; this one reads {FORMAT}): run the newer syndicate again. Emptied, it"
        " would make every target get every file again: to do that on purpose, move it"
        " aside (with its -wal file)"
    )


def _replaced(path: Path, why: str, aside: Path | None, *, dry_run: bool = False) -> str:
    kept = f" (the old file is kept as {aside})" if aside is not None else ""
    if dry_run:
        return (
            f"the delivery ledger {path} cannot be used ({why}): the run will replace it by"
            " an empty one, and send every target every file current again, as listed"
        )
    return (
        f"the delivery ledger {path} could not be read ({why}) and was replaced by an empty"
        f" one{kept}: every target is sent every file current again, files on a target that"
        " only the lost ledger knew are listed as unknown (not deleted), and temporary files"
        " of uploads it had not finished are removed when found"
    )
