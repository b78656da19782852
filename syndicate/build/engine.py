"""The build engine: `export`, the one entry point of a build for the CLI, the tests and the
Python API. It reads the stories (in worker processes, only the new and changed ones), runs each
format's `story_files` on them, then each format's `collection_files` over the stories'
summaries, stages every file as it comes and publishes out/ atomically at the end. All the
bookkeeping (what changed, what can be reused, fragments, whole stories) is here, so writers
stay pure functions."""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from syndicate.build.inputs import (
    StoryInput,
    code_digest,
    config_digest,
    digest,
    folder_inputs,
    story_key,
)
from syndicate.build.publish import (
    LOCK_NAME,
    ForeignFiles,
    OutputError,
    PublishReport,
    Staging,
    deferred_signals,
    locked,
    recover,
    remove_leftovers,
)
from syndicate.build.sink import Sink
from syndicate.build.state import (
    CACHE_NAME,
    BuildState,
    Published,
    StoryRecord,
    prepare_cache,
    state_folder,
)
from syndicate.build.workers import Done, Job, Settings, read_input, run_jobs, story_files
from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import AnyWriter, within
from syndicate.formats.options import resolve_options
from syndicate.formats.registry import PluginError, Registry, UnknownFormat, default_registry
from syndicate.model import SiteConfig, Story, StorySummary
from syndicate.readers.articles import check_collection, shown_path
from syndicate.readers.config import load_config

Progress = Callable[[str, int, int], None]
"""Told what a run is doing: (step, done, total), e.g. ("stories", 120, 2000) or ("atom", 1, 1)."""
Status = Literal["exported", "input-errors", "failed"]
CACHE_ENV = "SYNDICATE_CACHE_DIR"


class Interrupted(KeyboardInterrupt):
    """A build stopped by Ctrl-C or SIGTERM; `published` says whether out/ already held its
    files (interrupts wait while folders are swapped, so it is one or the other)."""

    def __init__(self, published: bool) -> None:
        super().__init__()
        self.published = published

    def __str__(self) -> str:
        if self.published:
            return "interrupted after publishing: out/ holds this run's output"
        return "interrupted; out/ is unchanged"


@dataclass
class Timing:
    seconds: float = 0.0
    """Spent in the format's writer, summed over the worker processes."""
    files: int = 0


@dataclass
class ExportResult:
    """What a build did. `status`: `exported` (out/ holds the new files), `input-errors` (a
    problem in the input or the request: nothing written) or `failed` (an output could not be
    made or written: out/ keeps its previous content). Every problem is in `diagnostics`."""

    status: Status
    diagnostics: Diagnostics
    formats: tuple[str, ...] = ()
    stories: int = 0
    files: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    timings: dict[str, Timing] = field(default_factory=dict)
    writers: tuple[AnyWriter, ...] = ()
    """The formats written (a site's own partner profiles included)."""


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
    force: bool = False,
    strict: bool = False,
    registry: Registry | None = None,
    diagnostics: Diagnostics | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Publish stories into `out` in `formats` (names from the registry, or `all`).

    The stories are the folders under `articles` (default `articles/`), or `stories` already
    built. `config` is the path of `syndicate.yaml` or a loaded configuration. `languages`
    limits the run to some of the site's languages (files of the others already in `out` are
    kept); `now` is the time embargoes and feeds are judged at (default: the clock). Only what
    changed since the last build into `out` is redone, unless `force`; `jobs` worker processes
    share the stories. With `strict`, warnings count as errors. The build state is kept in
    `cache` (see `cache_folder`)."""
    diags = diagnostics if diagnostics is not None else Diagnostics()
    site = _site(config, diags)
    registry = registry or default_registry()
    if site is not None:  # the site's own partner profiles are formats too
        registry = registry.for_site(site, diags)
    names = _format_names(formats, registry, diags)
    writers = _writers(names, registry, diags)
    if writers is None or site is None:
        return ExportResult("input-errors", diags, names)
    options = resolve_options(writers, site, diags, every_section=False)
    chosen = _languages(languages, site, diags)
    if options is None or diags.has_errors(strict=strict):
        return ExportResult("input-errors", diags, names)
    if stories is None:
        articles = articles or Path("articles")
        if not articles.is_dir():
            where = shown_path(articles)
            diags.error(
                "articles.missing", f"no articles folder at {where}; pass --articles DIR", where
            )
            return ExportResult("input-errors", diags, names)
        inputs = folder_inputs(articles, diags)
    else:
        inputs = [StoryInput(story=story) for story in stories]
    settings = Settings(
        site, now or datetime.now(UTC), chosen, {w.name: w for w in writers}, options
    )
    key = _config_key(config, site, chosen)
    state = state_folder(out, cache or cache_folder(config, out))
    build = _Build(writers, settings, key, out, state, inputs, force=force)
    return build.run(
        diags,
        articles if stories is None else None,
        jobs=max(1, jobs),
        keep_others=languages is not None,
        strict=strict,
        progress=progress,
    )


def cache_folder(config: Path | SiteConfig, out: Path) -> Path:
    """Where a site keeps its build state: the folder named by the environment variable
    SYNDICATE_CACHE_DIR if set (a CI cache volume), else `.syndicate/` beside syndicate.yaml
    (beside out/ when the configuration is given as an object)."""
    if chosen := os.environ.get(CACHE_ENV):
        return Path(chosen)
    base = config.parent if isinstance(config, Path) else out.resolve().parent
    return base / CACHE_NAME


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
        if recover(out, journal):
            diags.warning(
                "output.recovered",
                "the last export was stopped while it published; its output is now complete",
                str(out),
            )
        else:
            diags.warning(
                "output.recovered",
                "the last export was stopped while it published, and its staged files are"
                " gone: out/ may mix two runs until this export rebuilds it",
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
    if "all" in formats:
        return registry.defaults
    for name in formats:
        if name not in registry.names:
            diags.error("export.format", registry.unknown_message(name))
    return tuple(dict.fromkeys(formats))


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


def _site(config: Path | SiteConfig, diags: Diagnostics) -> SiteConfig | None:
    if isinstance(config, SiteConfig):
        return config
    return load_config(config, str(config), diags)


def _languages(
    languages: Sequence[str] | None, site: SiteConfig, diags: Diagnostics
) -> tuple[str, ...]:
    for tag in languages or ():
        if tag not in site.languages:
            diags.error(
                "export.language",
                f"--lang {tag}: not one of the site's languages ({', '.join(site.languages)})",
            )
    return tuple(dict.fromkeys(languages)) if languages else site.languages


def _config_key(config: Path | SiteConfig, site: SiteConfig, languages: Sequence[str]) -> str:
    if isinstance(config, Path):
        return config_digest(config, site, languages)
    return digest(code_digest(), repr(site), *languages)


@dataclass(frozen=True, slots=True)
class _Probe:
    """What the engine found of a story before any work: the key of its texts as they are
    now, and, when the state knows those texts and their images are unchanged, its record
    and the key of all its inputs."""

    text_key: str
    key: str | None = None
    record: StoryRecord | None = None


@dataclass(frozen=True, slots=True)
class _Story:
    """A story of this run as the collections see it: its input, inputs' key and summary."""

    input: StoryInput
    key: str
    summary: StorySummary


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
        *,
        force: bool,
    ) -> None:
        self.writers = writers
        self.settings = settings
        self.config_key = config_key
        self.out = out
        self.state_folder = state_folder
        self.published = False
        self.inputs = inputs
        self.force = force
        self.read: list[_Story] = []
        self.problems = Diagnostics()
        """What the writers reported."""
        self.input = Diagnostics()
        """What reading the stories reported."""
        self.timings = {w.name: Timing() for w in writers}
        self.state: BuildState

    def run(
        self,
        diags: Diagnostics,
        articles: Path | None,
        *,
        jobs: int,
        keep_others: bool,
        strict: bool,
        progress: Progress | None,
    ) -> ExportResult:
        try:
            return self._run(diags, articles, jobs, keep_others, strict, progress)
        except KeyboardInterrupt:
            raise Interrupted(self.published) from None

    def _run(
        self,
        diags: Diagnostics,
        articles: Path | None,
        jobs: int,
        keep_others: bool,
        strict: bool,
        progress: Progress | None,
    ) -> ExportResult:
        names = tuple(w.name for w in self.writers)
        try:
            prepare_cache(self.state_folder.parent.parent)
            with locked(self.out, self.state_folder / LOCK_NAME):
                self.state = BuildState(self.out, self.state_folder, fresh=self.force)
                try:
                    _settle(self.out, self.state, diags)
                    with Staging(self.out, self.state.owned) as staging:
                        sink = Sink(staging, self.problems)
                        self._stories(sink, jobs, progress)
                        summaries = [s.summary for s in self.read]
                        check_collection(summaries, articles, self.input)
                        diags.extend(self.input)
                        if self.input.has_errors(strict=strict) or diags.errors:
                            return ExportResult("input-errors", diags, names, len(self.read))
                        self._collections(sink, progress)
                        diags.extend(self.problems)
                        if diags.errors:
                            return ExportResult("failed", diags, names, len(self.read))
                        report = self._publish(staging, keep_others)
                finally:
                    self.state.close()
        except ForeignFiles as exc:
            for path in exc.paths:
                diags.error(
                    "output.foreign",
                    "this file was not written by syndicate, and this run would replace it:"
                    " move it out of the way (or delete it, if it is an old output); nothing"
                    " was published",
                    str(self.out / path),
                )
            return ExportResult("failed", diags, names, len(self.read))
        except OutputError as exc:
            diags.error("output.write", str(exc), str(self.out))
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
            tuple(self.writers),
        )

    def _publish(self, staging: Staging, keep_others: bool) -> PublishReport:
        """Record the new output in the build state, with the journal of the swaps to make,
        in one transaction; then make them. A run stopped after the record is completed by the
        next one (`_settle`); one stopped before it leaves out/ and the state as they were."""
        folders = sorted({f for w in self.writers for f in w.owned_folders()})
        plan = staging.prepare(folders, keep_others=keep_others)
        journal = plan.journal() if plan.swaps else None
        try:
            self.state.save(plan.root(self.out), plan.owned, folders, journal)
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(
                f"cannot save the build state in {self.state_folder}: {exc}; the previous"
                " output is unchanged"
            ) from None
        with deferred_signals():  # an interrupt now arrives once this is all true
            staging.apply(plan)
            self.published = True
            if journal is not None:
                self.state.clear_pending()
        return plan.report

    # Stories --------------------------------------------------------------------------------

    def _stories(self, sink: Sink, jobs: int, progress: Progress | None) -> None:
        """Read every new or changed story and stage the files of every story."""
        probes = [self._probe(source) for source in self.inputs]
        todo = [self._job(source, probe) for source, probe in zip(self.inputs, probes, strict=True)]
        done = run_jobs([job for job in todo if job], jobs, self.settings)
        for index, (source, probe, job) in enumerate(
            zip(self.inputs, probes, todo, strict=True), 1
        ):
            result = next(done) if job else None
            if progress:
                progress("stories", index, len(self.inputs))
            record = self._record(probe, result)
            if record is not None:
                self._stage_story(sink, record.summary, record.key, result)
                self.read.append(_Story(source, record.key, record.summary))

    def _probe(self, source: StoryInput) -> _Probe:
        """Hash the story's texts (and, if the state knows them, the images they list)."""
        files = source.files()
        text_key = source.text_key(self.config_key, files)
        record = self.state.story(text_key)
        if record is None or (files is not None and not files.unchanged(dict(record.images))):
            return _Probe(text_key)
        return _Probe(text_key, story_key(text_key, record.images), record)

    def _job(self, source: StoryInput, probe: _Probe) -> Job | None:
        formats = tuple(w.name for w in self.writers)
        if probe.record is None or probe.key is None:
            return Job(source, formats, self.config_key)
        visible = probe.record.summary.is_visible(self.settings.now)
        missing = tuple(
            w.name
            for w in self.writers
            if self.state.lookup(self._unit(w, probe.key, visible)) is None
        )
        return Job(source, missing, self.config_key, probe.key) if missing else None

    def _record(self, probe: _Probe, done: Done | None) -> StoryRecord | None:
        """The story's record, from this run's reading or the state; None if unreadable. A
        story read in this run is recorded under the keys of what the reading read."""
        if done is None:
            assert probe.record is not None, "a story is read when the state does not know it"
            record = probe.record
            self.state.record_story(probe.text_key, record)
        elif done.summary is None:
            self.input.extend(done.diagnostics)
            return None
        else:
            record = StoryRecord(done.summary, tuple(done.diagnostics), done.images, done.key)
            self.state.record_story(done.text_key, record, done.model)
            self._check_history(done.summary, done.digest)
        self.input.extend(record.diagnostics)
        return record

    def _check_history(self, story: StorySummary, digest: str) -> None:
        """A story read anew, against what the last build published of it: once released, a
        change of what it says or of its status needs a new version, and a version never goes
        down (partners de-duplicate on id and version: they would miss the change)."""
        last = self.state.history.get(story.id)
        released = story.lifecycle(self.settings.now) != "draft"
        where = story.version_source or story.source
        if last is not None and last.released:
            if story.version < last.version:
                self.input.warning(
                    "story.version",
                    f"version went down from {last.version} to {story.version}; partners keep"
                    f" version {last.version}: give a version above it",
                    where,
                )
            elif story.version == last.version and (
                story.status != last.status or digest != last.digest
            ):
                what = "status" if story.status != last.status else "text or facts"
                self.input.warning(
                    "story.version",
                    f"the {what} changed since version {last.version} was published, but the"
                    f" version did not: set version: {last.version + 1}",
                    where,
                )
        if last is None or story.version >= last.version:
            self.state.record_history(
                story.id, Published(story.version, story.status, digest, released)
            )

    def _stage_story(self, sink: Sink, summary: StorySummary, key: str, done: Done | None) -> None:
        visible = summary.is_visible(self.settings.now)
        for writer in self.writers:
            unit = self._unit(writer, key, visible)
            made = done.made.get(writer.name) if done else None
            if made is None:
                kept = self.state.lookup(unit)
                assert kept is not None, "a story without a job has all its units"
                sink.reuse(writer, kept.paths)
                self.problems.extend(kept.diagnostics)
                continue
            paths = [f.path for f in made.files if sink.add(writer, f)]
            self.problems.extend(made.diagnostics)
            self.state.record(unit, paths, made.diagnostics, made.fragments)
            self.timings[writer.name].seconds += made.seconds

    def _unit(self, writer: AnyWriter, key: str, visible: bool) -> str:
        return digest(writer.name, "story", key, str(visible))

    # Collections ----------------------------------------------------------------------------

    def _collections(self, sink: Sink, progress: Progress | None) -> None:
        """Each format's files over all the stories: reused while none of their units changed."""
        now = self.settings.now
        summaries = [s.summary for s in self.read]
        for index, writer in enumerate(self.writers, 1):
            if progress:
                progress(writer.name, index, len(self.writers))
            units = [self._unit(writer, s.key, s.summary.is_visible(now)) for s in self.read]
            unit = digest(writer.name, "collection", self.config_key, *units, *self._window(writer))
            kept = None if self.force else self.state.lookup(unit)
            if kept is not None:
                sink.reuse(writer, kept.paths)
                self.problems.extend(kept.diagnostics)
                continue
            start = time.perf_counter()
            diags = Diagnostics()
            ctx = replace(self.settings.context(writer, diags), recall=_Recall(self, units))
            paths = sink.run(writer, functools.partial(writer.collection_files, summaries, ctx))
            self.problems.extend(diags)
            self.state.record(unit, paths, diags)
            self.timings[writer.name].seconds += time.perf_counter() - start

    def _window(self, writer: AnyWriter) -> list[str]:
        """Which stories are inside the writer's time window at `now` (see `Writer.window`)."""
        window, now = writer.window, self.settings.now
        if window is None:
            return []
        return [str(within(window, s.summary.published, now)) for s in self.read]

    def whole_story(self, summary: StorySummary) -> Story:
        """A story of this run: from the build state, or read again if the state lost it."""
        found = next(s for s in self.read if s.summary.slug == summary.slug)
        story = self.state.model(found.key)
        if story is None:
            read = read_input(found.input, self.settings.config, self.config_key, Diagnostics())
            if read.story is None or read.key != found.key:
                raise LookupError(f"{found.input.name} changed during the export; run it again")
            story = read.story
        return story


class _Recall:
    """What a format's collection step may ask of its stories (see `Context.fragment`)."""

    def __init__(self, build: _Build, units: Sequence[str]) -> None:
        self.build = build
        self.units = {s.summary.slug: unit for s, unit in zip(build.read, units, strict=True)}

    def fragment(self, writer: str, story: StorySummary, name: str) -> bytes:
        unit = self.units[story.slug]
        data = self.build.state.fragment(unit, name)
        if data is None:  # the state lost it: made again from the story, and kept
            made = story_files(
                self.build.settings.writers[writer],
                self.build.whole_story(story),
                self.build.settings,
            )
            kept = self.build.state.kept[unit]
            self.build.state.record(unit, kept.paths, kept.diagnostics, made.fragments)
            data = made.fragments.get(name)
        if data is None:
            raise LookupError(f"{writer} made no fragment {name!r} of {story.slug}")
        return data

    def story(self, story: StorySummary) -> Story:
        return self.build.whole_story(story)
