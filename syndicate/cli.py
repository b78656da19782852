"""The `syndicate` command line: export, validate, formats, new. Formats come from the registry."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from syndicate import __version__

if TYPE_CHECKING:
    from syndicate.diagnostics import Diagnostics

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    if args_list == ["--version"]:
        # Answered before the formats are listed: that needs the installed packages' metadata.
        print(f"syndicate {__version__}")
        return EXIT_OK
    from syndicate.diagnostics import Diagnostics
    from syndicate.writers.registry import default_registry

    if os.environ.get("SYNDICATE_DEBUG"):  # developers: show writer tracebacks and internals
        import logging

        logging.basicConfig(level=logging.DEBUG)

    registry = default_registry()
    parser = build_parser(registry.names)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    diags = Diagnostics()
    try:
        status: int = args.handler(args, diags)
    except KeyboardInterrupt:
        print("interrupted; out/ is unchanged", file=sys.stderr)
        return 130
    report(diags, args.log_format, sys.stderr)
    if status == EXIT_OK and diags.has_errors(strict=args.strict):
        status = EXIT_INPUT
    return status


def build_parser(format_names: Sequence[str]) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=Path("syndicate.yaml"),
        help="site configuration (default: ./syndicate.yaml)",
    )
    common.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="diagnostics as text lines or JSON lines (default: text)",
    )
    common.add_argument("--strict", action="store_true", help="treat warnings as errors")
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems")

    parser = argparse.ArgumentParser(
        prog="syndicate",
        description="Publish multilingual stories as NewsML-G2, RSS/Atom, EPUB and JSON-LD.",
    )
    parser.add_argument("--version", action="version", version=f"syndicate {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    export = sub.add_parser("export", parents=[common], help="write output formats into out/")
    export.add_argument(
        "--format",
        "-f",
        dest="formats",
        action="append",
        required=True,
        metavar="FORMAT",
        help=f"format to write, repeatable: {', '.join(format_names)}, or all",
    )
    export.add_argument(
        "--lang",
        dest="langs",
        action="append",
        metavar="TAG",
        help="only these languages (repeatable; default: the site's languages)",
    )
    export.add_argument("--articles", type=Path, default=Path("articles"))
    export.add_argument("--out", type=Path, default=Path("out"))
    export.add_argument(
        "--now",
        type=parse_now,
        metavar="TIME",
        help="the current time for embargoes and feeds, RFC 3339 (reproducible runs)",
    )
    export.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes for the stories (default: the number of cores)",
    )
    export.add_argument(
        "--force", action="store_true", help="rebuild every file, ignoring the build manifest"
    )
    export.add_argument(
        "--timings", action="store_true", help="print the time and file count of each format"
    )
    export.set_defaults(handler=cmd_export)

    validate = sub.add_parser(
        "validate", parents=[common], help="check the story sources, and optionally the outputs"
    )
    validate.add_argument("--articles", type=Path, default=Path("articles"))
    validate.add_argument(
        "--outputs",
        nargs="?",
        type=Path,
        const=Path("out"),
        metavar="DIR",
        help="also check the files in DIR (default: out) with each format's validator",
    )
    validate.set_defaults(handler=cmd_validate)

    formats = sub.add_parser("formats", parents=[common], help="list the output formats")
    formats.set_defaults(handler=cmd_formats)

    new = sub.add_parser("new", parents=[common], help="scaffold a story to fill in")
    new.add_argument("slug", help="story folder name, e.g. 2026-11-24-budget-vote")
    new.add_argument(
        "--lang",
        dest="langs",
        action="append",
        required=True,
        metavar="TAG",
        help="language file to create (repeatable; the first is the original)",
    )
    new.add_argument("--articles", type=Path, default=Path("articles"))
    new.set_defaults(handler=cmd_new)
    return parser


def parse_now(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an RFC 3339 date-time") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a time zone offset, e.g. Z or +01:00")
    return value


def report(diags: Diagnostics, log_format: str, stream: TextIO) -> None:
    for d in diags.sorted():
        print(d.format_json() if log_format == "json" else d.format_text(), file=stream)


def say(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def cmd_export(args: argparse.Namespace, diags: Diagnostics) -> int:
    from syndicate.build import export_articles
    from syndicate.config import load_config
    from syndicate.export import check_format_options
    from syndicate.writers.registry import default_registry

    registry = default_registry()
    unknown = [name for name in args.formats if name != "all" and name not in registry.names]
    for name in unknown:
        diags.error("cli.format", registry.unknown_message(name))
    if unknown:
        return EXIT_INPUT
    names = registry.names if "all" in args.formats else tuple(dict.fromkeys(args.formats))
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    writers = [registry.get(name) for name in names]
    check_format_options(writers, config, diags, every_section=False)
    languages = tuple(args.langs or config.languages)
    for tag in languages:
        if tag not in config.languages:
            diags.error(
                "cli.language",
                f"--lang {tag}: not one of the site's languages ({', '.join(config.languages)})",
            )
    if diags.has_errors(strict=args.strict):
        say(args, "not exported: fix the errors above; out/ is unchanged")
        return EXIT_INPUT
    progress, stop_progress = _progress(args)
    run = export_articles(
        writers=writers,
        articles=args.articles,
        config=config,
        config_file=args.config,
        out=args.out,
        now=args.now or datetime.now(UTC),
        languages=languages,
        all_languages=not args.langs,
        diags=diags,
        jobs=max(1, args.jobs),
        force=args.force,
        strict=args.strict,
        progress=progress,
    )
    if stop_progress:
        stop_progress()
    if run.input_errors:
        say(args, "not exported: fix the errors above; out/ is unchanged")
        return EXIT_INPUT
    if run.result is None:
        say(args, "not exported: out/ is unchanged")
        return EXIT_FAILED
    result = run.result
    if args.timings:
        for name, timing in run.timings.items():
            print(f"{name:<8} {timing.seconds:8.2f} s {timing.files:7d} files", file=sys.stderr)
    say(
        args,
        f"exported {', '.join(names)}: {run.stories} stories, {result.files} files"
        f" ({result.written} written, {result.unchanged} unchanged,"
        f" {result.removed} removed) in {args.out}",
    )
    return EXIT_OK


def _progress(
    args: argparse.Namespace,
) -> tuple[Callable[[str, int, int], None] | None, Callable[[], None] | None]:
    """A progress bar on a terminal for long runs; nothing when stderr is piped or logged."""
    if args.quiet or not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("reading", total=None)
    bar.start()

    def update(step: str, done: int, total: int) -> None:
        bar.update(task, description=step, completed=done, total=total)

    return update, bar.stop


def cmd_validate(args: argparse.Namespace, diags: Diagnostics) -> int:
    from syndicate.config import load_config
    from syndicate.export import check_format_options, make_context
    from syndicate.readers.articles import read_articles
    from syndicate.writers.registry import default_registry

    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    registry = default_registry()
    check_format_options(registry.all(), config, diags, every_section=True)
    stories = read_articles(args.articles, config, diags)
    if diags.has_errors(strict=args.strict):
        return EXIT_INPUT
    variants = sum(len(s.variants) for s in stories)
    say(args, f"{args.articles}: {len(stories)} stories, {variants} language variants: OK")
    if args.outputs is None:
        return EXIT_OK
    if not args.outputs.is_dir():
        diags.error("validate.outputs", f"no output folder {args.outputs}; run export first")
        return EXIT_FAILED
    now = datetime.now(UTC)
    checked = []
    for writer in registry.all():
        if any((args.outputs / f).is_dir() for f in writer.owned_folders()):
            ctx = make_context(writer, config, now, config.languages, diags)
            writer.validate_outputs(args.outputs, ctx)
            checked.append(writer.name)
    if diags.has_errors(strict=args.strict):
        return EXIT_FAILED
    say(args, f"{args.outputs}: {', '.join(checked) or 'no formats found'}: OK")
    return EXIT_OK


def cmd_formats(args: argparse.Namespace, diags: Diagnostics) -> int:
    from syndicate.writers.registry import default_registry

    for writer in default_registry().all():
        print(
            f"{writer.name:<8} {writer.media_type:<36} {writer.extension:<7} "
            f"{writer.scope:<10} {writer.description}"
        )
        for opt in writer.options:
            print(f"{'':<8} {writer.section()}.{opt.name} = {opt.default!r}: {opt.help}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace, diags: Diagnostics) -> int:
    from syndicate.config import load_config
    from syndicate.scaffold import scaffold_story

    config = load_config(args.config, str(args.config), diags)
    if config is None:
        return EXIT_INPUT
    folder = scaffold_story(args.articles, args.slug, tuple(args.langs), config, diags)
    if folder is None:
        return EXIT_INPUT
    say(args, f"created {folder}: fill in the TODOs, then run `syndicate validate`")
    return EXIT_OK
