"""The build engine: `export`, the one entry point of a build for the CLI, the tests and the
Python API. It reads the stories (in worker processes, only the new and changed ones), runs each
format's `story_files` on them, then each format's `collection_files` over the stories'
summaries, stages every file as it comes and publishes out/ atomically at the end. All the
bookkeeping (what changed, what can be reused, fragments, whole stories) is here, so writers
stay pure functions."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from syndicate.build import unchanged
from syndicate.build.history import (
    check_updated,
    check_version,
    moved_from,
    refuses,
    standing_said,
    untimed_kill,
)
from syndicate.build.inputs import (
    StoryInput,
    code_digest,
    config_digest,
    cover_fonts_now,
    digest,
    every_site_input,
    folder_inputs,
    package_digest,
    plugin_packages,
    signature_key,
    site_inputs_digest,
    story_key,
)
from syndicate.build.links import dead_links
from syndicate.build.options import SECTION as EXPORT_SECTION
from syndicate.build.options import ExportOptions
from syndicate.build.orphans import carried, orphaned, read_watch, stale_stories, warn_orphaned
from syndicate.build.publish import (
    LOCK_NAME,
    TRASH,
    Busy,
    ForeignFiles,
    OutputError,
    PartlyPublished,
    PublishReport,
    Staging,
    Trash,
    Twins,
    checked_path,
    deferred_signals,
    locked,
    recover,
    remove_leftovers,
    unwritable,
)
from syndicate.build.scheduling import KINDS, ExecutorError, address_problem, scheduler_gone
from syndicate.build.sink import Sink
from syndicate.build.state import (
    CACHE_NAME,
    MEMO,
    BuildState,
    Published,
    Shown,
    StoryRecord,
    Unit,
    builds_folder,
    keep_fingerprint,
    last_fingerprint,
    listed_in_entry,
    prepare_cache,
    recorded_files,
    shown_in_entry,
    state_folder,
)
from syndicate.build.unchanged import Fingerprint, Folder, Request
from syndicate.diagnostics import (
    Diagnostic,
    Diagnostics,
    did_you_mean,
    out_of_range,
    said_at,
    suggest,
)
from syndicate.formats.contract import (
    AnyWriter,
    Options,
    OutputFile,
    Planned,
    lists_summaries,
)
from syndicate.formats.options import (
    convert_section,
    owned_sections,
    report_unknown_section,
    resolve_options,
)
from syndicate.formats.registry import PluginError, Registry, UnknownFormat, default_registry
from syndicate.i18n.locales import is_valid_tag, preferred_tag
from syndicate.i18n.terms import use_site_terms
from syndicate.model.site import TEMPLATES, TERMS, SiteConfig
from syndicate.model.source import SourceRef
from syndicate.readers.config import (
    RESERVED_ID_MADE,
    RESERVED_ID_SENT,
    SchemaVerdict,
    installed_at_start,
    load_config,
    reserved_id,
    unknown_section_terms,
)
from syndicate.readers.folders import (
    check_collection,
    check_future_update,
    duplicate_ids,
    is_ignored,
    report_missing,
    said_path,
    shown_path,
)
from syndicate.readers.languages import tag_hint
from syndicate.readers.safefile import Refused, folder_loop, loop_in, resolved
from syndicate.readers.storyfiles import StoryFiles

# The workers and the story model are imported where a build uses them: a run that changes
# nothing never does, and building their classes was a sixth of such a run
# (`tests/test_unchanged.py` checks what a no-op imports).
if TYPE_CHECKING:
    from syndicate.build.workers import Done, Job, Made, Settings
    from syndicate.model import Story, StorySummary

Progress = Callable[[str, int, int], None]
"""Told what a run is doing: (step, done, total), e.g. ("stories", 120, 2000) or ("atom", 1, 1)."""
PUBLISHING = "publish"
"""The step `progress` is told last, once, as the export starts publishing (into out/)."""
Status = Literal["exported", "partial", "input-errors", "failed"]
CACHE_ENV = "SYNDICATE_CACHE_DIR"
IN_PLACE_SHARE = 10
"""A run that makes at most one story in this many again (an edit, a story added or removed,
none: a feed's time window moved) publishes in place when it can (`Staging.prefer_in_place`);
a larger one builds the folders whole while it works (`Staging.ahead`)."""
FOREIGN_NAMED = 20
"""How many of the user's files and folders in the way of a run are named, one error each;
one more error counts the rest."""


class Interrupted(KeyboardInterrupt):
    """A build stopped by Ctrl-C or SIGTERM; `published` says whether out/ already held its
    files (interrupts wait while it publishes, so it is one or the other)."""

    def __init__(self, published: bool) -> None:
        super().__init__()
        self.published = published

    def __str__(self) -> str:
        return self.said("out/")

    def said(self, out: str) -> str:
        """What it means for the output folder, named `out` (as the user gave it)."""
        if self.published:
            return f"interrupted after publishing: {out} holds this run's output"
        return f"interrupted; {out} is unchanged"


@dataclass
class Timing:
    seconds: float = 0.0
    """Spent in the format's writer, summed over the worker processes."""
    files: int = 0


@dataclass
class ExportResult:
    """What a build did. `status`: `exported` (out/ holds the new files), `partial` (with
    `keep_going`: out/ holds the new files, but the stories of `left_out` had errors and keep
    their last published version, or are absent if they never had one), `input-errors` (a
    problem in the input or the request: nothing written) or `failed` (an output could not be
    made or written: out/ keeps its previous content, unless `partly_published`). Every
    problem is in `diagnostics`.
    With `dry_run`, nothing is written and `changes` says what would be."""

    status: Status
    diagnostics: Diagnostics
    formats: tuple[str, ...] = ()
    stories: int = 0
    files: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    timings: dict[str, Timing] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()
    """Stories left out for their errors (`keep_going`), by folder name."""
    unpublished: tuple[str, ...] = ()
    """Those of `left_out` never published (a new story): none of their files are in out/."""
    lost: tuple[str, ...] = ()
    """Those of `left_out` published before whose last version the build state no longer has
    (an `export.held` warning says so): this run removes their files."""
    kept_gone: tuple[str, ...] = ()
    """Stories whose folders are gone kept as last published (an `export.held` warning each):
    a folder left out for its errors may hold them (`keep_going`), or the run published only
    the stories it named (`only`)."""
    stopped_by: tuple[str, ...] = ()
    """Without `keep_going`, when nothing but stories' own errors stopped the export and
    other stories are fine: those stories, by folder name (`keep_going` would have published
    the others)."""
    widened: tuple[str, ...] = ()
    """Languages and formats added to the run so that a kill, or a story's new version,
    reaches every file."""
    widened_for_version: bool = False
    """Whether the run widened for a story's new version, not a kill."""
    changes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """With `dry_run`: the paths under out/ that would be `new`, `changed` and `removed`."""
    writers: tuple[AnyWriter, ...] = ()
    """The formats written (a site's own partner profiles included); none when the run
    found, before loading them, that it had nothing to write (see `_look_before_loading`)."""
    options: Mapping[str, Options] = field(default_factory=dict)
    """Their options, by configuration section (none with no `writers`)."""
    orphaned: tuple[str, ...] = ()
    """The folders of out/ written by a format there is no longer (`output.orphaned`)."""
    stale_folders: tuple[str, ...] = ()
    """Those of `orphaned` that still carry a story taken down (an `output.orphaned-story`
    error each): the rest is published all the same."""
    partly_published: bool = False
    """`failed` while publishing, midway (a folder that cannot be written): out/ may hold part
    of this run's files until an export completes the publication (the next one does first)."""
    busy: bool = False
    """`failed` at once, as another export holds out/'s lock: nothing was written, and a later
    run exports what this one would have (the command line exits with status 75 then)."""

    @property
    def stale(self) -> bool:
        """Whether an orphaned folder still carries a story taken down."""
        return bool(self.stale_folders)


def export(
    *,
    formats: Sequence[str],
    config: Path | SiteConfig = Path("syndicate.yaml"),
    articles: Path | None = None,
    stories: Sequence[Story] | None = None,
    out: Path = Path("out"),
    cache: Path | None = None,
    languages: Sequence[str] | None = None,
    now: datetime | None = None,
    jobs: int = 1,
    executor: str = "pool",
    scheduler: str | None = None,
    force: bool = False,
    strict: bool = False,
    keep_going: bool | None = None,
    only: Sequence[str] | None = None,
    dry_run: bool = False,
    allow_deletions: bool = False,
    registry: Registry | None = None,
    diagnostics: Diagnostics | None = None,
    progress: Progress | None = None,
    releases: bool = True,
    interruptible: bool = True,
    drafts: bool = False,
) -> ExportResult:
    """Publish stories into `out` in `formats` (names from the registry, or `all`).

    The stories are the folders under `articles` (default `articles/`), or `stories` already
    built. `config` is the path of `syndicate.yaml` or a loaded configuration. `languages`
    limits the run to some of the site's languages (files of the others already in `out` are
    kept); `now` is the time embargoes and feeds are judged at (default: the clock). Only what
    changed since the last build into `out` is redone, unless `force`; `jobs` worker processes
    share the stories. With `strict`, warnings count as errors. The build state is kept in
    `cache` (see `cache_folder`).

    With `keep_going` (default: the configuration's `export: keep_going:`), a story with errors
    keeps its last published version and the others are published (status `partial`). `only`
    (story folder names) publishes those stories as they are now and keeps every other one as
    last published. `dry_run` does everything but publish, and says what would change.
    `releases=False` (the preview's) publishes for no one: nothing it exports counts as
    released, so no change of a story is held against its version or its id later.
    `interruptible=False` (the preview's) leaves Ctrl-C to the caller: the worker processes
    ignore it, and the caller stops the run through `progress`, which raises
    KeyboardInterrupt (a thread gets no signal; the terminal's Ctrl-C reaches the workers);
    `progress` is told each story and format done, then `PUBLISHING` as the run publishes.
    `drafts=True` (the preview's `--drafts`, with `releases=False`) writes each draft as if
    released: never into out/, which `syndicate export` never asks it of.

    A run that would take away every story the last export published (the articles folder
    holds no story: a network share not mounted), or more than `export: max_deleted_percent:`
    of them (a folder half synced), is refused (status `input-errors`, `articles.empty` or
    `articles.mass-delete`) unless `allow_deletions`.

    A story killed or withdrawn since the last build, or put back under embargo (or dated
    ahead) since the last build that read it, is published in every language and every format
    out/ holds, even when `languages` or `formats` name fewer: a kill must reach every file
    that carried the story."""
    given = diagnostics
    diags = diagnostics if isinstance(diagnostics, Diagnostics) else Diagnostics()
    # One name where a list belongs is that name, not its letters; a path may be text.
    formats = [formats] if isinstance(formats, str) else formats
    languages = [languages] if isinstance(languages, str) else languages
    only = [only] if isinstance(only, str) else only
    config = _as_path(config)
    articles, out, cache = _as_path(articles), _as_path(out), _as_path(cache)
    lists = {"languages": languages, "only": only, "stories": stories}
    kinds: dict[str, tuple[object, tuple[type, ...], str]] = {
        "config": (config, (Path, SiteConfig), "a path of syndicate.yaml or a SiteConfig"),
        "articles": (articles, (Path, type(None)), "a folder's path"),
        "out": (out, (Path,), "a folder's path"),
        "cache": (cache, (Path, type(None)), "a folder's path"),
        "registry": (registry, (Registry, type(None)), "a Registry"),
        "diagnostics": (given, (Diagnostics, type(None)), "a Diagnostics"),
        **{
            name: (bool(flag) if flag in (0, 1) else flag, (bool,), "True or False")
            for name, flag in (
                ("force", force),
                ("strict", strict),
                ("dry_run", dry_run),
                ("allow_deletions", allow_deletions),
                ("releases", releases),
                ("drafts", drafts),
            )
        },
        "keep_going": (
            bool(keep_going) if keep_going in (0, 1) else keep_going,
            (bool, type(None)),
            "True, False or None",
        ),
    }
    if progress is not None and not callable(progress):
        kinds["progress"] = (progress, (), "a function of (phase, done, total)")
    if (
        not _kinds_ok(kinds, diags)
        or not _drafts_ok(drafts, releases, diags)
        or not _lists_ok(lists, diags)
        or not _request_ok(formats, articles, stories, now, jobs, executor, scheduler, diags)
    ):
        named = tuple(map(str, formats)) if isinstance(formats, list | tuple) else ()
        return ExportResult("input-errors", diags, named)
    now = now or datetime.now(UTC)
    sources = (articles or Path("articles")) if stories is None else None
    at = config if isinstance(config, Path) else None
    cache_named = "cache" if cache is not None else None
    cache = cache or cache_folder(config, out)
    # (a cache in out/ is said by `out_apart`, as out/ holding the build states)
    own_cache = cache_apart(cache, sources, at, diags, named=cache_named)
    # (none remembered in a cache refused: the configuration's checks save there)
    verdict = None if at is None or not own_cache else SchemaVerdict(cache, code_digest())
    site = _site(config, diags, verdict)
    registry = registry or default_registry()
    registry.report_refused(diags)
    if site is not None:  # the site's own partner profiles are formats too
        registry = registry.for_site(site, diags)
        use_site_terms(site.terms)
    # A configuration with errors names no profile of its own: its names are not said unknown.
    names = _format_names(formats, registry, diags if site is not None else Diagnostics())
    in_cache = own_cache and is_within(out, cache)
    apart = out_apart(out, sources, at, diags, in_cache=in_cache) and own_cache
    look = None
    if (
        apart
        and site is not None
        and verdict is not None
        and isinstance(config, Path)
        and stories is None
        and not (force or dry_run or diags.has_errors(strict=strict))
        and only is None
        and languages is None
        and names
        and set(registry.defaults) <= set(names)
        and all(registry.is_own(name) for name in names)
    ):
        articles = articles or Path("articles")
        look = _look_before_loading(
            config,
            site,
            names,
            articles,
            out,
            cache,
            now,
            strict,
            keep_going,
            verdict,
            drafts,
            releases,
        )
        if look is not None and (same := look.result(names, diags)) is not None:
            return _idle_cluster(same, executor, scheduler)
    writers = _writers(names, registry, diags)
    if writers is None or site is None:
        return _stopped(look, ExportResult("input-errors", diags, names))
    checked = [*writers, *registry.section_owners(writers)]  # a plugin in a format's section
    options = resolve_options(checked, site, diags, every_section=False)
    _unknown_sections(site, writers, registry, diags)
    chosen = _languages(languages, site, diags)
    defaults = convert_section(EXPORT_SECTION, ExportOptions, site, diags)
    if options is None or defaults is None or diags.has_errors(strict=strict):
        return _stopped(look, ExportResult("input-errors", diags, names))
    if stories is None:
        articles = articles or Path("articles")
        if not articles.is_dir():
            report_missing(articles, diags)
            return ExportResult("input-errors", diags, names)
        inputs = look.inputs if look is not None else folder_inputs(articles)
    else:
        inputs = [StoryInput(story=story) for story in stories]
    if only is not None and not _known_stories(only, inputs, diags):
        return ExportResult("input-errors", diags, names)
    if only is not None and force:
        diags.error(
            "export.request",
            "--force (force) makes every story again, without their last work, and --story"
            " (only) keeps the stories it does not name as last published, which --force no"
            " longer knows: export every story with --force, or these without it",
        )
        return ExportResult("input-errors", diags, names)
    key = _config_key(config, site, chosen, drafts, releases)
    state = state_folder(out, cache)
    run = _Run(
        keep_going=defaults.keep_going if keep_going is None else keep_going,
        only=frozenset(only) if only is not None else None,
        dry_run=dry_run,
        strict=strict,
        keep_others=languages is not None,
        subset=not set(registry.defaults) <= set(names),
        folders=functools.partial(_all_folders, registry),
        owned=functools.partial(_every_folder, registry),
        releases=releases,
        allow_deletions=allow_deletions,
        max_deleted=defaults.max_deleted_percent,
    )
    from syndicate.build.workers import Settings  # not loaded by a run that changes nothing

    settings = Settings(
        site,
        now,
        chosen,
        {w.name: w for w in writers},
        options,
        executor=executor,
        scheduler=scheduler,
        interruptible=interruptible,
        drafts=drafts,
    )
    source = articles if stories is None else None
    try:
        result = _run_holding(
            lambda how: _Build(
                writers,
                settings,
                key,
                out,
                state,
                inputs,
                how,
                force=force,
                verdict=verdict,
                look=look,
            ),
            run,
            diags,
            source,
            jobs=max(1, jobs),
            progress=progress,
        )
        result.options = settings.options
        return _idle_cluster(result, executor, scheduler)
    except _Widen as widen:
        more_languages, more_formats = _widened(widen, writers, registry, site, chosen)
        held, for_version = widen.held, widen.for_version
    # A kill (or a new version) in a partial run: the same run over every language and every
    # format out/ holds.
    wider = [*writers, *(registry.get(name) for name in more_formats)]
    every = site.languages
    settings = replace(
        settings,
        languages=every,
        writers={w.name: w for w in wider},
        options=resolve_options(wider, site, diags, every_section=False) or {},
    )
    key = _config_key(config, site, every, drafts, releases)
    result = _run_holding(
        lambda how: _Build(wider, settings, key, out, state, inputs, how, force=force),
        replace(run, keep_others=False, widened=True, held=held),
        diags,
        source,
        jobs=max(1, jobs),
        progress=progress,
    )
    result.widened = (*more_languages, *more_formats)
    result.widened_for_version = for_version
    result.options = settings.options
    return _idle_cluster(result, executor, scheduler)


def _idle_cluster(result: ExportResult, executor: str, scheduler: str | None) -> ExportResult:
    """`result`, with a warning when its run had a Dask scheduler that it sent no work (no
    story changed) and that cannot be reached: a run that changes nothing must stay fast, and
    stays so (a connection taken), but the cron job that runs it learns that its cluster is
    gone before the run that changes a story fails. A run that sent the cluster work said so
    already (a `build.worker` error)."""
    if executor != "dask" or scheduler is None or result.status not in ("exported", "partial"):
        return result
    if (why := scheduler_gone(scheduler)) is not None:
        result.diagnostics.warning(
            "build.worker",
            f"the Dask scheduler at {scheduler} cannot be reached: {why}; this run sent it no"
            " work (no story to make), the next that changes a story will fail: check that"
            " the scheduler runs",
        )
    return result


def _run_holding(
    build: Callable[[_Run], _Build],
    run: _Run,
    diags: Diagnostics,
    articles: Path | None,
    *,
    jobs: int,
    progress: Progress | None,
) -> ExportResult:
    """The build `run` makes; a story whose history stops it (`_Hold`: under `strict` and
    `keep_going`) is held with its last published version in the same run made again."""
    while True:
        try:
            return build(run).run(diags, articles, jobs=jobs, progress=progress)
        except _Hold as hold:
            run = replace(run, held={**run.held, **hold.stories})


def _drafts_ok(drafts: bool, releases: bool, diags: Diagnostics) -> bool:
    """Whether `drafts` (checked flags, 0 and 1 too) is asked of a run nobody receives: a
    draft shown as released never goes into a folder partners get."""
    if drafts and releases:
        diags.error(
            "export.request",
            "drafts=True (the preview's --drafts) shows drafts as released, which only a run"
            " nobody receives may do: give releases=False, and an out folder of its own",
        )
        return False
    return True


def _request_ok(
    formats: Sequence[str],
    articles: Path | None,
    stories: Sequence[Story] | None,
    now: datetime | None,
    jobs: int,
    executor: str,
    scheduler: str | None,
    diags: Diagnostics,
) -> bool:
    """Whether the arguments of an `export` call (the Python API's; the command line checks
    its own) can make a run: each mistake is an `export.request` error, never a traceback."""
    problems = []
    if _starting_as_a_worker():
        problems.append(
            "called as a worker process starts: a worker is spawned (the process pool's, a"
            " local Dask cluster's) by running the script that made it again, and this script"
            " calls export at its top level, so every worker ran it too; in a script, call"
            ' export under `if __name__ == "__main__":`'
        )
    if not isinstance(formats, list | tuple):
        problems.append("formats: give a list of format names, such as ['atom', 'rss']")
    elif not formats:
        problems.append("formats: name one or more formats, or 'all'")
    elif not all(isinstance(name, str) for name in formats):
        problems.append("formats: give format names, such as ['atom', 'rss'] or ['all']")
    if articles is not None and stories is not None:
        problems.append("give articles (story folders) or stories (Story objects), not both")
    if stories is not None:
        from syndicate.model.story import Story  # the caller has built some

        wrong = next((s for s in stories if not isinstance(s, Story)), None)
        if wrong is not None:
            problems.append(f"stories: give Story objects, not {type(wrong).__name__}")
    if now is not None and (not isinstance(now, datetime) or now.utcoffset() is None):
        problems.append(
            f"now: {now!r} is not a datetime with a time zone; give one such as datetime.now(UTC)"
        )
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        problems.append(f"jobs: {jobs!r} {out_of_range('a whole number', 1)}")
    if executor not in KINDS:
        problems.append(
            f"executor: unknown executor {executor!r}{did_you_mean(str(executor), KINDS)};"
            f" use one of {', '.join(KINDS)}"
        )
    if scheduler is not None and executor != "dask":
        problems.append(
            f"scheduler: {scheduler!r} is a Dask scheduler's address; it takes executor='dask'"
        )
    elif scheduler is not None and (problem := address_problem(str(scheduler))) is not None:
        problems.append(f"scheduler: {problem}")
    for problem in problems:
        diags.error("export.request", problem)
    return not problems


def _starting_as_a_worker() -> bool:
    """Whether this process is a spawned worker running its parent's main module as it starts
    (multiprocessing's own test, `spawn._check_not_importing_main`): a script calling export
    at its top level without a main guard, whose pool or local Dask cluster workers each ran
    the export again, failed on `out`'s lock ("another syndicate export", `busy`: a caller
    retrying later waited there for ever) and printed that as many times as it had workers."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:  # a spawned worker imported it to start: this is no worker
        return False
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _as_path(value: object) -> Any:
    """A path given as text (or any `os.PathLike`) as a `Path`; anything else as it is."""
    return Path(value) if isinstance(value, str | os.PathLike) else value


def _kinds_ok(
    arguments: Mapping[str, tuple[object, tuple[type, ...], str]], diags: Diagnostics
) -> bool:
    """Whether each argument is of a kind it takes (name: value, kinds, what to give)."""
    wrong = [
        (name, value, what)
        for name, (value, kinds, what) in arguments.items()
        if not isinstance(value, kinds)
    ]
    for name, value, what in wrong:
        diags.error("export.request", f"{name}: give {what}, not {value!r}")
    return not wrong


_LISTS = {
    "languages": ("a list, such as ['en', 'fr']", "each language as text, such as 'en'"),
    "only": (
        "a list of story folder names, such as ['2026-12-01-welcome']",
        "each story folder name as text, such as '2026-12-01-welcome'",
    ),
    "stories": ("a list of Story objects", ""),
}
"""The arguments that take a list: what to give, and what each item is (text), or "" for
items `_request_ok` checks (the stories)."""


def _lists_ok(arguments: Mapping[str, object], diags: Diagnostics) -> bool:
    """Whether each argument that takes a list (`_LISTS`) is one (or None), of text where its
    items are text (`languages=[1]` ended in an AttributeError)."""
    problems = []
    for name, value in arguments.items():
        what, items = _LISTS[name]
        if value is not None and not isinstance(value, list | tuple):
            problems.append(f"{name}: give {what}")
            continue
        wrong = [item for item in value or () if not isinstance(item, str)]
        if items and wrong:
            problems.append(f"{name}: give {items}, not {wrong[0]!r}")
    for problem in problems:
        diags.error("export.request", problem)
    return not problems


def is_within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or in it, their links resolved (False if either loops)."""
    try:
        return resolved(path).is_relative_to(resolved(folder))
    except Refused:
        return False


def out_apart(
    out: Path,
    articles: Path | None,
    config: Path | None,
    diags: Diagnostics,
    option: str = "--out",
    *,
    serving: bool = False,
    given: bool = True,
    in_cache: bool = False,
) -> bool:
    """Whether out/ (or the preview's folder, `option` names which; `serving`: the folder
    `syndicate serve` would serve) is a folder of its own:
    not the articles folder nor in it (the next run would read the pages as stories), nor the
    site's `templates/` or `terms/` or in them (nor, for an export, the cache's build
    states), and holding neither the articles folder nor
    syndicate.yaml (`--out .` would write the formats' folders among the site's own files).
    `given`: whether the user named the folder (a default one is said as the default);
    `in_cache`: whether it is in the cache folder `cache_apart` took (the preview's), which
    may be a folder of articles/ its reader skips (`.syndicate/` with `--articles .`)."""
    code = "serve.out" if serving else "export.out"
    try:
        where = resolved(out)
    except Refused:
        diags.error(code, f"{option} {said_path(out)}: {folder_loop('it')}")
        return False
    sources = [(articles, "the articles folder"), (config, "syndicate.yaml")]
    if config is not None:
        sources += [
            (config.parent / TEMPLATES, "the site's templates folder"),
            (config.parent / TERMS, "the site's terms folder"),
        ]
    if config is not None and option == "--out" and not serving:
        # an out/ among the build states would be taken for one, or remove one (the preview
        # is exported into the cache folder too, in a folder of its own)
        sources.append((builds_folder(cache_folder(config, out)), "the site's build states"))
    for path, name in sources:
        if path is None:
            continue
        try:
            source = resolved(path)
        except Refused:  # out/ is not in it; the articles, the configuration, the templates
            if name == "the site's build states":  # and terms are said so when they are read
                where = loop_in(path) or path
                diags.error(
                    "file.link-loop",
                    folder_loop("the folder of the site's build states"),
                    shown_path(where),
                )
                return False
            continue
        if where == source:
            how = "is"
        elif source in where.parents:
            first = where.relative_to(source).parts[0]
            if in_cache and path is articles and is_ignored(first):
                continue  # the preview, in the cache folder `cache_apart` took: a folder
                # the articles' reader skips (`.syndicate/` with `--articles .`)
            how = "is inside"
        elif where in source.parents:
            how = "holds"
        else:
            continue
        flat = config is not None and resolved(config).parent == source
        if how == "is inside" and name == "the articles folder" and flat:
            # (`--articles .`, the stories in the site's folder: out/ is in it too)
            fix = (
                f"give {option} a folder outside {said_path(path)}, such as"
                f" {option} {said_path(path.parent / where.name)} (or keep the stories in a"
                " folder of their own, articles/)"
            )
        elif serving:
            fix = "serve a folder of its own, such as out/: this one would serve the site's sources"
        elif option == "--out":
            fix = "export into a folder of its own, such as out/"
        else:
            fix = "choose another folder" + (", or leave the option out" if given else "")
        subject = (
            f"{option} {said_path(out)}"
            if given
            else f"the {option.removeprefix('--')} folder {said_path(out)} (the default)"
        )
        diags.error(code, f"{subject}: {how} {name} ({said_path(path)}); {fix}")
        return False
    return True


def cache_apart(
    cache: Path,
    articles: Path | None,
    config: Path | None,
    diags: Diagnostics,
    *,
    out: Path | None = None,
    named: str | None = None,
) -> bool:
    """Whether the cache folder `cache` (the build states, the delivery ledgers, the preview)
    is a folder of its own: not the articles folder nor in it (the next run would read it as
    a story folder without story.yaml, and every export fail), nor the site's `templates/` or
    `terms/` or in them, nor out/ or in it (`out`, when given: served or published with it;
    `export` leaves that to `out_apart`, which finds out/ holding the build states), and
    holding none of them nor syndicate.yaml (its `builds/`, `preview/` and `.gitignore`
    would go among the site's own files). Refused as `--out` is (`out_apart`), with an error
    that names where the folder comes from: `named` (the `cache` argument of `export`), else
    SYNDICATE_CACHE_DIR when it is set, else the default `.syndicate/` beside syndicate.yaml.
    Looked at before anything is written there."""
    chosen = bool(os.environ.get(CACHE_ENV))
    try:
        where = resolved(cache)
    except Refused:  # a loop of links: said as such where the build state is opened
        return True
    sources: list[tuple[Path | None, str]] = [(articles, "the articles folder")]
    if config is not None:
        sources += [
            (config.parent / TEMPLATES, "the site's templates folder"),
            (config.parent / TERMS, "the site's terms folder"),
            (config, "syndicate.yaml"),
        ]
    sources.append((out, "the output folder"))
    for path, name in sources:
        if path is None:
            continue
        try:
            source = resolved(path)
        except Refused:  # said when it is read
            continue
        if where == source:
            how = "is"
        elif source in where.parents:
            first = where.relative_to(source).parts[0]
            if path is articles and (is_ignored(first) or first.startswith("_")):
                continue  # a folder the articles' reader skips (hidden, `_`, a system's):
                # `.syndicate/` beside syndicate.yaml with `--articles .`
            how = "is inside"
        elif where in source.parents and path is not out:  # (out/ beside the states is usual)
            how = "holds"
        else:
            continue
        shown = said_path(cache)
        if named is not None:
            what = f"{named} {shown}"
            fix = "give a folder outside the site's sources and out/, or leave it out"
        elif chosen:
            what = f"{CACHE_ENV}={shown}"
            fix = (
                f"set {CACHE_ENV} to a folder outside the site's sources and out/, or unset it"
                f" to keep the build state in {CACHE_NAME}/ beside syndicate.yaml"
            )
        else:
            what = f"the cache folder {shown}"
            fix = f"set {CACHE_ENV} to a folder outside the site's sources and out/"
        why = (
            "the next run would read the build state as a story"
            if path is articles and how != "holds"
            else "publishing out/ would publish the build state"
            if path is out
            else "the build state would go among the site's own files"
        )
        diags.error("cache.folder", f"{what}: {how} {name} ({said_path(path)}): {why}; {fix}")
        return False
    return True


OTHER_SECTIONS = (EXPORT_SECTION, "deliver", "serve")
"""The sections of syndicate.yaml that commands own, not formats (`syndicate.deliver` and
`syndicate.serve` name theirs; `tests/test_cli.py` checks the names agree)."""


def _unknown_sections(
    site: SiteConfig, writers: Sequence[AnyWriter], registry: Registry, diags: Diagnostics
) -> None:
    """A section of syndicate.yaml that no format nor command owns is an error, as `validate`
    says: a typo (`epubb:`, `link:`) would otherwise be ignored, and the export publish without
    it. The sections of syndicate's own formats are known without loading them (a plugin's
    only once a section is left over)."""
    owned = owned_sections(writers, OTHER_SECTIONS)
    left = [section for section in site.sections if section not in owned]
    if not left:
        return
    for name in registry.names:
        try:
            owned.add(registry.section(name))
        except (UnknownFormat, PluginError):
            continue  # reported when it is asked for
    for section in left:
        if section not in owned:
            report_unknown_section(site, section, owned, diags)


@dataclass(frozen=True, slots=True)
class _Run:
    """How this run treats its stories (see `export`)."""

    keep_going: bool
    only: frozenset[str] | None
    dry_run: bool
    strict: bool
    keep_others: bool
    subset: bool
    """Whether the run leaves out some of the formats `all` would write."""
    folders: Callable[[Collection[str]], dict[str, str]]
    """The top folders of out/ formats write, with the first format writing each (for dead
    links); given the top folders asked about, it may leave out the others (`_all_folders`)."""
    owned: Callable[[], tuple[str, ...]]
    """The folders of out/ the formats there are write (`Writer.owned_folders`): the files
    syndicate wrote elsewhere are a format's there is no longer (`orphans`)."""
    releases: bool = True
    """Whether what this run publishes reaches anyone (not a preview's): see `export`."""
    allow_deletions: bool = False
    """Whether the run may take away more stories than `max_deleted` (see `_Build._guard`)."""
    max_deleted: int = 50
    """`export: max_deleted_percent:`."""
    widened: bool = False
    """Whether this is the run a kill widened to every language and every format out/ holds
    that is installed (files of a format no longer installed stay as they are)."""
    held: Mapping[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    """Stories (by folder name) kept as last published for what their history check found
    (`_Hold`), with those problems."""


class _Widen(Exception):
    """A partial run found a story killed, deleted, taken out of the public or missing a
    language since the last build (or, `for_version`, a story with a new version);
    `owned` are the files of out/ syndicate wrote, `held` the stories its run held."""

    def __init__(
        self,
        owned: frozenset[str],
        held: Mapping[str, tuple[Diagnostic, ...]],
        *,
        for_version: bool = False,
    ) -> None:
        super().__init__()
        self.owned = owned
        self.held = held
        self.for_version = for_version


class _Hold(Exception):
    """With `keep_going`, stories whose change their history refuses (under `strict`, a
    version not raised): known only once every story is read, so the run is made again with
    them held, as a story with errors is (`stories`: their problems, by folder name)."""

    def __init__(self, stories: Mapping[str, tuple[Diagnostic, ...]]) -> None:
        super().__init__()
        self.stories = stories


def _widened(
    widen: _Widen,
    writers: Sequence[AnyWriter],
    registry: Registry,
    site: SiteConfig,
    chosen: Sequence[str],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The languages and formats a kill (or a new version) adds to a partial run."""
    languages = tuple(lang for lang in site.languages if lang not in chosen)
    written = {w.name for w in writers}
    formats = []
    for name in registry.names:
        if name in written:
            continue
        try:
            writer = registry.get(name)
        except (UnknownFormat, PluginError):
            continue
        inside = _prefixes(writer.owned_folders())
        if any(path.startswith(inside) for path in widen.owned):
            formats.append(name)
    return languages, tuple(formats)


def _language_file(story: StorySummary, lang: str) -> SourceRef:
    """The story's language file, for a problem of its language as a whole."""
    return SourceRef(str(Path(story.source.path).with_name(f"{lang}.md")), 1)


def _in_window(writer: AnyWriter, story: StorySummary, now: datetime) -> str:
    """Which of the story's variants are inside the writer's time window at `now`, as one
    word of a key (`Writer.in_window`: a translation added later has its own time)."""
    return "".join("1" if writer.in_window(story, now, lang) else "0" for lang in story.languages)


def _prefixes(folders: Sequence[str]) -> tuple[str, ...]:
    """What the out/ paths in one of `folders` start with (`partners/msn/en.xml`), for
    `str.startswith`: out/ may hold hundreds of thousands of paths."""
    return tuple(f"{folder}/" for folder in folders)


def _owned_by(registry: Registry) -> dict[str, str]:
    """Every folder of out/ a format there is writes (`Writer.owned_folders`), with the
    first format writing it; a format that cannot be loaded writes none. Syndicate's own
    formats are not imported for it (`Registry.owned_folders`)."""
    folders: dict[str, str] = {}
    for name in registry.names:
        try:
            for folder in registry.owned_folders(name):
                folders.setdefault(folder, name)
        except (UnknownFormat, PluginError):
            continue
    return folders


def _all_folders(registry: Registry, needed: Collection[str] | None = None) -> dict[str, str]:
    """The top folders of `_owned_by`, with the first format writing in each. Given the top
    folders `needed`, the formats are loaded in their order only until each of those has its
    first (the same one): a partial run's pages link the feeds of a format it did not load,
    and loading every format (the books', the partners') took 70 ms."""
    folders: dict[str, str] = {}
    for name in registry.names:
        if needed is not None and all(top in folders for top in needed):
            break
        try:
            owned = registry.owned_folders(name)
        except (UnknownFormat, PluginError):
            continue
        for folder in owned:
            folders.setdefault(folder.split("/", 1)[0], name)
    return folders


def _every_folder(registry: Registry) -> tuple[str, ...]:
    return tuple(_owned_by(registry))


def _known_stories(only: Sequence[str], inputs: Sequence[StoryInput], diags: Diagnostics) -> bool:
    names = [source.name for source in inputs]
    for name in only:
        if name not in names:
            diags.error(
                "export.story",
                f"no story {name!r} in the articles folder{did_you_mean(name, names)}"
                " (`syndicate list` lists the stories)",
            )
    return not diags.errors


def cache_folder(config: Path | SiteConfig, out: Path) -> Path:
    """Where a site keeps its build state: the folder named by the environment variable
    SYNDICATE_CACHE_DIR if set (a CI cache volume), else `.syndicate/` beside syndicate.yaml
    (beside out/ when the configuration is given as an object)."""
    if chosen := os.environ.get(CACHE_ENV):
        return Path(chosen)
    base = config.parent if isinstance(config, Path) else out.resolve().parent
    return base / CACHE_NAME


def no_output_folder(out: Path, shown: str, run: str) -> str:
    """What `validate --outputs`, `serve` and `deliver` say of an `out` that is no folder
    (`run`: the export that makes it): a file given instead of a folder is told as such."""
    if os.path.islink(out) and not os.path.exists(out):
        return (
            f"{shown} is a link to {os.readlink(out)}, which does not exist (a share not"
            " mounted?): mount it, or give the folder an export writes"
        )
    if os.path.lexists(out) and not os.path.isdir(out):
        return (
            f"{shown} is a file, not an output folder: give the folder an export writes"
            f" (out/, or the one of its --out)"
        )
    parent = Path(os.path.abspath(out)).parent
    if not parent.is_dir():  # a typo: the export told would refuse it too (`export.out`)
        return f"no output folder {shown}, nor the folder {parent} it would be in: check the path"
    return f"no output folder {shown}; run {run} first"


def settle_output(out: Path, cache: Path, diags: Diagnostics) -> None:
    """Finish the publication an interrupted export left undone, before anything reads out/
    (`validate --outputs`, `deliver`, `serve`). Waits for nothing: a running export holds the
    lock, and its out/ is consistent at every moment but the swaps, which it completes."""
    folder = state_folder(out, cache)
    if not (out.is_dir() and folder.is_dir()):
        return
    try:
        with locked(out, folder / LOCK_NAME):
            state = BuildState(out, folder)
            try:
                _settle(out, state, diags)
            finally:
                state.close()
    except OutputError:
        pass  # an export is running: it completes what is pending itself


def _settle(out: Path, state: BuildState, diags: Diagnostics) -> None:
    """Complete a pending publication and clear what a killed run left (inside the lock)."""
    journal = state.pending()
    if journal is not None:
        why = recover(out, journal)
        if why is None:
            diags.warning(
                "output.recovered",
                "the last export was stopped while it published; its output is now complete",
                str(out),
            )
        else:
            diags.warning(
                "output.recovered",
                "the last export was stopped while it published, and completing it failed"
                f" ({why}): out/ may mix two runs until this export rebuilds it",
                str(out),
            )
        state.clear_pending()
    remove_leftovers(out)
    for note in state.notes:
        diags.warning(
            "state.discarded",
            f"the build state was damaged ({note}): discarded, so everything is rebuilt",
            str(state.path),
        )


def _format_names(
    formats: Sequence[str], registry: Registry, diags: Diagnostics
) -> tuple[str, ...]:
    """The formats named, `all` standing for every default one; a format named beside `all`
    (`-f all -f msn`: a profile not in the configuration) is written too."""
    names: list[str] = []
    for name in formats:
        if name == "all":
            names += registry.defaults
        elif name in registry.names:
            names.append(name)
        else:
            diags.error("export.format", registry.unknown_message(name))
    return tuple(dict.fromkeys(names))


def _writers(
    names: Sequence[str], registry: Registry, diags: Diagnostics
) -> list[AnyWriter] | None:
    writers = []
    for name in names:
        try:
            writers.append(registry.get(name))
        except UnknownFormat:
            pass  # reported with the names
        except PluginError as exc:
            diags.error("plugin.writer", str(exc))
    return writers if len(writers) == len(names) and names else None


def _site(
    config: Path | SiteConfig, diags: Diagnostics, verdict: SchemaVerdict | None
) -> SiteConfig | None:
    if isinstance(config, SiteConfig):
        return config
    return load_config(config, str(config), diags, verdict=verdict)


def _languages(
    languages: Sequence[str] | None, site: SiteConfig, diags: Diagnostics
) -> tuple[str, ...]:
    for tag in languages or ():
        if tag not in site.languages:
            # The site's language of the same primary tag (`zh`: zh-Hans, `en-GB`: en, `fra`:
            # fr); else a language to add (`pt`), or a tag mistyped (`jp`, a country's code).
            meant = preferred_tag(tag) or tag.replace("_", "-")
            primary = meant.split("-")[0].lower()
            kin = [lang for lang in site.languages if lang.split("-")[0].lower() == primary]
            if len(kin) == 1:
                fix = suggest(kin[0])
            elif is_valid_tag(tag):
                fix = f"; to publish {tag}, add it to languages: in the site's syndicate.yaml"
            else:
                fix = did_you_mean(tag, site.languages, 0.5) or (
                    f", nor a known BCP 47 language tag{tag_hint(tag)}"
                )
            diags.error(
                "export.language",
                f"{tag!r} is not one of the site's languages ({', '.join(site.languages)}){fix}",
            )
    return tuple(dict.fromkeys(languages)) if languages else site.languages


def _config_key(
    config: Path | SiteConfig,
    site: SiteConfig,
    languages: Sequence[str],
    drafts: bool = False,
    releases: bool = True,
) -> str:
    """The key of what every story's work and every collection reads of the run besides the
    stories; with `drafts` (the preview's), another: a unit made with drafts shown as released
    is never taken for one made without (the state, the fingerprint). A run nobody receives
    (`releases=False`) has another too: its fingerprint never tells an export into its
    folder that nothing changed (`BuildState.previewed` refuses that export)."""
    if isinstance(config, Path):
        key = config_digest(config, site, languages)
    else:
        key = digest(code_digest(), repr(site), *languages)
    # the covers' fonts, the file's or a loaded configuration's (found again if they changed)
    if (fonts := cover_fonts_now(site)) is not None:
        key = digest(key, fonts)
    key = digest(key, "drafts") if drafts else key
    return key if releases else digest(key, "preview")


@dataclass(frozen=True, slots=True)
class _Probe:
    """What the engine found of a story before any work: the key of its texts as they are
    now, and, when the state knows those texts and their images are unchanged, its record
    and the key of all its inputs."""

    text_key: str
    key: str | None = None
    record: StoryRecord | None = None
    texts: str = ""
    """The folder's `signature_key` as found ("" if it has none)."""


@dataclass(frozen=True, slots=True)
class _Identities:
    """The ids of the last build and of this run: a story is matched by its id across the
    whole run before its folder is judged (two folders swapped are two renames, not two ids
    changed)."""

    last: dict[str, StorySummary]
    """The last build's stories, by id."""
    given: dict[str, str]
    """This run's story folders, by the id each gives."""
    sent: dict[str, Published]
    """What was published of each id before this run (the history as the run found it)."""

    def moved(self, story: StorySummary) -> str | None:
        """The folder the story's id was in at the last build, if another."""
        last = self.last.get(story.id)
        return last.slug if last is not None and last.slug != story.slug else None


@dataclass(frozen=True, slots=True)
class _Story:
    """A story of this run as the collections see it: its input, inputs' key and summary,
    and the key of its unit in each of the run's formats (in the writers' order)."""

    input: StoryInput
    key: str
    summary: StorySummary
    units: tuple[str, ...]
    record: StoryRecord | None = None
    """What this run read or found of it (None: its last published version, held)."""
    text_key: str = ""
    """The key of its texts (`StoryInput.text_key`), with `record`."""


def _as_left(
    state_folder: Path,
    out: Path,
    articles: Path,
    request: Request,
    inputs: Sequence[StoryInput],
    listed: dict[str, StoryFiles],
) -> Fingerprint | None:
    """The last full run's fingerprint (with the signatures found now) when it says that this
    run would find everything as that run left it (`unchanged.still_current`); None otherwise.
    Then the leftovers of an interrupted run are removed: nothing else is to be done. Inside
    out/'s lock."""
    last = last_fingerprint(state_folder)
    found = unchanged.decode(last) if last is not None else None
    if found is None:
        return None
    owned = functools.partial(recorded_files, state_folder)
    current = unchanged.still_current(found, request, inputs, articles, out, owned, listed)
    if current is None:
        return None
    if current != found:  # texts or images that had no signature then have one now
        signed = [
            (now.text_key, now.texts, now.seen)
            for now, then in zip(current.folders, found.folders, strict=True)
            if now is not then
        ]
        keep_fingerprint(state_folder, unchanged.encode(current), signed)
    remove_leftovers(out)
    return current


@dataclass
class _Look:
    """The look for a run that would change nothing, taken by `export` before it loads any
    format (`_look_before_loading`): loading the formats' modules is a tenth of such a run.
    When something changed, the run goes on with what the look found."""

    inputs: list[StoryInput]
    listed: dict[str, StoryFiles] = field(default_factory=dict)
    taken: bool = False
    """Whether the fingerprint was compared (the usual way does not compare it again)."""
    found: Fingerprint | None = None
    """The fingerprint that says nothing changed, if it does."""
    trash: Trash | None = None
    """The build state's trash, being emptied, when the run goes on (`_Build._trash`)."""

    def result(self, names: tuple[str, ...], diags: Diagnostics) -> ExportResult | None:
        """The run's result when nothing changed: what the run would have reported."""
        found = self.found
        if found is None:
            return None
        diags.extend(found.diagnostics)
        timings = {name: Timing(files=found.files.get(name, 0)) for name in names}
        files = sum(found.files.values())
        return ExportResult("exported", diags, names, found.stories, files, 0, files, 0, timings)


def _stopped(look: _Look | None, result: ExportResult) -> ExportResult:
    """`result` of a run that stops before it builds, once the trash its look started
    emptying is empty (the look takes a run over a whole site, whose articles folder is
    there: only the checks of the formats and the options stop it)."""
    if look is not None and look.trash is not None:
        look.trash.wait()
    return result


def _look_before_loading(
    config: Path,
    site: SiteConfig,
    names: tuple[str, ...],
    articles: Path,
    out: Path,
    cache: Path,
    now: datetime,
    strict: bool,
    keep_going: bool | None,
    verdict: SchemaVerdict,
    drafts: bool = False,
    releases: bool = True,
) -> _Look | None:
    """For a run of syndicate's own formats over the whole site (`export` checks that):
    whether the last full run's fingerprint says it would find everything as that run left it,
    before the formats are loaded. The fingerprint's configuration key holds the
    configuration file and syndicate's code, so the formats' options check out as they did
    (a run with options that do not leaves no fingerprint, nor does one announcing to a
    WebSub hub). None when the look cannot be taken here (the usual way takes it)."""
    defaults = convert_section(EXPORT_SECTION, ExportOptions, site, Diagnostics())
    if defaults is None or not articles.is_dir():
        return None
    look = _Look(folder_inputs(articles))
    state = state_folder(out, cache)
    if last_fingerprint(state) is None:
        return look
    key = _config_key(config, site, site.languages, drafts, releases)
    going = defaults.keep_going if keep_going is None else keep_going
    request = Request(key, names, strict, going, now, every_site_input(site))
    try:
        with locked(out, state / LOCK_NAME):
            trash = Trash(state / TRASH)
            trash.empty_ahead()  # what earlier runs left there, as the usual way does
            look.found = _as_left(state, out, articles, request, look.inputs, look.listed)
            look.taken = True
            if look.found is None:
                look.trash = trash  # still emptied while the run goes on
            else:
                _prepare_cache(state.parent.parent)
                verdict.save()
                trash.wait()
    except OutputError:
        return look  # busy or unwritable: the usual way reports it
    return look


def _prepare_cache(cache: Path) -> None:
    """`prepare_cache`, its failure an `OutputError` that says what to do."""
    try:
        prepare_cache(cache)
    except OSError as exc:
        what = (
            "is not a folder: move that file away"
            if cache.exists() and not cache.is_dir()
            else f"cannot be made ({exc.strerror or exc})"
        )
        raise OutputError(
            f"the build state's folder {cache} {what} (or set {CACHE_ENV} to another)"
        ) from None


class _Build:
    """One build into out/, inside its lock. Stories are read only when new or changed; what
    collections need of each story (its summary, its fragments, for editions the story itself)
    is kept in the build state, so memory never holds every story."""

    def __init__(
        self,
        writers: Sequence[AnyWriter],
        settings: Settings,
        config_key: str,
        out: Path,
        state_folder: Path,
        inputs: Sequence[StoryInput],
        run: _Run,
        *,
        force: bool,
        verdict: SchemaVerdict | None = None,
        look: _Look | None = None,
    ) -> None:
        self.writers = writers
        self.notes_said = 0
        self.verdict = verdict
        """The configuration's checks that passed, saved once the cache folder exists."""
        self.how = run
        self.settings = settings
        self.config_key = config_key
        self.site_inputs = {w.name: _format_reads(settings.config, w) for w in writers}
        """What each format reads of the site beyond the configuration (`Writer.site_inputs`:
        the HTML pages' templates), and a plugin's own code, part of that format's keys only."""
        self.out = out
        self.state_folder = state_folder
        self.published = False
        self.inputs = inputs
        self.force = force
        self.state_owned = True
        """Whether the build state listed files of out/ (False: a first export, or a lost state)."""
        self.read: list[_Story] = []
        self._by_slug: dict[str, _Story] = {}
        """The first `_indexed` stories of `read` by slug (the first of a slug: `whole_story`)."""
        self._indexed = 0
        self.problems = Diagnostics()
        """What the writers reported."""
        self.input = Diagnostics()
        """What reading the stories reported."""
        self.left_out: list[str] = []
        self.unpublished: list[str] = []
        """Of `left_out`: those never published."""
        self.lost: list[str] = []
        """Of `left_out`: those published before whose last version cannot be kept."""
        self.stopped_by: list[str] = []
        """Without `keep_going`: the stories with errors of their own."""
        self.kept_gone: list[str] = []
        """Stories whose folders are gone, kept as last published (`_spared`)."""
        self.kept: set[str] = set()
        """The slugs of the stories this run keeps as last published (`_hold`): their units,
        so their fragments, are of the run that published them, under its configuration."""
        self.moved_in: list[str] = []
        """Story folders with errors that give another story's id than the one last
        published from them (`_moved_in`): that one counts as deleted."""
        self.claimed: dict[str, str | None] = {}
        """`_claims`, as worked out for each folder left out for its errors ("": none)."""
        self.held = Diagnostics()
        """The problems of the stories left out (`keep_going`): reported, not blocking."""
        self.killed: list[str] = []
        """Stories killed or withdrawn since the last build, or taken out of the public
        (put back under embargo, or dated ahead) since the last build that read them."""
        self.versioned: list[str] = []
        """Released stories with a new version since the last build: a partial run widens to
        every language and format out/ holds (each language's items carry the version)."""
        self.dropped: list[str] = []
        """Stories that lost a language since the last build: a partial run widens to every
        language and format, as for a kill, so that the files of that language go."""
        self.orphaned: dict[str, list[str]] = {}
        """The folders of out/ syndicate wrote with a format there is no longer, with their
        files (`orphans.orphaned`): a run that finds one leaves no fingerprint, so that every
        run says so."""
        self.stale: list[str] = []
        """Those of them that still carry a story taken down (`orphans.stale_stories`)."""
        self.orphan_watch: dict[str, list[list[str]]] = {}
        """What each of them carried when it was orphaned (`orphans.carried`), kept in the
        build state for the next runs."""
        self.changes: dict[str, tuple[str, ...]] = {}
        self.timings = {w.name: Timing() for w in writers}
        self.unit_keys: dict[tuple[str, bool], tuple[str, ...]] = {}
        """`_units`, by a story's key and visibility."""
        self.summary_keys: dict[str, tuple[StorySummary, str]] = {}
        """`_summary_key` of each story, by slug."""
        self.own_summaries: dict[str, dict[int, StorySummary]] = {}
        """By format with section feeds, the summaries (by place in `read`) whose former
        sections in that format are not those of every format (`_note_sections`)."""
        self.stamp = digest(code_digest(), *installed_at_start())
        """The code that makes this run's memos, and the only one whose memos it takes."""
        self.state: BuildState
        self.reported = 0
        """How many problems were reported before this run's work (its configuration's)."""
        self.listed: dict[str, StoryFiles] = look.listed if look is not None else {}
        """Story folders listed by the look for a run that would change nothing, by name:
        `_probe` takes them instead of listing them again."""
        self.looked = look is not None and look.taken
        """Whether `export` looked for a run that would change nothing, and found a change."""
        self.emptying = look.trash if look is not None else None
        """The trash that look started emptying."""
        self.counts: dict[str, int] = {}
        """The files staged, by format (`Sink.counts`)."""
        self.once: list[Diagnostic] = []
        """What this run reported only because it read a story anew (`_check_history`), or
        found a story's folder gone (`_warn_deleted`): no fingerprint says it again."""
        self.fresh: list[tuple[StorySummary, str, str]] = []
        """The stories read anew: each with its content digest and its sources' key."""
        """The stories read anew, with their digests: checked once every story is read."""
        self.ids = _Identities({}, {}, {})
        self.standing: dict[str, Any] = {}
        """The warnings of the history said of the version a story is at and holding while it
        stays there (`story.updated`), by story id, for the state (`BuildState.standing`)."""
        self.standing_said = (0, 0)
        """Where in the run's diagnostics `_standing` said them (from, to)."""

    def run(
        self, diags: Diagnostics, articles: Path | None, *, jobs: int, progress: Progress | None
    ) -> ExportResult:
        new_out = not os.path.lexists(self.out)
        try:
            result = self._run(diags, articles, jobs, progress)
        except KeyboardInterrupt:
            raise Interrupted(self.published) from None
        finally:
            if self.emptying is not None:  # (stopped before `_trash` waited for it)
                self.emptying.wait()
            if new_out and not self.published:  # a dry run, or one refused: no empty out/
                with contextlib.suppress(OSError):
                    self.out.rmdir()
        diags.extend(self.held)
        result.left_out = tuple(self.left_out)
        result.unpublished = tuple(self.unpublished)
        result.lost = tuple(self.lost)
        result.kept_gone = tuple(sorted(self.kept_gone))
        result.changes = self.changes
        result.orphaned, result.stale_folders = tuple(self.orphaned), tuple(self.stale)
        if result.status == "exported" and self.left_out:
            result.status = "partial"
        return result

    def _run(
        self, diags: Diagnostics, articles: Path | None, jobs: int, progress: Progress | None
    ) -> ExportResult:
        names = tuple(w.name for w in self.writers)
        strict = self.how.strict
        try:
            _prepare_cache(self.state_folder.parent.parent)
            if self.verdict is not None:  # a first export: the folder is new
                self.verdict.save()
            with locked(self.out, self.state_folder / LOCK_NAME), self._trash() as trash:
                if (same := self._as_left(diags, articles)) is not None:
                    return same
                self.state = BuildState(self.out, self.state_folder, fresh=self.force)
                self.state_owned = bool(self.state.owned)
                try:
                    if self._preview_refused(diags):
                        return ExportResult("input-errors", diags, names)
                    _settle(self.out, self.state, diags)
                    self.notes_said = len(self.state.notes)  # (`_settle` said them)
                    self.reported = len(diags)
                    # A damaged state was this out/'s; a lost one, `--force` says it was.
                    lost = bool(self.state.notes) or (self.force and not self.state.owned)
                    with Staging(self.out, self.state.owned, trash, adopt=lost) as staging:
                        sink = Sink(staging, self.problems, self.writers)
                        self.counts = sink.counts
                        self._stories(sink, jobs, progress)
                        staging.flush_ahead()  # the stories' files, while collections run
                        self._check_histories()
                        self._standing(diags)
                        deleted = self._deleted()
                        spared = self._spared(deleted)
                        if self._guard(diags, articles, spared):
                            diags.extend(self.input)
                            return ExportResult("input-errors", diags, names, len(self.read))
                        deleted = self._hold_gone(sink, deleted, spared)
                        with self.input.recording() as found:  # (said by this run alone:
                            self._warn_deleted(deleted)  # the next finds no folder gone)
                        self.once += found
                        gone = self.killed or self.dropped or deleted or self._drafts_shown()
                        # A new version reaches every file as a kill does: every language's
                        # items carry the story's version, its package names each at it, and
                        # the history, once it recorded the version, would not say it again.
                        if (gone or self.versioned) and self._partial():
                            owned = frozenset(self.state.owned)
                            raise _Widen(owned, self.how.held, for_version=not gone)
                        self._note_sections()
                        summaries = [s.summary for s in self.read]
                        own = len(self.input.errors) if not diags.errors else -1
                        published = {ident: s.slug for ident, s in self.ids.last.items()}
                        check_collection(summaries, articles, self.input, published)
                        if not self.input.errors:  # (a story not read has a section too)
                            sections = (s.section for s in summaries)
                            unknown_section_terms(self.settings.config, sections, self.input)
                        diags.extend(self.input)
                        if self.input.has_errors(strict=strict) or diags.errors:
                            stopped = ExportResult("input-errors", diags, names, len(self.read))
                            broken = set(self.stopped_by)
                            healthy = any(s.input.name not in broken for s in self.read)
                            if len(self.input.errors) == own and healthy:  # theirs alone
                                stopped.stopped_by = tuple(self.stopped_by)
                            return stopped
                        self._collections(sink, progress)
                        diags.extend(self.problems)
                        if diags.errors:
                            return ExportResult("failed", diags, names, len(self.read))
                        self._orphans()
                        if progress:
                            progress(PUBLISHING, 0, 1)
                        report = self._publish(staging, diags, articles)
                        self._report_orphans(diags)
                        if staging.adopted:
                            one = len(staging.adopted) == 1
                            diags.warning(
                                "state.adopted",
                                "the build state had no record of "
                                + ("the file" if one else f"the {len(staging.adopted)} files")
                                + " this export replaced (it was lost or damaged): "
                                + ("it was" if one else "they were")
                                + " taken as syndicate's old outputs; old outputs it no longer"
                                " writes stay in out/ (delete out/ and export again to clear"
                                " them)",
                                str(self.out),
                            )
                finally:
                    self.state.close()
        except ForeignFiles as exc:
            self._say_foreign(exc, diags)
            return ExportResult("failed", diags, names, len(self.read))
        except OutputError as exc:
            diags.error("output.write", str(exc), str(self.out))
            partly = isinstance(exc, PartlyPublished)
            busy = isinstance(exc, Busy)
            return ExportResult(
                "failed", diags, names, len(self.read), partly_published=partly, busy=busy
            )
        except ExecutorError as exc:  # a worker died, a cluster is unreachable
            diags.error("build.worker", str(exc))
            return ExportResult("failed", diags, names, len(self.read))
        for writer in self.writers:
            self.timings[writer.name].files = sink.counts.get(writer.name, 0)
        return ExportResult(
            "exported",
            diags,
            names,
            len(self.read),
            sink.files,
            report.written,
            report.unchanged,
            report.removed,
            self.timings,
            writers=tuple(self.writers),
        )

    @contextlib.contextmanager
    def _trash(self) -> Iterator[Trash]:
        """The build state's `Trash`: what earlier runs left there is removed while this one
        works, and this run's staging folder goes there when it is done."""
        trash = self.emptying or Trash(self.state_folder / TRASH)
        if self.emptying is None:
            trash.empty_ahead()
        try:
            yield trash
        finally:
            trash.wait()

    # A run that would change nothing (`syndicate.build.unchanged`) ---------------------------

    def _whole_site(self) -> bool:
        """Whether this run publishes the whole site as it is now (every format, language
        and story; its story folders are given as an articles folder): the runs that leave
        a fingerprint and may use one. Not when a feed announces a WebSub hub: announcing
        looks at what was published."""
        how = self.how
        return (
            how.only is None
            and not (how.keep_others or how.subset or how.dry_run)
            and not any(getattr(o, "hub", None) for o in self.settings.options.values())
        )

    def _request(self) -> Request:
        formats = tuple(w.name for w in self.writers)
        how = self.how
        site = every_site_input(self.settings.config)
        now = self.settings.now
        config = self.config_key
        if plugins := plugin_packages(self.writers):  # (their code: an upgrade is a change)
            config = digest(config, *(f"{p} {package_digest(p)}" for p in plugins))
        return Request(config, formats, how.strict, how.keep_going, now, site)

    def _as_left(self, diags: Diagnostics, articles: Path | None) -> ExportResult | None:
        """The result of this run when the last full run's fingerprint says that it would
        find everything as that run left it (nothing is published); None otherwise, and when
        `export` looked before loading the formats."""
        if self.force or articles is None or self.looked or not self._whole_site():
            return None
        request = self._request()
        names = request.formats
        found = _as_left(self.state_folder, self.out, articles, request, self.inputs, self.listed)
        if found is None:
            return None
        for name in names:
            self.timings[name].files = found.files.get(name, 0)
        files = sum(found.files.values())
        diags.extend(found.diagnostics)
        return ExportResult(
            "exported",
            diags,
            names,
            found.stories,
            files,
            0,
            files,
            0,
            self.timings,
            writers=tuple(self.writers),
        )

    def _fingerprint(self, diags: Diagnostics, articles: Path | None) -> str | None:
        """This run's fingerprint, if it publishes the whole site with every story read."""
        if articles is None or not self._whole_site() or self.orphaned:
            return None
        if self.left_out or len(self.held) or self.state.notes:
            return None
        if len(self.read) != len(self.inputs):
            return None
        listing = unchanged.articles_listing(articles)
        windows = [w.window for w in self.writers if w.window is not None]
        around = unchanged.span((s.summary for s in self.read), windows, self.settings.now)
        if listing is None or around is None:
            return None
        folders = []
        for story in self.read:
            record = story.record
            if record is None or story.input.folder is None:
                return None
            name, text_key = story.input.name, story.text_key
            folders.append(Folder(name, text_key, record.texts, record.images, record.seen))
        once = set(self.once)
        # What a run that finds everything as this one left it says of the versions that
        # stand (`_standing`), where this run said them: one that published such a version
        # said it as found (`once`), the next says it again, the fingerprint's way too.
        said = list(diags)
        start, end = self.standing_said
        standing = [standing_said(self.standing[ident]) for ident in sorted(self.standing)]
        said[start:end] = standing
        request = self._request()
        fingerprint = Fingerprint(
            config=request.config,
            site=request.site,
            formats=request.formats,
            strict=request.strict,
            keep_going=request.keep_going,
            after=around[0],
            before=around[1],
            articles=listing,
            folders=tuple(folders),
            stories=len(self.read),
            files=dict(sorted(self.counts.items())),
            diagnostics=tuple(d for d in said[self.reported :] if d not in once),
        )
        return unchanged.encode(fingerprint)

    def _orphans(self) -> None:
        """Find the folders of out/ written by a format there is no longer (read from the
        build state before this run's replaces it), and what each carried when it was
        orphaned: the state keeps it from the first run that finds the folder orphaned (the
        last build, which wrote it, is then the state's), for every later run to look for
        the stories taken down since."""
        # Most runs write every folder out/ holds: the other formats are then not loaded.
        mine = _prefixes([f for w in self.writers for f in w.owned_folders()])
        others = [path for path in self.state.owned if not path.startswith(mine)]
        self.orphaned = orphaned(others, self.how.owned(), self.out) if others else {}
        if not self.orphaned:
            return
        before = read_watch(self.state.orphan_watch())
        last: list[list[str]] | None = None
        for folder in self.orphaned:
            if folder not in before and last is None:
                last = carried(self.state.last_stories(), self.settings.now)
            self.orphan_watch[folder] = before.get(folder, last or [])

    def _report_orphans(self, diags: Diagnostics) -> None:
        warn_orphaned(self.orphaned, self.out, diags)
        stories = [story.summary for story in self.read]
        now = self.settings.now
        self.stale = stale_stories(self.orphaned, self.out, self.orphan_watch, stories, now, diags)

    def _deleted(self) -> list[str]:
        """Stories the last build released (out/ carries them) whose folders are gone: as a
        kill, their removal must reach every format and language that carried them."""
        from syndicate.model.story import UNRELEASED

        here = {source.name for source in self.inputs}.difference(self.moved_in)
        now = self.settings.now
        return [
            story.slug
            for story in self.state.last_stories()
            if story.slug not in here and story.lifecycle(now) not in UNRELEASED
        ]

    def _guard(self, diags: Diagnostics, articles: Path | None, spared: Collection[str]) -> bool:
        """Whether to refuse a run that would take away every story the last export released
        (the articles folder holds none: a share not mounted shows an empty folder), or more
        than `max_deleted` percent of them (a folder half synced, a checkout half made): their
        files would leave out/, and the next `deliver` would delete them at every partner.
        Only `allow_deletions` takes them down. A story counts as taken away when no folder
        gives its id nor has its folder's name (a renamed folder is no deletion). One story
        alone is never refused, unless it is the only one and the folder is empty."""
        from syndicate.model.story import UNRELEASED

        if self.how.allow_deletions or not self.how.releases:
            return False  # a preview publishes for no one
        now = self.settings.now
        released = [s for s in self.state.last_stories() if s.lifecycle(now) not in UNRELEASED]
        here = {source.name for source in self.inputs}
        gone = [
            s
            for s in released
            if s.id not in self.ids.given and s.slug not in here and s.slug not in spared
        ]
        if not gone:
            return False
        where = shown_path(articles) if articles is not None else None
        again = (
            "to take them down for good, export with --allow-deletions (Python:"
            " allow_deletions=True); a story taken back is better withdrawn or canceled with a"
            " new version, which partners are told of (docs/lifecycle.md); nothing was exported"
        )
        if not self.inputs:
            stories = f"{len(released)} {'story' if len(released) == 1 else 'stories'}"
            diags.error(
                "articles.empty",
                f"no story {'in this folder' if where else 'given'}, but the last export"
                f" published {stories}: the folder looks empty, or unmounted (a network share)"
                " or not synced yet; mount it and export again. If every story is really gone,"
                f" {again}",
                where,
            )
            return True
        limit = self.how.max_deleted
        if len(gone) < 2 or len(gone) * 100 <= limit * len(released):
            return False
        named = ", ".join(s.slug for s in gone[:3]) + (", ..." if len(gone) > 3 else "")
        diags.error(
            "articles.mass-delete",
            f"{len(gone)} of the {len(released)} stories the last export published are in no"
            f" story folder now ({named}): more than the {limit}% that export:"
            " max_deleted_percent: allows in one run. Is the folder fully mounted and synced?"
            f" If they are really gone, {again}",
            where,
        )
        return True

    def _spared(self, deleted: Sequence[str]) -> dict[str, str]:
        """The stories whose folders are gone that this run keeps as last published, each
        with why (an `export.held` warning): under `--story`, every one (the run publishes
        only the stories it names); under `keep_going`, each a story folder left out for its
        errors may hold (a folder renamed, or moved, with an error in it), rather than take
        it out of out/ and the targets with no kill; once the folder reads, the story follows
        it. `allow_deletions` takes them down."""
        if self.how.allow_deletions or not (self.how.only is not None or self.how.keep_going):
            return {}
        last = {story.slug: story for story in self.state.last_stories()}
        # (a story renamed, its id given by another folder of this run, is no deletion)
        gone = [slug for slug in deleted if last[slug].id not in self.ids.given]
        if not gone:
            return {}
        if self.how.only is not None:
            return {
                slug: f"the folder of {slug} is gone, but --story publishes only the stories it"
                " names: it stays as last published; an export without --story takes it down"
                " (story.deleted)"
                for slug in gone
            }
        claims = self._claims()
        spared = {}
        for slug in gone:
            ident = last[slug].id
            could = sorted(name for name, claim in claims.items() if claim in (None, ident))
            if not could:
                continue
            named = ", ".join(could[:3]) + (", ..." if len(could) > 3 else "")
            spared[slug] = (
                f"no story folder gives {ident!r} now, but {named} could not be read and may"
                " hold it (a folder renamed or moved, with an error in it): its last published"
                " version stays in out/ until that folder reads; fix its errors. If the story"
                " is really gone, export with --allow-deletions to take its files down with no"
                " kill (a story taken back is better canceled or withheld with a new version,"
                " which partners are told of: docs/lifecycle.md)"
            )
        return spared

    def _claims(self) -> dict[str, str | None]:
        """The story folders left out for their errors that may hold another story than the
        one last published from them, by name: the id each gives on a line of its own (None:
        none that can be read). A folder that published a story before holds that one unless
        it gives another id."""
        broken = set(self.left_out)
        claims = {}
        for source in self.inputs:
            if source.name in broken and (claim := self._claim(source)) != "":
                claims[source.name] = claim
        return claims

    def _claim(self, source: StoryInput) -> str | None:
        """`_claims`'s word for one folder left out for its errors, read once: "" when it
        holds the story last published from it."""
        from syndicate.readers.articles import claimed_id

        name = source.name
        if name not in self.claimed:
            ident = claimed_id(source.folder) if source.folder is not None else ""
            previous = self.state.previous(name)
            own = previous is not None and ident in (None, previous[1].summary.id)
            self.claimed[name] = "" if own else ident
        return self.claimed[name]

    def _hold_gone(self, sink: Sink, deleted: list[str], spared: Mapping[str, str]) -> list[str]:
        """`deleted` less the stories `spared` (see `_spared`), each staged with its last
        published version, as a story with errors is."""
        last = {story.slug: story for story in self.state.last_stories()}
        kept = []
        for slug in deleted:
            folder = Path(last[slug].source.path).parent
            held = slug in spared and self._hold(
                sink, StoryInput(folder), left_out=False, gone=True
            )
            if not held:
                kept.append(slug)
                continue
            self.kept_gone.append(slug)
            self.held.warning("export.held", spared[slug], str(folder))
        return kept

    def _say_foreign(self, exc: ForeignFiles, diags: Diagnostics) -> None:
        """The user's files and folders in the way of this run, each named (one error each,
        where the user moves it), up to `FOREIGN_NAMED`: past that (a lost build state and a
        large archive make thousands), one more error counts the rest. Those --force does not
        take back (a file where a folder goes, a folder where a file goes) come first."""
        force = (
            ""
            if self.state_owned
            else ". If out/ is syndicate's and its build state was lost (.syndicate/"
            " deleted), export once with --force to take its old outputs back"
        )
        said = [
            *(
                (
                    path,
                    f"this is where syndicate's folder {path}/ goes, but it is not a folder"
                    " (a file or a link not written by syndicate): move it out of the way;"
                    " nothing was published",
                )
                for path in exc.in_the_way
            ),
            *(
                (
                    path,
                    "this is where a file of this run goes, but a folder syndicate did not"
                    " make is there: move it out of the way; nothing was published",
                )
                for path in exc.folders
            ),
            *(
                (
                    path,
                    "this file was not written by syndicate, and this run would replace it:"
                    " move it out of the way (or delete it, if it is an old output); nothing"
                    f" was published{force}",
                )
                for path in exc.paths
            ),
        ]
        for path, message in said[:FOREIGN_NAMED]:
            diags.error("output.foreign", message, str(self.out / path))
        rest = len(said) - FOREIGN_NAMED
        if rest > 0:
            plural = "s" if rest > 1 else ""
            diags.error(
                "output.foreign",
                f"and {rest} more file{plural} or folder{plural} in out/ not written by"
                f" syndicate where this run writes ({FOREIGN_NAMED} are named, one error each);"
                f" nothing was published{force if exc.paths else ''}",
                str(self.out),
            )

    def _warn_deleted(self, deleted: Sequence[str]) -> None:
        """A public story whose id no folder gives now: its folder gone, or holding a story
        moved in from another folder. Its files leave out/ and the targets with no kill, and
        partners keep it (as a deleted language file). (A folder that gives a new id is
        `story.id-changed`.)"""
        gone = set(deleted)
        holds = {folder: ident for ident, folder in self.ids.given.items()}
        claims = self._claims() if self.how.keep_going and not self.how.allow_deletions else {}
        for story in self.ids.last.values():
            sent = self.ids.sent.get(story.id)
            if story.id in self.ids.given or sent is None:
                continue
            if not sent.released or story.status != "usable" or story.slug in self.kept_gone:
                continue  # a draft, already taken back, or kept: nothing is taken down
            if story.slug in gone and story.slug in self.moved_in:
                said = (
                    f"{story.slug} gives the id {self.claimed[story.slug]!r} now (a folder moved"
                    " in, with an error in it), but version"
                    f" {sent.version} of {story.id!r} was published from it"
                )
                back = f"publish once a story folder with id {story.id!r},"
            elif story.slug in gone:
                said = (
                    f"the folder of {story.slug} is gone, but version {sent.version} was published"
                )
                back = "put the folder back with"
            else:
                if self._blocked_hold(story, claims):
                    continue
                now = holds.get(story.slug)
                came = self.ids.last.get(now) if now is not None else None
                if came is None or came.slug == story.slug:
                    continue  # its id changed, or it could not be read
                said = (
                    f"{story.id!r}, version {sent.version} of which was published from"
                    f" {story.slug}, is in no folder now ({story.slug} holds {now!r}, moved"
                    f" there from {came.slug})"
                )
                back = f"publish once a story folder with id {story.id!r},"
            self.input.warning(
                "story.deleted",
                f"{said}: its files leave out/ and the delivery targets, with no kill, so"
                f" partners and feed readers keep it; to take the story back, {back}"
                " status: canceled (or withheld) and a new version",
                str(Path(story.source.path).parent),
            )

    def _blocked_hold(self, story: StorySummary, claims: Mapping[str, str | None]) -> bool:
        """Whether a folder left out for its errors gives the id of `story` (published, its
        id in no folder now) whose folder name another story has taken: it cannot be held
        beside that one, nor taken down with no kill while that folder may hold it. An error
        (the run stops), unless `allow_deletions`."""
        named = sorted(name for name, ident in claims.items() if ident == story.id)
        if not named:
            return False
        self.input.error(
            "story.held",
            f"{named[0]} could not be read and gives the id {story.id!r} of the story last"
            f" published from {story.slug}, whose folder name another story has now: it can"
            " neither be kept as last published nor taken down with no kill. Fix the errors"
            f" of {named[0]}; or, if that story is really gone, export with --allow-deletions;"
            " nothing was exported",
            str(Path(story.source.path).parent.with_name(named[0])),
        )
        return True

    def _preview_refused(self, diags: Diagnostics) -> bool:
        """Whether this run, one partners get, is refused a folder a preview exported into
        (its embargoed stories and drafts shown as if released: `BuildState.previewed`), with
        why said; a preview's own run marks its folder so. Only `--force` of every format,
        language and story, over every format the folder holds, is let in: it makes each file
        anew, and takes the mark away once its state is saved (`BuildState.unpreview`)."""
        state, how = self.state, self.how
        if not how.releases:
            state.mark_previewed()
            return False
        if not state.previewed:
            return False
        # Not when a state does not say it (replaced as damaged, or another cache's): it
        # never knew the preview's files, and --force would keep those it makes no more.
        if not state.preview_recorded:
            diags.error(
                "export.out",
                f"{self.out} holds a preview (serve --watch exported it, embargoed stories and"
                " drafts shown as if released), which no export may take for a folder partners"
                " get, and its build state does not know the preview's files (it was damaged,"
                " or the preview kept it in another cache folder: SYNDICATE_CACHE_DIR), so not"
                f" even --force would take them all out: remove {self.out} and export again, or"
                " export into another folder; nothing was changed",
            )
            return True
        # Every format whose files out/ holds too: one a preview wrote that `all` leaves out
        # (a profile syndicate.yaml does not enable), kept as it is, would keep its stories.
        others = self._others_held()
        whole = self.force and how.only is None and not (how.subset or how.keep_others)
        if whole and not how.dry_run and not others:
            state.unpreview = True  # every file made anew, none kept
            return False
        held = f" (the formats of {', '.join(others)} too)" if others else ""
        diags.error(
            "export.out",
            f"{self.out} holds a preview (serve --watch exported it, embargoed stories and"
            " drafts shown as if released), which no export may take for a folder partners"
            f" get: export into another folder, or every format of the whole site{held} with"
            " --force, which makes every file of it anew; nothing was changed",
        )
        return True

    def _drafts_shown(self) -> list[str]:
        """The drafts the last run into this folder showed as if released (a preview with
        `--drafts`, its folder then exported into without it): out of every file they are in,
        as a kill is, so a partial run widens."""
        if self.settings.drafts:
            return []
        return [s.slug for s in self.state.last_stories() if s.draft]

    def _partial(self) -> bool:
        """Whether this run leaves out languages, or formats whose files out/ holds."""
        if self.how.keep_others:
            return True
        if self.how.widened:  # as wide as it goes: what is left is no installed format's
            return False
        mine = _prefixes([f for w in self.writers for f in w.owned_folders()])
        return any(not path.startswith(mine) for path in self.state.owned)

    def _others_held(self) -> list[str]:
        """The folders of out/ this run's formats do not write where out/ holds files of
        syndicate's (another format's, a profile's `--format all` leaves out), as formats
        are named: `partners/msn`."""
        mine = _prefixes([f for w in self.writers for f in w.owned_folders()])
        held = {p for p in self.state.owned if not p.startswith(mine)}
        top = {"/".join(p.split("/")[: 2 if p.startswith("partners/") else 1]) for p in held}
        return sorted(top)

    def _folders(self) -> list[str]:
        """The folders of out/ this run's formats write (each swapped in whole)."""
        return sorted({f for w in self.writers for f in w.owned_folders()})

    def _publish(
        self, staging: Staging, diags: Diagnostics, articles: Path | None
    ) -> PublishReport:
        """Record the new output in the build state, with the journal of the swaps to make,
        in one transaction; then make them. A run stopped after the record is completed by the
        next one (`_settle`); one stopped before it leaves out/ and the state as they were.
        A dry run stops before the record, saying what would change."""
        folders = self._folders()
        plan = staging.prepare(folders, keep_others=self.how.keep_others)
        if not self.how.dry_run and (problem := unwritable(self.out, plan)) is not None:
            raise OutputError(problem)
        # A full run's own links are right by construction (a page links a format's file
        # only if that format makes it: tests/test_html.py checks the cases), and scanning
        # every file it wrote cost 2.3 s of a 38 s first export of 400 stories (0.8 s for
        # the pages alone): only a run that leaves something out is scanned, and the pages
        # of a site with templates of its own, which may link any file (`js/app.js`, a
        # static file missing from templates/).
        partial = self.how.subset or self._partial()
        if partial or self.settings.config.templates is not None:
            base = self.settings.config.base_url
            names = [w.name for w in self.writers]
            chosen = self.settings.languages
            left_out = [tag for tag in self.settings.config.languages if tag not in chosen]
            only = None if partial else "html/"
            found = dead_links(
                self.out, plan, staging, base, self.how.folders, names, left_out, only
            )
            diags.extend(found)
        if self.how.dry_run:
            self.changes = {
                "new": tuple(sorted(staging.created)),
                "changed": tuple(sorted(staging.changed)),
                "removed": tuple(sorted(map(str, plan.removed))),
            }
            return plan.report
        journal = plan.journal() if plan.steps else None
        try:
            # The files kept as published were each found intact by `BuildState.lookup`.
            self.state.save(
                plan.locate(self.out),
                plan.owned,
                folders,
                journal,
                staging.reused,
                self._fingerprint(diags, articles),
                self.orphan_watch,
                self.standing,
            )
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(
                f"cannot save the build state in {self.state_folder}: {exc}; the previous"
                " output is unchanged"
            ) from None
        for note in self.state.notes[self.notes_said :]:
            diags.warning(
                "state.discarded",
                f"the build state was damaged ({note}): replaced by one that knows this"
                " run's files and what was published, and the next export rebuilds the rest",
                str(self.state.path),
            )
        with deferred_signals():  # an interrupt now arrives once this is all true
            staging.apply(plan)
            self.published = True
            if journal is not None:
                self.state.clear_pending()
        return plan.report

    # Stories --------------------------------------------------------------------------------

    def _stories(self, sink: Sink, jobs: int, progress: Progress | None) -> None:
        """Read every new or changed story and stage the files of every story. Stories left
        out of the run (`only`) keep their last published version, as do, with `keep_going`,
        stories with errors."""
        from syndicate.build.workers import run_jobs

        only, held = self.how.only, self.how.held
        chosen = [
            (only is None or source.name in only) and source.name not in held
            for source in self.inputs
        ]
        probes = [self._probe(s) if c else None for s, c in zip(self.inputs, chosen, strict=True)]
        todo = [self._job(s, p) if p else None for s, p in zip(self.inputs, probes, strict=True)]
        made = sum(1 for job in todo if job)
        edit = bool(self.state.owned) and made * IN_PLACE_SHARE <= len(self.inputs)
        if edit:
            sink.staging.prefer_in_place()  # a few files of many change
        elif not self.how.dry_run:
            sink.staging.ahead(self._folders())
        if made and not edit:
            sink.staging.expect_writes()
            sink.staging.link_ahead(self._kept_whole(probes, todo))
        # Workers on this machine stage their files themselves (`Settings.stage_to`).
        here = replace(self.settings, stage_to=(sink.staging.units(), os.fspath(self.out)))
        done = run_jobs([job for job in todo if job], jobs, here)
        try:
            for index, (source, probe, job) in enumerate(
                zip(self.inputs, probes, todo, strict=True), 1
            ):
                result = next(done) if job else None
                if progress:
                    progress("stories", index, len(self.inputs))
                self._take(sink, source, probe, result)
        finally:  # the workers stop before the staging folder they write in is removed
            done.close()

    def _kept_whole(self, probes: Sequence[_Probe | None], todo: Sequence[Job | None]) -> list[str]:
        """The published files of the stories this run keeps whole (their every unit found
        intact: no job), known before any story is made."""
        paths: list[str] = []
        for probe, job in zip(probes, todo, strict=True):
            if probe is None or job is not None or probe.record is None or probe.key is None:
                continue
            visible = probe.record.summary.is_visible(self.settings.now)
            for key in self._units(probe.key, visible):
                unit = self.state.kept.get(key)
                for path in unit.paths if unit is not None else ():
                    try:
                        paths.append(checked_path(path))
                    except OutputError:
                        continue  # refused when the story is staged (`Sink.claim`)
        return paths

    def _take(
        self, sink: Sink, source: StoryInput, probe: _Probe | None, result: Done | None
    ) -> None:
        """Stage one story's files: this run's, or (left out) its last published ones."""
        if probe is None:
            held = source.name in self.how.held
            if held:
                self.left_out.append(source.name)
                self.held.extend(self.how.held[source.name])
            self._hold(sink, source, left_out=held)
            return
        record, found = self._record(probe, result)
        if record is not None:  # each run: it depends on `now`; the story's own problem
            check_future_update(record.summary, self.settings.now, found)
        broken = record is None or found.has_errors(strict=self.how.strict)
        if broken and self.how.keep_going and self.force and self._has_files(source.name):
            # `force` forgot its last published version: held, it would be taken down.
            self.input.extend(found)
            self.input.error(
                "export.held",
                "--force cannot keep its last published version (it makes every story again,"
                " without their last work), and its errors keep it from being made: fix them,"
                " or export without --force; nothing was published",
                shown_path(source.folder) if source.folder else source.name,
            )
            self.stopped_by.append(source.name)
            return
        if broken and not self.how.keep_going:
            self.stopped_by.append(source.name)
        if broken and self.how.keep_going:
            self.left_out.append(source.name)
            self.held.extend(found)
            if self._moved_in(source):
                self.unpublished.append(source.name)
                self.moved_in.append(source.name)
            else:
                self._hold(sink, source)
            return
        self.input.extend(found)
        if record is not None:
            self._keep(probe, result, record)
            units = self._stage_story(sink, record.summary, record.key, result)
            text_key = result.text_key if result is not None else probe.text_key
            self.read.append(_Story(source, record.key, record.summary, units, record, text_key))

    def _has_files(self, name: str) -> bool:
        """Whether out/ holds a language version syndicate wrote for the story folder `name`
        (`newsml/<name>.en.xml`, `html/<name>.fr.html`): not a file that only shares the
        name (`atom/sports.xml`, a section's)."""
        dotted, languages = name + ".", self.settings.config.languages
        for path in self.state.owned:
            stem = path.rpartition("/")[2]
            if stem.startswith(dotted) and stem[len(dotted) :].split(".")[0] in languages:
                return True
        return False

    def _moved_in(self, source: StoryInput) -> bool:
        """Whether a story folder with errors, which published a story before, now gives
        another story's id on its line (`claimed_id`): a folder moved or renamed into its
        place. It does not hold its old story (which may be in another folder now, or gone),
        and may hold the other (`_spared`)."""
        from syndicate.readers.articles import claimed_id

        previous = self.state.previous(source.name)
        if previous is None or source.folder is None:
            return False
        claimed = self._claim(source)
        if not claimed:  # (its own story, or no id that can be read)
            return False
        # Only a story published before, whose own folder gives its id no more (gone, or
        # holding another story): an id copied from a story still in its folder, or a new id,
        # is a mistake in this folder, which keeps its own story as a folder with errors does.
        other = next((s for s in self.state.last_stories() if s.id == claimed), None)
        if other is None:
            return False
        home = next((i for i in self.inputs if i.name == other.slug), None)
        return home is None or home.folder is None or claimed_id(home.folder) != claimed

    def _hold(
        self, sink: Sink, source: StoryInput, *, left_out: bool = True, gone: bool = False
    ) -> bool:
        """Stage the story's last published version (nothing if it has none): its files as
        they are, or made again from the story the state kept when this run needs others (a
        format it did not have, an embargo that ended). False when there is none to stage;
        a story `left_out` is then counted as never published, or as lost when it was. A
        story whose folder is `gone` is not made again (its images are gone with it): False
        when any of its files would be."""
        from syndicate.build.workers import story_files

        previous = self.state.previous(source.name)
        if previous is None:
            if left_out:
                self.unpublished.append(source.name)
            return False
        text_key, record = previous
        if record.summary.draft and not self.settings.drafts:
            # A draft a preview with --drafts showed as released: no last published version.
            if left_out:
                self.unpublished.append(source.name)
            return False
        visible = record.summary.is_visible(self.settings.now)
        keys = self._units(record.key, visible)
        units = [self._held_files(key) for key in keys]
        story = None
        if any(unit is None for unit in units):
            if gone:  # made again, it would read the images of a folder that is gone
                return False
            story = self.state.model(record.key)
            if story is None:
                self.held.warning(
                    "export.held",
                    "its last published version cannot be kept (the build state no longer"
                    " has it): left out of this run's files",
                    shown_path(source.folder) if source.folder else source.name,
                )
                if left_out:
                    self.lost.append(source.name)
                return False
        twins = Twins()  # a photo in several formats' folders is written once
        used = list(keys)
        for index, (writer, unit, kept) in enumerate(zip(self.writers, keys, units, strict=True)):
            if kept is not None:
                sink.reuse(writer, kept)
                continue
            assert story is not None, "a story whose units are missing is loaded above"
            made = story_files(writer, story, self.settings)
            paths = [f.path for f in made.files if sink.add(writer, f, twins)]
            self.problems.extend(made.diagnostics)
            # The unit's key is the record's, made under the languages of the run that read
            # the story: a run of some languages makes only theirs, which is not that work.
            # (Under the record's key, the next run of every language took them for all of it
            # and removed the other languages' files.) They are kept under a key of their own.
            if self.how.keep_others:
                used[index] = unit = digest(unit, "languages", *self.settings.languages)
            self._record_unit(unit, made, paths)
        self.state.record_story(text_key, record)
        self.read.append(_Story(source, record.key, record.summary, tuple(used)))
        self.kept.add(record.summary.slug)
        return True

    def _held_files(self, key: str) -> list[str] | None:
        """The files of the story's unit `key` when they are in out/ untouched, with those of
        the other languages a run of some languages kept beside it (its part, `_others`)."""
        unit = self.state.lookup(key)
        return None if unit is None else self._with_parts(unit)

    def _with_parts(self, unit: Unit) -> list[str] | None:
        """A unit's files and those of its parts (None when a part is not in the state)."""
        files = [*unit.paths]
        for part in unit.parts:
            found = self.state.lookup(part)
            if found is None:
                return None
            files += found.paths
        return files

    def _probe(self, source: StoryInput) -> _Probe:
        """Find the story's texts: by their files' signatures when the state has seen them so,
        else by reading and hashing them; and, if the state knows those texts, check the
        images they list."""
        # (a state with no signatures, `--force` or a first run, cannot find a folder by them)
        files = self.listed.pop(source.name, None)
        if files is None and self.state.has_signatures():
            files = source.listing()
        texts = self._signature(files)
        found = self.state.signed(texts) if texts else None
        if found is None:
            files = source.files()
            text_key = source.text_key(self.config_key, files)
            texts = self._signature(files)
            known = self.state.story(text_key)
            if known is None:
                return _Probe(text_key, texts=texts)
            found = text_key, known
        text_key, record = found
        if files is not None:
            if not files.unchanged(dict(record.images), dict(record.seen)):
                return _Probe(text_key, texts=texts)
            seen = tuple(sorted(files.seen.items()))
            if seen != record.seen or texts != record.texts:
                # signatures taken or moved: recorded for the next run
                record = replace(record, seen=seen, texts=texts)
        return _Probe(text_key, story_key(text_key, record.images), record, texts)

    def _signature(self, files: StoryFiles | None) -> str:
        """The folder's `signature_key`, "" when it has none (or is a story object)."""
        return (signature_key(self.config_key, files) or "") if files is not None else ""

    def _job(self, source: StoryInput, probe: _Probe) -> Job | None:
        from syndicate.build.workers import Job

        formats = tuple(w.name for w in self.writers)
        if probe.record is None or probe.key is None:
            last = self.state.previous(source.name)  # its texts changed: checks they passed
            if last is None:
                return Job(source, formats, self.config_key)
            memos = functools.partial(self._memos, last[1])
            return Job(source, formats, self.config_key, checked=last[1].checked, memos=memos)
        visible = probe.record.summary.is_visible(self.settings.now)
        units = self._units(probe.key, visible)
        missing = tuple(
            w.name
            for w, unit in zip(self.writers, units, strict=True)
            if self.state.lookup(unit) is None
        )
        if not missing:
            return None
        return Job(source, missing, self.config_key, probe.key, probe.record.checked)

    def _memos(self, record: StoryRecord) -> dict[str, dict[str, tuple[str, bytes]]]:
        """The memos of the story's last work (`Memo`) that this code may take back, by
        format, with their files' bytes (read as its job is sent: `Job.memos`)."""
        visible = record.summary.is_visible(self.settings.now)
        found: dict[str, dict[str, tuple[str, bytes]]] = {}
        for writer, unit in zip(self.writers, self._units(record.key, visible), strict=True):
            memos = self.state.memos(unit, self.stamp)
            if memos:
                found[writer.name] = memos
        return found

    def _record_unit(
        self, unit: str, made: Made, paths: Sequence[str], parts: Sequence[str] = ()
    ) -> None:
        """Record a unit this run made."""
        self.state.record(unit, paths, made.diagnostics, self.stamped(made.fragments), parts)

    def stamped(self, fragments: dict[str, bytes]) -> dict[str, bytes]:
        """A unit's fragments as the state keeps them: its memos stamped with the code that
        made them."""
        if not any(name.startswith(MEMO) for name in fragments):
            return fragments
        stamp = f"{self.stamp}\n".encode()
        return {
            name: stamp + data if name.startswith(MEMO) else data
            for name, data in fragments.items()
        }

    def _units(self, key: str, visible: bool) -> tuple[str, ...]:
        """The keys of a story's units in the run's formats (`_unit`), made once a run."""
        found = self.unit_keys.get((key, visible))
        if found is None:
            found = tuple(_unit(w, key, visible, self.site_inputs[w.name]) for w in self.writers)
            self.unit_keys[key, visible] = found
        return found

    def _record(self, probe: _Probe, done: Done | None) -> tuple[StoryRecord | None, Diagnostics]:
        """The story's record, from this run's reading or the state (None if unreadable), with
        what reading it reported."""
        found = Diagnostics()
        if done is None:
            assert probe.record is not None, "a story is read when the state does not know it"
            found.extend(probe.record.diagnostics)
            return probe.record, found
        found.extend(done.diagnostics)
        if done.summary is None:
            return None, found
        summary = done.summary.shared(self.state.shared)
        # The signatures the probe took name these texts only if the worker read the same.
        texts = probe.texts if done.text_key == probe.text_key else ""
        record = StoryRecord(
            summary, tuple(done.diagnostics), done.images, done.key, done.seen, texts, done.checked
        )
        return record, found

    def _keep(self, probe: _Probe, done: Done | None, record: StoryRecord) -> None:
        """Record a story of this run, under the keys of what its reading read."""
        if done is None:
            self.state.record_story(probe.text_key, record)
            return
        self.state.record_story(done.text_key, record, done.model)
        self.fresh.append((record.summary, done.digest, done.sources))

    def _check_histories(self) -> None:
        """Check the stories read anew against the history, once every story of the run is
        read: which folder gives which id is known only then."""
        last = {story.id: story for story in self.state.last_stories()}
        names = {story.summary.slug: story.input.name for story in self.read}
        broken: dict[str, tuple[Diagnostic, ...]] = {}
        # A folder giving the id another folder published (a story copied to start another):
        # the copy's own problem, as its errors would be, so the other stories go on.
        published = {ident: story.slug for ident, story in last.items()}
        copies = set()
        for story, problem in duplicate_ids([s.summary for s in self.read], published):
            self.input.add(problem)
            broken[names.get(story.slug, story.slug)] = (problem,)
            copies.add(story.slug)
        # Which folder gives each id: the copies' do not (else a copy sorting last said the
        # story "moved there", while its folder still holds it).
        given = {
            story.summary.id: story.summary.slug
            for story in self.read
            if story.summary.slug not in copies
        }
        self.ids = _Identities(last, given, dict(self.state.history))
        with self.input.recording() as once:
            for summary, digest, sources in self.fresh:
                if summary.slug in copies:
                    continue  # not the id's story: no history of its own to check
                with self.input.recording() as found:
                    self._check_history(summary, digest, sources)
                if any(d.severity == "error" or self.how.strict for d in found):
                    broken[names.get(summary.slug, summary.slug)] = tuple(found)
                    self.standing.pop(summary.id, None)  # (held, or stopping: not published)
        self.once += once
        # Its history is the story's own problem, as its errors are: with keep_going it keeps
        # its last published version; without, it is named among those that stopped the run.
        if broken and self.how.keep_going:
            raise _Hold(broken)
        self.stopped_by += [name for name in broken if name not in self.stopped_by]

    def _check_history(self, story: StorySummary, digest: str, sources: str = "") -> None:
        """A story read anew, against what the last build published of it: once released, a
        change of what it says or of its status needs a new version, and a version never goes
        down (partners de-duplicate on id and version: they would miss the change). `sources`
        is the key of its files (`inputs.sources_key`): what it says changed while they did
        not is another syndicate reading it (an upgrade), said so."""
        from syndicate.model.story import UNRELEASED

        last = self.ids.sent.get(story.id)
        stage = story.lifecycle(self.settings.now)
        released = stage not in UNRELEASED and self.how.releases
        if stage in ("killed", "withdrawn") and last is not None and last.status == "usable":
            self.killed.append(story.slug)
        if last is not None and last.released and story.version > last.version:
            self.versioned.append(story.slug)
        self._check_identity(story, released)
        refused = False
        if last is not None and last.released:
            # A version below the one partners hold, or a status changed within it, would
            # contradict them for good (the site saying one thing, partners another, a kill
            # never told): an error, said at every run until the version is raised.
            refused = refuses(story, last)
            check_version(story, digest, sources, last, self.input, lambda: self._moved(story))
        public = self.how.releases and (stage == "public" or (last is not None and last.public))
        if (
            stage in ("killed", "withdrawn")
            and not story.was_public()
            and last is not None
            and last.public
            and not untimed_kill(story)  # (no updated: the reader's kill-time says to set it)
        ):
            self.input.warning(
                "story.kill-time",
                f"updated ({said_at(story.updated, story.public_since)}) is before the story"
                f" reached the public ({said_at(story.public_since, story.updated)}), so it is"
                f" taken as {stage} before its"
                " release and announced nowhere public; but an earlier export published it:"
                " set updated to the time it was taken back",
                story.updated_source or story.source,
            )
        if stage in ("embargoed", "scheduled") and last is not None and last.public:
            self._warn_unreleased(story, stage)
        if stage in ("embargoed", "scheduled") and last is not None and last.shown:
            # Out of every public file, as a kill: a partial run widens. (Once: the history
            # then says it is not shown, where `public`, ever published, stays true.)
            self.killed.append(story.slug)
        if stage == "public" and last is not None and last.released and not last.public:
            # Released by this version, having reached partners only under embargo (or been
            # withheld then): a story taken back and put out, or an embargo lifted early (its
            # end removed or moved up; one that ran its course dates the story rightly).
            taken_back = last.status != "usable"
            if taken_back or self._embargo_moved_up(story):
                self._warn_release_time(story, taken_back=taken_back)
        if not refused and (last is None or story.version >= last.version):
            shown = self.how.releases and stage == "public"
            code = code_digest() if sources else ""
            published = Published(
                story.version, story.status, digest, released, public, shown, sources, code
            )
            self.state.record_history(story.id, published)

    def _note_sections(self) -> None:
        """Remember the section of each story public now, in each format of the run with
        section feeds (`Writer.section_feeds`) and each language of the run, and give each
        story's summary the sections it was public in before, language by language
        (`StorySummary.former_sections_for`): partners that had it in a section's feeds get
        its kill there, after it moved to another section.

        Only the build state knows where a story was: the sources say where it is now. It
        is kept across `--force`, so an incremental run writes what `--force` writes; a
        build without it (another out/ folder, the state deleted) knows only the section
        now. Each format and language knows what its own runs showed: a run of some formats
        or languages tells the others nothing (their feeds never had the story in that
        section), and the summary a format's collection reads has that format's former
        sections (`_own_summaries`); the one the others read, all the formats' together. A
        format's former sections of a story change only when a run of that format finds
        the story in another section than its last did, a change of the story's files, or
        the story in a language its feeds never had it in, a change of its files too, so a
        collection kept by the keys of its stories' units stays right."""
        formats = [w.name for w in self.writers if w.section_feeds]
        self.own_summaries = {name: {} for name in formats}
        shown_in = self.state.shown_in
        run = self.settings.languages
        # The languages a story may have and this run records nothing of.
        elsewhere = frozenset(self.settings.config.languages).difference(run)
        # Each run looks at every story of the archive. The state keeps one object for each
        # value of its sections (`BuildState._shape`): a story whose formats all know the
        # section it is in now, in each of its languages (nearly all of an archive's), costs
        # two lookups, and the first story of each shape and section pays for it, with no
        # visibility check, set or sort (`_steady`).
        steady: dict[tuple[int, str], frozenset[str] | bool] = {}
        for n, story in enumerate(self.read):
            summary = story.summary
            entry = shown_in.get(summary.id)
            if entry is not None:
                key = (id(entry), summary.section)
                known = steady.get(key)
                if known is None:  # (the state's shapes keep it: ids stay theirs)
                    known = steady[key] = self._steady(entry, summary.section, formats, elsewhere)
                if known is not True and known is not False:  # (some languages' own)
                    for variant in summary.variants:
                        if variant.lang not in known:
                            known = False
                            break
                if known is not False:
                    if summary.former_sections or summary.former_by_language:
                        summary = replace(summary, former_sections=(), former_by_language=())
                        self.read[n] = replace(story, summary=summary)
                    continue
            former, own = self._sections_of(summary, formats)
            if former != (summary.former_sections, summary.former_by_language):
                summary = replace(summary, former_sections=former[0], former_by_language=former[1])
                self.read[n] = replace(story, summary=summary)
            for name, (sections, by_language) in own.items():
                self.own_summaries[name][n] = replace(
                    summary, former_sections=sections, former_by_language=by_language
                )

    def _steady(
        self, entry: Shown, section: str, formats: Sequence[str], elsewhere: frozenset[str]
    ) -> frozenset[str] | bool:
        """Of the stories in `section` whose entry of the build state is `entry`: False if
        they were public in another section (in some format and language), else the
        languages in which none of them is recorded by this run (True: every language, every
        format of the run knowing the section in each): those that have no other are taken
        as they are, with no former section."""
        if any(name != section for listed in listed_in_entry(entry) for name in listed):
            return False
        if not self.how.releases:
            return True
        run = self.settings.languages
        known = [
            lang
            for lang in run
            if all(section in (shown_in_entry(entry, name, lang) or ()) for name in formats)
        ]
        return True if len(known) == len(run) else elsewhere.union(known)

    def _sections_of(
        self, summary: StorySummary, formats: Sequence[str]
    ) -> tuple[_Former, dict[str, _Former]]:
        """`_note_sections` of one story: the sections it was public in before, in every
        format together and in each of `formats` whose are not those (recorded, for each of
        the run's languages, with the section it is in now, where it is public)."""
        state, now = self.state, self.settings.now
        ident, section = summary.id, summary.section
        remembered = ident in state.shown_in
        # (a state written before it kept sections knows where the last build showed it)
        last = None if remembered else self.ids.last.get(ident)
        if last is not None:
            sent = self.ids.sent.get(ident)
            last = last if sent is not None and sent.shown else None
        # No run showed it (under embargo, withheld or canceled before its release): one
        # visibility check, as with one list for every format.
        if not remembered and last is None and not (self.how.releases and summary.is_visible(now)):
            return ((), ()), {}
        run = self.settings.languages
        languages = summary.languages
        shown_now: bool | None = None  # (looked at only when a section is new)
        own: dict[str, dict[str, tuple[str, ...]]] = {}
        for name in formats:
            mine = own[name] = {}
            for lang in languages:
                known = state.sections_shown(ident, name, lang) or ()
                before = known
                if last is not None and last.section not in before:
                    before = tuple(sorted({*before, last.section}))
                if section not in before and lang in run and self.how.releases:
                    if shown_now is None:
                        shown_now = summary.is_visible(now)
                    if shown_now:
                        before = tuple(sorted({*before, section}))
                if before is not known:
                    state.record_shown_in(ident, before, name, lang)
                mine[lang] = tuple(s for s in before if s != section)
        if not remembered and last is None and ident not in state.shown_in:
            # Shown first by this run, which recorded it in no feed (none of its formats has
            # section feeds, or none of its languages is the run's): the state knows it now,
            # in no section, so that no later run takes the section it is in for one their
            # feeds had it in (`last`, what a state kept before sections tells).
            state.record_shown_in(ident, ())
        entry = state.shown_in.get(ident)
        everywhere = {lang: set[str]() for lang in languages}
        for lang, found in everywhere.items():
            for by_language in own.values():
                found.update(by_language[lang])
            for other in _other_formats(entry, formats, lang):
                found.update(s for s in other if s != section)
        former = _former({lang: tuple(sorted(found)) for lang, found in everywhere.items()})
        theirs = {name: _former(by_language) for name, by_language in own.items()}
        return former, {name: mine for name, mine in theirs.items() if mine != former}

    def _own_summaries(
        self, writer: AnyWriter, summaries: list[StorySummary]
    ) -> list[StorySummary]:
        """`summaries` as the collection of `writer` reads them: with its own former sections
        where they are not those of every format (`_note_sections`)."""
        own = self.own_summaries.get(writer.name)
        if not own:
            return summaries
        mine = list(summaries)
        for n, summary in own.items():
            mine[n] = summary
        return mine

    def _standing(self, diags: Diagnostics) -> None:
        """The warnings an earlier run said of the version a story is still at, said again
        (`BuildState.standing`): `story.updated` is said by the run that finds the new
        version, and the version published with it stays so dated for partners until the
        next one; a run that did not find it (a cron job switched to `--strict` since) says
        it too, with `diags` (not as the story's own problem: what partners hold is not
        held back by holding the story; under `--strict`, exit status 3)."""
        start = len(diags)
        self._say_standing(diags, self.state.standing())
        self.standing_said = (start, len(diags))

    def _say_standing(self, diags: Diagnostics, before: object) -> None:
        """`_standing`'s work, of what the state saved (`before`)."""
        read = {story.summary.id: story.summary for story in self.read}
        for ident, entry in before.items() if isinstance(before, dict) else ():
            if ident in self.standing or not (isinstance(entry, list) and len(entry) == 4):
                continue
            version = entry[0]
            story = read.get(ident)
            if story is None:  # not read by this run (`--story` others): kept as it was
                if ident in self.ids.sent:
                    self.standing[ident] = entry
                continue
            if story.version != version or not self.how.releases:
                continue  # a later version: partners hold that one
            self.standing[ident] = entry
            diags.add(standing_said(entry))

    def _embargo_moved_up(self, story: StorySummary) -> bool:
        """Whether the story's embargo ends earlier than the last build read it (or no
        longer at all): lifted early by this version."""
        found = self.state.previous(story.slug)
        before = found[1].summary.embargo_until if found is not None else None
        if before is None:
            return False
        return story.embargo_until is None or story.embargo_until < before

    def _warn_unreleased(self, story: StorySummary, stage: str) -> None:
        """A story an earlier export published to the public, now under embargo or dated
        ahead again: every public channel drops it with no notice (a kill would leave one),
        while partners and readers keep what they had. Almost always a mistake of a date."""
        if stage == "embargoed" and story.embargo_until is not None:
            what = f"its embargo_until ({story.embargo_until.isoformat()})"
            undo = "remove embargo_until"
        else:
            what = f"its published ({story.published.isoformat()})"
            undo = "set published back to when it was published"
        self.input.warning(
            "story.unreleased",
            f"an earlier export published it, but {what} is after now: its pages, feed"
            " entries, books and sitemap entries leave out/ with no notice until then,"
            " and partners and readers keep what they had; if it went out too early, take it"
            f" back with status: withheld and a new version; if not, {undo}",
            story.release_source or story.source,
        )

    def _warn_release_time(self, story: StorySummary, *, taken_back: bool = True) -> None:
        """A story that reached partners only under embargo (or was taken back then:
        `taken_back`, withheld) and is released by a later version (the embargo lifted early,
        the story put out again): its dates still say it reached the public at its
        embargo's end (or its `published`), before this version was made. Every public
        channel would date it then: old news in the feeds, in no news sitemap, in the
        edition of a day it was not out."""
        since = story.public_since
        if since >= story.updated:
            return
        field = "embargo_until" if story.embargo_until == since else "published"
        what = (
            "a story taken back before it reached the public"
            if taken_back
            else "a story partners had under embargo (the embargo lifted early)"
        )
        if taken_back or story.embargo_until is not None:
            fix = f"set {field} to the time it is released"
        else:  # (`published` is when partners hold it as first created: left as it is)
            fix = "write embargo_until: the time it is released, rather than no embargo_until"
        self.input.warning(
            "story.release-time",
            f"version {story.version} releases {what}, but its {field} ({since.isoformat()})"
            " says it reached the public then,"
            f" before this version ({story.updated.isoformat()}): feeds, pages, news sitemaps"
            f" and editions would date it then, as old news; {fix}, in this version (changed"
            " later, it takes a new one)",
            story.release_source or story.version_source or story.source,
        )

    def _moved(self, story: StorySummary) -> tuple[bool, str | None]:
        """Whether the story's folder is another than the one its id was published from, and
        which (`history.moved_from`, `check_version`'s `moved`)."""
        return moved_from(self.ids.last, story, lambda name: self.state.previous(name) is not None)

    def _check_identity(self, story: StorySummary, released: bool) -> None:
        """A story the last build published (found by its id, in whatever folder) with a
        language it no longer has, and a folder published under another id: partners keep
        what they were sent, and nothing tells them otherwise."""
        self._check_id_changed(story)
        old = self.ids.last.get(story.id)
        if old is None:
            return
        if any(not story.has(lang) for lang in old.languages):
            self.dropped.append(story.slug)
        sent = self.ids.sent.get(story.id)
        if sent is None or not sent.released:
            return
        warned = len(self.input)
        check_updated(story, old, self.input)
        if len(self.input) > warned and self.how.releases:  # said of the version published
            said = list(self.input)[-1]
            self.standing[story.id] = [story.version, said.message, said.path, said.line]
        if not released or old.status != "usable":
            return
        for lang in old.languages:
            if not story.has(lang) and story.status != "usable":
                # A kill or withdrawal is said in the languages whose files are there: the
                # notice of the one gone would not reach its partners and readers.
                taken = "kill" if story.status == "canceled" else "withdrawal"
                self.input.warning(
                    "story.language-removed",
                    f"{lang}.md is gone in the version that takes the story back, but its"
                    f" version was published: the {lang} files leave out/ and the delivery"
                    f" targets with no notice of the {taken}, so {lang} partners and feed"
                    f" readers keep the story; put {lang}.md back (its text is not published"
                    " again, only the notice) until the notice has gone out",
                    story.source,
                )
            elif not story.has(lang):
                self.input.warning(
                    "story.language-removed",
                    f"{lang}.md is gone, but its version was published: its files leave out/"
                    " and the delivery targets, with no kill, so partners and feed readers"
                    f" keep it; to take the story back, set status: withheld or canceled"
                    f" with a new version; to correct the {lang} text, put {lang}.md back"
                    " corrected",
                    story.source,
                )
        if sent.public:
            self._check_added(story, old)
            self._check_first_published(story, old)

    def _check_added(self, story: StorySummary, old: StorySummary) -> None:
        """A language added to a story the public had, dated as the story: every channel
        would say the translation came out with the original, and news sitemaps (two days
        from the original) would not list it as news of its own."""
        site = self.settings.config.languages
        for lang in story.languages:
            if old.has(lang) or lang not in site or story.published_for(lang) > story.published:
                continue
            self.input.warning(
                "story.language-added",
                f"{lang}.md is new since version {old.version} was published, but has no"
                " published of its own: every channel dates this translation"
                f" {story.published.isoformat()}, as the original (news sitemaps list it only"
                " while the original is news). If it comes out now, give its front matter"
                " published: with that time, in this version (changed later, it moves the date"
                " partners hold); if it was published before and is put back, nothing is to be"
                " done (docs/sources.md)",
                _language_file(story, lang),
            )

    def _check_first_published(self, story: StorySummary, old: StorySummary) -> None:
        """A language the public had whose first publication time moved (its file's own
        `published` given, changed or removed): partners hold its items as first created at
        the old time, and every channel would date it anew, as news again."""
        for lang in old.languages:
            if not story.has(lang):
                continue
            before, after = old.published_for(lang), story.published_for(lang)
            own = old.variant(lang).published or story.variant(lang).published
            if before == after or own is None:
                continue  # (the story's own `published` moved: both moved with it)
            undo = (
                f"put back published: {before.isoformat()}"
                if old.variant(lang).published is not None
                else "remove its published: (it came out with the story)"
            )
            self.input.warning(
                "story.first-published",
                f"{lang}.md gives published: {after.isoformat()}, but its {lang} version first"
                f" came out {before.isoformat()}: partners hold it as first created then, and"
                f" feeds, sitemaps and wire items would date it anew, as news again; {undo}",
                _language_file(story, lang),
            )

    def _check_id_changed(self, story: StorySummary) -> None:
        """A folder that gives another id than the one it published, an id no folder of this
        run gives. The old id in another folder is a rename (`_moved`); and the new one
        moved in from another folder leaves the old one deleted (`_warn_deleted`)."""
        before = self.state.previous(story.slug)
        if before is None:
            return
        old = before[1].summary.id
        if old == story.id or old in self.ids.given or self.ids.moved(story) is not None:
            return
        sent = self.ids.sent.get(old)
        if sent is None or not sent.released:
            return
        back = self.ids.sent.get(story.id)
        if back is not None and back.released:  # put back, as the warning below says
            said = (
                f"the id is back to {story.id!r}, which was published before; {old!r},"
                " published from this folder since, stays with partners: to withdraw it,"
                f" publish once a story folder with id {old!r}, status: canceled and a"
                " new version"
            )
        elif (name := reserved_id(old)) is not None:  # (init's sample: as it asks)
            said = (
                f"the id changed from {old!r} to {story.id!r} since it was published: the old"
                f" one names {name}, {RESERVED_ID_MADE}; {RESERVED_ID_SENT}: if none was,"
                " no partner has it from syndicate, and if out/ reached readers otherwise"
                f" (copied to a web server), its feeds' readers keep {old!r} beside the new"
                " one; if one was, it keeps the old id and would hold two stories: put the"
                " id back"
            )
        else:
            said = (
                f"the id changed from {old!r} to {story.id!r} since it was published:"
                f" partners keep {old!r} and would hold two stories, the old one never"
                " withdrawn; put the id back (an id never changes), or cancel this story"
                " and publish the new id in a new story folder"
            )
        from syndicate.readers.articles import id_source

        self.input.warning("story.id-changed", said, id_source(story.source))

    def _stage_story(
        self, sink: Sink, summary: StorySummary, key: str, done: Done | None
    ) -> tuple[str, ...]:
        """Stage the story's files in every format; the keys of its units."""
        visible = summary.is_visible(self.settings.now)
        units = used = self._units(key, visible)
        twins = Twins()  # when the files come as bytes: a photo in several folders written once
        for index, (writer, unit) in enumerate(zip(self.writers, units, strict=True)):
            made = done.made.get(writer.name) if done else None
            if made is None:  # found intact when its job was planned (`_job`)
                kept = self.state.kept.get(unit) or self.state.lookup(unit)
                assert kept is not None, "a story without a job has all its units"
                sink.reuse(writer, kept.paths)
                self.problems.extend(kept.diagnostics)
                continue
            paths = [f.path for f in made.files if sink.add(writer, f, twins)]
            self.problems.extend(made.diagnostics)
            parts: tuple[str, ...] = ()
            if self.how.keep_others:
                others = self._others(summary.slug, index, paths)
                if others is None:  # not known: kept apart, as `_hold` keeps what it makes
                    unit = digest(unit, "languages", *self.settings.languages)
                    used = (*used[:index], unit, *used[index + 1 :])
                elif others:  # its own files are the run's languages'; its part, the others'
                    parts = (digest(unit, "other languages"),)
                    self.state.record(parts[0], others, ())
            self._record_unit(unit, made, paths, parts)
            self.timings[writer.name].seconds += made.seconds
        return used

    def _others(self, name: str, index: int, made: Sequence[str]) -> list[str] | None:
        """In a run of some languages, the files the story folder `name` had in the format
        `self.writers[index]` when last published that this run did not make (`made`): the
        run keeps its other languages' files as they are, and its unit holds them as its part,
        so that a later run that holds the story (`--story`, `--keep-going`) keeps every
        language's (`_hold`). (A unit of the run's languages alone, the story's whole work
        for the state, lost them: a run of every language after `--lang fr` that held the
        story staged its French files only and removed the others.) They are the files of
        the story's last unit in the format and of its part, all found as recorded; none for
        a story out/ has no file of. None when they are not known: the state has not that
        unit (a run of other formats, or `--force`, came between) or one of its files was
        changed. The unit is then kept apart (its key is the run's languages'), and a later
        run that holds the story makes it again from the story the state kept."""
        previous = self.state.previous(name)
        if previous is None:
            return None if self._has_files(name) else []
        record = previous[1]
        key = self._units(record.key, record.summary.is_visible(self.settings.now))[index]
        unit = self.state.kept.get(key) or self.state.lookup(key)
        last = None if unit is None else self._with_parts(unit)
        return None if last is None else sorted(set(last) - set(made))

    # Collections ----------------------------------------------------------------------------

    def _collections(self, sink: Sink, progress: Progress | None) -> None:
        """Each format's files over all the stories: reused while none of their units changed."""
        every = [s.summary for s in self.read]
        for index, writer in enumerate(self.writers, 1):
            if progress:
                progress(writer.name, index, len(self.writers))
            summaries = self._own_summaries(writer, every)
            units = [s.units[index - 1] for s in self.read]
            window = self._window(writer)
            reads = (self.config_key, self.site_inputs[writer.name])
            unit = digest(writer.name, "collection", *reads, *units, *window)
            kept = None if self.force else self.state.lookup(unit)
            listed = None
            if kept is None and lists_summaries(writer):
                # Its files say what the summaries say: an edit of a body leaves them as
                # they are. (Looked at only when a story changed: a summary's key costs.)
                keys = [self._summary_key(s) for s in summaries]
                listed = digest(writer.name, "listed", *reads, *keys, *window)
                kept = None if self.force else self.state.lookup(listed)
                if kept is not None:  # (`lookup` keeps a unit's parts, not theirs)
                    parts = (listed, *kept.parts)
                    self.state.record(unit, kept.paths, kept.diagnostics, parts=parts)
            if kept is not None:
                sink.reuse(writer, kept.paths)
                self.problems.extend(kept.diagnostics)
                continue
            start = time.perf_counter()
            diags = Diagnostics()
            recall = _Recall(self, units, summaries_only=lists_summaries(writer))
            ctx = replace(self.settings.context(writer, diags), recall=recall)
            kept_paths: list[str] = []
            made_of: list[str] = []
            made = functools.partial(writer.collection_files, summaries, ctx)
            produce = functools.partial(
                self._documents, writer, made, recall, diags, sink, (kept_paths, made_of)
            )
            paths = [*sink.run(writer, produce), *kept_paths]
            self.problems.extend(diags)
            if listed is not None:
                self.state.record(listed, paths, diags, parts=made_of)
                made_of.insert(0, listed)
            self.state.record(unit, paths, diags, parts=made_of)
            self.timings[writer.name].seconds += time.perf_counter() - start

    def _documents(
        self,
        writer: AnyWriter,
        produce: Callable[[], Iterable[OutputFile]],
        recall: _Recall,
        diags: Diagnostics,
        sink: Sink,
        found: tuple[list[str], list[str]],
    ) -> Iterator[OutputFile]:
        """The collection files of `writer` to stage: a `Planned` file whose inputs are those
        of a file published by an earlier run, still intact in out/, is kept as it is (its
        paths go to `found`'s first list, its problems reported again) instead of being made.
        The second list gets the key of every `Planned` file, kept with the collection."""
        kept_paths, parts = found
        for file in produce():
            if not isinstance(file, Planned):
                yield file
                continue
            key = self._document_key(writer, file, recall)
            parts.append(key)
            kept = self.state.lookup(key)
            if kept is not None and kept.paths == (file.path,):
                sink.reuse(writer, kept.paths)
                kept_paths.append(file.path)
                diags.extend(kept.diagnostics)
                continue
            with diags.recording() as reported:
                file.data  # made now, so that what making it reported is known  # noqa: B018
            self.state.record(key, [file.path], reported)
            yield file

    def _document_key(self, writer: AnyWriter, file: Planned, recall: _Recall) -> str:
        """The key of a `Planned` collection file's inputs (see `Planned`)."""
        now, window = self.settings.now, writer.window
        reads = (self.config_key, self.site_inputs[writer.name])
        parts = [writer.name, "document", *reads, file.path, file.key]
        parts.append(str(len(file.stories)))
        parts += [recall.units[story.slug] for story in file.stories]
        parts.append(str(len(file.summaries)))
        for story in file.summaries:
            parts.append(self._summary_key(story))
            # A story kept as last published lends fragments of the run that published it:
            # made under that run's configuration (its languages, base_url), they may differ
            # from what the summary makes now, so the file is of its unit until it is made
            # again (the next run that reads it is then a new key, and makes the file again).
            if story.slug in self.kept:
                parts.append(recall.units[story.slug])
        if window is not None:
            both = (*file.stories, *file.summaries)
            parts += [_in_window(writer, s, now) for s in both]
        return digest(*parts)

    def _summary_key(self, story: StorySummary) -> str:
        """What a summary says, with its visibility and stage at `now` (once a run)."""
        found = self.summary_keys.get(story.slug)
        if found is None or found[0] is not story:
            now = self.settings.now
            text = json.dumps(story.to_json(), sort_keys=True)
            key = digest(text, str(story.is_visible(now)), story.lifecycle(now))
            found = self.summary_keys[story.slug] = (story, key)
        return found[1]

    def _window(self, writer: AnyWriter) -> list[str]:
        """Which stories are inside the writer's time window at `now` (see `Writer.window`)."""
        if writer.window is None:
            return []
        now = self.settings.now
        return [_in_window(writer, s.summary, now) for s in self.read]

    def whole_story(self, summary: StorySummary) -> Story:
        """A story of this run: from the build state, or read again if the state lost it."""
        from syndicate.build.workers import read_input

        if self._indexed != len(self.read):  # indexed once: an edition asks for many stories
            for one in self.read[self._indexed :]:
                self._by_slug.setdefault(one.summary.slug, one)
            self._indexed = len(self.read)
        found = self._by_slug[summary.slug]
        story = self.state.model(found.key)
        if story is None:
            read = read_input(
                found.input,
                self.settings.config,
                self.config_key,
                Diagnostics(),
                drafts=self.settings.drafts,
            )
            if read.story is None or read.key != found.key:
                raise LookupError(f"{found.input.name} changed during the export; run it again")
            story = read.story
        return story


def _other_formats(
    entry: Shown | None, formats: Collection[str], lang: str
) -> Iterator[tuple[str, ...]]:
    """The sections a story's entry of the build state (`BuildState.shown_in`) gives the feeds
    of `lang` of the formats other than `formats`."""
    if isinstance(entry, tuple):
        yield entry
    elif entry is not None:
        for name in entry:
            if name not in formats:
                yield shown_in_entry(entry, name, lang) or ()


_Former = tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]
"""A story's former sections as its summary holds them (`StorySummary.former_sections` and
`former_by_language`)."""


def _former(by_language: Mapping[str, tuple[str, ...]]) -> _Former:
    """The former sections of a story, `by_language`, as its summary holds them: those of
    any language, and the languages whose are fewer."""
    every = tuple(sorted({name for sections in by_language.values() for name in sections}))
    fewer = tuple((lang, s) for lang, s in sorted(by_language.items()) if s != every)
    return every, fewer


def _format_reads(config: SiteConfig, writer: AnyWriter) -> str:
    """What `writer` reads besides the configuration and the stories: the site's files it
    declares (`site_inputs_digest`), and for a plugin its package's code, so that upgrading
    or editing it makes its files again (syndicate's own code is in every key already)."""
    reads = site_inputs_digest(config, writer.site_inputs)
    (package,) = plugin_packages([writer]) or ("",)
    return digest(reads, package, package_digest(package)) if package else reads


def _unit(writer: AnyWriter, key: str, visible: bool, site_inputs: str) -> str:
    """The key of a story's unit in a format: its inputs' key, what the format reads of the
    site beyond the configuration (`Writer.site_inputs`), and whether it is visible."""
    return digest(writer.name, "story", key, site_inputs, str(visible))


class _Recall:
    """What a format's collection step may ask of its stories (see `Context.fragment`); of a
    format that makes nothing of a story alone (`lists_summaries`), nothing."""

    def __init__(
        self, build: _Build, units: Sequence[str], *, summaries_only: bool = False
    ) -> None:
        self.build = build
        self.units = {s.summary.slug: unit for s, unit in zip(build.read, units, strict=True)}
        self.summaries_only = summaries_only

    def fragment(self, writer: str, story: StorySummary, name: str) -> bytes:
        from syndicate.build.workers import story_files

        unit = self.units[story.slug]
        data = self.build.state.fragment(unit, name)
        if data is None:  # the state lost it: made again from the story, and kept
            made = story_files(
                self.build.settings.writers[writer],
                self.build.whole_story(story),
                self.build.settings,
            )
            kept = self.build.state.kept[unit]
            fragments = self.build.stamped(made.fragments)
            self.build.state.record(unit, kept.paths, kept.diagnostics, fragments, kept.parts)
            data = made.fragments.get(name)
        if data is None:
            raise LookupError(f"{writer} made no fragment {name!r} of {story.slug}")
        return data

    def fragments(self, writer: str, stories: Sequence[StorySummary], name: str) -> list[bytes]:
        found = self.build.state.fragments([self.units[s.slug] for s in stories], name)
        datas = []
        for story in stories:
            data = found.get(self.units[story.slug])
            datas.append(self.fragment(writer, story, name) if data is None else data)
        return datas

    def story(self, story: StorySummary) -> Story:
        if self.summaries_only:
            raise LookupError(
                "a format without story_files reads only the summaries of its stories"
            )
        return self.build.whole_story(story)
