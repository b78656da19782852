"""What a target must receive, and in which order: the files of its formats in out/ (filtered
by language and section) against what its ledger says it holds. New and changed files are sent,
assets before the items that point to them and items before the collections that list them;
files gone from out/ are deleted last, collections first, so a target never points to a file
it does not have.

A killed or withdrawn story's files (its canceled or withheld items and package, its notice
pages) are sent after every other file, collections included: the kill must be the last word
a partner receives about the story. The collections sent before it (feeds, indexes, catalogs,
editions) no longer list the story as live: they drop it or carry its tombstone. So nothing
sent after the kill contradicts it, and an ingest that acts on files in the order they arrive
(or by their time) cannot let another file of the run bring the story back after applying
the kill. A run stopped before the kill leaves the partner the story's last live item and
feeds that no longer list it, until the next run sends the kill; the other order, stopped
after the kill, would leave the kill beside feeds still listing the story as live. Deletions
(the killed story's images and books) come after the kill, so its notice pages have replaced
the pages that pointed to them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from syndicate.build.inventory import Inventory, PublishedFile, is_asset
from syndicate.deliver.ledger import Entry, Word, changed
from syndicate.deliver.options import Target

Kind = Literal["new", "update", "delete", "keep"]
"""`keep`: a file gone from out/ that a target which never deletes (`delete: false`) keeps;
forgotten by the ledger, nothing sent."""

ASSET, VARIANT, STORY, COLLECTION, KILLED_VARIANT, KILLED_STORY = range(6)
"""Ranks: an image; a story's file in one language (item, page, book); a story's file over its
languages (a NewsML-G2 package); a file over several stories (feed, index, catalog, edition);
then the same two of a killed or withdrawn story (its canceled or withheld items, notice pages,
package)."""


@dataclass(frozen=True, slots=True)
class Change:
    kind: Kind
    path: str
    rank: int
    entry: Entry | None
    """The file as it is in out/ (sent), or as the target holds it (deleted)."""

    @property
    def sends(self) -> bool:
        return self.kind in ("new", "update")


def rank(file: PublishedFile) -> int:
    if is_asset(file.path):
        return ASSET
    if file.story is None:
        return COLLECTION
    # Not usable and in out/: a kill or withdrawal (a draft has no files).
    killed = file.story.status != "usable"
    if file.lang is not None:
        return KILLED_VARIANT if killed else VARIANT
    return KILLED_STORY if killed else STORY


def selection(
    target: Target,
    inventory: Inventory,
    folders: Iterable[str],
    held: Mapping[str, Entry] | None = None,
) -> list[PublishedFile]:
    """The files of out/ the target takes: in its formats' folders, of its languages and
    sections; and those of a story it holds (`held`: its ledger) that moved to a section it
    does not take since, as long as it still takes the section it took the story under. Its
    partner has the story: it gets the story's later versions, and its kill, as any partner
    that has it does; deleting them would take the story away from the target with no kill,
    and the kill would never reach it. Each file is given as the target takes it: a story's
    file kept so carries the section it was taken under (recorded again with it). Only a
    target's own filter narrowed (it no longer takes that section) lets the story go."""
    taken: dict[str, set[str]] = {}
    unknown: set[str] = set()
    for entry in (held or {}).values():
        if entry.word is not None and entry.section is not None:
            taken.setdefault(entry.word.story, set()).add(entry.section)
        elif entry.word is not None:
            unknown.add(entry.word.story)
    # A story held under a section a ledger from before did not record: a story that moved
    # before this version's first delivery cannot be told from a filter narrowed then. It
    # stays (a kill that must reach it does), deleting it would take it away with no kill,
    # and its section stays unknown (None): no section of the target's is made up for it
    # (review).
    chosen = []
    for folder in folders:
        for file in inventory.files(folder):
            if target.wants(file.lang, file.section):
                chosen.append(file)
            elif file.story is not None:
                kept = [
                    s for s in sorted(taken.get(file.story.id, ())) if target.wants(file.lang, s)
                ]
                if kept:
                    chosen.append(replace(file, section=kept[0]))
                elif file.story.id in unknown and target.wants(file.lang, None):
                    chosen.append(replace(file, section=None))
    return chosen


@dataclass(frozen=True, slots=True)
class Plan:
    changes: list[Change]
    """What to send and delete, in order."""
    touched: list[Entry]
    """Files with a new time but the bytes the target holds: recorded, not sent again (and
    files the target holds as they are whose story, or the section it was taken under, the
    ledger did not know, to record it)."""
    untold: dict[str, list[str]] = field(default_factory=dict)
    """Stories whose every file the target holds is deleted, gone from out/, while the last
    word it had of them is `usable`: no kill ever reached it (see `untold`). By id, the
    paths."""

    def kept(self) -> Plan:
        """The plan for a target that never deletes (`delete: false`): each deletion becomes
        a file the target keeps."""
        changes = [
            Change("keep", c.path, c.rank, c.entry) if c.kind == "delete" else c
            for c in self.changes
        ]
        return Plan(changes, self.touched, self.untold)


def word(file: PublishedFile) -> Word | None:
    """What the file tells of its story (none for an image or a collection)."""
    if file.story is None or is_asset(file.path):
        return None
    return Word(file.story.id, file.story.status)


def plan(out: Path, selected: Iterable[PublishedFile], held: Mapping[str, Entry]) -> Plan:
    """The changes that make the target hold exactly `selected`, in the order to make them.
    A file whose size and time are those it had when delivered is not read again."""
    sends: list[Change] = []
    touched: list[Entry] = []
    wanted: set[str] = set()
    stories: set[str] = set()
    for file in selected:
        old = held.get(file.path)
        version = file.story.version if file.story is not None else None
        told = word(file)
        section = file.section if file.story is not None else None
        try:
            entry = changed(out, file.path, old, version, told, section)
        except FileNotFoundError:
            continue  # removed by an export since it was listed: gone from out/
        wanted.add(file.path)
        if told is not None:
            stories.add(told.story)
        if entry is None:
            assert old is not None
            # Held since before the ledger kept its story, or the section it was taken under.
            learned = replace(old, word=old.word or told, section=old.section or section)
            if learned != old:
                touched.append(learned)
            continue
        if old is not None and old.sha256 == entry.sha256:
            touched.append(entry)
        else:
            kind: Kind = "new" if old is None else "update"
            sends.append(Change(kind, file.path, rank(file), entry))
    deletes = [
        Change("delete", path, _held_rank(path, entry), entry)
        for path, entry in held.items()
        if path not in wanted
    ]
    sends.sort(key=lambda c: (c.rank, c.path))
    deletes.sort(key=lambda c: (-c.rank, c.path))
    return Plan(sends + deletes, touched, untold(out, held, stories))


def untold(out: Path, held: Mapping[str, Entry], stories: set[str]) -> dict[str, list[str]]:
    """The stories the target is about to lose without ever having had their kill: every
    file it holds of the story is deleted, each gone from out/ (not one the target no longer
    takes, which is its settings' choice), and none of them told it the story was taken
    back. A story deleted from articles/ while usable, or killed and its folder deleted
    before a delivery to this target sent the kill: partners keep what they took in. By the
    story's id, the paths deleted."""
    words: dict[str, list[Entry]] = {}
    for entry in held.values():
        if entry.word is not None and entry.word.story not in stories:
            words.setdefault(entry.word.story, []).append(entry)
    found = {}
    for story, entries in sorted(words.items()):
        if all(e.word is not None and e.word.live for e in entries) and not any(
            os.path.lexists(out / e.path) for e in entries
        ):
            found[story] = sorted(e.path for e in entries)
    return found


def _held_rank(path: str, entry: Entry) -> int:
    """A file gone from out/ is ranked by what the ledger knows: what was delivered with a
    story's version belonged to a story."""
    if is_asset(path):
        return ASSET
    return STORY if entry.version is not None else COLLECTION
