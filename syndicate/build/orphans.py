"""Folders of out/ that syndicate wrote with a format no longer installed or configured (a
plugin uninstalled, a profile taken out of `profiles:`): no export updates or removes their
files any more, and syndicate never deletes a format's folder on its own. `export` warns of
each one at every run, and says it is an error when such a folder still carries a story
taken down; `validate --outputs` warns of it too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

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


def stale_stories(
    folders: dict[str, list[str]],
    out: Path,
    stories: Sequence[tuple[StorySummary, str]],
    diags: Diagnostics,
) -> bool:
    """An `output.orphaned-story` error for each story of `stories` (with what became of it:
    killed, withdrawn, deleted...) that a folder of `orphaned` still carries: a file there
    named after it (its slug), or holding its id or its slug as text. Compressed files (an
    EPUB, a zip) are not looked into. Whether any was found."""
    if not stories:
        return False
    found = False
    root = out.resolve()
    for folder, paths in folders.items():
        carried: dict[str, StorySummary] = {}
        told: dict[str, str] = {}
        for path in paths:
            try:
                data = read_checked(out / path, root, MAX_SCANNED_BYTES)
            except Refused:
                data = b""
            for story, what in stories:
                if story.id in carried:
                    continue
                if story.slug in path or story.id.encode() in data or story.slug.encode() in data:
                    carried[story.id] = story
                    told[story.id] = what
        for ident, story in carried.items():
            found = True
            diags.error(
                "output.orphaned-story",
                f"the story {story.slug} is {told[ident]}, but this folder, which no export"
                " updates any more, still carries it, and partners may still fetch it: delete"
                f" the folder, or configure {folder.rsplit('/', 1)[-1]} again and export, so that"
                " the story is taken down there too",
                str(out / folder),
            )
    return found
