"""A run that would change nothing, told before the build state is loaded.

Every run that publishes the whole site (every format of `--format all`, every language, every
story, nothing left out, no WebSub hub to announce to) leaves a `Fingerprint` in the build
state, saved with the rest of it:
what that run read of each story folder (the signatures of its texts and images, see
`StoryFiles.signatures`), the configuration's key (syndicate's code among it), the span of time
around its `--now` in which no story enters or leaves its embargo or a format's time window,
and what it reported that a run finding everything as it was reports again. The output files
are those the state lists, with their size and time.

The next run with the same request finds the configuration, the listing of the articles
folder, every story folder's signatures, the span and every output file as the fingerprint
says: it then publishes nothing, reports what the fingerprint holds, and returns, without
loading the state, looking up a unit or staging a file. These are the checks a run that loads
the state makes for the same answer (`_Build._probe`, `BuildState.lookup`): the units' keys
are hashes of exactly these inputs. A text or image that had no signature (changed a moment
before it was read) is read or hashed and compared, and its signature kept. Anything else (a
signature moved, a file touched in out/, a publication left pending) takes the usual way, which
tells what changed."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from syndicate.build.inputs import StoryInput, signature_key
from syndicate.build.state import OutFolder
from syndicate.diagnostics import Diagnostic
from syndicate.readers.folders import is_ignored
from syndicate.readers.storyfiles import StoryFiles

if TYPE_CHECKING:
    from syndicate.model import StorySummary


class Folder(msgspec.Struct, frozen=True, array_like=True):
    """One story folder as the run read it: its name, the key of its texts (`text_key`) and
    their signatures' (`signature_key`, "" when a text had none), and the SHA-256 and the
    signature (when it had one) of each image its story uses."""

    name: str
    text_key: str
    texts: str
    images: tuple[tuple[str, str], ...]
    seen: tuple[tuple[str, str], ...]


class Fingerprint(msgspec.Struct, frozen=True, kw_only=True):
    config: str
    """The run's configuration key (`_config_key`)."""
    site: str = ""
    """What a format may read of the site beyond the configuration (`every_site_input`)."""
    formats: tuple[str, ...]
    strict: bool
    keep_going: bool
    after: datetime | None
    """`--now` must be later than this (the last moment before the run's `now` at which a
    story's visibility or its place in a time window changed), and earlier than `before`."""
    before: datetime | None
    articles: tuple[str, ...]
    """The articles folder's listing (story folders and stray files)."""
    folders: tuple[Folder, ...]
    stories: int
    """Stories read (`ExportResult.stories`)."""
    files: dict[str, int]
    """Files of each format."""
    diagnostics: tuple[Diagnostic, ...]
    """What the run reported after the configuration, as a run that finds everything as it
    was reports it again (not the version warnings given once, when a story is read)."""


def encode(fingerprint: Fingerprint) -> str:
    return msgspec.json.encode(fingerprint).decode("utf-8")


def decode(text: str) -> Fingerprint | None:
    try:
        return msgspec.json.decode(text, type=Fingerprint)
    except (msgspec.DecodeError, msgspec.ValidationError, TypeError, ValueError):
        return None


def span(
    stories: Iterable[StorySummary],
    windows: Iterable[timedelta],
    now: datetime,
) -> tuple[datetime | None, datetime | None] | None:
    """The moments around `now` between which no story's visibility (the end of an
    embargo), no update's coming (a future `updated` warns) and no story's place in a time
    window (`Writer.window`) changes: the latest before it and the earliest after it (None:
    none). None when one is `now` itself."""
    windows = tuple(windows)
    after: datetime | None = None
    before: datetime | None = None
    for story in stories:
        # each variant's release (a translation added later has its own) and windows
        sinces = {story.public_since_for(v.lang) for v in story.variants} or {story.public_since}
        # each variant's update: a warning holds until the last (`check_future_update`)
        updates = {v.updated for v in story.variants} or {story.updated}
        # the releases themselves too: a translation out after the story's own release and
        # before its last update (its page into the news sitemap) is a change at that moment
        moments = [story.published, *updates, *sinces, *_later(sinces, windows)]
        if story.embargo_until is not None:
            moments.append(story.embargo_until)
        for moment in moments:
            if moment == now:
                return None
            if moment < now:
                after = moment if after is None or moment > after else after
            else:
                before = moment if before is None or moment < before else before
    return after, before


def _later(moments: Iterable[datetime], windows: tuple[timedelta, ...]) -> Iterator[datetime]:
    """Each moment moved on by each window, but for those the calendar ends before (a story
    held until late in year 9999): those never come."""
    for moment in moments:
        for window in windows:
            with contextlib.suppress(OverflowError):
                yield moment + window


def articles_listing(articles: Path) -> tuple[str, ...] | None:
    """What of the articles folder a run reads: its entries' names (ignored ones aside:
    `is_ignored`)."""
    try:
        names = tuple(sorted(name for name in os.listdir(articles) if not is_ignored(name)))
    except OSError:
        return None
    if not all(name.isprintable() and _utf8(name) for name in names):
        return None  # a name no fingerprint can hold (not UTF-8): runs take the usual way
    return names


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Request:
    """What this run asks, as a fingerprint records it."""

    config: str
    formats: tuple[str, ...]
    strict: bool
    keep_going: bool
    now: datetime
    site: str


def still_current(
    found: Fingerprint,
    request: Request,
    inputs: Sequence[StoryInput],
    articles: Path,
    out: Path,
    owned: Callable[[], Mapping[str, tuple[int, int]] | None],
    listed: dict[str, StoryFiles] | None = None,
) -> Fingerprint | None:
    """`found` when this run would find everything as the run that left it (see the
    module), with the signatures of texts that had none then and have one now (their bytes
    read and found the same); None when something may have changed. `owned` gives the files
    of out/ the state lists (read only once the stories are found the same). The folders
    listed on the way go to `listed`, by name: a run that takes the usual way then lists
    them once."""
    now = request.now
    if (
        (found.config, found.site) != (request.config, request.site)
        or found.formats != request.formats
        or (found.strict, found.keep_going) != (request.strict, request.keep_going)
        or (found.after is not None and now <= found.after)
        or (found.before is not None and now >= found.before)
        or len(found.folders) != len(inputs)
        or articles_listing(articles) != found.articles
    ):
        return None
    folders = []
    for folder, source in zip(found.folders, inputs, strict=True):
        checked = _same_folder(folder, source, found.config, listed)
        if checked is None:
            return None
        folders.append(checked)
    files = owned()
    if files is None:
        return None
    outputs = OutFolder(out)
    try:
        if not all(outputs.intact(path, recorded) for path, recorded in files.items()):
            return None
    finally:
        outputs.close()
    return msgspec.structs.replace(found, folders=tuple(folders))


def _same_folder(
    folder: Folder, source: StoryInput, config: str, listed: dict[str, StoryFiles] | None
) -> Folder | None:
    """`folder` if the story folder `source` holds what it records (by the signatures, or
    by reading the texts and hashing the images that have none), with the signatures found;
    None if not. The same checks as `_Build._probe`'s."""
    if source.folder is None or source.name != folder.name:
        return None
    files = source.listing() if folder.texts else None
    if files is not None and listed is not None:
        listed[source.name] = files
    texts = signature_key(config, files) if files is not None else None
    if files is None or texts != folder.texts:
        files = source.files()
        if files is None or source.text_key(config, files) != folder.text_key:
            return None
        texts = signature_key(config, files)
    if not files.unchanged(dict(folder.images), dict(folder.seen)):
        return None
    seen = tuple(sorted(files.seen.items()))
    if (texts or "", seen) == (folder.texts, folder.seen):
        return folder
    return msgspec.structs.replace(folder, texts=texts or "", seen=seen)
