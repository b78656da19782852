"""`syndicate export`: the build engine on the articles folder, with a progress bar on a
terminal and a one-line summary."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from syndicate.build import Progress, export
from syndicate.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, say
from syndicate.diagnostics import Diagnostics


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    progress, stop_progress = _progress(args)
    try:
        result = export(
            formats=args.formats,
            config=args.config,
            articles=args.articles,
            out=args.out,
            languages=args.langs,
            now=args.now,
            jobs=args.jobs,
            force=args.force,
            strict=args.strict,
            registry=args.registry,
            diagnostics=diags,
            progress=progress,
        )
    finally:
        if stop_progress:
            stop_progress()
    if result.status == "input-errors":
        say(args, "not exported: fix the errors above; out/ is unchanged")
        return EXIT_INPUT
    if result.status == "failed":
        say(args, "not exported: out/ is unchanged")
        return EXIT_FAILED
    from syndicate.deliver.websub import announce_export

    announced = announce_export(
        args.config, args.out, [args.registry.get(name) for name in result.formats], diags
    )
    if args.timings:
        for name, timing in result.timings.items():
            print(f"{name:<8} {timing.seconds:8.2f} s {timing.files:7d} files", file=sys.stderr)
    say(
        args,
        f"exported {', '.join(result.formats)}: {result.stories} stories, {result.files} files"
        f" ({result.written} written, {result.unchanged} unchanged,"
        f" {result.removed} removed) in {args.out}",
    )
    if announced:
        say(args, f"WebSub: {announced} changed feeds announced")
    return EXIT_OK


def _progress(args: argparse.Namespace) -> tuple[Progress | None, Callable[[], None] | None]:
    """A progress bar on a terminal for long runs; nothing when stderr is piped or logged."""
    if args.quiet or not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress as Bar

    bar = Bar(transient=True)
    task = bar.add_task("reading", total=None)
    bar.start()

    def update(step: str, done: int, total: int) -> None:
        bar.update(task, description=step, completed=done, total=total)

    return update, bar.stop
