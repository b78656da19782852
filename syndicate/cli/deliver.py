"""`syndicate deliver`: bring every delivery target up to date with out/; `--dry-run` lists
what would go. One line per target; problems as diagnostics."""

from __future__ import annotations

import argparse
import functools

from syndicate.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, say, say_now
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
    for target in result.targets:
        if args.dry_run:
            _list(target)
        else:
            say(args, _summary(target))
    if result.announced:
        say(args, f"WebSub: {result.announced} changed feeds announced")
    return EXIT_OK if result.status == "current" else EXIT_FAILED


def _list(result: TargetResult) -> None:
    """What would go, on stdout: a line per target, then one per change, in order."""
    if result.problem is not None and not result.settings:
        print(f"{result.target.name} {result.target.url}: not planned (the error above says why)")
        return
    if result.problem is not None:  # planned, but the run would fail at once
        cannot = "would fail: a credential cannot be read (the error above says which)"
        print(f"{result.target.name} {result.target.url}: {cannot}")
        return
    print(f"{result.target.name} {result.target.url}: {_counts(result, 'to send', 'to delete')}")
    for change in result.changes:
        version = ""
        if change.entry is not None and change.entry.version is not None:
            version = f"  (version {change.entry.version})"
        print(f"  {change.kind:<7} {change.path}{version}")


def _summary(result: TargetResult) -> str:
    """What the target received: what it confirmed, not what was planned (a file removed
    from out/ by an export meanwhile is said skipped)."""
    target = result.target
    if not result.current:
        return f"{target.name}: not current ({target.url})"
    if not result.changes:
        return f"{target.name}: current, nothing to send ({target.url})"
    counts = [
        (result.sent, f"{result.sent} sent"),
        (result.deleted, f"{result.deleted} deleted"),
        (result.skipped, f"{result.skipped} skipped (gone from out/ since the plan)"),
    ]
    said = ", ".join(text for n, text in counts if n)
    return f"{target.name}: {said} ({target.url})"


def _counts(result: TargetResult, sent: str, deleted: str) -> str:
    kinds = [c.kind for c in result.changes]
    deletes = kinds.count("delete")
    sends = len(kinds) - deletes
    if not kinds:
        return "current, nothing to send"
    return ", ".join(
        text for n, text in ((sends, f"{sends} {sent}"), (deletes, f"{deletes} {deleted}")) if n
    )
