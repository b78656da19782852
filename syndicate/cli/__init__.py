"""The `syndicate` command line: the parser, the site every command works on, and the dispatch
to one module per command (`init`, `new`, `list`, `show`, `validate`, `export`, `deliver`,
`serve`, `formats`). Formats come from the registry."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import importlib
import io
import itertools
import json
import os
import re
import shlex
import signal
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from syndicate import __version__

if TYPE_CHECKING:
    from syndicate.diagnostics import Diagnostic, Diagnostics
    from syndicate.formats.registry import Registry

EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_PARTIAL = 0, 1, 2, 3
"""3: `export --keep-going` published, but left out stories with errors."""
EXIT_BUSY = 75
"""Another run holds the lock (`export`'s of out/, `deliver`'s): nothing was done, try again
later. sysexits.h's EX_TEMPFAIL, which cron wrappers and systemd take for "retry"."""
SITE_COMMANDS = frozenset({"export", "validate", "new", "list", "show", "deliver", "serve"})
"""The commands that work on a site; `init` makes one, `formats` needs none."""
SITE_USERS = frozenset({"formats", "terms"})
"""The commands that use a site when there is one (its profiles, its phrases): a site named
with `--site` or `--config` must be one, as for the site commands."""
RESOURCE_TRACKER_QUIET = "ignore::UserWarning:multiprocessing.resource_tracker"
MODULES = {"list": "listing"}
"""The module of a command, where its name is not a good module name."""


def main(argv: Sequence[str] | None = None, *, registry: Registry | None = None) -> int:
    """Run the command line `argv` (default: this process's). An application embedding
    syndicate may give its own `registry` of formats (by default: the built-in formats and the
    installed plugins)."""
    args_list = sys.argv[1:] if argv is None else list(argv)
    _standard_streams()
    if args_list == ["--version"]:
        # Answered before the formats are listed: that needs the installed packages' metadata.
        with data_on_stdout():  # (`syndicate --version | true`: as `--help`, no traceback)
            print(f"syndicate {__version__}")
        return EXIT_OK
    import warnings

    from syndicate.diagnostics import route_library_warnings

    shown = warnings.showwarning
    quieted = RESOURCE_TRACKER_QUIET not in sys.warnoptions
    added = route_library_warnings()
    # multiprocessing's resource tracker, a process of its own, takes this process's -W
    # options: killed outright (SIGKILL, the OOM killer), an export left it to print a
    # Python warning about the pool's semaphores among the command's lines.
    if quieted:
        sys.warnoptions.append(RESOURCE_TRACKER_QUIET)
    try:
        return _main(args_list, registry)
    finally:
        if argv is not None:  # called by a program: its own warnings as they were
            import logging

            if warnings.showwarning is not shown:
                logging.captureWarnings(False)
            if added is not None:
                logging.getLogger("py.warnings").removeHandler(added)
            if quieted and RESOURCE_TRACKER_QUIET in sys.warnoptions:
                sys.warnoptions.remove(RESOURCE_TRACKER_QUIET)
            _reconfigure("backslashreplace")  # (its next text lines: not JSON's escapes)


def _standard_streams() -> None:
    """A standard stream the command was started without (`syndicate list >&-`, `export
    2>&-`, `<&-`): its descriptor opened on the null device, and Python's `None` for it a
    stream writing there. `sys.stderr.isatty()` was an AttributeError traceback (`list`, and
    `export`, which then stopped with status 1 unsaid), and the first file the run opened took
    the free descriptor, a worker's or a library's "standard error" written into it."""
    for fd, name in enumerate(("stdin", "stdout", "stderr")):
        try:
            try:
                os.fstat(fd)
            except OSError:  # closed: the lowest free descriptor is this one
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            if getattr(sys, name) is None:
                nowhere = open(os.devnull, "r" if fd == 0 else "w", encoding="utf-8")  # noqa: SIM115
                setattr(sys, name, nowhere)  # (for the process's life: never closed)
        except OSError:  # no null device (a bare container): the streams as they were
            return


SECRET_LOGGERS = ("botocore", "aiobotocore", "boto3", "s3fs")
"""Libraries whose debug lines carry secrets (botocore's each request's headers, an S3
session token's `x-amz-security-token` among them): kept at INFO under SYNDICATE_DEBUG."""


def _main(args_list: list[str], registry: Registry | None) -> int:
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.registry import default_registry

    # a terminal that cannot show a script (LC_ALL=POSIX without UTF-8 mode): escapes, not a
    # crash (JSON's own under --log-format json, `_json_escapes`)
    _reconfigure("backslashreplace")

    if os.environ.get("SYNDICATE_DEBUG"):  # developers: show writer tracebacks and internals
        import logging

        logging.basicConfig(level=logging.DEBUG)
        for name in SECRET_LOGGERS:  # debug logs end up in cron mail and CI logs
            logging.getLogger(name).setLevel(logging.INFO)

    registry = registry or default_registry()
    parser = build_parser(registry.names, json_errors=_wants_json(args_list))
    try:
        args = parser.parse_args(args_list)
    except SystemExit as stop:  # a usage error (said), `--help`: the status, as promised
        return stop.code if isinstance(stop.code, int) else EXIT_INPUT
    if args.command is None:
        if args.log_format == "json":  # stderr JSON lines only, stdout no text: a problem
            usage_problem(f"a command is required: {', '.join(parser.commands)}")
        else:  # a person who typed `syndicate` alone: what there is to type
            parser.print_help()
        return EXIT_INPUT
    args.registry = registry
    if getattr(args, "json", False):  # `list --json`: the same as `--log-format json`
        args.log_format = "json"
    if args.log_format == "json":  # an ASCII or Latin-1 stream (no UTF-8 mode): each line JSON
        _reconfigure(JSON_ESCAPE)
    given = getattr(args, "formats", None) or ()  # `serve` without --format: None
    args.formats = [_format_name(name, registry.names) for name in given]
    args.summary = []
    diags = Diagnostics()
    try:
        args.cwd = Path.cwd()
    except OSError as exc:  # started in a folder deleted (or moved away) since
        diags.error(
            "cli.cwd",
            "the folder this command was started in no longer exists (deleted or moved since"
            f" the shell went there: {exc.strerror}): cd to a folder that exists, the site's,"
            " and run the command again; nothing was done",
        )
        report(diags, args.log_format, sys.stderr)
        return EXIT_INPUT
    status = _run(args, diags)
    site: Path | None = getattr(args, "site", None)
    if status == EXIT_OK and diags.has_errors(strict=args.strict):
        status = EXIT_INPUT
    try:
        # The run is over; its report can take long (thousands of problems to a slow pipe),
        # and an interrupt there must say what the run did, not that it did nothing.
        with _terminate_as_interrupt():
            report(diags, args.log_format, sys.stderr, rebase=(site, args.cwd) if site else None)
            _print_summary(args, status)
    except KeyboardInterrupt:
        _cut_short(args, status)
        return 130
    except BrokenPipeError:  # its reader gone (`validate 2>&1 | head -1`, `export 2>&1 | grep
        _to_nowhere(sys.stderr)  # -q`): the run is over, its work done; its own status
    return status


JSON_ESCAPE = "syndicate.json-escape"
"""The encoding error handler of standard output and error under `--log-format json`."""


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """A character the stream's encoding lacks, as JSON writes it (`\\u00e9`, a pair of
    surrogates beyond the BMP): backslashreplace's `\\xe9` and `\\U0001f600` are no JSON."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for char in error.object[error.start : error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


codecs.register_error(JSON_ESCAPE, _json_escape)


_LOCALES: weakref.WeakKeyDictionary[io.TextIOWrapper, str] = weakref.WeakKeyDictionary()
"""Each standard stream's own encoding (the locale's), which JSON lines may set aside."""


def _reconfigure(errors: str) -> None:
    """Standard output's and error's handler of what their encoding cannot write. JSON's
    (`JSON_ESCAPE`) writes ASCII where the locale's encoding is not UTF-8: JSON text is UTF-8
    (RFC 8259), and a Latin-1 locale's `\xe9` byte is none (jq read `d\ufffdfense`); ASCII
    is both, and the same text to a reader in the locale."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            encoding = _LOCALES.setdefault(stream, stream.encoding)
            if errors == JSON_ESCAPE and codecs.lookup(encoding).name != "utf-8":
                encoding = "ascii"
            with contextlib.suppress(OSError, ValueError):  # (its flush: a reader gone, closed)
                stream.reconfigure(encoding=encoding, errors=errors)


def _cut_short(args: argparse.Namespace, status: int) -> None:
    """The last line of a run interrupted while its report was printed: what the run said
    of itself (the line it was about to print), on a line of its own."""
    said = "; ".join(message for message, _, _ in args.summary)
    message = "interrupted while printing the report of a finished run: " + (
        said or f"it had ended with status {status}"
    )
    # The line cut short ends here; a partial JSON object is no record to add to.
    if args.log_format == "json":
        record = {"summary": message, "command": args.command, "status": 130}
        record["interrupted"] = True
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
    else:
        line = message
    with contextlib.suppress(OSError, ValueError, KeyboardInterrupt):  # a second Ctrl-C
        print(f"\n{line}", file=sys.stderr, flush=True)


PATH_VARIABLES = (
    "SYNDICATE_CACHE_DIR",
    "SYNDICATE_FEEDVALIDATOR",
    "SYNDICATE_ATOM_RNG",
    "SYNDICATE_NEWSML_XSD",
)
"""Environment variables naming a file or folder: a relative one is taken from the folder the
command was started in, as a shell user expects, though the command runs in the site's."""


@contextlib.contextmanager
def _paths_from_here() -> Iterator[None]:
    """`PATH_VARIABLES` made absolute from the working folder while the command runs."""
    given = {name: os.environ[name] for name in PATH_VARIABLES if os.environ.get(name)}
    try:
        for name, value in given.items():
            os.environ[name] = os.path.abspath(os.path.expanduser(value))
        yield
    finally:
        for name, value in given.items():
            os.environ[name] = value


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """`contextlib.chdir`, whose way back may be gone (the folder the command was started
    from deleted while it ran): then it stays where it is, with no traceback."""
    back: int | None = None
    here: str | None = None
    try:
        if hasattr(os, "fchdir"):
            back = os.open(".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # (a folder this user may not read: by its name)
        pass
    if back is None:
        with contextlib.suppress(OSError):  # started in a folder already gone: no way back
            here = os.getcwd()
    try:
        os.chdir(folder)
        yield
    finally:
        with contextlib.suppress(OSError):
            if back is not None:
                os.fchdir(back)
            elif here is not None:
                os.chdir(here)
        if back is not None:
            os.close(back)


def _run(args: argparse.Namespace, diags: Diagnostics) -> int:
    """The command, inside its site folder: relative paths (`articles/`, `out/`,
    `templates/`) mean the site's wherever the command was started, so messages and the
    build state are the same from any folder."""
    module = MODULES.get(args.command, args.command)
    try:
        command = importlib.import_module(f"syndicate.cli.{module}")
        with _terminate_as_interrupt():
            named = args.site is not None or args.config is not None
            if args.command not in SITE_COMMANDS and not (args.command in SITE_USERS and named):
                status: int = command.run(args, diags)
                return status
            site = locate_site(args, diags)
            if site is None:
                return EXIT_INPUT
            from syndicate.readers.folders import said_from

            with _paths_from_here(), said_from(args.cwd, site), _inside(site):
                status = command.run(args, diags)
                return status
    except KeyboardInterrupt as exc:
        # The engine says whether out/ was published (see syndicate.build.Interrupted).
        # Printed even under --quiet: it says what out/ holds.
        said = str(exc) or _INTERRUPTED.get(args.command, "interrupted")
        if args.command == "export":  # its folder named as the user gave it (`--out DIR`)
            folder = out_named(args)
            saying = getattr(exc, "said", None)  # (`Interrupted`'s, once the engine ran)
            said = saying(folder) if callable(saying) else f"interrupted; {folder} is unchanged"
        if args.command == "serve":  # the engine's words are of out/, which a preview never is
            said = _INTERRUPTED["serve" if args.watch else "serve out"]
        say(args, said, asked=True, interrupted=True)
        return 130
    except BrokenPipeError:
        _to_nowhere(sys.stdout)
        if args.command in DATA_COMMANDS:  # `syndicate list | head`, `grep -q`: the reader
            return EXIT_OK  # has what it wanted
        return EXIT_FAILED  # a command's work stopped halfway (`export 2>&1 | head`)


DATA_COMMANDS = frozenset({"list", "show", "formats", "terms"})
"""The commands whose work is what they print: a reader that closes the pipe early (`head`,
`grep -q`) has what it wanted."""


def _to_nowhere(stream: TextIO) -> None:
    """A standard stream whose reader is gone, sent to the null device: what is still printed
    (Python's own flush at exit among it) raises no BrokenPipeError, never a traceback."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, stream.fileno())
    os.close(null)


@contextlib.contextmanager
def data_on_stdout() -> Iterator[None]:
    """A listing that is a command's data but not its end (`export --dry-run`, `deliver
    --dry-run`, whose work is done before they list it): a reader that closes the pipe before
    its end (`| head -1`, `| grep -q`) has what it wanted, and the command goes on to its
    summary and its own status, never "an output could not be written"."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _to_nowhere(sys.stdout)


_INTERRUPTED = {
    "serve": "interrupted; the preview stopped (it never writes out/)",
    "serve out": "interrupted; the server stopped",
    "deliver": (
        "interrupted: what each target confirmed is recorded; run syndicate deliver again to"
        " send the rest"
    ),
}
"""What an interrupted command says when its work says nothing more (`Interrupted` does)."""


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


def locate_site(args: argparse.Namespace, diags: Diagnostics) -> Path | None:
    """The site folder: `--site DIR`, the folder of `--config FILE`, or the nearest folder
    from here up that holds `syndicate.yaml`. Sets `args.site`, and `args.config` to the
    configuration's path inside it."""
    from syndicate.model.site import CONFIG_NAME
    from syndicate.readers.config import dead_link, find_site, holds_config

    given_site: Path | None = args.site
    if args.config is not None:
        site: Path = args.config.parent
        if not args.config.exists() and args.config.is_symlink():
            # (it was "no such file", of a file `ls` shows: say where the link leads)
            diags.error("config.missing", dead_link(args.config, f"--config {args.config}"))
            return None
        if not args.config.is_file():
            what = (
                "not a regular file: name the syndicate.yaml file"
                if args.config.exists()
                else "no such file"
            )
            diags.error("config.missing", f"--config {args.config}: {what}")
            return None
        if given_site is not None and given_site.resolve() != site.resolve():
            diags.error(
                "cli.site",
                f"--site {given_site} and --config {args.config} name two different sites;"
                " give one of them",
            )
            return None
        args.site, args.config = site, Path(args.config.name)
        return site
    if given_site is not None:
        if not holds_config(given_site):  # (as `find_site` looks: a FIFO is the reader's)
            around = find_site(given_site)  # a folder of a site (its articles/): name the site
            folder = _config_folder(given_site)
            fix = (
                f"it is in the site {around}: give --site {around}"
                if around is not None
                else f"{folder} is a folder, not a site's configuration: rename or move it,"
                f" then run `syndicate init {given_site}`"
                if folder is not None
                else f"run `syndicate init {given_site}` to make one"
            )
            diags.error(
                "config.missing",
                f"{given_site} is not a syndicate site (no {CONFIG_NAME} in it); {fix}",
            )
            return None
        site = given_site
    else:
        found = find_site(args.cwd)
        if found is None:
            folder = _config_folder(args.cwd)
            fix = (
                f"{folder} is a folder, not a site's configuration: rename or move it, then"
                f" run `syndicate init {folder.parent}`"
                if folder is not None
                else "run `syndicate init` to start a site here, or pass --site DIR"
            )
            diags.error(
                "config.missing", f"no {CONFIG_NAME} in {args.cwd} or any folder above it; {fix}"
            )
            return None
        site = found
    args.site, args.config = site, Path(CONFIG_NAME)
    return site


def _config_folder(start: Path) -> Path | None:
    """The nearest `syndicate.yaml` from `start` up that is a folder, where no site was found:
    told "run init", the user got "syndicate.yaml exists" from init."""
    from syndicate.model.site import CONFIG_NAME

    for folder in (start.absolute(), *start.absolute().parents):
        if (folder / CONFIG_NAME).is_dir():
            return folder / CONFIG_NAME
    return None


def usage_problem(message: str) -> None:
    """A usage error as the JSON line `--log-format json` promises: a `cli.usage` problem."""
    record = {"code": "cli.usage", "line": None, "message": message, "path": None}
    print(json.dumps(record | {"severity": "error"}, sort_keys=True), file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors are a JSON line under `--log-format json`."""

    json_errors = False
    commands: tuple[str, ...] = ()
    """The commands, in the help's order (the top-level parser's)."""
    subcommands: Mapping[str, _Parser] = {}
    """Each command's parser, by name (the top-level parser's)."""

    def error(self, message: str) -> NoReturn:
        if not self.json_errors:
            super().error(message)
        usage_problem(message)
        self.exit(EXIT_INPUT)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        """argparse's, but an argument no option of the command takes (`list --bogus`) is
        said by that command's parser (`syndicate list: error:`, under its usage), as every
        other mistake in a command's arguments is, not by the top-level one's."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            command = self.subcommands.get(getattr(parsed, "command", None) or "", self)
            command.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def _check_value(self, action: argparse.Action, value: object) -> None:
        """argparse's "invalid choice" (a command, `--executor`), with the nearest choice."""
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            from syndicate.diagnostics import did_you_mean

            hint = ""
            if action.choices is not None and isinstance(value, str):
                hint = did_you_mean(value, [str(choice) for choice in action.choices])
            if not hint:
                raise
            raise argparse.ArgumentError(action, exc.message + hint) from None


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether `--log-format json` is asked for, before the parser could say so."""
    pairs = itertools.pairwise([*argv, ""])
    return any(
        a.lower() == "--log-format=json" or (a == "--log-format" and b.lower() == "json")
        for a, b in pairs
    )


def build_parser(format_names: Sequence[str], *, json_errors: bool = False) -> _Parser:
    parser = _Parser(
        prog="syndicate",
        description="Publish multilingual stories as NewsML-G2, RSS/Atom, EPUB and JSON-LD.",
        epilog="Global options may come before or after the command.",
    )
    parser.json_errors = json_errors
    parser.add_argument("--version", action="version", version=f"syndicate {__version__}")
    add_global_options(parser, defaults=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str) -> _Parser:
        made: _Parser = sub.add_parser(name, help=help, description=help[:1].upper() + help[1:])
        made.json_errors = json_errors
        add_global_options(made, defaults=False)
        return made

    init = command("init", "start a new site: configuration, logo, icon and a sample story")
    init.add_argument(
        "folder",
        nargs="?",
        type=from_cwd,
        metavar="DIR",
        help="where to create the site (default: --site, or the current folder)",
    )
    init.add_argument("--name", help="the publisher's name (default: from the folder's name)")
    init.add_argument(
        "--url",
        default="https://example.org/",  # readers.config.PLACEHOLDER_URL (not imported here)
        help="the publisher's web site (default: %(default)s, a placeholder to set before"
        " publishing)",
    )
    _add_lang(init, "a language of the site (repeatable; the first is the main one; default: en)")
    init.add_argument(
        "--timezone", metavar="ZONE", help="the site's IANA time zone (default: this machine's)"
    )

    new = command("new", "scaffold a story to fill in")
    new.add_argument("slug", metavar="SLUG", help="story folder name, e.g. 2026-11-24-budget-vote")
    _add_lang(
        new,
        "language file to create (repeatable; the first is the original; default: the site's"
        " first language)",
    )
    new.add_argument(
        "--add-language",
        action="store_true",
        help="add the languages the site does not have yet to syndicate.yaml",
    )
    _add_articles(new)

    listing = command("list", "list the stories: status, state, languages, dates, embargo")
    _add_articles(listing)
    listing.add_argument(
        "--json", action="store_true", help="JSON lines, one per story (as --log-format json)"
    )
    _add_jobs(listing, "worker processes reading the stories (with 100 stories or more)")

    show = command("show", "show what syndicate read of one story")
    show.add_argument(
        "slug",
        metavar="SLUG",
        help="the story's folder name, or its folder or a file in it as a path from here",
    )
    _add_lang(show, "only this language (repeatable; default: every language of the story)")
    _add_articles(show)
    show.add_argument("--json", action="store_true", help="the model as JSON")

    validate = command("validate", "check the story sources, and optionally the outputs")
    _add_articles(validate)
    validate.add_argument(
        "--outputs",
        nargs="?",
        type=from_cwd,
        const=Path("out"),
        metavar="DIR",
        help="also check the files in DIR (default: the site's out/) with each format's validator",
    )
    _add_jobs(validate, "worker processes reading the stories (with 100 stories or more)")

    export = command("export", "write output formats into out/")
    export.add_argument(
        "--format",
        "-f",
        dest="formats",
        action="append",
        required=True,
        metavar="FMT",
        help=f"format to write, repeatable: {', '.join(format_names)}, or all",
    )
    _add_lang(export, "only these languages (repeatable; default: the site's languages)")
    _add_articles(export)
    _add_out(
        export,
        "where to write (default: the site's out/); made if missing, in a folder that exists",
    )
    _add_jobs(export, "worker processes for the stories")
    export.add_argument(
        "--executor",
        choices=("serial", "pool", "dask"),
        default="pool",
        help="where the stories' work runs: this process, a pool of --jobs local processes"
        " (default), or Dask (see docs/scaling.md)",
    )
    export.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --executor dask: the Dask scheduler to use, e.g. tcp://10.0.0.5:8786"
        " (default: a local cluster of --jobs workers)",
    )
    export.add_argument(
        "--force", action="store_true", help="rebuild every file, ignoring the build state"
    )
    export.add_argument(
        "--timings", action="store_true", help="print the time and file count of each format"
    )
    export.add_argument(
        "--keep-going",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="publish the healthy stories when some have errors: those keep their last"
        " published version, and the exit status is 3 (default: export: keep_going: in"
        " syndicate.yaml, else off)",
    )
    export.add_argument(
        "--story",
        dest="stories",
        action="append",
        metavar="SLUG",
        help="publish only this story as it is now (repeatable), with the feeds, indexes and"
        " editions that list it; every other story stays as last published",
    )
    export.add_argument(
        "--dry-run",
        action="store_true",
        help="do everything but publish: list the files of out/ that would be new, changed"
        " and removed",
    )
    _add_allow_deletions(
        export,
        "take down the stories whose folders are gone even when that is every story, or more"
        " than export: max_deleted_percent: of them (refused by default: an unmounted or half"
        " synced articles folder)",
    )

    deliver = command("deliver", "send what changed in out/ to the delivery targets")
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
    _add_allow_deletions(
        deliver,
        "delete at a target even when that is every file it holds, or more than export:"
        " max_deleted_percent: of them (refused by default: an emptied out/)",
    )
    _add_out(deliver, "the folder delivered (default: the site's out/)")

    serve = command("serve", "serve out/ over HTTP, or preview the site as you edit")
    _add_out(serve, "the folder served (default: the site's out/)")
    serve.add_argument(
        "--host",
        type=host_address,
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default: 127.0.0.1; 0.0.0.0: every interface)",
    )
    serve.add_argument(
        "--port",
        type=port_number,
        default=8000,
        metavar="N",
        help="port to listen on, 0 to 65535 (default: 8000); 0: any free port",
    )
    serve.add_argument(
        "--watch",
        action="store_true",
        help="preview: export into a folder of its own (embargoed stories included), again at"
        " each change of the articles or the configuration, and reload the pages",
    )
    serve.add_argument(
        "--drafts",
        action="store_true",
        help="with --watch: preview drafts (withheld or canceled before release) too, as if"
        " released and marked as drafts; never written to out/",
    )
    _add_articles(serve)
    serve.add_argument(
        "--format",
        "-f",
        dest="formats",
        action="append",
        metavar="FMT",
        help=f"formats of the preview, repeatable: {', '.join(format_names)}, or all (default)",
    )
    serve.add_argument(
        "--preview",
        type=from_cwd,
        metavar="DIR",
        help="where the preview is exported (default: .syndicate/preview/ in the site)",
    )
    _add_jobs(serve, "worker processes for the preview's exports")
    # Given or not is told apart (serve.py: PREVIEW_ONLY): without --watch they mean nothing.
    serve.set_defaults(articles=None, jobs=None)

    command("formats", "list the output formats and their options")

    terms = command("terms", "print a language's fixed phrases as a terms file to translate")
    terms.add_argument(
        "--lang",
        type=language_tag,
        default="en",
        metavar="TAG",
        help="the language (default: %(default)s); English stands in for phrases it lacks",
    )
    parser.commands = tuple(sub.choices)
    parser.subcommands = sub.choices
    return parser


def add_global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """The options every command takes, before or after its name. Only the top-level parser
    holds their defaults: a subcommand's parser would otherwise overwrite a value given before
    the command with its own default."""

    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--site",
        type=from_cwd,
        default=default(None),
        metavar="DIR",
        help="the site folder (default: the nearest folder from here up with a syndicate.yaml)",
    )
    group.add_argument(
        "--config",
        type=from_cwd,
        default=default(None),
        metavar="FILE",
        help="the site configuration; its folder is the site folder",
    )
    group.add_argument(
        "--log-format",
        type=str.lower,
        choices=("text", "json"),
        default=default("text"),
        help="problems and summaries as text lines or JSON lines (default: text)",
    )
    group.add_argument(
        "--strict", action="store_true", default=default(False), help="treat warnings as errors"
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="print only problems and asked-for data",
    )
    group.add_argument(
        "--now",
        type=parse_now,
        default=default(None),
        metavar="TIME",
        help="the current time for embargoes, states and feeds, RFC 3339 (reproducible runs)",
    )


def _add_lang(parser: argparse.ArgumentParser, help: str, *, required: bool = False) -> None:
    parser.add_argument(
        "--lang",
        dest="langs",
        action="append",
        type=language_tag,
        required=required,
        metavar="TAG",
        help=help,
    )


def _add_articles(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--articles",
        type=from_cwd,
        default=Path("articles"),
        metavar="DIR",
        help="the story folders (default: the site's articles/)",
    )


def _add_out(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--out", type=from_cwd, default=Path("out"), metavar="DIR", help=help)


def _add_allow_deletions(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--allow-deletions", action="store_true", help=help)


def _add_jobs(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help=f"{help}, at least 1 (default: the number of cores)",
    )


def from_cwd(text: str) -> Path:
    """A path typed on the command line: relative to where the command was started. Defaults
    stay relative, to the site folder the command runs in. A name in it longer than a file
    system takes is refused here, once for every command."""
    from syndicate.build.publish import NAME_MAX
    from syndicate.diagnostics import shortened

    path = Path(os.path.abspath(text))
    for name in path.parts:
        if (size := len(os.fsencode(name))) > NAME_MAX:
            raise argparse.ArgumentTypeError(
                f"the name {shortened(name, 40, repr)} is {size} bytes long; a file system"
                f" takes {NAME_MAX} at most: choose a shorter one"
            )
    return path


def language_tag(text: str) -> str:
    """`--lang FR` is `fr`, `zh-hans` is `zh-Hans`: tags match case-insensitively. A tag with
    an underscore (`ar_SA`) stays as typed: it is refused, naming the tag to write."""
    from syndicate.i18n.locales import canonical_tag

    return text if "_" in text else canonical_tag(text)


def port_number(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    value = _whole_number(text, 0, 65535)
    if value is None:
        from syndicate.diagnostics import out_of_range

        raise argparse.ArgumentTypeError(
            f"{_typed(text)} {out_of_range('a whole number', 0, 65535)} (0: any free port)"
        )
    return value


def host_address(text: str) -> str:
    """An address to listen on: an empty one would listen on every interface unsaid."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "an empty address: give 127.0.0.1 (this machine), or 0.0.0.0 for every interface"
        )
    return text


def positive_int(text: str) -> int:
    value = _whole_number(text, 1)
    if value is None:
        from syndicate.diagnostics import out_of_range

        raise argparse.ArgumentTypeError(f"{_typed(text)} {out_of_range('a whole number', 1)}")
    return value


def _whole_number(text: str, least: int, most: int | None = None) -> int | None:
    """The whole number `text` is, when from `least` to `most`; None otherwise."""
    try:
        value = int(text)
    except ValueError:
        return None
    return value if least <= value and (most is None or value <= most) else None


def _typed(text: str) -> str:
    """A value typed for a number, as messages name one: a number as it is, any other text
    in quotes (`0`, `'http'`), as syndicate.yaml's are."""
    try:
        return str(int(text))
    except ValueError:
        return repr(text)


def _format_name(name: str, known: Sequence[str]) -> str:
    """`--format ALL` is `all`, `--format Atom` is `atom`; an unknown name stays as typed, to
    be reported with the nearest known one."""
    by_lower = {n.lower(): n for n in (*known, "all")}
    return by_lower.get(name.lower(), name)


def _usable_now(text: str) -> bool:
    try:
        parse_now(text)
    except argparse.ArgumentTypeError:
        return False
    return True


def parse_now(text: str) -> datetime:
    import re

    from syndicate.i18n.dates import RFC3339, parse_rfc3339  # babel's, only with --now
    from syndicate.readers.schemas import date_hint

    try:
        value = parse_rfc3339(text)
    except ValueError as exc:
        dated = re.match(r"\d{4}-\d\d-\d\d[Tt]\d", text)
        if dated and not re.search(r"([Zz]|[+-]\d\d:?\d\d)\Z", text):
            raise argparse.ArgumentTypeError(
                f"{text!r} needs a time zone offset, e.g. Z or +01:00"
            ) from None
        said = str(exc) if str(exc).startswith("is ") else "is not an RFC 3339 date-time"
        # Written almost right (its form not RFC 3339's): the same moment as it must be.
        hint = "" if RFC3339.fullmatch(text) or "write it" in said else date_hint(text)
        if (written := re.search(r"write it '([^']+)'", hint)) and not _usable_now(written[1]):
            hint = ""  # the form mended would still be refused (the year 0999): not offered
        if hint:
            said = "is not an RFC 3339 date-time" + hint
        elif "e.g." not in said and "write it" not in said:
            said += ", e.g. 2026-06-01T12:00:00Z"
        raise argparse.ArgumentTypeError(f"{text!r} {said}") from None
    if not 1000 <= value.year <= 9000:  # feeds and sitemaps count days back and ahead of it
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a date-time between the years 1000 and 9000"
        )
    return value


def report(
    diags: Diagnostics,
    log_format: str,
    stream: TextIO,
    *,
    rebase: tuple[Path, Path] | None = None,
) -> None:
    """Every problem, in reading order. `rebase` (site, cwd): paths, relative to the site folder
    the command ran in, are shown relative to where it was started."""
    for d in diags.sorted():
        d = _rebased(d, *rebase) if rebase else d
        print(d.format_json() if log_format == "json" else d.format_text(), file=stream)


def _rebased(d: Diagnostic, site: Path, cwd: Path) -> Diagnostic:
    if d.named:  # the files a command in the message names, shell-quoted: in one pass
        seen = {
            shlex.quote(p): shlex.quote(_argument(_from_site(Path(p), site, cwd))) for p in d.named
        }
        pattern = "|".join(map(re.escape, sorted(seen, key=len, reverse=True)))
        d = replace(d, message=re.sub(pattern, lambda m: seen[m.group()], d.message))
    if d.path is None:
        return d
    return replace(d, path=_place(d.path, site, cwd))


def _place(path: str, site: Path, cwd: Path) -> str:
    """A file's place, as a problem names it before its line number: as its message's text
    names a path (`_from_site`), whether the command made it absolute (`--out o4`) or it is
    the site's (`articles/x`)."""
    return _from_site(Path(path), site, cwd)


def _argument(path: str) -> str:
    """`path` as a command's argument: one beginning with `-` (a photo `-p.jpg` named from its
    own folder) would be taken for an option (exiftool's `-p`, mv's), so it is `./-p.jpg`."""
    return f"./{path}" if path.startswith("-") else path


def _from_site(path: Path, site: Path, cwd: Path) -> str:
    """A path (absolute, or relative to the site folder) as seen from `cwd`, as every message
    names a path (`path_from`: `articles/x`, `../out` from a subfolder, `site/out` from the
    site's parent, absolute from elsewhere; never `..` alone)."""
    from syndicate.readers.folders import path_from

    return path_from(path, cwd, site)


def shown(args: argparse.Namespace, path: Path) -> str:
    """A path of the command (relative to the site folder, or absolute) as the user should see
    it from where they started the command, in a message or a summary: as the engine's
    messages name it (`path_from`)."""
    from syndicate.readers.folders import path_from

    return path_from(path, args.cwd, getattr(args, "site", None) or args.cwd)


def out_named(args: argparse.Namespace) -> str:
    """The output folder as a summary line names it: the site's own as `out/`, the name
    every message and page of the docs gives it, and a `--out` folder as the user gave it,
    seen from where they started the command (`o4/`, `/srv/site/`), as `shown` names every
    path (`--out` is made absolute as it is read, `from_cwd`; the default stays relative)."""
    if not args.out.is_absolute():
        return "out/"
    return shown(args, args.out).rstrip("/") + "/"


def say(args: argparse.Namespace, message: str, *, asked: bool = False, **data: Any) -> None:
    """A summary line of the command, printed after its problems, and not under `--quiet`
    unless it was `asked` for (`--timings`). Under `--log-format json` it is a JSON object:
    `{"summary": message, "command": ..., "status": ..., **data}`."""
    args.summary.append((message, asked, data))


def say_now(args: argparse.Namespace, message: str) -> None:
    """A line printed at once, for commands that run until stopped (`serve`): as `say`, but
    not held until the command ends."""
    if args.quiet:
        return
    if args.log_format == "json":
        # the same fields as every summary; a command still running has no status yet
        record = {"summary": message, "command": args.command, "status": None}
        print(json.dumps(record, ensure_ascii=False, sort_keys=True), file=sys.stderr, flush=True)
    else:
        print(message, file=sys.stderr, flush=True)


def _print_summary(args: argparse.Namespace, status: int) -> None:
    if args.log_format == "json" and not args.summary:  # (a command stopped before its own)
        done = "done" if status == EXIT_OK else f"{args.command}: not done"
        args.summary.append((done, False, {}))
    for message, asked, data in args.summary:
        if args.quiet and not asked:
            continue
        if args.log_format == "json":
            record = {"summary": message, "command": args.command, "status": status, **data}
            print(json.dumps(record, ensure_ascii=False, sort_keys=True), file=sys.stderr)
        else:
            print(message, file=sys.stderr)


def emit(record: dict[str, Any]) -> None:
    """One item of a command's data on stdout, as a JSON line."""
    print(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str))


def count(number: int, singular: str, plural: str | None = None) -> str:
    """ "1 story", "2 stories", "0 files"."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def progress_bar(
    args: argparse.Namespace,
) -> tuple[Callable[[str, int, int], None] | None, Callable[[], None] | None]:
    """A progress bar on a terminal for long runs, told (step, done, total), and the function
    that removes it; nothing when stderr is piped or logged, quiet, or JSON."""
    if args.quiet or args.log_format == "json" or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import Progress as Bar

    bar = Bar(transient=True, console=Console(stderr=True))  # stdout is for data
    task = bar.add_task("reading", total=None)
    bar.start()

    def update(step: str, done: int, total: int) -> None:
        bar.update(task, description=step, completed=done, total=total)

    return update, bar.stop


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Rows on stdout: a table drawn by rich on a terminal; aligned columns of plain text
    (one line per row, never wrapped) when piped, for grep and cut. What a terminal would
    act on (an escape sequence in a folder's name) is shown escaped, as in the messages."""
    from syndicate.diagnostics import showable

    rows = [[showable(cell) for cell in row] for row in rows]
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table(*headers, header_style="bold")
        for row in rows:  # a name with `[bold]` in it is text, not rich's markup
            table.add_row(*(escape(cell) for cell in row))
        Console().print(table)
        return
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
