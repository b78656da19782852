"""`syndicate serve`: out/ over HTTP on this machine, or with `--watch` a live preview of the
site (exported into a folder of its own, never out/)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import ipaddress
import os
import shlex
import sys
from pathlib import Path

from syndicate.build.engine import (
    cache_apart,
    cache_folder,
    is_within,
    no_output_folder,
    out_apart,
    settle_output,
)
from syndicate.build.inventory import Inventory
from syndicate.build.publish import Busy, OutputError, exclusive
from syndicate.build.state import state_folder
from syndicate.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, report, say_now
from syndicate.deliver.secrets import SecretError, reveal
from syndicate.deliver.websub import hub_folders
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import AnyWriter
from syndicate.formats.registry import PluginError, Registry
from syndicate.model import SiteConfig
from syndicate.readers.config import load_config
from syndicate.serve.options import ServeOptions, check_protected, load_serving

EXTRA = "serve"


PREVIEW_ONLY = {
    "drafts": "--drafts",
    "articles": "--articles",
    "formats": "--format",
    "preview": "--preview",
    "jobs": "--jobs",
}
"""The options that say how the preview (`--watch`) is made: without it, serve sends out/ as
the last export made it, and one of them given is a usage error rather than a thing ignored
(`--now`, an option of every command, is only a warning)."""


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    if not _preview_options(args, diags):
        return EXIT_INPUT
    try:
        import syndicate.serve.server  # noqa: F401 (the extra's uvicorn and starlette)
    except ImportError as exc:
        diags.error(
            "serve.extra",
            f"syndicate serve needs the {EXTRA} extra ({exc.name} is missing):"
            f" pip install 'syndicate[{EXTRA}]'",
        )
        return EXIT_INPUT
    site = load_config(args.config, str(args.config), diags)
    options = load_serving(site, diags) if site is not None else None
    if site is None or options is None:
        return EXIT_INPUT
    registry = args.registry.for_site(site, diags)  # its partner profiles are formats too
    writers = _writers(registry, args.formats if args.watch else None, diags)
    if writers is not None:  # said now: the server runs until interrupted
        protected = Diagnostics()
        every = _writers(registry, None, Diagnostics()) if args.watch else writers
        check_protected(options, every or writers, site, protected)
        report(protected, args.log_format, sys.stderr, rebase=_rebase(args))
    if args.now is not None and not args.watch:  # said now: the server runs until interrupted
        ignored = Diagnostics()
        ignored.warning(
            "serve.now",
            "--now is for the preview (--watch): serve sends out/ as the last export made it",
        )
        report(ignored, args.log_format, sys.stderr, rebase=_rebase(args))
    tokens = _tokens(options, args.config.parent, diags)
    folder = _folder(args, diags)
    if writers is None or tokens is None or folder is None:
        return EXIT_INPUT
    stack = contextlib.ExitStack()
    if args.watch and (held := _hold_preview(stack, args.config, folder, diags)) is not None:
        return held
    with stack:
        return _serve(args, diags, site, writers, tokens, folder)


def _preview_options(args: argparse.Namespace, diags: Diagnostics) -> bool:
    """Refuse the preview's options without `--watch` (a user who typed `--format html` or
    `--drafts` expects them to matter); else give those left out their defaults."""
    given = [flag for name, flag in PREVIEW_ONLY.items() if getattr(args, name)]
    if given and not args.watch:
        them = "it" if len(given) == 1 else "them"
        diags.error(
            "serve.watch",
            f"{', '.join(given)}: only for the preview: add --watch, or leave {them} out"
            " (serve without --watch sends out/ as the last export made it, never a draft)",
        )
        return False
    if args.articles is None:
        args.articles = Path("articles")
    if args.jobs is None:
        args.jobs = os.cpu_count() or 1
    return True


def _serve(
    args: argparse.Namespace,
    diags: Diagnostics,
    site: SiteConfig,
    writers: list[AnyWriter],
    tokens: dict[str, list[str]],
    folder: Path,
) -> int:
    from syndicate.serve.app import Served
    from syndicate.serve.preview import Previewer, PreviewState
    from syndicate.serve.server import bind
    from syndicate.serve.server import run as serve

    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        fix = "; choose another with --port, or --port 0 for any free one"
        busy = exc.errno == errno.EADDRINUSE
        diags.error(
            "serve.port",
            f"cannot listen on {args.host}:{args.port}: {exc.strerror}{fix if busy else ''}",
        )
        return EXIT_INPUT
    state = previewer = None
    if not ipaddress.ip_address(sock.getsockname()[0]).is_loopback:
        _warn_exposed(args, writers, tokens)
    if args.watch:
        state = PreviewState(
            folder, site.languages, writers, args.now, site.base_url, drafts=args.drafts
        )
        previewer = Previewer(
            state=state,
            config=args.config,
            articles=args.articles,
            formats=args.formats or ["all"],
            registry=args.registry,
            jobs=args.jobs,
            report=functools.partial(_report, args),
        )
        shown = f"as at {args.now.isoformat()}" if args.now else "embargoed stories included"
        if args.drafts:
            shown += "; drafts included, marked as drafts"
        if args.formats and "all" not in args.formats:  # said once, never at each export
            shown += (
                f"; {', '.join(w.name for w in writers)} only: links to other formats' files lead"
                " nowhere in it"
            )
        say_now(args, f"previewing {args.articles} into {folder} ({shown})")
        previewer.export()
    served = Served(
        folder=folder,
        inventory=Inventory(
            folder,
            site.languages,
            writers,
            state=state_folder(folder, cache_folder(args.config, folder)),
        ),
        feed_folders=hub_folders(writers),
        tokens=tokens,
        preview=state,
    )
    serve(
        served,
        sock,
        previewer,
        quiet=args.quiet,
        say=functools.partial(say_now, args),
        json_logs=args.log_format == "json",
    )
    return EXIT_OK


def _warn_exposed(
    args: argparse.Namespace, writers: list[AnyWriter], tokens: dict[str, list[str]]
) -> None:
    """Said when the server listens beyond this machine, before it serves: a preview shows
    embargoed stories to anyone; out/'s wire folders hold them too, unless protected."""
    from syndicate.serve.app import protected

    exposed = Diagnostics()  # said now: the server runs until interrupted
    if args.watch:
        shows = "embargoed stories and drafts" if args.drafts else "embargoed stories"
        exposed.warning(
            "serve.exposed",
            f"--host {args.host}: the preview shows {shows} to anyone who can reach this address",
        )
    else:
        wire = sorted(
            f"{folder}/"
            for w in writers
            if w.embargoed
            for folder in w.owned_folders()
            if (args.out / folder).is_dir() and not protected(folder, tokens)
        )
        if wire:
            exposed.warning(
                "serve.exposed",
                f"--host {args.host}: {', '.join(wire)} hold embargoed stories (wire partners"
                " get them before their release) and anyone who can reach this address may"
                " read them: protect them with tokens (serve: protect:), or keep the server"
                " on 127.0.0.1",
            )
    report(exposed, args.log_format, sys.stderr, rebase=_rebase(args))


def _hold_preview(
    stack: contextlib.ExitStack, config: Path, folder: Path, diags: Diagnostics
) -> int | None:
    """Hold the preview folder for as long as this server runs: a second preview of it would
    export into the same folder, each failing on the other's lock and showing that as an
    error in its pages. The exit status when it cannot: another preview holds it
    (`serve.busy`), or the folder of its build state cannot be written (`serve.state`: no
    preview under way, but an output that cannot be written, as `deliver.state` is)."""
    state = state_folder(folder, cache_folder(config, folder))
    lock = state.with_name(state.name + ".serve.lock")
    busy = (
        f"another syndicate serve --watch previews this site into {folder}: use that one, stop"
        " it, or give this one a folder of its own with --preview DIR"
    )
    try:
        stack.enter_context(exclusive(lock, busy))
    except Busy as exc:
        diags.error("serve.busy", str(exc))
        return EXIT_INPUT
    except OutputError as exc:  # the build state's folder cannot be written: no lock held
        diags.error(
            "serve.state",
            f"{exc}: serve --watch keeps its preview's lock and build state there; make the"
            " folder writable for the user syndicate runs as, then run serve --watch again;"
            " nothing was served",
        )
        return EXIT_FAILED
    return None


def _writers(
    registry: Registry, formats: list[str] | None, diags: Diagnostics
) -> list[AnyWriter] | None:
    names = registry.names if not formats or "all" in formats else formats
    writers = []
    for name in names:
        try:
            writers.append(registry.get(name))
        except (LookupError, PluginError) as exc:
            diags.error("serve.format", str(exc))
    return None if diags.errors else writers


def _tokens(options: ServeOptions, base: Path, diags: Diagnostics) -> dict[str, list[str]] | None:
    tokens: dict[str, list[str]] = {}
    for entry in options.protect:
        try:
            tokens.setdefault(entry.path, []).append(reveal(entry.token, base, header=True))
        except SecretError as exc:
            diags.error("serve.token", f"serve: protect {entry.path}: {exc}")
    return None if diags.errors else tokens


def _folder(args: argparse.Namespace, diags: Diagnostics) -> Path | None:
    """The folder served: out/, or the preview's (which must not be out/ nor hold it)."""
    if not args.watch:
        if not args.out.is_dir():
            # The command that makes it: `export` alone is a usage error (--format required).
            given = "" if args.out == Path("out") else f" --out {shlex.quote(str(args.out))}"
            run = f"syndicate export --format all{given}"
            diags.error("serve.out", no_output_folder(args.out, str(args.out), run))
            return None
        # `--out .` would serve syndicate.yaml, the stories and a secrets folder beside them.
        if not out_apart(args.out, args.articles, args.config, diags, serving=True):
            return None
        # out/'s build state is there (served, were it in out/)
        cache = cache_folder(args.config, args.out)
        if not cache_apart(cache, args.articles, args.config, diags, out=args.out):
            return None
        settle_output(args.out, cache, diags)
        return Path(args.out)
    if not args.articles.is_dir():
        diags.error("articles.missing", f"no articles folder at {args.articles}; pass --articles")
        return None
    # the preview's build state is there, and by default the preview itself
    if not cache_apart(cache_folder(args.config, args.out), args.articles, args.config, diags):
        return None
    from syndicate.serve.preview import preview_folder

    preview: Path = args.preview or preview_folder(args.config, args.out)
    # Refused before serving: the server would show the folder as it is (the sources). Said
    # first: a folder holding the site holds its out/ too, and the sources are the reason.
    named = args.preview is not None
    in_cache = is_within(preview, cache_folder(args.config, args.out))
    if not out_apart(
        preview,
        args.articles,
        args.config,
        diags,
        option="--preview",
        given=named,
        in_cache=in_cache,
    ):
        return None
    out, where = args.out.resolve(), preview.resolve()
    how = (
        "is"
        if where == out
        else "is inside"
        if where.is_relative_to(out)
        else "holds"
        if out.is_relative_to(where)
        else None
    )
    if how is not None:
        diags.error(
            "serve.preview",
            f"--preview {preview}: {how} the output folder ({args.out}); the preview never"
            " goes into out/ nor takes its place: choose another folder, or leave the option out",
        )
        return None
    return preview


def _report(args: argparse.Namespace, diags: Diagnostics, summary: str) -> None:
    report(diags, args.log_format, sys.stderr, rebase=_rebase(args))
    say_now(args, summary)


def _rebase(args: argparse.Namespace) -> tuple[Path, Path] | None:
    """The problems said while the server runs are shown from where it was started, as those
    of its end are (`report`): the places, and the files an exiftool command names."""
    site: Path | None = getattr(args, "site", None)
    return (site, args.cwd) if site is not None else None
