"""The articles folder as a whole: its story folders, how a path is shown to users, and the
checks across stories (unique ids and slugs, stray files, an `updated` ahead of time).

Apart from `articles.py`, which reads one story folder into a `Story`: a run that finds
nothing changed lists the folders without loading the model (docs/performance.md, "The
twenty-third round")."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from syndicate.diagnostics import Diagnostic, Diagnostics, said_at
from syndicate.model.site import CONFIG_NAME
from syndicate.readers.safefile import LINK_LOOP, Refused, folder_loop, loop_in, outside, resolved

if TYPE_CHECKING:
    from syndicate.model import Story, StorySummary


def shown_path(path: Path) -> str:
    """The path as users should see it: relative to the working directory when inside it. A
    link is shown where it is, not where it points (nor resolved: it may point to itself).
    For a problem's place (its `path`), which the command line shows from where it was
    started; inside a message's text, `said_path`."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (ValueError, OSError):  # (OSError: the working folder was deleted meanwhile)
        return str(path)


def shown_entry(shown_folder: str, name: str) -> str:
    """`shown_path(folder / name)` for `name`, an entry of `folder` (one part, no `..`),
    given `shown_folder`, `shown_path(folder)`: the same text without an `abspath`, the
    working directory and `relative_to` for each of a folder's files."""
    return str(Path(shown_folder, name))


_SAID_FROM: ContextVar[tuple[Path, Path | None] | None] = ContextVar("said_from", default=None)
"""The folder the command line was started in, and the site folder as it named it (`--site
link`), while the command runs in the site folder."""


@contextlib.contextmanager
def said_from(folder: Path, site: Path | None = None) -> Iterator[None]:
    """Paths in messages' text (`said_path`) named from `folder`, where the user started the
    command (it runs in the site folder: `shown_path` would name them from there), the site
    folder's own paths under `site`, the name the command line has for it: through a link
    (`--site link`), `link/out` as its summary says, not the path the link leads to, which the
    working folder is."""
    token = _SAID_FROM.set((folder, site))
    try:
        yield
    finally:
        _SAID_FROM.reset(token)


SaidFrom = tuple[Path, Path | None] | None
"""`said_from`'s folders, or None outside of it (`said_here`)."""


def said_here() -> SaidFrom:
    """Where paths in messages' text are named from now (`said_from`'s folders), for work
    done on the command's behalf in another thread (`said_as`): a thread starts with none
    (context variables are not inherited), and would name them from the site folder."""
    return _SAID_FROM.get()


@contextlib.contextmanager
def said_as(said: SaidFrom) -> Iterator[None]:
    """Paths in messages' text named as `said_here` gave them, in whatever thread runs this
    (the preview's exports, `serve --watch`'s watcher thread); as it finds them for None."""
    if said is None:
        yield
        return
    with said_from(*said):
        yield


def said_path(path: Path) -> str:
    """A path inside a message's text, as `path_from` names it from where the user started
    the command (the command runs in the site folder). From the API (no command line),
    `shown_path`."""
    said = _SAID_FROM.get()
    if said is None:
        return shown_path(path)
    start, site = said
    if site is None:
        try:
            site = Path.cwd()
        except OSError:  # (the site folder deleted meanwhile: no folder to be inside of)
            return str(path)
    return path_from(path, start, site)


def path_from(path: Path, start: Path, site: Path) -> str:
    """`path` (absolute, or relative to the site folder `site`) inside a message's text,
    which the user pastes where they started the command, `start`: relative to that folder
    when inside it (`out`, `articles/x`, `site/out` from the site's parent); from a subfolder
    of the site, a path of the site as the problems' places name it (`../out`, as
    `../syndicate.yaml:3:`); else absolute (`/srv/site/articles/o`, never `articles/o`, the
    site folder's view, nor `../site/articles/o` from beside the site), as is a folder the
    user is inside of (never `..`). The one rule of the engine's messages (`said_path`) and of
    the command line's messages and summaries (`cli.shown`)."""
    full = Path(os.path.abspath(site / path))
    try:
        return str(full.relative_to(start)) or "."
    except ValueError:
        pass
    real_site = os.path.realpath(site)
    if Path(os.path.realpath(start)).is_relative_to(real_site):
        # The name itself, not where it links to: a link is named where it is.
        real = Path(os.path.realpath(full.parent)) / full.name
        if real.is_relative_to(real_site):
            climbed = os.path.relpath(real, os.path.realpath(start))
            if set(Path(climbed).parts) != {".."}:
                return climbed
    return str(full)


SYSTEM_FOLDERS = frozenset(
    name.casefold()
    for name in (
        "@eaDir",  # Synology: thumbnails and indexes, in every folder that holds media
        "#recycle",  # Synology: a shared folder's recycle bin
        "#snapshot",  # Synology: a shared folder's snapshots
        "@Recycle",  # QNAP: a shared folder's recycle bin
        "@Recently-Snapshot",  # QNAP: its snapshots
        "$RECYCLE.BIN",  # Windows: a drive's recycle bin ($Recycle.Bin)
        "System Volume Information",  # Windows: a drive's restore points and indexes
        "lost+found",  # ext4 and others: at the root of a file system (articles/ a mount)
        "Temporary Items",  # macOS, on an SMB or AFP share
        "Network Trash Folder",  # macOS, on an AFP share
    )
)
"""Folders that NAS boxes and operating systems make by themselves, in any case (Windows
writes `$Recycle.Bin`). None is a valid slug (each has a character a slug cannot have): so
leaving them out never hides a story."""


def is_ignored(name: str) -> bool:
    """Whether an entry of the articles folder, of a story folder or of one of its folders is
    none of the site's and is not looked at: hidden (`.DS_Store`, `.AppleDouble`,
    `.TemporaryItems`), or a folder a NAS or an operating system made (`SYSTEM_FOLDERS`)."""
    return name.startswith(".") or name.casefold() in SYSTEM_FOLDERS


def story_folders(articles: Path) -> list[Path]:
    """The story folders, sorted; `_`-prefixed entries are not stories (site assets), nor are
    ignored ones (`is_ignored`). A link to a folder that is not there (a share not mounted)
    is one: reading it is an error (`story.broken-link`), so its story is kept as published,
    never taken down as deleted; so is a link to a folder outside the articles folder
    (`links_outside`: an error too, `story.outside`)."""
    return sorted(
        p
        for p in articles.iterdir()
        if (p.is_dir() or is_broken_link(p))
        and not p.name.startswith("_")
        and not is_ignored(p.name)
    )


def is_broken_link(path: Path) -> bool:
    """Whether `path` is a symbolic link to nothing (its target gone, or not mounted)."""
    return path.is_symlink() and not path.exists()


def links_outside(folder: Path) -> bool:
    """Whether a story folder is a link to a folder outside the folder it is in (the articles
    folder): an editor's Dropbox folder linked in. It is not read (`FOLDER_OUTSIDE`)."""
    try:
        return (
            folder.is_symlink()
            and folder.exists()
            and not resolved(folder).is_relative_to(resolved(folder.parent))
        )
    except Refused:  # (a loop: not outside, but no folder at all, which its reading says)
        return False


def report_missing(articles: Path, diags: Diagnostics) -> None:
    """The error of an articles folder that is not there (or is a loop of links)."""
    problem = (
        folder_loop("the articles folder")
        if loop_in(articles) == articles
        else f"no articles folder at {said_path(articles)}; pass --articles DIR"
    )
    diags.error("articles.missing", problem, shown_path(articles))


FOLDER_OUTSIDE = f"story folder is {outside('the articles folder', 'the folder')}"
FOLDER_LOOP = (
    f"the story folder is {LINK_LOOP}: replace the link with the story's folder; the story"
    " stays as last published until then (delete the link to take it down)"
)


def check_collection(
    stories: Sequence[StorySummary],
    articles: Path | None,
    diags: Diagnostics,
    published: Mapping[str, str] | None = None,
) -> None:
    """Ids and slugs are unique; the articles folder (if the stories come from one) holds only
    story folders. `published` names the folder each id was published from (the build
    state's): of two folders giving one id, the other one is the copy, which the error is
    about; without it, the later folder in name order."""
    by_slug: dict[str, StorySummary] = {}
    for _, problem in duplicate_ids(stories, published):
        diags.add(problem)
    for story in stories:
        twin = by_slug.setdefault(story.slug.lower(), story)
        if twin is not story:
            diags.error(
                "story.duplicate-slug",
                f"slug {story.slug!r} clashes with {twin.slug!r}",
                story.source,
            )
    for path in sorted(articles.iterdir()) if articles else ():
        # (a syndicate.yaml there is the site's own, the stories kept in the site's folder)
        if path.is_file() and not is_ignored(path.name) and path.name != CONFIG_NAME:
            diags.warning(
                "articles.stray-file",
                "files directly in the articles folder are ignored; a story is a folder",
                shown_path(path),
            )


def duplicate_ids(
    stories: Sequence[StorySummary], published: Mapping[str, str] | None = None
) -> list[tuple[StorySummary, Diagnostic]]:
    """Each story giving an id another story gives too, with its `story.duplicate-id` error:
    of the folders giving one id, the one it was published from (`published`, the build
    state's) keeps it, or, none having published it, the first in name order."""
    from syndicate.readers.articles import id_source  # (it reads folders: not above)

    owners = published or {}
    by_id: dict[str, StorySummary] = {}
    found = []
    for story in sorted(stories, key=lambda s: s.slug != owners.get(s.id)):  # publisher first
        first = by_id.setdefault(story.id, story)
        if first is story:
            continue
        # A draft (withheld or canceled at version 1) went to no one: its folder published
        # the id only to the build state.
        had = first.status == "usable" or first.version > 1
        fix = (
            f", which {'partners have had under it' if had else 'the last export took from it'};"
            f" ids must be unique: give this story ({story.slug}, a copy of it?) an id of its"
            " own"
            if owners.get(story.id) == first.slug
            else "; ids must be unique: give the story that partners have not had yet an"
            " id of its own"
        )
        where = id_source(story.source)
        message = f"id {story.id!r} is already used by {first.source.path}{fix}"
        found.append(
            (story, Diagnostic("error", "story.duplicate-id", message, where.path, where.line))
        )
    return found


def check_future_update(story: StorySummary | Story, now: datetime, diags: Diagnostics) -> None:
    """An `updated` after `now` (a typo of the year, most often) warns, naming its line:
    every public channel would date the story ahead and keep it atop the feeds until then.
    A future `published` schedules a story; a future `updated` cannot hold back a change its
    text already carries, so it only warns (and `--strict` refuses it). A story with no
    `updated` written is dated by its `published`, which schedules it: nothing to warn of;
    nor is an `updated` no later than a future `published` (a scheduled story dated so).

    A translation's own `published` after `now` is an error: the editor dated it for later,
    as a story's `published` schedules the story, but a language cannot wait alone. The
    version that adds it (dated no earlier, `updated`) goes out in every language when the
    story does (now, or at its own `published` or `embargo_until` if that is later), and the
    translation with it, before its time: refused, the story keeps its last published
    version (`--keep-going`) until that time comes, on every run and in a fresh clone alike.
    A translation dated no later than a scheduled story's own time goes out with it, at or
    after its time: nothing to refuse."""
    from syndicate.model.story import public_since  # (here: a no-op imports no model class)

    out = public_since(story.published, story.embargo_until)
    ahead = [
        v.lang for v in story.variants if v.published is not None and v.published > max(now, out)
    ]
    if ahead:
        first = min(v.published for v in story.variants if v.lang in ahead and v.published)
        files = ", ".join(f"{lang}.md" for lang in ahead)
        when = (
            f"at {said_at(out, first)}, the story's own"
            f" {'embargo_until' if out != story.published else 'published'},"
            if out > now
            else "now"
        )
        diags.error(
            "story.language-ahead",
            f"{files}: published ({said_at(first, now)}) is in the future (after --now or the"
            f" clock, {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC): a translation cannot be"
            f" scheduled on its own; the version that adds it goes out {when} in every"
            " language, and it with them, before its time. Move the file out of the story's"
            " folder and put it back when it comes out, with that time as its published and"
            " as the new version's updated (a story not yet out waits whole by its own"
            " published or embargo_until); if the date is a typo, fix it",
            story.updated_source or story.source,
        )
        return
    if story.updated_source is None or story.last_updated <= max(now, story.published):
        return
    diags.warning(
        "story.future-update",
        f"updated ({said_at(story.last_updated, now)}) is in the future (after --now or the"
        f" clock, {now.astimezone(UTC):%Y-%m-%d %H:%M} UTC): feeds, pages, sitemaps and wire"
        " items would date the change ahead and keep the story on top until then; check the"
        " year and the offset, or give the time the text changed",
        story.updated_source or story.source,
    )
