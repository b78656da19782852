"""The warnings of a story's history: what a story read now says against what the last build
published of it (`story.version`, `story.updated`), made in one place for `export`, which keeps
that history, and `validate`, which reads it without changing it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syndicate.build.inputs import code_digest
from syndicate.build.state import Published, recorded_history
from syndicate.diagnostics import Diagnostic, Diagnostics, said_at

if TYPE_CHECKING:  # a run that changes nothing builds no story's classes (tests/test_unchanged.py)
    from syndicate.model import StorySummary


def untimed_kill(story: StorySummary) -> bool:
    """Whether `story` is taken back (withheld, canceled) with no `updated` in story.yaml,
    whatever time a language file gives, or with one the same as its `published` and a later
    time in a language file: both are the reader's `story.kill-time` ("set updated to when it
    was taken back"). `updated` is then `published`, and where the latest time is written
    (`updated_source`) is not story.yaml, or nowhere."""
    if story.status == "usable":
        return False
    where = story.updated_source
    return where is None or (where.path != story.source.path and story.updated == story.published)


def refuses(story: StorySummary, last: Published) -> bool:
    """Whether `story` contradicts for good the released version `last` that partners hold:
    a lower version, or a status changed within the same version."""
    return story.version < last.version or (
        story.version == last.version and story.status != last.status
    )


def check_version(
    story: StorySummary,
    digest: str,
    sources: str,
    last: Published,
    diags: Diagnostics,
    moved: Callable[[], tuple[bool, str | None]],
) -> None:
    """Once released (`last`), a change of what the story says (`digest`) or of its status
    needs a new version, and a version never goes down (partners de-duplicate on id and
    version: they would miss the change). `sources` is the key of its files
    (`inputs.sources_key`): what it says changed while they did not is another syndicate
    reading it (an upgrade), said so. `moved` says whether its folder is another than the
    one its id was published from, and which (worked out only when needed)."""
    where = story.version_source or story.source
    if story.version < last.version:
        diags.error(
            "story.version",
            f"version went down from {last.version} to {story.version}, but partners"
            f" hold version {last.version} ({last.status}) and pass over a lower one,"
            " while the site would publish this one: give a version above it"
            f" (version: {last.version + 1}), with updated: the time of this change",
            where,
        )
    elif refuses(story, last):
        told = "a kill" if story.status == "canceled" else f"its {story.status} status"
        diags.error(
            "story.version",
            f"the status changed from {last.status} to {story.status} since version"
            f" {last.version} was published, but the version did not: partners would"
            f" never be told {told}, and keep version {last.version} as {last.status};"
            f" set version: {last.version + 1}, with updated: the time of this change",
            where,
        )
    elif story.version > last.version and last.status == "canceled" != story.status:
        diags.warning(
            "story.reinstated",
            f"version {story.version} is {story.status}, but version {last.version} was"
            " canceled: partners were told not to use the story and to remove it, and"
            " many will not take it back; if this is another story, give it a new id"
            " in a folder of its own, and leave this one canceled",
            where,
        )
    elif story.version == last.version and digest != last.digest:
        renamed, old = moved()
        what = "folder's name, and so its pages' addresses," if renamed else "text or facts"
        # (an id given to another folder reads as that folder renamed: say which)
        whence = f" from {old} (whose id this folder gives now)" if old else ""
        if not renamed and sources and sources == last.sources:
            why = (
                "syndicate.yaml's settings (the site's time zone, rights or terms) make"
                f" it say otherwise than when version {last.version} was published"
                if last.code == code_digest()
                else "this syndicate reads the story otherwise than the one that"
                f" published version {last.version}"
            )
            said = (
                f"{why} (its files did not change"
                " since): what it says changed at the same version, which partners"
                f" would miss; set version: {last.version + 1} if they must get it,"
                " as a correction (`syndicate show` shows the story as read now)"
            )
        else:
            said = (
                f"the {what} changed since version {last.version} was published"
                f"{whence}, but the version did not: set version: {last.version + 1}"
            )
        diags.warning("story.version", said, where)


def check_updated(story: StorySummary, old: StorySummary, diags: Diagnostics) -> None:
    """A new version of a released story (`old`, as the last build read it) keeps the
    `updated` of the version before it, in every language or in some (`story.updated`):
    partners order versions by it."""
    latest = max([story.updated, *(v.updated for v in story.variants)])
    earlier = max([old.updated, *(v.updated for v in old.variants)])
    # A story taken back before its release says so with an `updated` before its published,
    # the time of the version partners have (lifecycle.md): that is not a mistake.
    before_release = story.status != "usable" and not story.was_public() and latest < earlier
    # Each language's item carries the story's version: one whose own time did not move
    # reaches its partners as a new version dated as the one before.
    stale = [
        lang
        for lang in story.languages
        if old.has(lang) and story.updated_for(lang) <= old.updated_for(lang)
    ]
    # A kill or withdrawal whose story.yaml gives no time is the reader's `story.kill-time`
    # warning, which says to set it: one mistake, said once (with `before_release`, told).
    told = before_release or untimed_kill(story)
    if story.version > old.version and latest <= earlier and not told:
        diags.warning(
            "story.updated",
            f"version {story.version}'s updated ({said_at(latest, earlier)}) is no later"
            f" than version {old.version}'s ({said_at(earlier, latest)}): partners order"
            " versions by"
            " updated (NewsML-G2 versionCreated, ninjs versioncreated); set updated to"
            " the time of this version",
            story.updated_source or story.version_source or story.source,
        )
    elif story.version > old.version and stale and not told:
        first = stale[0]
        diags.warning(
            "story.updated",
            f"version {story.version} reaches {', '.join(stale)} with the updated of"
            f" version {old.version} ({story.updated_for(first).isoformat()}"
            f"{' in ' + first if len(stale) > 1 else ''}): only another language's file has"
            " a time of its own, but every language's item carries the new version, and"
            " partners order versions by updated (NewsML-G2 versionCreated, ninjs"
            " versioncreated), feeds and sitemaps too; set updated in story.yaml to the"
            " time of this version",
            story.version_source or story.source,
        )


@dataclass(frozen=True)
class History:
    """What the last build published, as `validate` reads it from the build state."""

    sent: dict[str, Published]
    """What was published of each id (the state's history)."""
    last: dict[str, StorySummary]
    """The last build's stories, by id."""
    standing: object
    """The warnings said of the version a story is still at (`BuildState.standing`)."""

    folders: frozenset[str]
    """The last build's story folders."""

    def moved(self, story: StorySummary) -> tuple[bool, str | None]:
        """`moved_from`, as the build works it out from the same state."""
        return moved_from(self.last, story, self.folders.__contains__)


def moved_from(
    last: Mapping[str, StorySummary], story: StorySummary, known: Callable[[str], bool]
) -> tuple[bool, str | None]:
    """Whether the story's folder is another than the one its id was published from, and
    which (`check_version`'s `moved`), of the last build's stories by id (`last`) and whether
    it had a story folder of a name (`known`): an id new to it in a folder new to it is a
    folder renamed. Not known (False) when the state holds no story: a `--force` run, a
    damaged state, one of an older format."""
    if not last:
        return False, None
    old = last.get(story.id)
    if old is None:
        return not known(story.slug), None
    return (True, old.slug) if old.slug != story.slug else (False, None)


def read_history(folder: Path) -> History | None:
    """The history kept in the build state in `folder`, read only (nothing is created,
    locked or written); None when there is none, or it is of another format or unreadable."""
    found = recorded_history(folder)
    if found is None:
        return None
    sent, summaries, standing = found
    last = {story.id: story for story in summaries}
    return History(sent, last, standing, frozenset(story.slug for story in summaries))


def check_against(
    story: StorySummary, digest: str, sources: str, history: History, diags: Diagnostics
) -> None:
    """The history's warnings of a story read by `validate`: those `export` would give it
    (`check_version`, `check_updated`), from the same state."""
    last = history.sent.get(story.id)
    if last is None or not last.released:
        return
    old = history.last.get(story.id)
    if old is not None:
        check_updated(story, old, diags)
    check_version(story, digest, sources, last, diags, lambda: history.moved(story))
    entry = history.standing.get(story.id) if isinstance(history.standing, dict) else None
    if isinstance(entry, list) and len(entry) == 4 and entry[0] == story.version:
        diags.add(standing_said(entry))


def standing_said(entry: list[Any]) -> Diagnostic:
    """The warning said again while a story stays at a version (`BuildState.standing`), of
    its entry: the version, and the first saying's message, file and line."""
    version, message, path, line = entry
    return Diagnostic(
        "warning",
        "story.updated",
        f"{message} (said when version {version} was published, and at every run until a"
        " later version)",
        path,
        line,
    )
