"""What a target must receive, and in which order: the files of its formats in out/ (filtered
by language and section) against what its ledger says it holds. New and changed files are sent,
assets before the items that point to them and items before the collections that list them;
files gone from out/ are deleted last, collections first, so a target never points to a file
it does not have."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from syndicate.build.inventory import Inventory, PublishedFile, is_asset
from syndicate.deliver.ledger import Entry, changed
from syndicate.deliver.options import Target

Kind = Literal["new", "update", "delete"]

ASSET, VARIANT, STORY, COLLECTION = range(4)
"""Ranks: an image; a story's file in one language (item, page, book); a story's file over its
languages (a NewsML-G2 package); a file over several stories (feed, index, catalog, edition)."""


@dataclass(frozen=True, slots=True)
class Change:
    kind: Kind
    path: str
    rank: int
    entry: Entry | None
    """The file as it is in out/ (sent), or as the target holds it (deleted)."""

    @property
    def sends(self) -> bool:
        return self.kind != "delete"


def rank(file: PublishedFile) -> int:
    if is_asset(file.path):
        return ASSET
    if file.story is None:
        return COLLECTION
    return VARIANT if file.lang is not None else STORY


def selection(target: Target, inventory: Inventory, folders: Iterable[str]) -> list[PublishedFile]:
    """The files of out/ the target takes: in its formats' folders, of its languages and
    sections."""
    return [
        file
        for folder in folders
        for file in inventory.files(folder)
        if target.wants(file.lang, file.section)
    ]


@dataclass(frozen=True, slots=True)
class Plan:
    changes: list[Change]
    """What to send and delete, in order."""
    touched: list[Entry]
    """Files with a new time but the bytes the target holds: recorded, not sent again."""


def plan(out: Path, selected: Iterable[PublishedFile], held: Mapping[str, Entry]) -> Plan:
    """The changes that make the target hold exactly `selected`, in the order to make them.
    A file whose size and time are those it had when delivered is not read again."""
    sends: list[Change] = []
    touched: list[Entry] = []
    wanted: set[str] = set()
    for file in selected:
        old = held.get(file.path)
        version = file.story.version if file.story is not None else None
        try:
            entry = changed(out, file.path, old, version)
        except FileNotFoundError:
            continue  # removed by an export since it was listed: gone from out/
        wanted.add(file.path)
        if entry is None:
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
    return Plan(sends + deletes, touched)


def _held_rank(path: str, entry: Entry) -> int:
    """A file gone from out/ is ranked by what the ledger knows: what was delivered with a
    story's version belonged to a story."""
    if is_asset(path):
        return ASSET
    return STORY if entry.version is not None else COLLECTION
