"""The build manifest of an out/ folder: which files each unit of work (one story's files in one
format, or a format's collection files) produced from which inputs, so a re-export redoes only what
changed; and the facts of each story read, so that an unchanged story is not read again.

Inputs are named by content hashes: a story's folder (texts and images), the site configuration
with the files it points to, the selected languages and syndicate's own code. A unit is reused only
while every file it produced is still in out/ with the size and time the manifest recorded.

Beside the manifest, in the same folder: the stories as read (`stories/`, pickled, for the few
collection files that need whole stories) and each story unit's abstract (`abstracts/`, what its
format's collection files need of the story)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import syndicate
from syndicate.config import SiteConfig
from syndicate.diagnostics import Diagnostic
from syndicate.model import SourceRef, Story
from syndicate.model.story import is_public


def cache_folder(out: Path) -> Path:
    """Beside out/ (`out` -> `.out.syndicate`), so out/ holds only what is published."""
    out = out.resolve()
    return out.with_name(f".{out.name}.syndicate")


MANIFEST = "manifest.json"
FORMAT = 2


def digest(*parts: str | bytes) -> str:
    """A SHA-256 of the parts; each is length-prefixed, so ("ab", "c") differs from ("a", "bc")."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@cache
def code_digest() -> str:
    """syndicate's version and its own files (code, schemas, terms): an edited installation
    invalidates every cached output, not only a new release."""
    root = Path(syndicate.__file__).parent
    parts: list[str | bytes] = [syndicate.__version__]
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return digest(*parts)


def config_digest(config_file: Path, config: SiteConfig, languages: Sequence[str]) -> str:
    """The configuration file, the publisher's logo and icon, the run's languages and the code."""
    parts: list[str | bytes] = [code_digest(), config_file.read_bytes(), *languages]
    publisher = config.publisher
    for asset in (publisher.logo, publisher.icon):
        if asset is not None:
            parts += [str(asset), _bytes_or_empty(Path(asset))]
    return digest(*parts)


def story_digest(folder: Path, config_key: str) -> str:
    """What a story is read from: its folder (as diagnostics name it) and every file in it."""
    parts: list[str | bytes] = [config_key, str(folder)]
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            parts += [path.relative_to(folder).as_posix(), _bytes_or_empty(path)]
    return digest(*parts)


def _bytes_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""  # the reader reports it; the hash only has to change with the content


@dataclass(frozen=True, slots=True)
class Unit:
    """What one unit of work produced: the paths it wrote, the problems it reported, and
    whether it left an abstract for its format's collection files."""

    paths: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    abstract: bool = False


@dataclass(frozen=True, slots=True)
class StoryFacts:
    """What an export needs of a story it does not read again: who it is (to check the
    collection for clashes), when the public may see it, and what reading it reported."""

    id: str
    slug: str
    source: SourceRef
    usable: bool
    embargo_until: datetime | None
    diagnostics: tuple[Diagnostic, ...]

    @classmethod
    def of(cls, story: Story, diagnostics: Sequence[Diagnostic]) -> StoryFacts:
        return cls(
            story.id,
            story.slug,
            story.source,
            story.status == "usable",
            story.embargo_until,
            tuple(diagnostics),
        )

    def is_visible(self, now: datetime) -> bool:
        return is_public(self.usable, self.embargo_until, now)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.slug,
            "source": [self.source.path, self.source.line],
            "usable": self.usable,
            "embargo_until": self.embargo_until.isoformat() if self.embargo_until else None,
            "diagnostics": [asdict(d) for d in self.diagnostics],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryFacts:
        embargo = data["embargo_until"]
        return cls(
            data["id"],
            data["slug"],
            SourceRef(*data["source"]),
            data["usable"],
            datetime.fromisoformat(embargo) if embargo else None,
            tuple(Diagnostic(**d) for d in data["diagnostics"]),
        )


class Manifest:
    """The units of the last successful export into out/, the state of their files, and the
    facts of the stories read."""

    def __init__(
        self,
        units: dict[str, Unit],
        files: dict[str, tuple[int, int]],
        stories: dict[str, StoryFacts] | None = None,
    ) -> None:
        self._units = units
        self._files = files
        self._stories = stories or {}
        self.kept: dict[str, Unit] = {}
        """The units of this run, saved by `save`."""
        self.stories: dict[str, StoryFacts] = {}
        """The stories of this run, saved by `save`."""

    @classmethod
    def load(cls, out: Path) -> Manifest:
        """The manifest in out/, or an empty one if it is missing, unreadable or outdated."""
        try:
            data = json.loads((cache_folder(out) / MANIFEST).read_text(encoding="utf-8"))
            if data["format"] != FORMAT:
                return cls({}, {})
            units = {
                key: Unit(
                    tuple(u["paths"]),
                    tuple(Diagnostic(**d) for d in u["diagnostics"]),
                    u["abstract"],
                )
                for key, u in data["units"].items()
            }
            files = {path: (size, mtime) for path, (size, mtime) in data["files"].items()}
            stories = {key: StoryFacts.from_json(f) for key, f in data["stories"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return cls({}, {})
        return cls(units, files, stories)

    def story(self, key: str) -> StoryFacts | None:
        """The facts of the story read from the inputs `key` names, if an export read it."""
        return self._stories.get(key)

    def record_story(self, key: str, facts: StoryFacts) -> None:
        self.stories[key] = facts

    def lookup(self, out: Path, key: str) -> Unit | None:
        """The unit made from the inputs `key` names, if its files are in out/ untouched."""
        unit = self._units.get(key)
        if unit is None or not all(self._intact(out, path) for path in unit.paths):
            return None
        self.kept[key] = unit
        return unit

    def _intact(self, out: Path, path: str) -> bool:
        try:
            stat = (out / path).stat()
        except OSError:
            return False
        return self._files.get(path) == (stat.st_size, stat.st_mtime_ns)

    def record(
        self,
        key: str,
        paths: Iterable[str],
        diagnostics: Iterable[Diagnostic],
        *,
        abstract: bool = False,
    ) -> None:
        self.kept[key] = Unit(tuple(paths), tuple(diagnostics), abstract)

    def save(self, out: Path) -> None:
        """Write the manifest of this run, after its files were published."""
        files: dict[str, tuple[int, int]] = {}
        for unit in self.kept.values():
            for path in unit.paths:
                stat = (out / path).stat()
                files[path] = (stat.st_size, stat.st_mtime_ns)
        data = {
            "format": FORMAT,
            "units": {
                key: {
                    "paths": unit.paths,
                    "diagnostics": [asdict(d) for d in unit.diagnostics],
                    "abstract": unit.abstract,
                }
                for key, unit in sorted(self.kept.items())
            },
            "files": dict(sorted(files.items())),
            "stories": {key: facts.to_json() for key, facts in sorted(self.stories.items())},
        }
        _write_atomically(cache_folder(out) / MANIFEST, json.dumps(data).encode("utf-8"))


class PickleStore:
    """Python objects by key, pickled into a folder beside out/, where only the user's own
    exports write. Keys are digests of the inputs, so an entry never goes stale: `prune`
    forgets those of inputs that are gone."""

    def __init__(self, out: Path, name: str) -> None:
        self.folder = cache_folder(out) / name

    def load(self, key: str) -> Any:
        """The object saved under `key`; None if there is none or it cannot be read."""
        try:
            return pickle.loads((self.folder / key).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None

    def save(self, key: str, value: object) -> None:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        _write_atomically(self.folder / key, data)

    def prune(self, keep: Iterable[str]) -> None:
        kept = set(keep)
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.name not in kept:
                    path.unlink(missing_ok=True)


class StoryCache(PickleStore):
    """Stories as read, by the digest of their inputs, so a collection file that needs a
    whole story (an EPUB edition) does not parse and validate it again."""

    def __init__(self, out: Path) -> None:
        super().__init__(out, "stories")

    def load(self, key: str) -> Story | None:
        story = super().load(key)
        return story if isinstance(story, Story) else None


class AbstractStore(PickleStore):
    """Each story unit's abstract (`Writer.abstract`), by the unit's key."""

    def __init__(self, out: Path) -> None:
        super().__init__(out, "abstracts")


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
