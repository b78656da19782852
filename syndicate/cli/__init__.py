"""The `syndicate` command line: the parser and the dispatch to one module per command
(`export`, `validate`, `formats`, `new`, `deliver`, `serve`). Formats come from the registry."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from syndicate import __version__

if TYPE_CHECKING:
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.registry import Registry

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def main(argv: Sequence[str] | None = None, *, registry: Registry | None = None) -> int:
    """Run the command line `argv` (default: this process's). An application embedding
    syndicate may give its own `registry` of formats (by default: the built-in formats and the
    installed plugins)."""
    args_list = sys.argv[1:] if argv is None else list(argv)
    if args_list == ["--version"]:
        # Answered before the formats are listed: that needs the installed packages' metadata.
        print(f"syndicate {__version__}")
        return EXIT_OK
    from syndicate.diagnostics import Diagnostics, route_library_warnings
    from syndicate.formats.registry import default_registry

    route_library_warnings()

    if os.environ.get("SYNDICATE_DEBUG"):  # developers: show writer tracebacks and internals
        import logging

        logging.basicConfig(level=logging.DEBUG)

    registry = registry or default_registry()
    parser = build_parser(registry.names)
    args = parser.parse_args(args_list)
    args.registry = registry
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    diags = Diagnostics()
    command = importlib.import_module(f"syndicate.cli.{args.command}")
    try:
        with _terminate_as_interrupt():
            status: int = command.run(args, diags)
    except KeyboardInterrupt as exc:
        # The engine says whether out/ was published (see syndicate.build.Interrupted).
        print(str(exc) or "interrupted; out/ is unchanged", file=sys.stderr)
        return 130
    report(diags, args.log_format, sys.stderr)
    if status == EXIT_OK and diags.has_errors(strict=args.strict):
        status = EXIT_INPUT
    return status


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a cron timeout, `kill`, a container stopping) stops a run as Ctrl-C does:
    staged files are cleaned up and the message says what out/ holds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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

    sub.add_parser("formats", parents=[common], help="list the output formats")

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
    new.add_argument(
        "--add-language",
        action="store_true",
        help="add the languages the site does not have yet to syndicate.yaml",
    )
    new.add_argument("--articles", type=Path, default=Path("articles"))

    deliver = sub.add_parser(
        "deliver", parents=[common], help="send what changed in out/ to the delivery targets"
    )
    deliver.add_argument(
        "--target",
        dest="targets",
        action="append",
        metavar="NAME",
        help="only this target (repeatable; default: every target of syndicate.yaml)",
    )
    deliver.add_argument(
        "--dry-run", action="store_true", help="list what would be sent and deleted; send nothing"
    )
    deliver.add_argument("--out", type=Path, default=Path("out"))

    serve = sub.add_parser(
        "serve", parents=[common], help="serve out/ over HTTP, or preview the site as you edit"
    )
    serve.add_argument("--out", type=Path, default=Path("out"), help="the folder served")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: 8000); 0: any free port"
    )
    serve.add_argument(
        "--watch",
        action="store_true",
        help="preview: export into a folder of its own (embargoed stories included), again at"
        " each change of the articles or the configuration, and reload the pages",
    )
    serve.add_argument("--articles", type=Path, default=Path("articles"))
    serve.add_argument(
        "--format",
        "-f",
        dest="formats",
        action="append",
        metavar="FORMAT",
        help=f"formats of the preview, repeatable: {', '.join(format_names)}, or all (default)",
    )
    serve.add_argument(
        "--preview",
        type=Path,
        metavar="DIR",
        help="where the preview is exported (default: beside the build state of --out)",
    )
    serve.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes for the preview's first export",
    )
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
