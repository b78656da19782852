"""Folders of out/ that syndicate wrote with a format no longer installed or configured (a
plugin uninstalled, a profile taken out of `profiles:`): no export updates or removes their
files any more, and syndicate never deletes a format's folder on its own. `export` warns of
each one at every run, and says it is an error when such a folder still carries a story
taken down; `validate --outputs` warns of it too."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syndicate.diagnostics import Diagnostics
from syndicate.model import StorySummary
from syndicate.readers.safefile import Refused, read_checked

MAX_SCANNED_BYTES = 64 * 1024 * 1024
"""One file of an orphaned folder looked into for a story taken down: a larger one is not."""


def orphaned(recorded: Iterable[str], known: Sequence[str], out: Path) -> dict[str, list[str]]:
    """The files of out/ the build state lists (`recorded`) that are in no folder of a format
    there is now (`known`, as `Writer.owned_folders` names them) and are still there, by
    the folder of the format that wrote them (`partners/<profile>`, or a top folder)."""
    inside = tuple(f"{folder}/" for folder in known)
    found: dict[str, list[str]] = {}
    for path in sorted(recorded):
        if path.startswith(inside):
            continue
        parts = path.split("/")
        top = "/".join(parts[:2]) if parts[0] == "partners" else parts[0]
        if (out / path).exists():
            found.setdefault(top, []).append(path)
    return found


def warn_orphaned(folders: dict[str, list[str]], out: Path, diags: Diagnostics) -> None:
    """An `output.orphaned` warning for each folder of `orphaned`."""
    for folder, paths in folders.items():
        name = folder.rsplit("/", 1)[-1]
        files = f"{len(paths)} file{'' if len(paths) == 1 else 's'}"
        diags.warning(
            "output.orphaned",
            f"{files} an export wrote with a format that is not installed or configured now:"
            " no export updates or removes them, and partners may still fetch them; delete it,"
            f" or install or configure {name} again",
            str(out / folder),
        )


@dataclass(frozen=True, slots=True)
class TakenDown:
    """A story taken down (killed, withheld, never released, deleted) that an orphaned folder
    may still carry: what became of it, and its headlines, the text that shows it is there."""

    slug: str
    id: str
    what: str
    headlines: tuple[str, ...]

    @classmethod
    def of(cls, story: StorySummary, what: str) -> TakenDown:
        return cls(story.slug, story.id, what, tuple(v.headline for v in story.variants))

    def as_data(self) -> dict[str, Any]:
        return {"slug": self.slug, "id": self.id, "what": self.what, "headlines": self.headlines}

    @classmethod
    def from_data(cls, data: Any) -> TakenDown | None:
        """One read back from the build state, or None if it is not of this shape."""
        try:
            headlines = tuple(str(h) for h in data["headlines"])
            return cls(str(data["slug"]), str(data["id"]), str(data["what"]), headlines)
        except (TypeError, KeyError):
            return None

    def needles(self) -> tuple[bytes, ...]:
        """Each headline as a file would hold it: as written, escaped for XML and HTML, and
        escaped for JSON. The story's id or slug is no sign: a kill notice, which takes the
        story down, carries both."""
        found: dict[bytes, None] = {}
        for headline in self.headlines:
            for form in (
                headline,
                html.escape(headline, quote=False),
                html.escape(headline),
                json.dumps(headline, ensure_ascii=False)[1:-1],
                json.dumps(headline)[1:-1],
            ):
                if form.strip():
                    found[form.encode("utf-8")] = None
        return tuple(found)


def stale_stories(
    folders: dict[str, list[str]],
    out: Path,
    stories: Sequence[TakenDown],
    diags: Diagnostics,
) -> list[str]:
    """An `output.orphaned-story` error for each story of `stories` that a folder of
    `orphaned` still carries: a file there holding one of its headlines (a kill notice, which
    has the story's id and link but not its headline, is the story taken down). Compressed
    files (an EPUB, a zip) are not looked into. The folders that carry one."""
    if not stories:
        return []
    stale: list[str] = []
    root = out.resolve()
    needles = [(story, story.needles()) for story in stories]
    for folder, paths in folders.items():
        carried: dict[str, TakenDown] = {}
        for path in paths:
            try:
                data = read_checked(out / path, root, MAX_SCANNED_BYTES)
            except Refused:
                continue
            for story, signs in needles:
                if story.id not in carried and any(sign in data for sign in signs):
                    carried[story.id] = story
        for story in carried.values():
            diags.error(
                "output.orphaned-story",
                f"the story {story.slug} is {story.what}, but this folder, which no export"
                " updates any more, still carries it, and partners may still fetch it: delete"
                f" the folder, or configure {folder.rsplit('/', 1)[-1]} again and export, so that"
                " the story is taken down there too",
                str(out / folder),
            )
        if carried:
            stale.append(folder)
    return stale
