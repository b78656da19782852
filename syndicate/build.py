"""`syndicate export` on an articles folder: incremental (the manifest says which stories and
formats must be redone) and parallel (each story's work is a pure function of its folder and the
run's settings, mapped over a process pool); files are staged as they come, published at the end."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from syndicate.config import SiteConfig
from syndicate.diagnostics import Diagnostic, Diagnostics
from syndicate.export import ExportResult, Progress, Sink, make_context
from syndicate.manifest import (
    Manifest,
    StoryCache,
    cache_folder,
    config_digest,
    digest,
    story_digest,
)
from syndicate.model import Story
from syndicate.output import LOCK_NAME, OutputError, Staging, locked
from syndicate.readers.articles import check_collection, read_story, shown_path, story_folders
from syndicate.writers.base import OutputFile, Writer
from syndicate.writers.registry import default_registry

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settings:
    """What every story's work depends on besides the story."""

    config: SiteConfig
    now: datetime
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Job:
    """One story's work: read its folder, then write its files in `formats`."""

    folder: Path
    formats: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Made:
    """One format's files of one story, the problems reported, the seconds spent."""

    files: list[OutputFile]
    diagnostics: list[Diagnostic]
    seconds: float


@dataclass(frozen=True, slots=True)
class Done:
    story: Story | None
    diagnostics: list[Diagnostic]
    made: dict[str, Made]


@dataclass
class Timing:
    seconds: float = 0.0
    files: int = 0


@dataclass
class Run:
    """The outcome: `result` is None when nothing was published."""

    result: ExportResult | None = None
    stories: int = 0
    input_errors: bool = False
    timings: dict[str, Timing] = field(default_factory=dict)


_settings: Settings | None = None
_PR_SET_PDEATHSIG = 1


def _init_worker(settings: Settings) -> None:
    global _settings
    _settings = settings


def _init_pool_worker(settings: Settings) -> None:
    """A worker process ends with the export that started it, even when that one is killed."""
    _init_worker(settings)
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the export died before the line above
        os._exit(1)


def do_job(job: Job) -> Done:
    """The pure per-story function: same folder and settings, same result."""
    assert _settings is not None, "_init_worker sets the run's settings"
    settings = _settings
    diags = Diagnostics()
    story = read_story(job.folder, settings.config, diags)
    made: dict[str, Made] = {}
    if story is not None:
        registry = default_registry()
        for name in job.formats:
            made[name] = _write_story(registry.get(name), story, settings)
    return Done(story, list(diags), made)


def _write_story(writer: Writer, story: Story, settings: Settings) -> Made:
    start = time.perf_counter()
    diags = Diagnostics()
    ctx = make_context(writer, settings.config, settings.now, settings.languages, diags)
    try:
        files = list(writer.write_story(story, ctx))
    except Exception as exc:  # reported, and the run publishes nothing
        log.debug("writer %s failed on %s", writer.name, story.slug, exc_info=True)
        diags.error("writer.failed", f"the {writer.name} writer failed: {exc!r}")
        files = []
    return Made(files, list(diags), time.perf_counter() - start)


class Builder:
    """One incremental export run, inside out/'s lock."""

    def __init__(
        self,
        writers: Sequence[Writer],
        settings: Settings,
        config_key: str,
        out: Path,
        *,
        force: bool,
    ) -> None:
        self.writers = writers
        self.per_story = [w for w in writers if w.per_story]
        self.settings = settings
        self.config_key = config_key
        self.out = out
        self.force = force
        self.manifest = Manifest({}, {}) if force else Manifest.load(out)
        self.cache = StoryCache(out)
        self.diags = Diagnostics()
        self.seen: set[Diagnostic] = set()
        self.input = Diagnostics()
        self.timings = {w.name: Timing() for w in writers}

    def stories(
        self, sink: Sink, folders: Sequence[Path], jobs: int, progress: Progress | None = None
    ) -> list[tuple[Story, str]]:
        """Read (or recall) every story and stage its files; the stories in folder order, with
        the digests of their inputs."""
        keys = [story_digest(folder, self.config_key) for folder in folders]
        cached = [None if self.force else self.cache.load(key) for key in keys]
        todo = [self._job(f, k, c) for f, k, c in zip(folders, keys, cached, strict=True)]
        done = _map([job for job in todo if job], jobs, self.settings)
        stories = []
        for index, (key, recalled, job) in enumerate(zip(keys, cached, todo, strict=True), 1):
            result = next(done) if job else None
            if progress:
                progress("stories", index, len(folders))
            story = self._story(key, recalled, result)
            if story is not None:
                self._stage_story(sink, story, key, result)
                stories.append((story, key))
        self.cache.prune()
        return stories

    def _job(
        self, folder: Path, key: str, cached: tuple[Story, tuple[Diagnostic, ...]] | None
    ) -> Job | None:
        if cached is None:
            return Job(folder, tuple(w.name for w in self.per_story))
        visible = cached[0].is_visible(self.settings.now)
        missing = tuple(
            w.name
            for w in self.per_story
            if self.manifest.lookup(self.out, self._story_key(w, key, visible)) is None
        )
        return Job(folder, missing) if missing else None

    def _story(
        self, key: str, cached: tuple[Story, tuple[Diagnostic, ...]] | None, done: Done | None
    ) -> Story | None:
        story: Story | None = None
        problems: tuple[Diagnostic, ...] = ()
        if cached is not None:
            story, problems = cached
        elif done is not None:
            story, problems = done.story, tuple(done.diagnostics)
            if story is not None and not any(p.severity == "error" for p in problems):
                self.cache.save(key, story, problems)
        for problem in problems:
            self.input.add(problem)
        return story

    def _stage_story(self, sink: Sink, story: Story, key: str, done: Done | None) -> None:
        visible = story.is_visible(self.settings.now)
        for writer in self.per_story:
            unit = self._story_key(writer, key, visible)
            made = done.made.get(writer.name) if done else None
            if made is None:
                recalled = self.manifest.lookup(self.out, unit)
                assert recalled is not None, "a story without a job has all its units"
                sink.reuse(writer, recalled.paths)
                self._report(recalled.diagnostics)
                continue
            paths = [f.path for f in made.files if sink.add(writer, f)]
            self._report(made.diagnostics)
            self.manifest.record(unit, paths, made.diagnostics)
            self.timings[writer.name].seconds += made.seconds

    def collections(
        self,
        sink: Sink,
        stories: Sequence[Story],
        keys: Sequence[str],
        progress: Progress | None = None,
    ) -> None:
        """Each format's files over all the stories: reused while no story changed."""
        for index, writer in enumerate(self.writers, 1):
            if progress:
                progress(writer.name, index, len(self.writers))
            unit = digest(writer.name, "collection", self.config_key, *keys)
            recalled = None if self.force else self.manifest.lookup(self.out, unit)
            if recalled is not None:
                sink.reuse(writer, recalled.paths)
                self._report(recalled.diagnostics)
                continue
            start = time.perf_counter()
            diags = Diagnostics()
            ctx = make_context(
                writer, self.settings.config, self.settings.now, self.settings.languages, diags
            )
            produce = writer.write_collection if writer.per_story else writer.write
            paths = sink.run(writer, functools.partial(produce, stories, ctx))
            self._report(diags)
            self.manifest.record(unit, paths, diags)
            self.timings[writer.name].seconds += time.perf_counter() - start
        for writer in self.writers:
            self.timings[writer.name].files = sink.counts.get(writer.name, 0)

    def _story_key(self, writer: Writer, key: str, visible: bool) -> str:
        return digest(writer.name, "story", key, str(visible))

    def _report(self, problems: Iterable[Diagnostic]) -> None:
        """Once each: the JSON-LD and HTML formats both warn about a long headline."""
        for problem in problems:
            if problem not in self.seen:
                self.diags.add(problem)
                self.seen.add(problem)


def _map(jobs: Sequence[Job], processes: int, settings: Settings) -> Iterator[Done]:
    """The jobs' results in order, from `processes` worker processes (or this one)."""
    if processes <= 1 or len(jobs) < 2:
        _init_worker(settings)
        yield from map(do_job, jobs)
        return
    # Spawned, not forked: a forked worker would inherit out/'s lock and, if this process were
    # killed, keep holding it.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_init_pool_worker, initargs=(settings,)
    ) as pool:
        yield from pool.map(do_job, jobs, chunksize=4)


def export_articles(
    *,
    writers: Sequence[Writer],
    articles: Path,
    config: SiteConfig,
    config_file: Path,
    out: Path,
    now: datetime,
    languages: tuple[str, ...],
    all_languages: bool,
    diags: Diagnostics,
    jobs: int = 1,
    force: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> Run:
    """Read `articles` and publish the writers' files into `out`, redoing only what changed."""
    run = Run(timings={w.name: Timing() for w in writers})
    if not articles.is_dir():
        diags.error(
            "articles.missing",
            f"no articles folder at {shown_path(articles)}; pass --articles DIR",
            shown_path(articles),
        )
        run.input_errors = True
        return run
    folders = _story_folders(articles, diags)
    settings = Settings(config, now, languages)
    builder = Builder(
        writers, settings, config_digest(config_file, config, languages), out, force=force
    )
    try:
        with locked(out, cache_folder(out) / LOCK_NAME), Staging(out) as staging:
            sink = Sink(staging, builder.diags)
            read = builder.stories(sink, folders, jobs, progress)
            stories = [story for story, _ in read]
            check_collection(stories, articles, builder.input)
            diags.extend(builder.input)
            run.stories = len(stories)
            if builder.input.has_errors(strict=strict) or diags.errors:
                run.input_errors = True
                return run
            keys = [digest(key, str(story.is_visible(now))) for story, key in read]
            builder.collections(sink, stories, keys, progress)
            diags.extend(builder.diags)
            run.timings = builder.timings
            if diags.errors:
                return run
            folders_out = sorted({f for w in writers for f in w.owned_folders()})
            report = staging.commit(folders_out, keep_others=not all_languages)
            builder.manifest.save(out)
    except OutputError as exc:
        diags.error("output.write", str(exc), str(out))
        return run
    run.result = ExportResult(sink.files, report.written, report.unchanged, report.removed)
    return run


def _story_folders(articles: Path, diags: Diagnostics) -> list[Path]:
    root = articles.resolve()
    folders = []
    for folder in story_folders(articles):
        if folder.resolve().is_relative_to(root):
            folders.append(folder)
        else:
            diags.error(
                "story.outside",
                "story folder is a link to a place outside the articles folder",
                shown_path(folder),
            )
    return folders
