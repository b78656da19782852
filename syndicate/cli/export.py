"""`syndicate export`: the build engine on the articles folder, with a progress bar on a
terminal and a one-line summary."""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import shlex
from pathlib import Path

from syndicate.build import ExportResult, export
from syndicate.build.engine import out_apart
from syndicate.build.scheduling import address_problem
from syndicate.cli import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_PARTIAL,
    count,
    data_on_stdout,
    emit,
    out_named,
    progress_bar,
    say,
    say_now,
    shown,
)
from syndicate.diagnostics import Diagnostics


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    if args.scheduler is not None and args.executor != "dask":
        diags.error("export.executor", "--scheduler names a Dask scheduler: add --executor dask")
        return EXIT_INPUT
    if args.scheduler is not None and (problem := address_problem(args.scheduler)) is not None:
        # an empty one too (an unset variable): not Dask's default cluster, which it starts
        diags.error("export.executor", f"--scheduler: {problem}")
        return EXIT_INPUT
    if args.executor == "dask" and importlib.util.find_spec("distributed") is None:
        diags.error("export.executor", "--executor dask needs Dask: pip install 'syndicate[dask]'")
        return EXIT_INPUT
    if (problem := _no_parent(args)) is not None:
        diags.error("export.out", problem)
        return EXIT_INPUT
    progress, stop_progress = progress_bar(args)
    try:
        result = export(
            formats=args.formats,
            config=args.config,
            articles=args.articles,
            out=args.out,
            languages=args.langs,
            now=args.now,
            jobs=args.jobs,
            executor=args.executor,
            scheduler=args.scheduler,
            force=args.force,
            strict=args.strict,
            keep_going=args.keep_going,
            only=args.stories,
            dry_run=args.dry_run,
            allow_deletions=args.allow_deletions,
            registry=args.registry,
            diagnostics=diags,
            progress=progress,
        )
    finally:
        if stop_progress:
            stop_progress()
    out = out_named(args)
    if result.status == "input-errors":
        # (with --story, --keep-going publishes only the other stories it names)
        others = not args.stories or set(args.stories) - set(result.stopped_by)
        # (under --strict, warnings alone may have stopped it: they are named so)
        fix = "fix the errors above" if diags.errors else "fix the warnings above (--strict)"
        if result.stopped_by and args.force:  # (it keeps no story as last published)
            say(
                args,
                f"not exported: {fix}, or export without --force, with --keep-going, to keep"
                f" the stories with errors as last published; {out} is unchanged",
            )
        elif result.stopped_by and others:
            say(
                args,
                f"not exported: {fix}, or export with --keep-going to publish the other"
                f" stories; {out} is unchanged",
            )
        else:
            say(args, f"not exported: {fix}; {out} is unchanged")
        return EXIT_INPUT
    if result.status == "failed":
        if result.partly_published:
            say(args, f"not exported whole: {out} may hold part of this run's files (see above)")
        else:
            say(args, f"not exported: {out} is unchanged")
        return EXIT_BUSY if result.busy else EXIT_FAILED
    if args.dry_run:
        return _dry_run(args, result)
    announced = _announce(args, result, diags)
    if args.timings:
        for name, timing in result.timings.items():
            line = f"{name:<8} {timing.seconds:8.2f} s {count(timing.files, 'file'):>11}"
            seconds = round(timing.seconds, 3)
            say(args, line, asked=True, format=name, seconds=seconds, files=timing.files)
    # One summary line: a widened run says so in it (and in its `widened` figure).
    widened = (
        "; a story was killed, withdrawn, deleted or taken back under embargo, or lost a"
        " language: also exported"
        f" {', '.join(result.widened)}, so that reaches every file that carried it"
        if result.widened and not result.widened_for_version
        else "; a story has a new version, which each of its languages and formats carries:"
        f" also exported {', '.join(result.widened)}"
        if result.widened
        else ""
    )
    say(
        args,
        f"exported {', '.join(result.formats)}: {count(result.stories, 'story', 'stories')},"
        f" {count(result.files, 'file')} ({result.written} written, {result.unchanged}"
        f" unchanged, {result.removed} removed) in {shown(args, args.out)}{widened}",
        formats=list(result.formats),
        stories=result.stories,
        files=result.files,
        written=result.written,
        unchanged=result.unchanged,
        removed=result.removed,
        widened=list(result.widened),
    )
    if announced:
        say(args, f"WebSub: {announced} changed feeds announced")
    status = EXIT_OK
    if result.stale or (args.strict and result.orphaned):
        _orphaned(args, result.stale_folders or result.orphaned, result.stale)
        status = EXIT_PARTIAL
    if result.left_out:  # said last: a cron job's log ends with the stories left out
        _left_out(args, result)
        status = EXIT_PARTIAL
    if status == EXIT_OK and args.strict and diags.warnings:
        # Warnings found while the files were made or after they were published (a dead
        # link, an empty edition day) cannot stop a run that has published: not 2 ("nothing
        # was written") but 3, "published, but".
        warned = count(len(diags.warnings), "warning")
        say(
            args,
            f"published, but --strict counts the {warned} above: fix them and export again"
            f" (exit status {EXIT_PARTIAL})",
            asked=True,
            warnings=len(diags.warnings),
        )
        status = EXIT_PARTIAL
    return status


def _orphaned(args: argparse.Namespace, folders: tuple[str, ...], stale: bool) -> None:
    """Published, but out/ holds folders no export updates (`output.orphaned`): one carries a
    story taken down, or `--strict` counts their warnings."""
    what = "a story taken down is still in" if stale else f"--strict: {out_named(args)} still holds"
    one = len(folders) == 1
    say(
        args,
        f"published, but {what} {', '.join(f'{f}/' for f in folders)}, which no export"
        f" updates: delete {'it' if one else 'them'}, or configure"
        f" {'its format' if one else 'their formats'} again (exit status {EXIT_PARTIAL})",
        asked=True,
        orphaned=list(folders),
    )


def _announce(args: argparse.Namespace, result: ExportResult, diags: Diagnostics) -> int:
    """Ping the WebSub hubs of the feeds that changed. Only when a format's options name a
    hub (`hub:`, what `websub.hub_writers` looks for) is the delivery code imported, which
    decides."""
    if not any(getattr(options, "hub", None) for options in result.options.values()):
        return 0
    from syndicate.deliver.websub import announce_export

    notice = functools.partial(say_now, args)  # a retry is told as it waits
    return announce_export(args.config, args.out, result.writers, diags, notice)


def _no_parent(args: argparse.Namespace) -> str | None:
    """What is wrong with `--out a/b/c` when `a/b` is not there (a typo, a share not
    mounted): an export makes out/ itself, never the folders above it, which would put a
    whole tree where nobody looks while the site's out/ stays as it was."""
    parent = Path(os.path.abspath(args.out)).parent
    if parent.is_dir() or not out_apart(args.out, args.articles, args.config, Diagnostics()):
        return None  # (one not a folder of its own is refused by the export, as such)
    missing = parent
    while not missing.parent.is_dir() and missing.parent != missing:
        missing = missing.parent
    start = f"--out {shown(args, args.out)}: {shown(args, missing)}"
    if os.path.islink(missing):  # (`mkdir -p` fails on it: "File exists")
        return (
            f"{start} is a link to {os.readlink(missing)}, which does not exist (a share not"
            " mounted?): mount it, or check the path; nothing was written"
        )
    if os.path.lexists(missing):
        return f"{start} is a file, not a folder: check the path; nothing was written"
    if missing.name.startswith("~"):  # `--out=~/x`, `--out "~/x"`: `mkdir -p '~'` is no fix
        return (
            f"{start} does not exist: the shell makes ~ a home folder only at the start of a"
            " word, not after = nor in quotes: write --out ~/... or the path in full;"
            " nothing was written"
        )
    return (
        f"{start} does not exist: an export makes its output folder, not the folders above"
        " it; check the path, or make the folder it goes in first (mkdir -p"
        f" {shlex.quote(shown(args, parent))}); nothing was written"
    )


def _left_out(args: argparse.Namespace, result: ExportResult) -> None:
    say(
        args,
        f"left out for their errors{_kinds(result)} (exit status {EXIT_PARTIAL})",
        asked=True,  # a cron job's log must say it even under --quiet
        **_left_out_fields(result),
    )


def _left_out_fields(result: ExportResult) -> dict[str, list[str]]:
    return {
        "left_out": list(result.left_out),
        "not_published": list(result.unpublished),
        "version_lost": list(result.lost),
        "kept_gone": list(result.kept_gone),
    }


def _kinds(result: ExportResult) -> str:
    """The stories left out, told apart: those whose last published version stays, those
    with none (a new story never published), and those whose version the build state lost
    (an `export.held` warning above: their files leave out/); then the stories whose folders
    are gone that one of them may hold, kept as last published (warnings above)."""
    unpublished, lost = result.unpublished, result.lost
    kept = [slug for slug in result.left_out if slug not in unpublished and slug not in lost]
    parts = [f"their last published version kept: {', '.join(kept)}"] if kept else []
    if unpublished:
        parts.append(f"not published yet: {', '.join(unpublished)}")
    if lost:
        parts.append(f"their last published version lost (warning above): {', '.join(lost)}")
    if result.kept_gone:
        parts.append(
            "stories they may hold, kept as last published (warnings above):"
            f" {', '.join(result.kept_gone)}"
        )
    return f", {parts[0]}" if len(parts) == 1 else f": {'; '.join(parts)}"


def _dry_run(args: argparse.Namespace, result: ExportResult) -> int:
    """What the export would change in out/: one line per file on stdout, then a summary."""
    changes = result.changes
    with data_on_stdout():  # (`| grep -q html/`: the rest unlisted, the summary said)
        for change in ("new", "changed", "removed"):
            for path in changes.get(change, ()):
                if args.log_format == "json":
                    emit({"change": change, "path": path})
                else:
                    print(f"{change:<8} {path}")
    new, changed, removed = (len(changes.get(c, ())) for c in ("new", "changed", "removed"))
    say(
        args,
        f"dry run: {new} new, {changed} changed and {removed} removed in"
        f" {shown(args, args.out)}; nothing was published",
        new=new,
        changed=changed,
        removed=removed,
    )
    if result.left_out:
        # A dry run publishes nothing, so not 3 ("published, but"): found errors, it is 2, as a
        # check of the sources is; it says what the export would do with them.
        say(
            args,
            f"an export would leave out for their errors{_kinds(result)}"
            f" (and exit with status {EXIT_PARTIAL})",
            asked=True,
            **_left_out_fields(result),
        )
        return EXIT_INPUT
    return EXIT_OK
