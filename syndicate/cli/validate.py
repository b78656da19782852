"""`syndicate validate`: every source file, every format's options and the `deliver` and `serve`
sections; with `--outputs`, the files in out/ through each format's own validator."""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import stat
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from syndicate.build.engine import cache_apart, cache_folder, no_output_folder, settle_output
from syndicate.build.history import check_against, read_history
from syndicate.build.links import dead_links_in
from syndicate.build.options import SECTION as EXPORT
from syndicate.build.options import ExportOptions
from syndicate.build.orphans import orphaned, warn_orphaned
from syndicate.build.reading import read_summaries
from syndicate.build.state import published_ids, recorded_files, state_folder
from syndicate.cli import EXIT_FAILED, EXIT_INPUT, EXIT_OK, count, progress_bar, say, shown
from syndicate.deliver.options import SECTION as DELIVER
from syndicate.deliver.options import check_exported, load_delivery
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import AnyWriter, Context
from syndicate.formats.options import convert_section, resolve_options
from syndicate.formats.registry import PROFILES, PluginError
from syndicate.i18n.terms import use_site_terms
from syndicate.model import SiteConfig, StorySummary
from syndicate.readers.config import load_config, unknown_section_terms
from syndicate.readers.folders import check_future_update, duplicate_ids
from syndicate.serve.options import SECTION as SERVE
from syndicate.serve.options import check_protected, load_serving

log = logging.getLogger(__name__)


def run(args: argparse.Namespace, diags: Diagnostics) -> int:
    config = load_config(args.config, str(args.config), diags)
    if config is None:
        say(args, f"{shown(args, args.config)}: {_not_valid(args, diags)}")
        return EXIT_INPUT
    use_site_terms(config.terms)  # the phrases --outputs reads the files with
    args.registry.report_refused(diags)
    try:
        site_registry = args.registry.for_site(config, diags)
        writers = site_registry.all()
    except PluginError as exc:
        diags.error("plugin.writer", str(exc))
        say(args, f"{shown(args, args.config)}: {_not_valid(args, diags)}")
        return EXIT_INPUT
    options = resolve_options(
        writers, config, diags, every_section=True, other_sections=(DELIVER, SERVE, EXPORT)
    )
    for writer in writers:  # the site's own files a format reads (the pages' templates)
        _guarded(writer, "the site's files", diags, lambda w: w.check_site_inputs(config, diags))
    delivery = load_delivery(config, site_registry, diags)  # its own profiles are formats
    if delivery is not None:
        check_exported(delivery, config, site_registry, diags)
    serving = load_serving(config, diags)
    if serving is not None:
        check_protected(serving, writers, config, diags)
    exporting = convert_section(EXPORT, ExportOptions, config, diags)
    out = args.outputs or Path("out")
    # (not refused in out/, which is a folder to check: export refuses its own there)
    cache = cache_folder(args.config, out)
    own = cache_apart(cache, args.articles, args.config, diags)
    state = state_folder(out, cache, move=False) if own else None  # (read only: not moved)
    published = published_ids(state) if state is not None else {}
    # What the last export published, read only: the history's warnings export would give
    # (none without a state this syndicate can read: a first export has no history either)
    history = read_history(state) if state is not None else None
    digests: dict[str, tuple[str, str]] | None = {} if history is not None else None
    before = len(diags.errors)
    stories = read_summaries(args.articles, config, diags, args.jobs, published, digests)
    # A folder giving the id another published (a copy, `story.duplicate-id`) has no history
    # of its own to check, as in the export: it is not the story that moved there.
    copies = {s.slug for s, _ in duplicate_ids(stories, published)} if history else set()
    for story in stories:
        check_future_update(story, args.now or datetime.now(UTC), diags)
        if history is not None and digests is not None and story.slug not in copies:
            check_against(story, *digests[story.slug], history, diags)
    if len(diags.errors) == before:  # every story read (one that is not has a section too)
        unknown_section_terms(config, (s.section for s in stories), diags)
    if options is not None:  # what each format's collection would warn of (a section typo)
        # in `export --format all`: a profile not enabled is written only when named
        written = [w for w in writers if w.name in site_registry.defaults]
        _check_stories(written, stories, options, config, args.now or datetime.now(UTC), diags)
    problems = options is None or delivery is None or serving is None or exporting is None
    variants = sum(len(s.variants) for s in stories)
    warnings = len(diags.warnings)
    read = f"{count(len(stories), 'story', 'stories')}, {count(variants, 'language variant')}"
    if problems or options is None or diags.has_errors(strict=args.strict):
        # a story with an error is not read, so it is not counted: no count of stories then;
        # the summary names the configuration when it is what is wrong (its sections, or every
        # problem counted is at its lines: a term file's warning under --strict)
        counted = [*diags.errors, *(diags.warnings if args.strict else ())]
        in_config = all(d.path == str(args.config) for d in counted)
        what = args.config if problems or options is None or in_config else args.articles
        if counted and config.templates and all(d.code == "html.template" for d in counted):
            what = config.templates  # the site's pages: no story is at fault
        say(
            args,
            f"{shown(args, what)}: {_not_valid(args, diags)}",
            errors=len(diags.errors),
            warnings=warnings,
        )
        return EXIT_INPUT
    say(
        args,
        f"{shown(args, args.articles)}: {read}: {_ok(warnings)}",
        stories=len(stories),
        variants=variants,
        warnings=warnings,
    )
    if args.outputs is None:
        return EXIT_OK
    if not args.outputs.is_dir():
        where = shown(args, args.outputs)
        # Nothing to check, as a folder without a format's (an export not run yet): the
        # request's problem (2), not one of the outputs' (1).
        given = "" if args.outputs == Path("out") else f" --out {shlex.quote(str(args.outputs))}"
        run = f"syndicate export --format all{given}"
        diags.error("validate.outputs", no_output_folder(args.outputs, where, run))
        say(args, f"{where}: not checked")
        return EXIT_INPUT
    cache = cache_folder(args.config, args.outputs)
    settle_output(args.outputs, cache, diags)
    now = args.now or datetime.now(UTC)
    # A built-in partner profile not in profiles: is written only when asked for by name
    # (`export --format msn`); `--format all` leaves its files as they are. Its files are
    # checked, and told of. One listed there with enabled: false is the site's.
    listed = config.section("profiles")
    configured = [w for w in writers if w.name in site_registry.defaults or w.name in listed]
    unlisted = [w for w in writers if w.name in PROFILES and w not in configured]
    found = [
        w
        for w in (*configured, *unlisted)
        if any((args.outputs / f).is_dir() for f in w.owned_folders())
    ]
    if not found:
        return _no_formats(args, writers, diags)
    for writer in found:
        if writer in unlisted:
            diags.warning(
                "output.unlisted",
                f"{writer.name} is not listed under profiles: in syndicate.yaml, so only"
                f" export --format {writer.name} updates these files, not --format all (a"
                f" kill still reaches them): list it there ({writer.name}: {{}} under"
                " profiles:), or delete the folder if the site no longer serves that partner",
                str(args.outputs / writer.owned_folders()[0]),
            )
    progress, stop_progress = progress_bar(args)
    unchecked: dict[str, list[str]] = {}
    try:
        for done, writer in enumerate(found):
            if progress:
                progress(f"checking {writer.name}", done, len(found))
            ctx = Context(
                config,
                now,
                config.languages,
                options[writer.section()],
                diags,
                writer.name,
                progress=progress,
            )
            try:
                writer.validate_outputs(args.outputs, ctx)
            except Exception as exc:  # a bug in a validator must not hide the other checks
                log.debug("validator %s failed", writer.name, exc_info=True)
                diags.error(
                    "validate.failed",
                    f"the {writer.name} checks failed: {exc!r}",
                    str(args.outputs),
                )
            if ctx.unchecked:
                unchecked[writer.name] = list(ctx.unchecked)
    finally:
        if stop_progress:
            stop_progress()
    known = [*configured, *unlisted]
    _check_written(args.outputs, state_folder(args.outputs, cache), found, known, diags)
    owners = {folder: w.name for w in known for folder in w.owned_folders()}
    for problem in dead_links_in(args.outputs, config.base_url, owners):
        diags.add(problem)
    checked = [w.name for w in found]
    if diags.has_errors(strict=args.strict):
        say(
            args,
            f"{shown(args, args.outputs)}: {', '.join(checked)}:"
            f" {_not_valid(args, diags, len(diags.warnings) - warnings)}",
            formats=checked,
            errors=len(diags.errors),
            warnings=len(diags.warnings) - warnings,
            unchecked=unchecked,
        )
        return EXIT_FAILED
    warnings = len(diags.warnings) - warnings
    say(
        args,
        f"{shown(args, args.outputs)}: {_checked(checked, unchecked, warnings)}",
        formats=checked,
        warnings=warnings,
        unchecked=unchecked,
    )
    return EXIT_OK


def _check_stories(
    writers: Sequence[AnyWriter],
    stories: Sequence[StorySummary],
    options: Mapping[str, Any],
    config: SiteConfig,
    now: datetime,
    diags: Diagnostics,
) -> None:
    """Each format's checks of its options against the site's stories (`check_stories`): a
    section listed in `feeds.sections` or `epub.section_order` that no story is in."""

    def check(writer: AnyWriter) -> None:
        section = options[writer.section()]
        ctx = Context(config, now, config.languages, section, diags, writer.name)
        writer.check_stories(stories, ctx)

    for writer in writers:
        _guarded(writer, "the stories", diags, check)


def _guarded(
    writer: AnyWriter, what: str, diags: Diagnostics, check: Callable[[AnyWriter], None]
) -> None:
    """Run one of a format's checks; a plugin's bug in it is said (`validate.failed`), as a
    failing `validate_outputs` is, and the other checks go on."""
    try:
        check(writer)
    except Exception as exc:
        diags.error("validate.failed", f"the {writer.name} format could not check {what}: {exc!r}")


def _checked(checked: Sequence[str], unchecked: dict[str, list[str]], warnings: int) -> str:
    """ "atom, epub: OK", or, where a check could not run (EPUBCheck without Java), "atom:
    OK; epub: not checked by EPUBCheck (1 warning above)": a format is never OK unchecked."""
    if not unchecked:
        return f"{', '.join(checked) or 'no formats found'}: {_ok(warnings)}"
    passed = [name for name in checked if name not in unchecked]
    parts = [f"{', '.join(passed)}: OK"] if passed else []
    parts += [f"{name}: not checked by {' or '.join(by)}" for name, by in unchecked.items()]
    above = f" ({count(warnings, 'warning')} above)" if warnings else ""
    return "; ".join(parts) + above


def _no_formats(args: argparse.Namespace, writers: Sequence[AnyWriter], diags: Diagnostics) -> int:
    """`--outputs` given a folder without a format's folder in it, where checking nothing
    would pass: one format's folder (`out/newsml`, an easy slip in CI), the sources, an
    export not run yet."""
    where = shown(args, args.outputs)
    path = args.outputs.resolve()
    owned = sorted({f for w in writers for f in w.owned_folders()})
    within = [f for f in owned if path.parts[-len(Path(f).parts) :] == Path(f).parts]
    if within:
        parent = shown(args, path.parents[len(Path(within[0]).parts) - 1])
        fix = f"it is the {within[0]} format's folder: give its parent, --outputs {parent}"
    else:
        named = ", ".join(f"{f}/" for f in owned[:4])
        fix = (
            f"give the folder export writes, which holds a folder per format ({named}, ...),"
            " or run syndicate export --format all first"
        )
    diags.error(
        "validate.outputs", f"{where} holds no format's files, so nothing was checked: {fix}"
    )
    say(args, f"{where}: not checked")
    return EXIT_INPUT


def _check_written(
    out: Path,
    state: Path,
    writers: Sequence[AnyWriter],
    every: Sequence[AnyWriter],
    diags: Diagnostics,
) -> None:
    """Each file the last export wrote (the build state lists it) is still a file in out/:
    one gone, or put in place of by a folder, a link or a FIFO, is missing from the
    published site, and the next export restores it. Files written by a format that is no
    longer installed or configured (`every` are the formats there are) are told once per
    folder: no export writes or removes them any more."""
    recorded = recorded_files(state) if state.is_dir() else None
    folders = tuple(f"{folder}/" for w in writers for folder in w.owned_folders())
    for path in sorted(recorded or ()):
        if not path.startswith(folders):
            continue
        try:
            mode = os.lstat(out / path).st_mode
        except FileNotFoundError:
            now = "is gone"
        except OSError as exc:
            now = f"cannot be looked at ({exc.strerror})"
        else:
            if stat.S_ISREG(mode):
                continue
            now = "is no longer a file" + (" (a link)" if stat.S_ISLNK(mode) else "")
        diags.error(
            "output.replaced",
            f"the last export wrote this file and it {now}: the published site lacks it;"
            " export again to restore it",
            str(out / path),
        )
    known_folders = [folder for w in every for folder in w.owned_folders()]
    warn_orphaned(orphaned(recorded or (), known_folders, out), out, diags)


def _not_valid(args: argparse.Namespace, diags: Diagnostics, warnings: int | None = None) -> str:
    """ "not valid: 2 errors (above)", counting warnings as errors under `--strict`."""
    warnings = len(diags.warnings) if warnings is None else warnings
    found = count(len(diags.errors), "error")
    if args.strict and warnings:
        counted = "an error" if warnings == 1 else "errors"
        found = f"{found} and {count(warnings, 'warning')}, {counted} under --strict"
    return f"not valid: {found} (above)"


def _ok(warnings: int) -> str:
    """ "OK", or "OK, with 2 warnings" (shown above): never a bare OK when something was not
    checked or looks wrong."""
    return f"OK, with {count(warnings, 'warning')} (above)" if warnings else "OK"
