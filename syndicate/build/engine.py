"""The build engine: `export`, the one entry point of a build for the CLI, the tests and the
Python API. It reads the stories (in worker processes, only the new and changed ones), runs each
format's `story_files` on them, then each format's `collection_files` over the stories'
summaries, stages every file as it comes and publishes out/ atomically at the end. All the
bookkeeping (what changed, what can be reused, fragments, whole stories) is here, so writers
stay pure functions."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from syndicate.build.inputs import StoryInput, code_digest, config_digest, digest, folder_inputs
from syndicate.build.publish import LOCK_NAME, OutputError, Staging, locked
from syndicate.build.sink import Sink
from syndicate.build.state import BuildState, Published, StoryRecord, state_folder
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


def export(
    *,
    formats: Sequence[str],
    config: Path | SiteConfig = Path("syndicate.yaml"),
    articles: Path | None = None,
    stories: Sequence[Story] | None = None,
    out: Path = Path("out"),
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
    share the stories. With `strict`, warnings count as errors."""
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
    build = _Build(writers, settings, key, out, inputs, force=force)
    return build.run(
        diags,
        articles if stories is None else None,
        jobs=max(1, jobs),
        keep_others=languages is not None,
        strict=strict,
        progress=progress,
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
        inputs: Sequence[StoryInput],
        *,
        force: bool,
    ) -> None:
        self.writers = writers
        self.settings = settings
        self.config_key = config_key
        self.out = out
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
        names = tuple(w.name for w in self.writers)
        try:
            lock = state_folder(self.out) / LOCK_NAME
            with locked(self.out, lock), Staging(self.out) as staging:
                self.state = BuildState(self.out, fresh=self.force)
                try:
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
                    folders = sorted({f for w in self.writers for f in w.owned_folders()})
                    report = staging.commit(folders, keep_others=keep_others)
                    self.state.save()
                finally:
                    self.state.close()
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
        )

    # Stories --------------------------------------------------------------------------------

    def _stories(self, sink: Sink, jobs: int, progress: Progress | None) -> None:
        """Read every new or changed story and stage the files of every story."""
        keys = [source.key(self.config_key) for source in self.inputs]
        known = [self.state.story(key) for key in keys]
        todo = [self._job(i, k, r) for i, k, r in zip(self.inputs, keys, known, strict=True)]
        done = run_jobs([job for job in todo if job], jobs, self.settings)
        for index, (source, key, record, job) in enumerate(
            zip(self.inputs, keys, known, todo, strict=True), 1
        ):
            result = next(done) if job else None
            if progress:
                progress("stories", index, len(self.inputs))
            record = self._record(key, record, result)
            if record is not None:
                self._stage_story(sink, record.summary, key, result)
                self.read.append(_Story(source, key, record.summary))

    def _job(self, source: StoryInput, key: str, record: StoryRecord | None) -> Job | None:
        formats = tuple(w.name for w in self.writers)
        if record is None:
            return Job(source, formats)
        visible = record.summary.is_visible(self.settings.now)
        missing = tuple(
            w.name for w in self.writers if self.state.lookup(self._unit(w, key, visible)) is None
        )
        return Job(source, missing) if missing else None

    def _record(self, key: str, known: StoryRecord | None, done: Done | None) -> StoryRecord | None:
        """The story's record, from this run's reading or the state; None if unreadable."""
        if done is None:
            assert known is not None, "a story is read when the state does not know it"
            record = known
            self.state.record_story(key, record)
        elif done.summary is None:
            self.input.extend(done.diagnostics)
            return None
        else:
            record = StoryRecord(done.summary, tuple(done.diagnostics))
            self.state.record_story(key, record, done.model)
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
            story = read_input(found.input, self.settings.config, Diagnostics())
            if story is None:
                raise LookupError(f"{found.input.name} cannot be read again")
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
