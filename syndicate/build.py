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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from syndicate.config import SiteConfig
from syndicate.diagnostics import Diagnostic, Diagnostics
from syndicate.export import ExportResult, Progress, Sink, make_context
from syndicate.manifest import (
    AbstractStore,
    Manifest,
    StoryCache,
    StoryFacts,
    cache_folder,
    config_digest,
    digest,
    story_digest,
)
from syndicate.model import Story
from syndicate.output import LOCK_NAME, OutputError, Staging, locked
from syndicate.readers.articles import check_collection, read_story, shown_path, story_folders
from syndicate.writers.base import AnyWriter, Context, OutputFile
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
    """One format's files of one story, its abstract, the problems reported, the seconds
    spent."""

    files: list[OutputFile]
    abstract: object | None
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


def _write_story(writer: AnyWriter, story: Story, settings: Settings) -> Made:
    start = time.perf_counter()
    diags = Diagnostics()
    ctx = make_context(writer, settings.config, settings.now, settings.languages, diags)
    try:
        files = list(writer.write_story(story, ctx))
        abstract = writer.abstract(story, ctx)
    except Exception as exc:  # reported, and the run publishes nothing
        log.debug("writer %s failed on %s", writer.name, story.slug, exc_info=True)
        diags.error("writer.failed", f"the {writer.name} writer failed: {exc!r}")
        files, abstract = [], None
    return Made(files, abstract, list(diags), time.perf_counter() - start)


@dataclass(frozen=True, slots=True)
class _Read:
    """A story of this run as the collections see it: where it is and the key of its inputs."""

    folder: Path
    key: str
    facts: StoryFacts


class Builder:
    """One incremental export run, inside out/'s lock.

    The stories are read (in worker processes) only when new or changed; what the collection
    files need of each story is its abstract per format, kept on disk beside out/, and loaded
    one format at a time, so memory holds one format's abstracts, never the stories."""

    def __init__(
        self,
        writers: Sequence[AnyWriter],
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
        self.abstracts = AbstractStore(out)
        self.read: list[_Read] = []
        self.diags = Diagnostics()
        self.seen: set[Diagnostic] = set()
        self.input = Diagnostics()
        self.timings = {w.name: Timing() for w in writers}

    def stories(
        self, sink: Sink, folders: Sequence[Path], jobs: int, progress: Progress | None = None
    ) -> list[StoryFacts]:
        """Read every new or changed story and stage the files of every story; the facts of
        the stories read, in folder order."""
        keys = [story_digest(folder, self.config_key) for folder in folders]
        known = [None if self.force else self.manifest.story(key) for key in keys]
        todo = [self._job(f, k, c) for f, k, c in zip(folders, keys, known, strict=True)]
        done = _map([job for job in todo if job], jobs, self.settings)
        for index, (folder, key, facts, job) in enumerate(
            zip(folders, keys, known, todo, strict=True), 1
        ):
            result = next(done) if job else None
            if progress:
                progress("stories", index, len(folders))
            facts = self._facts(key, facts, result)
            if facts is not None:
                self._stage_story(sink, facts, key, result)
                self.read.append(_Read(folder, key, facts))
        return [r.facts for r in self.read]

    def _job(self, folder: Path, key: str, facts: StoryFacts | None) -> Job | None:
        if facts is None:
            return Job(folder, tuple(w.name for w in self.per_story))
        visible = facts.is_visible(self.settings.now)
        missing = tuple(
            w.name
            for w in self.per_story
            if self.manifest.lookup(self.out, self._story_key(w, key, visible)) is None
        )
        return Job(folder, missing) if missing else None

    def _facts(self, key: str, known: StoryFacts | None, done: Done | None) -> StoryFacts | None:
        """The story's facts, from this run's reading or the manifest; None if unreadable."""
        if done is None:
            assert known is not None, "a story is read when the manifest does not know it"
            facts = known
        elif done.story is None:
            for problem in done.diagnostics:
                self.input.add(problem)
            return None
        else:
            facts = StoryFacts.of(done.story, done.diagnostics)
            if known is None:
                self.cache.save(key, done.story)
        for problem in facts.diagnostics:
            self.input.add(problem)
        self.manifest.record_story(key, facts)
        return facts

    def _stage_story(self, sink: Sink, facts: StoryFacts, key: str, done: Done | None) -> None:
        visible = facts.is_visible(self.settings.now)
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
            if made.abstract is not None:
                self.abstracts.save(unit, made.abstract)
            abstract = made.abstract is not None
            self.manifest.record(unit, paths, made.diagnostics, abstract=abstract)
            self.timings[writer.name].seconds += made.seconds

    def collections(self, sink: Sink, progress: Progress | None = None) -> None:
        """Each format's files over all the stories: reused while no story changed."""
        now = self.settings.now
        recall = self._recall()
        for index, writer in enumerate(self.writers, 1):
            if progress:
                progress(writer.name, index, len(self.writers))
            units = [self._story_key(writer, r.key, r.facts.is_visible(now)) for r in self.read]
            unit = digest(writer.name, "collection", self.config_key, *units)
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
            ctx = replace(ctx, recall=recall)
            if writer.per_story:
                abstracts = self._abstracts(writer, units, ctx)
                produce = functools.partial(writer.write_collection, abstracts, ctx)
            else:
                stories = [ctx.story(r.facts.slug) for r in self.read]
                produce = functools.partial(writer.write, stories, ctx)
            paths = sink.run(writer, produce)
            self._report(diags)
            self.manifest.record(unit, paths, diags)
            self.timings[writer.name].seconds += time.perf_counter() - start
        for writer in self.writers:
            self.timings[writer.name].files = sink.counts.get(writer.name, 0)

    def _abstracts(self, writer: AnyWriter, units: Sequence[str], ctx: Context) -> list[object]:
        """The writer's abstracts of the stories, in story order, from the disk; one that is
        missing there is made again from the story."""
        abstracts = []
        for read, unit in zip(self.read, units, strict=True):
            if not self.manifest.kept[unit].abstract:
                continue
            abstract = self.abstracts.load(unit)
            if abstract is None:
                abstract = writer.abstract(ctx.story(read.facts.slug), ctx)
                self.abstracts.save(unit, abstract)
            abstracts.append(abstract)
        return abstracts

    def _recall(self) -> Callable[[str], Story]:
        """A story of this run by slug: from the story cache, or read again."""
        by_slug = {r.facts.slug: r for r in self.read}

        def recall(slug: str) -> Story:
            read = by_slug[slug]
            story = self.cache.load(read.key)
            if story is None:
                story = read_story(read.folder, self.settings.config, Diagnostics())
                if story is None:
                    raise LookupError(f"{read.folder} cannot be read again")
                self.cache.save(read.key, story)
            return story

        return recall

    def finish(self) -> None:
        """Save the manifest of this published run and forget what it no longer needs."""
        self.manifest.save(self.out)
        self.cache.prune(r.key for r in self.read)
        self.abstracts.prune(k for k, unit in self.manifest.kept.items() if unit.abstract)

    def _story_key(self, writer: AnyWriter, key: str, visible: bool) -> str:
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
    writers: Sequence[AnyWriter],
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
            stories = builder.stories(sink, folders, jobs, progress)
            check_collection(stories, articles, builder.input)
            diags.extend(builder.input)
            run.stories = len(stories)
            if builder.input.has_errors(strict=strict) or diags.errors:
                run.input_errors = True
                return run
            builder.collections(sink, progress)
            diags.extend(builder.diags)
            run.timings = builder.timings
            if diags.errors:
                return run
            folders_out = sorted({f for w in writers for f in w.owned_folders()})
            report = staging.commit(folders_out, keep_others=not all_languages)
            builder.finish()
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
