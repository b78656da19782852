"""Folders of out/ that syndicate wrote with a format no longer installed or configured (a
plugin uninstalled, a profile taken out of `profiles:`): no export updates or removes their
files any more, and syndicate never deletes a format's folder on its own. `export` warns of
each one at every run, and says it is an error when such a folder still carries a story
taken down; `validate --outputs` warns of it too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.diagnostics import Diagnostics
from syndicate.readers.safefile import Refused, read_checked

if TYPE_CHECKING:
    from syndicate.model import StorySummary

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


GONE: dict[str, str] = {
    "killed": "canceled",
    "withdrawn": "withheld",
    "draft": "a draft again",
    "scheduled": "scheduled again",
}
"""The stages of a story no output may carry, with the words an `output.orphaned-story`
error says them in (a story that was released and is now a draft or scheduled again is
taken down too)."""


def carried(stories: Iterable[StorySummary], now: datetime) -> list[list[str]]:
    """What a folder the last build wrote carries of `stories` (that build's): the stories it
    released and did not take down, as `[id, slug]` (a killed one is carried as its kill
    notice, which is no story to take down)."""
    return sorted([s.id, s.slug] for s in stories if s.lifecycle(now) not in GONE)


def read_watch(data: object) -> dict[str, list[list[str]]]:
    """The build state's record of what each orphaned folder carried when it was orphaned,
    checked: a folder whose record is not of that shape is dropped (and taken again)."""
    watch: dict[str, list[list[str]]] = {}
    if not isinstance(data, dict):
        return watch
    for folder, stories in data.items():
        if isinstance(folder, str) and isinstance(stories, list):
            pairs = [s for s in stories if isinstance(s, list) and len(s) == 2]
            if all(isinstance(v, str) and v for pair in pairs for v in pair):
                watch[folder] = pairs
    return watch


def stale_stories(
    folders: dict[str, list[str]],
    out: Path,
    watch: dict[str, list[list[str]]],
    now_stories: Iterable[StorySummary],
    now: datetime,
    diags: Diagnostics,
) -> list[str]:
    """An `output.orphaned-story` error for each story an orphaned folder carried when it
    was orphaned (`watch`) that is taken down now (killed, withheld, a draft again, or
    deleted: not among `now_stories`), if a file of the folder still names it (its id or
    slug). Compressed files (an EPUB, a zip) are not looked into. The folders with one."""
    by_id = {s.id: s for s in now_stories}
    stale: list[str] = []
    root = out.resolve()
    for folder, paths in folders.items():
        gone: dict[str, tuple[str, str]] = {}
        for ident, slug in watch.get(folder, ()):
            story = by_id.get(ident)
            what = "deleted" if story is None else GONE.get(story.lifecycle(now))
            if what is not None:
                gone[ident] = (slug, what)
        named: set[str] = set()
        for path in paths if gone else ():
            try:
                data = read_checked(out / path, root, MAX_SCANNED_BYTES)
            except Refused:
                continue
            for ident, (slug, _) in gone.items():
                if ident not in named and (slug in path or ident.encode() in data):
                    named.add(ident)
        for ident in sorted(named, key=lambda i: gone[i][0]):
            slug, what = gone[ident]
            diags.error(
                "output.orphaned-story",
                f"the story {slug} is {what}, but this folder, which no export updates any"
                " more, still carries it, and partners may still fetch it: delete the folder,"
                f" or configure {folder.rsplit('/', 1)[-1]} again and export, so that the story"
                " is taken down there too",
                str(out / folder),
            )
        if named:
            stale.append(folder)
    return stale
