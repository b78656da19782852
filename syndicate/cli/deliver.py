"""`syndicate deliver`: bring every delivery target up to date with out/; `--dry-run` lists
what would go. One line per target; problems as diagnostics."""

from __future__ import annotations

import argparse
import functools

from syndicate.cli import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    data_on_stdout,
    emit,
    say,
    say_now,
)
from syndicate.deliver import TargetResult, deliver
from syndicate.diagnostics import Diagnostics


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    result = deliver(
        config=args.config,
        out=args.out,
        targets=args.targets,
        dry_run=args.dry_run,
        allow_deletions=args.allow_deletions,
        registry=args.registry,
        diagnostics=diags,
        notice=functools.partial(say_now, args),
    )
    if result.status == "input-errors":
        return EXIT_INPUT
    if result.busy:
        return EXIT_BUSY
    with data_on_stdout():  # a dry run's listing is its data: `| head -1` has what it wanted
        for target in result.targets:
            if args.dry_run and args.log_format == "json":
                emit(_plan(target))
            elif args.dry_run:
                _list(target)
            else:
                say(args, _summary(target))
    if result.announced:
        say(args, f"WebSub: {result.announced} changed feeds announced")
    if result.unannounced:  # the last line a cron log shows says the run is not done
        say(
            args,
            f"WebSub: {result.unannounced} changed feeds not announced (the error above says"
            " why); the next run announces them",
        )
    return EXIT_OK if result.status == "current" else EXIT_FAILED


def _list(result: TargetResult) -> None:
    """What would go, on stdout: a line per target, then one per change, in order."""
    if result.problem is not None and not result.settings:
        print(f"{result.target.name} {result.target.url}: not planned (the error above says why)")
        return
    if result.problem is not None:  # planned, but the run would fail at once
        cannot = (
            f"would fail: it would {'delete' if result.target.delete else 'forget'} too many"
            " of the target's files (the error above says how many, and what to do)"
            if result.guarded
            else "would fail: a credential cannot be read (the error above says which)"
        )
        print(f"{result.target.name} {result.target.url}: {cannot}")
        return
    print(f"{result.target.name} {result.target.url}: {_counts(result, 'to send', 'to delete')}")
    for path in result.unfinished:  # (first: its temporary file is removed)
        print(f"  {'clear':<7} {path}  (an upload an earlier run stopped midway)")
    for change in result.changes:
        version = ""
        if change.entry is not None and change.entry.version is not None:
            version = f"  (version {change.entry.version})"
        print(f"  {change.kind:<7} {change.path}{version}")


def _plan(result: TargetResult) -> dict[str, object]:
    """What `_list` says of a target, as JSON data: `plan` is `ready`, `not-planned` or
    `would-fail`; `clear` the unfinished uploads to clear first; `changes` in their order."""
    plan = "ready"
    if result.problem is not None:
        plan = "would-fail" if result.settings else "not-planned"
    changes = [] if plan != "ready" else result.changes
    return {
        "target": result.target.name,
        "url": result.target.url,
        "plan": plan,
        "clear": list(result.unfinished) if plan == "ready" else [],
        "changes": [
            {
                "kind": change.kind,
                "path": change.path,
                "version": change.entry.version if change.entry is not None else None,
            }
            for change in changes
        ],
    }


def _summary(result: TargetResult) -> str:
    """What the target received: what it confirmed, not what was planned (a file removed
    from out/ by an export meanwhile is said skipped)."""
    target = result.target
    if not result.current and (result.problem is not None or not result.stale):
        return f"{target.name}: not current ({target.url})"
    if not result.changes and not result.cleared:
        return f"{target.name}: current, nothing to send ({target.url})"
    counts = [
        (result.sent, f"{result.sent} sent"),
        (result.deleted, f"{result.deleted} deleted"),
        (result.kept, f"{result.kept} kept there (delete: false)"),
        (result.skipped, f"{result.skipped} skipped (gone from out/ since the plan)"),
        (result.stale, f"{result.stale} left (changed in out/ since the plan), not current"),
        (result.cleared, _uploads(result.cleared, "cleared")),
    ]
    said = ", ".join(text for n, text in counts if n)
    return f"{target.name}: {said} ({target.url})"


def _counts(result: TargetResult, sent: str, deleted: str) -> str:
    kinds = [c.kind for c in result.changes]
    deletes, keeps = kinds.count("delete"), kinds.count("keep")
    sends = len(kinds) - deletes - keeps
    unfinished = len(result.unfinished)
    if not kinds and not unfinished:
        return "current, nothing to send"
    counts = (
        (sends, f"{sends} {sent}"),
        (deletes, f"{deletes} {deleted}"),
        (keeps, f"{keeps} to keep there (delete: false)"),
        (unfinished, _uploads(unfinished, "to clear")),
    )
    return ", ".join(text for n, text in counts if n)


def _uploads(count: int, what: str) -> str:
    """`1 unfinished upload to clear`, `2 unfinished uploads cleared`."""
    return f"{count} unfinished upload{'s' if count > 1 else ''} {what}"
