"""`deliver`: bring each target up to date with out/ after an export. For each target, its
ledger says what it holds; the plan sends what is new or changed and deletes what is gone, in
a safe order; each file is recorded as soon as the target confirmed it. Targets are isolated:
one that fails is reported and the others go on. Then, feeds that changed are announced to
their WebSub hub."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shlex
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from syndicate.build.engine import cache_apart, cache_folder, no_output_folder, settle_output
from syndicate.build.inventory import Inventory, PublishedFile, show_path
from syndicate.build.options import SECTION as EXPORT_SECTION
from syndicate.build.options import ExportOptions
from syndicate.build.publish import Busy, OutputError, exclusive
from syndicate.build.state import (
    STATE_FILE,
    cannot_open,
    cannot_write,
    is_damage,
    published_ids,
    recorded_files,
    released_ids,
    shown_drafts,
    state_folder,
    was_previewed,
)
from syndicate.deliver.ledger import (
    BUSY_SECONDS,
    LEDGER_FILE,
    Entry,
    Ledger,
    LedgerError,
    damaged,
    delivered_urls,
)
from syndicate.deliver.options import SECTION, DeliverOptions, Target, load_delivery, place
from syndicate.deliver.plan import Change, Plan, plan, selection
from syndicate.deliver.remotes import (
    OBJECT_STORES,
    FileMeta,
    MissingExtra,
    PartRemoved,
    Remote,
    SettingsError,
    describe,
    interrupts_noticed,
    is_temporary,
    login_refused,
    open_remote,
    out_of_space,
    part_removed,
    transient,
    unreachable,
)
from syndicate.deliver.retry import GaveUp, Notice, retrying, telling
from syndicate.deliver.secrets import SecretError, redact, reveal
from syndicate.deliver.websub import Pings, announce, hub_writers
from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import AnyWriter, site_paths
from syndicate.formats.options import convert_section
from syndicate.formats.registry import PluginError, Registry, default_registry
from syndicate.model import SiteConfig
from syndicate.model.site import TEMPLATES, TERMS
from syndicate.model.source import SourceRef
from syndicate.readers.articles import id_source
from syndicate.readers.config import (
    PLACEHOLDER_URL,
    RESERVED_ID_MADE,
    load_config,
    reserved_id,
    reserved_name,
    reserved_said,
)
from syndicate.readers.folders import said_path
from syndicate.readers.safefile import Refused, folder_loop, read_regular, resolved

logger = logging.getLogger(__name__)

LOCK_NAME = ".deliver.lock"
Status = Literal["current", "input-errors", "failed"]


@dataclass
class TargetResult:
    """What one target received in a run (or, in a dry run, would receive)."""

    target: Target
    changes: list[Change] = field(default_factory=list)
    """The plan, in order."""
    done: int = 0
    """How many of the changes were dealt with: made (confirmed by the target and recorded),
    or skipped."""
    sent: int = 0
    """Files the target confirmed it received."""
    deleted: int = 0
    """Files the target confirmed it no longer holds."""
    kept: int = 0
    """Files gone from out/ that a target with `delete: false` keeps: forgotten by the
    ledger, never deleted there."""
    skipped: int = 0
    """Files planned but not sent: removed from out/ (by an export) since the plan."""
    stale: int = 0
    """Story files planned but not sent because an export changed them since the plan (a kill
    written over an item while the run waited on the target): sent as they are, they would go
    with the story's version and status of the plan, out of the kill's place in the order,
    and be recorded so. The next run sends them; until then the target is not current."""
    unfinished: list[str] = field(default_factory=list)
    """Uploads an earlier run stopped midway, whose temporary files are cleared first."""
    cleared: int = 0
    """How many of those were cleared."""
    problem: str | None = None
    settings: bool = False
    """Whether the problem is in the settings (a credential that cannot be read, a missing
    extra, too many deletions): running deliver again changes nothing until they are fixed."""
    unexported: bool = False
    """Whether a format it takes has no folder in out/ (never exported) or cannot be loaded:
    an export, or the plugin installed, is what it takes; a new delivery changes nothing."""
    refused: bool = False
    """Whether the target refused (a wrong password, a permission, an HTTP 4xx, a host name
    not found): not tried again, and a new run changes nothing until that is fixed."""
    guarded: bool = False
    """Whether the plan deletes too much to be made without --allow-deletions."""

    @property
    def current(self) -> bool:
        """The target holds what out/ holds for it."""
        return self.problem is None and self.done == len(self.changes) and not self.stale


@dataclass
class DeliveryResult:
    """`current`: every target holds what out/ holds for it, and every hub was told of the
    feeds that changed; `input-errors`: a problem in the configuration or the request, nothing
    sent; `failed`: some target is not current, or a hub's ping failed (each is reported in
    `diagnostics`)."""

    status: Status
    diagnostics: Diagnostics
    targets: list[TargetResult] = field(default_factory=list)
    announced: int = 0
    """WebSub pings sent."""
    unannounced: int = 0
    """Changed feeds whose WebSub hub failed (`websub.ping`), left to announce at the next run."""
    busy: bool = False
    """`failed` at once, as another deliver for the same out/ holds its lock: nothing was
    sent, and a later run sends it (the command line exits with status 75 then)."""


def deliver(
    *,
    config: Path = Path("syndicate.yaml"),
    out: Path = Path("out"),
    targets: Sequence[str] | None = None,
    dry_run: bool = False,
    allow_deletions: bool = False,
    registry: Registry | None = None,
    diagnostics: Diagnostics | None = None,
    notice: Notice | None = None,
) -> DeliveryResult:
    """Bring the targets configured in `config` (all, or those named in `targets`; one name
    alone is that target) up to date with `out` (paths may be text). With `dry_run`, only
    plan: nothing is sent or recorded. Each failure about to be tried again is told to
    `notice` (a line of text) as it happens.

    A target whose plan would delete every file it holds (out/ holds none of them: emptied,
    or another folder), or more than `export: max_deleted_percent:` of them, is refused (it
    fails, nothing is sent to it) unless `allow_deletions`: what no export would take away
    without being told to, no delivery does either."""
    diags = diagnostics if diagnostics is not None else Diagnostics()
    targets = [targets] if isinstance(targets, str) else targets  # one name, not its letters
    config = Path(config) if isinstance(config, str) else config
    out = Path(out) if isinstance(out, str) else out
    registry = registry or default_registry()
    site = load_config(config, str(config), diags)
    if site is not None:  # the site's partner profiles are formats a target may name
        registry = registry.for_site(site, diags)
    options = load_delivery(site, registry, diags) if site is not None else None
    limits = convert_section(EXPORT_SECTION, ExportOptions, site, diags) if site else None
    if site is None or options is None or limits is None:
        return DeliveryResult("input-errors", diags)
    chosen = _chosen(options, targets, site, diags)
    # the export that makes out/ anew: into the folder given, as `serve` and `validate` say
    given = "" if out == Path("out") else f" --out {shlex.quote(str(out))}"
    export = f"syndicate export --format all{given}"
    _check_placeholders(site, export, diags)
    _check_local_folders(chosen or [], site, config, out, diags)
    # the ledger is kept with out/'s build state, in the cache folder
    cache_apart(cache_folder(config, out), config.parent / "articles", config, diags, out=out)
    if not os.path.isdir(out):  # (False for a path too long, which is no folder either)
        diags.error("deliver.out", no_output_folder(out, str(out), export))
    if chosen is None or diags.errors:
        return DeliveryResult("input-errors", diags)
    cache = cache_folder(config, out)
    settle_output(out, cache, diags)  # an export stopped while publishing is completed first
    folder = state_folder(out, cache)
    if drafts := shown_drafts(folder):  # (`--preview DIR` given to deliver as --out)
        diags.error(
            "deliver.out",
            f"{out} was last exported by a preview with --drafts (serve --watch --drafts"
            f" --preview {out}): it holds drafts shown as if released ({', '.join(drafts)}),"
            f" which no partner may get; deliver what syndicate export --out {out} makes of it;"
            " nothing was sent",
        )
        return DeliveryResult("input-errors", diags)
    if was_previewed(folder, out):  # (embargoed stories shown as released: a break of each)
        diags.error(
            "deliver.out",
            f"{out} holds a preview (serve --watch exported it, embargoed stories shown as if"
            " released), which no partner may get: deliver the folder syndicate export makes;"
            " nothing was sent",
        )
        return DeliveryResult("input-errors", diags)
    lock = folder / LOCK_NAME
    busy = (
        f"another syndicate deliver is running for {said_path(out)} (lock {lock}); wait for it"
        " to finish"
    )
    try:
        with exclusive(lock, busy), interrupts_noticed():
            ledger = Ledger(folder, dry_run=dry_run)
            if ledger.replaced is not None:
                diags.warning("deliver.ledger", ledger.replaced, str(ledger.path))
            try:
                if _check_story_ids(folder, config, ledger, export, diags):
                    return DeliveryResult("input-errors", diags)
                ledger.belongs_to(str(config.resolve()), record=not dry_run)
                run = _Run(site, options, out, config.parent, registry, ledger, diags, notice)
                run.max_deleted = None if allow_deletions else limits.max_deleted_percent
                results = [run.target(index, target, dry_run) for index, target in chosen]
                pings = Pings(0, 0) if dry_run else run.announce(results)
            finally:
                ledger.close()
    except Busy as exc:
        diags.error("deliver.busy", str(exc))
        return DeliveryResult("failed", diags, busy=True)
    except OutputError as exc:  # its build state's folder cannot be written: no lock held
        return _state_failed(str(exc), diags)
    except LedgerError as exc:
        if (unwritable := cannot_write(folder)) is not None:  # (the lock was made before)
            return _state_failed(unwritable, diags)
        diags.error("deliver.ledger", str(exc))
        return DeliveryResult("failed", diags)
    except sqlite3.DatabaseError as exc:  # damaged past what opening it checks, or held
        if (unwritable := cannot_write(folder)) is not None:
            return _state_failed(unwritable, diags)
        diags.error("deliver.ledger", _ledger_failed(folder / LEDGER_FILE, exc))
        return DeliveryResult("failed", diags)
    current = all(r.current for r in results) and not pings.left  # (a failed ping: not done)
    status: Status = "current" if current else "failed"
    if dry_run:  # nothing was to be sent: only a target that could not be planned fails
        status = "failed" if any(r.problem is not None for r in results) else "current"
    return DeliveryResult(status, diags, results, pings.sent, pings.left)


def _state_failed(said: str, diags: Diagnostics) -> DeliveryResult:
    """out/'s build state folder, where deliver keeps its lock and its ledger, cannot be
    written: `deliver.state`, whether the lock is made in it now (`exclusive`) or was by an
    earlier run and the ledger fails (SQLite makes its journal there). One code for one cause,
    for a cron job that matches codes; `deliver.ledger` is the ledger file's own fault
    (damaged, newer, held, unreadable). What to do is said as every command says it
    (`unwritable_folder`: one rule)."""
    diags.error(
        "deliver.state",
        f"{said}; nothing was sent: deliver keeps its lock and its ledger with out/'s build state",
    )
    return DeliveryResult("failed", diags)


def _check_placeholders(site: SiteConfig, export: str, diags: Diagnostics) -> None:
    """`base_url` and `publisher.url` on a name reserved for examples and tests
    (`reserved_name`: init's placeholder, example.org, or example.com, `.example`, `.test`,
    `localhost`...): refused, each at its line, as no partner can take back an id or link it
    was given. Both: a site whose base_url was set but not its publisher.url still mints ids
    under it (`syndicate new`), and sends them, and its organisation's (JSON-LD, NewsML)."""
    placeholder = urlsplit(PLACEHOLDER_URL).hostname

    def said(url: str, name: str) -> str:
        """The address and what its name is: init's placeholder, or another reserved name."""
        if name == placeholder:
            on = "" if url == PLACEHOLDER_URL else f" (on {name})"
            return f"{url}{on}, {reserved_said(name)}"
        return f"{url} (on {name}, {reserved_said(name)})"

    if name := reserved_name(site.base_url):
        diags.error(
            "deliver.base-url",
            f"base_url is {said(site.base_url, name)}: every link and id in out/ names it, and"
            " a partner keeps the ids it is given; set base_url (and publisher.url) to where"
            f" out/ is published, run {export}, then deliver; nothing was sent",
            site.where("base_url"),
        )
    if name := reserved_name(site.publisher.url):
        host = name if name == placeholder else urlsplit(site.publisher.url).hostname or name
        diags.error(
            "deliver.publisher-url",
            f"publisher.url is {said(site.publisher.url, name)}: the ids of the stories"
            f" syndicate new made from it name {host}, as do the publisher's in out/ (JSON-LD,"
            " NewsML-G2), and a partner keeps the ids it is given; set publisher.url to your"
            f" site, give such stories ids of your own, run {export}, then deliver; nothing"
            " was sent",
            site.where("publisher", "url"),
        )


def _check_story_ids(
    folder: Path, config: Path, ledger: Ledger, export: str, diags: Diagnostics
) -> bool:
    """Whether a story out/ carries has an id on a name reserved for examples and tests
    (`reserved_name`): init's sample story, and those `syndicate new` made while
    publisher.url was still on such a name, keep their ids once the site's addresses are set.
    Each is an error at its `id:` line, and nothing is sent: a partner keeps the ids it is
    given. A story some target was already sent stays as it is (its id must not change now)."""
    named = {
        ident: (slug, source, on)
        for ident, (slug, source) in released_ids(folder, _is_reserved).items()
        if (on := reserved_id(ident)) is not None
    }
    if not named:
        return False
    sent = ledger.told_of(set(named))
    for ident, (slug, source, on) in sorted(named.items(), key=lambda item: item[1][0]):
        if ident in sent:
            continue
        diags.error(
            "deliver.story-id",
            f"the id of {slug}, {ident}, names {on}, {RESERVED_ID_MADE}, and a partner keeps"
            " the ids it is given: give the story an id of your own (or remove it, before any"
            f" partner has it), run {export}, then deliver; nothing was sent",
            id_source(SourceRef(str(config.parent / source), 1)),
        )
    return any(ident not in sent for ident in named)


def _is_reserved(ident: str) -> bool:
    return reserved_id(ident) is not None


def _ledger_failed(path: Path, exc: sqlite3.DatabaseError) -> str:
    """What to say of the ledger failing as it is written: damaged only when SQLite says it
    is (moving a ledger aside makes every target get everything again); held by another
    program (an open `sqlite3` session, a backup) past `BUSY_SECONDS`, or on a disk that
    refuses the write, as that."""
    if is_damage(exc):
        return damaged(path, exc)
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return (
            f"the delivery ledger {path} is held by another program ({exc}) for more than"
            f" {BUSY_SECONDS:g} s: nothing was sent; let it finish (an open sqlite3 session,"
            " a backup) and run deliver again"
        )
    return cannot_open(path, "the delivery ledger", exc)


def _chosen(
    options: DeliverOptions, names: Sequence[str] | None, site: SiteConfig, diags: Diagnostics
) -> list[tuple[int, Target]] | None:
    """The targets to deliver, with their index in the configuration."""
    indexed = list(enumerate(options.targets))
    if not indexed:
        diags.error(
            "deliver.targets",
            f"no delivery targets: add `{SECTION}: targets:` to {site.source.path}"
            " (see docs/delivery.md)",
            site.source.path,
        )
        return None
    known = {t.name for t in options.targets}
    if names is not None and not names:  # a filter that kept none: not "every target"
        diags.error(
            "deliver.targets",
            f"no target was named (an empty list); name one or more (targets:"
            f" {', '.join(sorted(known))}), or give none to deliver to every target",
        )
        return None
    for name in names or ():
        if name not in known:
            diags.error(
                "deliver.targets",
                f"no target is named {name!r}{did_you_mean(name, known)}"
                f" (targets: {', '.join(sorted(known))})",
            )
    if diags.errors:
        return None
    return [(i, t) for i, t in indexed if not names or t.name in names]


def _check_local_folders(
    chosen: Sequence[tuple[int, Target]],
    site: SiteConfig,
    config: Path,
    out: Path,
    diags: Diagnostics,
) -> None:
    """A `file://` target may not be the site folder, nor be in its stories, templates,
    phrases, out/ or cache: delivered there, out/'s files would land among the stories (every
    later export then fails on them) or in out/ itself. (A folder of the site's own, such as
    `public/` for a web server, is fine.)"""
    from urllib.parse import unquote

    import fsspec

    root = config.parent.resolve()
    own = {
        root / "articles": "articles folder",
        site.templates or root / TEMPLATES: "templates folder",
        root / TERMS: "terms folder",
        cache_folder(config, out): "cache folder",
        out: "output folder",
    }
    own = {real: what for folder, what in own.items() if (real := _real(folder)) is not None}
    for index, target in chosen:
        if target.scheme != "file":
            continue
        where = site.where(SECTION, "targets", index, "url")
        try:
            folder = resolved(Path(unquote(fsspec.core.url_to_fs(target.url)[1])))
        except Refused:
            message = folder_loop("its folder")
            diags.error(
                "deliver.target", f"{SECTION}: targets[{index}] ({target.name}): {message}", where
            )
            continue
        found = "site folder" if folder == root else None
        for own_folder, what in own.items():
            if folder.is_relative_to(own_folder):
                found = what
        if found is not None:
            diags.error(
                "deliver.target",
                f"{SECTION}: targets[{index}] ({target.name}): {target.url} is in the site's"
                f" {found} ({folder}): delivered there, out/'s files would mix with the"
                " site's own; deliver to a folder outside it (a folder of the site's own,"
                " such as public/, is fine)",
                where,
            )


def _real(folder: Path) -> Path | None:
    """`folder` resolved; None when it is a loop of links (which holds no target)."""
    try:
        return resolved(folder)
    except Refused:
        return None


class _Run:
    """One deliver run, inside the lock."""

    def __init__(
        self,
        site: SiteConfig,
        options: DeliverOptions,
        out: Path,
        base: Path,
        registry: Registry,
        ledger: Ledger,
        diags: Diagnostics,
        notice: Notice | None = None,
    ) -> None:
        self.site = site
        self.notice = notice
        self.options = options
        self.out = out
        self.base = base
        self.registry = registry
        self.ledger = ledger
        self.diags = diags
        self.writers = self._writers()
        self.inventory = Inventory(
            out,
            site.languages,
            list(self.writers.values()),
            state=ledger.folder,
            site_files=site_paths(site),
        )
        self._told: set[str] = set()
        self._built: set[str] | None = None
        """The ids of the last export's stories (`published_ids`), read when needed."""
        self.max_deleted: int | None = None
        """The most of a target's files a run may delete, in percent (None: no limit)."""
        self.exported = recorded_files(ledger.folder)
        """The files of out/ the last export left, as its build state lists them (None: no
        state to read): a file gone from out/ that it does not list, export took away."""

    def _tell_skipped(self) -> None:
        """Warn, once a run, of each thing in out/ that is not a regular file, or whose name
        is not UTF-8: never sent."""
        skipped = (
            (
                self.inventory.skipped,
                "deliver.not-regular",
                "not a regular file (a symbolic link, a FIFO or a socket), so never sent:"
                " syndicate never writes one; remove it",
            ),
            (
                self.inventory.undecodable,
                "deliver.not-utf8",
                "its name is not valid UTF-8 (those bytes shown escaped), so it is never sent:"
                " no target can be given that name; rename it in UTF-8, or remove it",
            ),
        )
        for paths, code, message in skipped:
            for path in dict.fromkeys(paths):
                if path not in self._told:
                    self._told.add(path)
                    self.diags.warning(code, message, show_path(self.out / path))

    def _unnameable(
        self, target: Target, selected: list[PublishedFile], held: Mapping[str, Entry]
    ) -> tuple[set[str], list[str]]:
        """The files the target takes whose name holds a line break, if it is an FTP, S3 or
        Cloud Storage target (`_WHY_NOT`). Each is said, and left out: not sent, and a copy
        the target holds (sent before) not deleted either; such a copy of a file gone from
        out/ is said once more, then forgotten (the second list): no run can delete it. Any
        other target (file, SFTP, HTTP) is sent them."""
        if target.scheme not in LINE_BOUND:
            return set(), []
        in_out = {file.path for file in selected if _line_break(file.path)}
        left = in_out | {path for path in held if _line_break(path)}
        for path in sorted(left):
            kept = "; the copy it holds is left there as it is" if path in held else ""
            if path not in in_out:
                kept = (
                    "; it is no longer the target's (gone from out/, or left out by its"
                    " formats, languages or sections), and the copy the target holds cannot be"
                    " deleted there either: it is left there and forgotten (remove it at the"
                    " target by hand)"
                )
            self.diags.warning(
                "deliver.bad-name",
                f"its name holds a line break (shown escaped), so it is not sent to"
                f" {target.name} ({target.url}): {_WHY_NOT[target.scheme]}{kept}; rename it,"
                " or remove it",
                _escaped(show_path(self.out / path)),
            )
        return left, sorted(left - in_out)

    def _writers(self) -> dict[str, AnyWriter]:
        writers = {}
        for name in self.registry.names:
            try:
                writers[name] = self.registry.get(name)
            except PluginError as exc:
                logger.debug("format %s left out: %s", name, exc)
        return writers

    def target(self, index: int, target: Target, dry_run: bool) -> TargetResult:
        result = TargetResult(target)
        folders, gone = self._folders(target, result)
        if result.problem is None:
            held = self.ledger.delivered(target.name, target.place, target.store)
            if not held:
                self._renamed(index, target, dry_run)
            selected = selection(target, self.inventory, folders, held)
            self._unknown_sections(index, target, selected)
            self._tell_skipped()
            # A first delivery (no record of the target): what it holds besides.
            expected = {file.path for file in selected} if not held else None
            left, forgotten = self._unnameable(target, selected, held)
            sendable = [file for file in selected if file.path not in left]
            planned = plan(self.out, sendable, {p: e for p, e in held.items() if p not in left})
            if not target.delete:
                planned = planned.kept()
            result.changes = planned.changes
            # (only a target written under temporary names can hold half an upload)
            result.unfinished = self.ledger.unfinished(target.name) if _halves(target) else []
            problem = self._too_many_deletes(planned, held, gone)
            if problem is None:
                self._untold(index, target, planned.untold, dry_run)
            if problem is not None:
                result.problem, result.settings, result.changes = problem, True, []
                result.guarded = True
            elif dry_run:
                # As the run: a credential is read only when there is something to do.
                to_do = any(change.kind != "keep" for change in result.changes)
                if to_do or not held or result.unfinished:
                    result.problem = self._unreadable_secret(target)
                result.settings = result.problem is not None
            else:
                self._shared(target)
                if held:  # (what it holds is at this store: a ledger from before says so now)
                    self.ledger.keep_store(target.name, target.place, target.store)
                self.ledger.claim(target.name, target.place, target.store)
                for entry in planned.touched:
                    self.ledger.record(target.name, entry)
                for path in forgotten:
                    self.ledger.forget(target.name, path)
                self._send(target, result, folders, expected)
                if result.stale and result.problem is None:
                    self._tell_stale(index, target, result.stale)
        if result.problem is not None:
            made = (
                f"; {result.done} of {len(result.changes)} changes made"
                if result.changes and not dry_run
                else ""
            )
            again = (
                ""
                if result.settings or result.refused or result.unexported
                else "; run deliver again"
            )
            self.diags.error(
                "deliver.failed",
                f"{target.name} ({target.url}): {result.problem}{made}{again}",
                self.site.where(SECTION, "targets", index),
            )
        return result

    def _renamed(self, index: int, target: Target, dry_run: bool) -> None:
        """A target the ledger does not know, at a url it knows under a name syndicate.yaml
        no longer has: renamed, it is a new target (the record is by name), and its partner is
        sent every file again. Said, with the fix, so that a dry run shows it first."""
        configured = {t.name for t in self.options.targets}
        former = self.ledger.former(target.name, target.place, configured, target.store)
        if not former:
            return
        names = " or ".join(repr(name) for name in former)
        self.diags.warning(
            "deliver.renamed",
            f"{target.name} ({target.url}) is new to the delivery record, which knows this url"
            f" as the target {names}, no longer in syndicate.yaml: a target is known by its"
            f" name, so {target.name} {'would be' if dry_run else 'is'} sent every file"
            " current again; if it is that target renamed, give it its former name back to"
            " send only what changed",
            self.site.where(SECTION, "targets", index, "name"),
        )

    def _tell_stale(self, index: int, target: Target, stale: int) -> None:
        """Say that files an export changed while the run sent the others were left to the
        next run (see `TargetResult.stale`): the target is not current yet."""
        files = "file" if stale == 1 else "files"
        self.diags.warning(
            "deliver.changed",
            f"{target.name} ({target.url}): {stale} {files} changed in {self.out} while this"
            " delivery ran (an export) and were not sent, so that each goes with its own"
            " story's version and status, in its place in the order; the target is not"
            " current: run deliver again",
            self.site.where(SECTION, "targets", index),
        )

    def _untold(
        self, index: int, target: Target, untold: Mapping[str, list[str]], dry_run: bool
    ) -> None:
        """Warn of the stories whose files the target loses without ever having had their
        kill (see `plan.untold`): a deletion is not a kill, and partners keep what they
        took in."""
        if not untold or not (self.ledger.folder / STATE_FILE).is_file():
            return  # (without the build state, which stories are still out is not known)
        if self._built is None:
            self._built = set(published_ids(self.ledger.folder))
        # A story the last export still has is no story taken away: killed (a format with
        # no kill file of its own, JSON-LD or EPUB, drops it) or a language removed, which
        # export itself says (`story.language-removed`).
        untold = {story: paths for story, paths in untold.items() if story not in self._built}
        if not untold:
            return
        shown = [f"{story} ({paths[0]})" for story, paths in list(untold.items())[:5]]
        more = f" and {len(untold) - 5} more" if len(untold) > 5 else ""
        these, its = (
            ("this story", "its") if len(untold) == 1 else (f"these {len(untold)} stories", "their")
        )
        self.diags.warning(
            "deliver.no-kill",
            f"{target.name} ({target.url}) last had {these} as usable and never received a"
            f" kill; {its} files are gone from out/ and {'would be' if dry_run else 'are'}"
            f" {'deleted there' if target.delete else 'forgotten (delete: false)'} by this"
            f" delivery: {', '.join(shown)}{more}. A deletion is not a kill: partners keep"
            " what they took in. To take a"
            " story back from them, put its folder back with status: canceled (or withheld)"
            " and a new version, then export and deliver",
            self.site.where(SECTION, "targets", index),
        )

    def _unknown_sections(
        self, index: int, target: Target, selected: Sequence[PublishedFile]
    ) -> None:
        """Warn of a section the target lists that no story of the last export is in (a
        typo, `politcs`): its partner would get no story of it, and nothing else would say
        so. A section the stories no longer have is said the same way, unless the target
        still gets a story it holds under it (one that moved: `selection`, review)."""
        if target.sections == "all":
            return
        present = {section for section in self.inventory.sections if section}
        present |= {file.section for file in selected if file.section}
        for section in target.sections:
            if section not in present:
                fix = did_you_mean(section, present)
                self.diags.warning(
                    "deliver.section",
                    f"{target.name}: no story in out/ is in the section {section!r}, so the"
                    f" target gets no story of it{fix}",
                    self.site.where(SECTION, "targets", index, "sections"),
                )

    def _too_many_deletes(
        self, planned: Plan, held: Mapping[str, Entry], gone: Sequence[str] = ()
    ) -> str | None:
        """Why the plan deletes too much to be made without --allow-deletions: every file the
        target holds (`rm -rf out/*`, an --out that is another folder), more than
        `max_deleted` percent of them (an out/ half emptied), or the files of a format folder
        `gone` from out/ that the last export wrote (`rm -rf out/epub`: a `formats: [all]`
        target took it for a format never exported). Only files gone from out/
        count: those the target no longer takes (its languages, sections or formats
        narrowed) are still there, and go as its settings say; and of those, only the ones
        the last export's build state still lists: one it no longer lists, export removed
        itself (a story killed or taken down, past export's own guard), and partners must
        hear of it. One file alone is always deleted, unless it is the last. A target that
        never deletes (`delete: false`) is guarded the same: the files it would keep are
        forgotten by the ledger, and the next run, out/ restored, would send each again."""
        if self.max_deleted is None:
            return None
        exported = self.exported
        counted = [
            change.path
            for change in planned.changes
            if change.kind in ("delete", "keep")
            and not os.path.lexists(self.out / change.path)
            and (exported is None or change.path in exported)
        ]
        deletes = len(counted)
        if not deletes:
            return None
        kept = any(change.kind == "keep" for change in planned.changes)
        verb = "forget (delete: false)" if kept else "delete"
        inside = tuple(f"{folder}/" for folder in gone)
        in_gone = sum(1 for path in counted if path.startswith(inside)) if gone else 0
        if deletes == len(held) and not any(change.sends for change in planned.changes):
            said = f"this run would {verb} every file it holds ({deletes}): out/ holds none of them"
        elif deletes > 1 and deletes * 100 > self.max_deleted * len(held):
            said = (
                f"this run would {verb} {deletes} of the {len(held)} files it holds, more than"
                f" the {self.max_deleted}% that export: max_deleted_percent: allows"
            )
        elif in_gone:
            folders = ", ".join(f"{self.out / folder}" for folder in gone)
            said = (
                f"this run would {verb} the {in_gone} files it holds of {folders}, gone from"
                " out/ though no export removed them (the build state lists them)"
            )
        else:
            return None
        return (
            f"{said}. Was {self.out} emptied or replaced by other means? Export"
            f" again to restore it; to {'forget' if kept else 'delete'} them for good, deliver"
            " with --allow-deletions"
            " (Python: allow_deletions=True). Nothing was sent"
        )

    def _unreadable_secret(self, target: Target) -> str | None:
        """For a dry run: why a credential of `target` cannot be read (an environment
        variable not set, a file missing), as the run would find; its value is read, never
        kept or shown."""
        for name, reference in target.credentials.named().items():
            try:
                reveal(reference, self.base, one_line=name != "private_key", header=name == "token")
            except SecretError as exc:
                return str(exc)
        return None

    def _folders(self, target: Target, result: TargetResult) -> tuple[list[str], list[str]]:
        """The folders of out/ the target takes; and, for `all`, those of its formats gone
        from out/ that the last export wrote (removed by hand: see `_too_many_deletes`)."""
        names = self.registry.names if "all" in target.formats else target.formats
        folders, gone = [], []
        for name in names:
            writer = self.writers.get(name)
            if writer is None:
                result.problem, result.unexported = f"the format {name} cannot be loaded", True
                return [], []
            for folder in writer.owned_folders():
                if not (self.out / folder).is_dir():
                    if "all" in target.formats:
                        if self._exported_into(folder):
                            gone.append(folder)
                        continue  # `all` takes the formats that were exported
                    result.problem = (
                        f"{self.out / folder} does not exist: run syndicate export --format"
                        f" {name} first"
                    )
                    result.unexported = True
                    return [], []
                folders.append(folder)
        return folders, gone

    def _exported_into(self, folder: str) -> bool:
        """Whether the last export's build state lists files in `folder`: one gone from out/
        although it does was removed by hand (a clean-up, a rebuild forced), not by export,
        and `all` must not take it as a format never exported, deleting it at the target."""
        prefix = f"{folder}/"
        return any(path.startswith(prefix) for path in self.exported or ())

    def _shared(self, target: Target) -> None:
        """Another out/ folder of the site delivers to the same place: each keeps its own
        ledger, so neither knows what the other sent (one's files left standing, or
        overwritten under the other's record). So does another target of the same
        configuration: one's deletions (its `languages` narrowed) take away files the other's
        record says its partner holds, and nothing ever sends them again."""
        twins = [
            t.name
            for t in self.options.targets
            if t.name != target.name and (t.place, t.store) == (target.place, target.store)
        ]
        told = f"place:{target.place} {target.store}"
        if twins and told not in self._told:  # (once for them all)
            self._told.add(told)
            self.diags.warning(
                "deliver.shared-target",
                f"{target.name} ({target.url}) and {', '.join(twins)} deliver to the same place:"
                " each target keeps its own record, so one's deletions take away files the"
                " other's record says are there, and they are never sent again; deliver to one"
                " place from one target (narrow its formats, languages or sections instead)",
                self.site.where(SECTION, "targets"),
            )
        for ledger in sorted(self.ledger.folder.parent.glob(f"*/{LEDGER_FILE}")):
            if ledger.parent == self.ledger.folder:
                continue
            urls = delivered_urls(ledger, self.ledger.site)
            if any(
                place(url) == target.place and store in (None, target.store) for url, store in urls
            ):
                self.diags.warning(
                    "deliver.shared-target",
                    f"{target.name} ({target.url}) is also delivered from another out/ folder"
                    f" (its ledger {ledger}): each out/ keeps its own record, so neither"
                    " knows what the other sent; deliver to one place from one out/ folder"
                    f" (if that out/ is gone, delete its build state, {ledger.parent})",
                    self.site.where(SECTION, "targets"),
                )
                return

    def _send(
        self,
        target: Target,
        result: TargetResult,
        folders: Sequence[str] = (),
        expected: set[str] | None = None,
    ) -> None:
        for change in result.changes:  # (no connection: nothing to do at the target)
            if change.kind == "keep":
                self.ledger.forget(target.name, change.path)
                result.kept += 1
                result.done += 1
        remaining = [change for change in result.changes if change.kind != "keep"]
        if not remaining and not result.unfinished and expected is None:
            return
        revealed: list[str] = []

        def secret(name: str) -> str:
            reference = target.credentials.named()[name]
            one_line = name != "private_key"  # a key file is many lines; the others are one
            revealed.append(reveal(reference, self.base, one_line=one_line, header=name == "token"))
            return revealed[-1]

        remote: Remote | None = None
        doing = "connecting"  # what a `GaveUp` failed at, for its message
        try:
            remote = open_remote(target, secret, self.options.retry)
            for path in result.unfinished:
                doing = f"clearing the unfinished upload of {path}"
                self._clear(target, remote, path, revealed)
                result.cleared += 1
            for change in remaining:
                doing = f"{'sending' if change.sends else 'deleting'} {change.path}"
                made = self._change(target, remote, change, revealed)
                result.done += 1
                if made == "gone":
                    result.skipped += 1
                elif made == "changed":
                    result.stale += 1
                elif change.sends:
                    result.sent += 1
                else:
                    result.deleted += 1
            if expected is not None:
                self._unknown(target, remote, folders, expected)
        except (SecretError, MissingExtra, SettingsError) as exc:
            result.problem = _said(str(exc), revealed)
            result.settings = True
        except GaveUp as failure:
            tries = f" (after {failure.attempts} attempts)" if failure.attempts > 1 else ""
            reason = _said(describe(failure.error), revealed)
            refused = login_refused(failure.error)
            if refused is not None:  # the connection's, not the file it was opened for
                result.problem = _login_failed(target, refused, reason.rstrip(".") + tries)
            else:
                result.problem = f"{doing}: {reason}{tries}"
                if part_removed(failure.error):
                    result.problem += (
                        "; the part of it written under its own name (rename: false) was"
                        " removed, so that the partner does not ingest half a file"
                    )
                if doing.startswith("deleting ") and not transient(failure.error):
                    # a drop box or an ingest endpoint that takes files and never deletes
                    # one would fail every run there: `delete: false` is what to change
                    result.problem += (
                        "; if this target never deletes files (a drop box, an ingest"
                        " endpoint), set delete: false on it"
                    )
                elif out_of_space(failure.error) and target.scheme == "file":
                    # a folder of this machine (or a share mounted on it): no partner's
                    folder = unquote(urlsplit(target.url).path).rstrip("/") or "/"
                    result.problem += (
                        f"; the disk holding {folder} is full (or its quota reached): free"
                        " some space there"
                    )
                elif out_of_space(failure.error):
                    result.problem += (
                        "; the partner's server is out of space (or over its quota): ask the"
                        " partner to free some"
                    )
            result.refused = not transient(failure.error)
            logger.debug("%s: %s failed", target.name, doing, exc_info=failure.error)
        except Exception as exc:  # a library's failure (a bad key file...): this target only
            result.problem = redact(describe(exc), revealed)
            result.refused = not transient(exc)
            logger.debug("%s failed", target.name, exc_info=exc)
        finally:
            if remote is not None:
                remote.close()

    def _unknown(
        self, target: Target, remote: Remote, folders: Sequence[str], expected: set[str]
    ) -> None:
        """After a first delivery: files the target holds in its formats' folders that out/
        does not have for it. An earlier delivery whose ledger was lost (a cache missed), or
        another out/, left them; no run deletes what no ledger names, so say so."""
        try:
            held = remote.listing(folders)
        except Exception as exc:  # a drop box may refuse listings: the delivery itself is done
            logger.debug("%s: listing failed", target.name, exc_info=exc)
            self.diags.warning(
                "deliver.unknown-files",
                f"{target.name} ({target.url}): every file was sent, but the target could not"
                f" be listed ({describe(exc)}), so files an earlier delivery left there, if"
                " any, are not known",
                self.site.where(SECTION, "targets"),
            )
            return
        if held is None:
            return
        self._leftovers(target, remote, sorted(p for p in held if is_temporary(p)))
        extra = sorted(p for p in held - expected if not is_temporary(p))
        if not extra:
            return
        shown = _shown(extra)
        self.diags.warning(
            "deliver.unknown-files",
            f"{target.name} ({target.url}) holds {len(extra)} file{'s' if len(extra) > 1 else ''}"
            " in its formats'"
            f" folders that out/ does not have for it ({shown}): an earlier delivery whose"
            " record is lost, or another out/, left them, and no run deletes them; delete"
            " them on the target if they are syndicate's (a killed story's, a removed"
            " language's)",
            self.site.where(SECTION, "targets"),
        )

    def _leftovers(self, target: Target, remote: Remote, temporaries: list[str]) -> None:
        """After a first delivery: syndicate's own temporary files found on the target
        (`.<name>.syndicate-part`), left by uploads stopped midway whose record is lost (a
        ledger lost or replaced): removed, and said. One that cannot be removed is said."""
        if not temporaries:
            return
        left: list[str] = []
        for temporary in temporaries:
            try:
                retrying(
                    self.options.retry, functools.partial(remote.delete, temporary), remote.reset
                )
            except GaveUp as failure:
                logger.debug("%s: %s stays", target.name, temporary, exc_info=failure.error)
                left.append(temporary)
        removed = len(temporaries) - len(left)
        said = f"{target.name} ({target.url}) held temporary files of uploads stopped midway"
        said += f" by an earlier run ({_shown(temporaries)})"
        if removed:
            said += f"; {removed} removed"
        if left:
            said += f"; {len(left)} could not be removed ({_shown(left)}): delete them there"
        self.diags.warning("deliver.unknown-files", said, self.site.where(SECTION, "targets"))

    def _clear(self, target: Target, remote: Remote, path: str, revealed: list[str]) -> None:
        """Remove what an upload of `path` stopped midway by an earlier run left on the
        target (its temporary file): a file that then left out/ would have kept its half on
        the partner's server for ever."""
        told = telling(
            self.notice,
            f"{target.name}: clearing an unfinished upload of {path}",
            lambda reason: _said(reason, revealed),
        )
        discard = functools.partial(remote.discard, path)
        retrying(self.options.retry, discard, remote.reset, told)
        self.ledger.sent(target.name, path)

    def _change(
        self, target: Target, remote: Remote, change: Change, revealed: list[str]
    ) -> Literal["made", "gone", "changed"]:
        """Make `change`; "gone" when it was skipped because its file left out/ since the
        plan, "changed" when an export wrote other bytes to a story's file since (left to the
        next run, which plans them with their own story's version and status)."""
        policy = self.options.retry
        verb = "sending" if change.sends else "deleting"
        told = telling(
            self.notice,
            f"{target.name}: {verb} {change.path}",
            lambda reason: _said(reason, revealed),
        )
        if not change.sends:
            retrying(policy, lambda: remote.delete(change.path), remote.reset, told)
            self.ledger.forget(target.name, change.path)
            return "made"
        assert change.entry is not None
        path = self.out / change.path
        try:  # what is recorded is what was sent, even if an export ran since the plan
            data, stat = read_regular(path)
        except FileNotFoundError:
            return "gone"  # removed by an export since the plan: deleted at the next run
        old = change.entry
        # Only a story's file (or image) goes with its story's version and status, which the
        # ledger records: one changed since the plan is left to the next run, which plans it
        # with its own. A feed, sitemap, catalog or index carries neither: its bytes of now are
        # sent and recorded (left, it could be changed by every export and never sent).
        if hashlib.sha256(data).hexdigest() != old.sha256 and _of_story(old):
            return "changed"
        entry = Entry.of(change.path, data, stat, old.version, old.word, old.section)
        meta = FileMeta(self.inventory.media_type(change.path), entry.sha256, entry.version)
        if _halves(target):
            self.ledger.sending(target.name, change.path)
        removed = False  # by any try: a later one refused before any byte does not undo it

        def put() -> None:
            nonlocal removed
            try:
                remote.put(change.path, data, meta)
            except Exception as exc:
                removed = removed or part_removed(exc)
                raise

        try:
            retrying(policy, put, remote.reset, told)
        except Exception as exc:
            if _halves(target) and not unreachable(exc):
                self._discard(target, remote, change.path)
            elif removed:  # (`rename: false`) the version it replaced went too
                self.ledger.forget(target.name, change.path)
                if isinstance(exc, GaveUp) and not part_removed(exc):
                    last = PartRemoved(describe(exc.error))  # said with the last failure
                    last.__cause__ = exc.error
                    raise GaveUp(last, exc.attempts) from exc.error
            elif _in_place(target):  # a part it could not remove may be there in its place
                self.ledger.doubt(target.name, change.path)
            raise
        self.ledger.record(target.name, entry)
        return "made"

    def _discard(self, target: Target, remote: Remote, path: str) -> None:
        """Remove, once and at once, what an upload of `path` the server refused left on the
        target (a full disk's part of the file under its temporary name): left, it held the
        space on the partner's server until the next delivery cleared it. A target that
        cannot be reached keeps it for that run (the ledger still says the upload is
        unfinished: the next run clears it first)."""
        try:
            remote.discard(path)
        except Exception:
            return
        self.ledger.sent(target.name, path)

    def announce(self, results: list[TargetResult]) -> Pings:
        """Ping the hubs of the feeds that changed, unless the target publishing base_url is
        not current yet (they would fetch the old feeds)."""
        public = self.options.public_target
        if public is not None and not any(r.target.name == public and r.current for r in results):
            return Pings(0, 0)
        writers = hub_writers(self.writers.values(), self.site)
        return announce(
            self.out,
            writers,
            self.ledger,
            self.options.retry,
            self.diags,
            severity="error",
            notice=self.notice,
        )


def _login_failed(target: Target, refused: Literal["login", "host key"], reason: str) -> str:
    """A refused login or an untrusted host key, said as the connection's failure (not the
    file's it was opened for), with the setting to fix."""
    parts = urlsplit(target.url)
    host = parts.hostname or ""
    if refused == "host key":
        known = Path(target.known_hosts or "~/.ssh/known_hosts").expanduser()
        port = parts.port or 22
        return (
            f"connecting to {host} failed: {reason}; {known} does not hold the host key the"
            " server shows. If the server is new to this machine, add its key once:"
            f" ssh-keyscan -p {port} {host} >> {known}, then compare its fingerprint with the"
            " one your partner gives you; if a key for it is there already, the server's key"
            " changed: ask your partner before replacing it"
        )
    given = target.credentials.named()
    if target.is_http:
        named = [f"credentials.{n} ({given[n]})" for n in ("token", "hmac_secret") if n in given]
        fix = " and ".join(named) or "the target's credentials: none are set (token, hmac_secret)"
        if "hmac_secret" in given:
            # a signature carries its time: a receiver refuses one a few minutes off, which a
            # clock that went back (or jumped ahead) makes of every request, the secret right
            fix += (
                ", and this machine's clock: each request carries its time"
                " (X-Syndicate-Timestamp), and a receiver refuses one some minutes off"
            )
        return f"the endpoint {host} refused the credentials: {reason}; check {fix}"
    if target.scheme == "s3":
        keys = ("access_key_id", "secret_access_key", "session_token")
        named = [f"credentials.{n} ({given[n]})" for n in keys if n in given]
        fix = " and ".join(named) or "this machine's AWS keys (AWS_* variables, ~/.aws)"
        return f"the store refused the keys: {reason}; check {fix}"
    keys = ("password", "private_key", "passphrase")
    named = [f"credentials.{n} ({given[n]})" for n in keys if n in given]
    user = unquote(parts.username or "")
    fix = (
        f"the user name in url ({user})"
        if user
        else f"url, which names no user (write it before the host: {target.scheme}://USER@{host}/)"
    )
    fix += f" and {' and '.join(named)}" if named else "; no credentials are set"
    return f"the login to {host} failed: {reason}; check {fix}"


_WHY_NOT = {
    "ftp": "no FTP command can carry that name (its line would end there)",
    **dict.fromkeys(("s3", "s3a"), "an S3 store's listings do not give that name back"),
    **dict.fromkeys(("gs", "gcs"), "Cloud Storage refuses a name with a line break"),
}
"""Why a target of each scheme cannot be given a name holding a line break."""
LINE_BOUND = frozenset(_WHY_NOT)
"""The schemes of the targets that cannot be given a name holding a line break."""


def _line_break(path: str) -> bool:
    """Whether `path` holds a line break (CR or LF), which ends an FTP command's line."""
    return "\r" in path or "\n" in path


def _of_story(entry: Entry) -> bool:
    """Whether `entry` is of a story's file, sent with the story's version or status."""
    return entry.version is not None or entry.word is not None


def _in_place(target: Target) -> bool:
    """Whether an upload to `target` stopped midway may leave part of the file under its
    own name, in place of the version before it (`rename: false`, on a target of files)."""
    return not target.rename and _of_files(target)


def _halves(target: Target) -> bool:
    """Whether an upload to `target` stopped midway may leave a temporary file there to
    clear: on a target of files, not with `rename: false` (no temporary name)."""
    return target.rename and _of_files(target)


def _of_files(target: Target) -> bool:
    """Whether `target` takes a file in parts that one stopped midway may leave: not an
    object store, where an object appears whole or not at all, nor HTTP (a PUT is one
    request)."""
    return not target.is_http and target.scheme not in OBJECT_STORES


def _escaped(text: str) -> str:
    """`text` with each control character shown as an escape (`\\n`), on one line."""
    return "".join(
        c.encode("unicode_escape").decode("ascii") if ord(c) < 32 or 127 <= ord(c) < 160 else c
        for c in text
    )


def _shown(paths: list[str]) -> str:
    """The first five paths, and how many more."""
    return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def _said(reason: str, revealed: list[str]) -> str:
    """A failure's reason as a message quotes it: without the secrets, without its full stop."""
    return redact(reason, revealed).rstrip(".")
