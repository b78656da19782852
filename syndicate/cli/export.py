"""`syndicate export`: the build engine on the articles folder, with a progress bar on a
terminal and a one-line summary."""

from __future__ import annotations

import argparse

from syndicate.build import export
from syndicate.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, count, progress_bar, say, shown
from syndicate.diagnostics import Diagnostics


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
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

    announced = announce_export(args.config, args.out, result.writers, diags)
    if args.timings:
        for name, timing in result.timings.items():
            line = f"{name:<8} {timing.seconds:8.2f} s {count(timing.files, 'file'):>11}"
            seconds = round(timing.seconds, 3)
            say(args, line, asked=True, format=name, seconds=seconds, files=timing.files)
    say(
        args,
        f"exported {', '.join(result.formats)}: {count(result.stories, 'story', 'stories')},"
        f" {count(result.files, 'file')} ({result.written} written, {result.unchanged}"
        f" unchanged, {result.removed} removed) in {shown(args, args.out)}",
        formats=list(result.formats),
        stories=result.stories,
        files=result.files,
        written=result.written,
        unchanged=result.unchanged,
        removed=result.removed,
    )
    if announced:
        say(args, f"WebSub: {announced} changed feeds announced")
    return EXIT_OK
