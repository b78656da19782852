"""A story's work, as it runs in a worker: the unit of work carries the story's files and the
run's settings (configuration, the files it points to), so a worker needs no file system shared
with the export; it reads the story, runs each format's `story_files` on it and sends back
files, fragments, the summary and the problems. The same unit gives the same result in any
worker, so the output does not depend on where or how many workers ran (`executors`)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import syndicate
from syndicate.build.inputs import (
    StoryInput,
    code_digest,
    folder_text_key,
    package_digest,
    sources_key,
    story_key,
)
from syndicate.build.publish import OutputError, Staged, Twins, checked_path, stage_file
from syndicate.build.scheduling import ExecutorError
from syndicate.build.sources import (
    Mirror,
    SiteFiles,
    Snapshot,
    snapshot,
    story_assets,
    with_templates,
)
from syndicate.build.state import MEMO, pack_story
from syndicate.build.toolchain import Libraries, output_libraries, skew
from syndicate.diagnostics import Diagnostic, Diagnostics, route_library_warnings
from syndicate.formats.contract import (
    AnyWriter,
    Context,
    Fragment,
    Memo,
    Options,
    OutputFile,
    output_problem,
)
from syndicate.i18n.terms import site_terms, use_site_terms
from syndicate.model import SiteConfig, Status, Story, StorySummary
from syndicate.model.codec import content_digest
from syndicate.readers.articles import read_story
from syndicate.readers.config import SchemaVerdict, installed_at_start
from syndicate.readers.storyfiles import StoryFiles, story_path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Settings:
    """What every story's work depends on besides the story."""

    config: SiteConfig
    now: datetime
    languages: tuple[str, ...]
    writers: Mapping[str, AnyWriter]
    options: Mapping[str, Options]
    """Each writer's options, by config section."""
    executor: str = "pool"
    """Where the stories' work runs (`scheduling.KINDS`), and with `dask` the `scheduler`'s
    address (none: a local cluster)."""
    scheduler: str | None = None
    stage_to: tuple[str, str] | None = None
    """Set when the workers run on this machine in processes of their own: where they stage
    each unit's files themselves (the staging folder's `UNITS`) and the out/ folder they go
    to. Their results then carry paths, not bytes (`Staged`): sending a gigabyte of outputs
    back through pipes cost the driver more than writing them."""
    interruptible: bool = True
    """Whether Ctrl-C interrupts a local worker's batch (the command then stops the pool);
    the preview stops its export itself, and its workers ignore the terminal's Ctrl-C."""
    drafts: bool = False
    """The preview's `--drafts`: a draft is written as if released (`as_released`). Never
    set by an export into out/."""
    site: SiteFiles | None = None
    """Set when the work may run on other machines (`dask_adapter`): the files the
    configuration points to (logo, icon, templates) travel with the settings, the stories'
    files with each unit, and the workers check that they run the export's code."""

    def context(
        self,
        writer: AnyWriter,
        diags: Diagnostics,
        assets: Mapping[str, bytes] | None = None,
        memos: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> Context[Options]:
        """The writer's context; `assets` are files that came with the work, by path, and
        `memos` the writer's memos of the story's last work (`Context.memo`)."""
        return _WorkerContext(
            config=self.config,
            now=self.now,
            languages=self.languages,
            options=self.options[writer.section()],
            diagnostics=diags,
            writer=writer.name,
            memos=memos or {},
            assets=assets or {},
        )


@dataclass(frozen=True)
class _WorkerContext(Context[Options]):
    """A writer's context whose assets (images, logo) may have come with the work: a worker
    may share no file system with the export."""

    assets: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    def read_asset(self, path: str | Path) -> bytes:
        data = self.assets.get(str(path))
        return data if data is not None else super().read_asset(path)


Memos = Mapping[str, Mapping[str, tuple[str, bytes]]]
"""Memos by format, then by name: each its key and its bytes."""


@dataclass(frozen=True, slots=True)
class Job:
    """One story's work, as the driver plans it: read it, then write its files in `formats`.
    When its files no longer have the key `expect` (they changed since the engine looked, or it
    found no record), every format is made: the results must all come from the bytes this job
    read."""

    input: StoryInput
    formats: tuple[str, ...]
    config_key: str
    expect: str | None = None
    checked: tuple[str, ...] = ()
    """The checks of the story's texts that its last reading passed (`Done.checked`)."""
    memos: Callable[[], Memos] | None = None
    """The memos of the story's last work, by format (`Context.memo`), read from out/ when
    its unit is sent (`unit`): a run that makes every story again holds those of one batch
    at a time, not all."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One story's work as it travels to a worker: its folder (for a worker on this machine),
    its files (for one anywhere), or the story the caller built with its images."""

    source: Path | Snapshot | Story
    formats: tuple[str, ...]
    config_key: str
    expect: str | None = None
    assets: Mapping[str, bytes] = field(default_factory=dict)
    """The images of a story given as an object, by path, when they travel."""
    number: int = 0
    """The unit's place in the run: its files are staged in a folder of that name (see
    `Settings.stage_to`)."""
    checked: tuple[str, ...] = ()
    """`Job.checked`."""
    memos: Memos = field(default_factory=dict)
    """`Job.memos`: their bytes travel with the unit."""


def unit(job: Job, shipped: bool, number: int = 0) -> Unit:
    """The unit of a job, the `number`th of the run; with `shipped`, its files are read now
    (on the driver, as the job is sent) to travel with it."""
    source, keys = job.input, (job.formats, job.config_key, job.expect)
    if source.folder is not None:
        folder = snapshot(source.folder, lean=True) if shipped else source.folder
        memos = job.memos() if job.memos is not None else {}
        return Unit(folder, *keys, number=number, checked=job.checked, memos=memos)
    assert source.story is not None
    assets = story_assets(source.story) if shipped else {}
    return Unit(source.story, *keys, assets, number)


@dataclass(frozen=True, slots=True)
class Made:
    """One format's files and fragments of one story, the problems reported, the seconds."""

    files: list[OutputFile | Staged]
    """The files made, or once staged by the worker (`Settings.stage_to`) where they are."""
    fragments: dict[str, bytes]
    diagnostics: list[Diagnostic]
    seconds: float


@dataclass(frozen=True, slots=True)
class Done:
    summary: StorySummary | None
    """None when the story could not be read."""
    diagnostics: list[Diagnostic]
    made: dict[str, Made]
    text_key: str
    key: str
    """The keys of what was read: its texts, and everything (see `inputs`)."""
    images: tuple[tuple[str, str], ...] = ()
    """The images read, with their SHA-256."""
    model: bytes = b""
    """The story itself, packed for the build state (`pack_story`)."""
    digest: str = ""
    """What the story says (`codec.content_digest`), for its history."""
    seen: tuple[tuple[str, str], ...] = ()
    """The signatures of the images read from the story's own folder (`StoryFiles.seen`)."""
    checked: tuple[str, ...] = ()
    """The checks of the story's texts against the schema that passed (`SchemaVerdict`):
    kept with the story, and given to its next reading."""
    sources: str = ""
    """The key of the story's files alone (`sources_key`), for its history."""
    withheld: bool = False
    """The reading opened a file that travelled without its content (`snapshot`'s `lean`):
    nothing else of this result holds, and the unit is sent again whole (`whole`)."""


def whole(work: Unit) -> Unit:
    """`work` with every file of its story folder, for one whose reading wanted a file its
    first journey left out (`Done.withheld`)."""
    if not isinstance(work.source, Snapshot):
        return work
    return replace(work, source=snapshot(Path(work.source.folder)))


class _MirrorFiles(StoryFiles):
    """A mirror's files, which know when the reader opens one laid out without its content."""

    def __init__(self, folder: Path, withheld: set[str]) -> None:
        self.withheld = withheld
        self.wanted = False
        super().__init__(folder)

    def image(self, rel: str) -> bytes:
        inside = story_path(rel)
        if inside is not None and "://" not in inside:
            real = os.path.realpath(self.folder / self.on_disk(inside))
            self.wanted = self.wanted or real in self.withheld
        return super().image(rel)


def run_jobs(
    jobs: Sequence[Job], processes: int, settings: Settings
) -> Generator[Done, None, None]:
    """The jobs' results in order, from the executor the settings name (`executors`), with
    `processes` workers."""
    from syndicate.build.executors import ExecutorSpec, run

    spec = ExecutorSpec(settings.executor, processes, settings.scheduler)
    yield from run(jobs, spec, settings)


@dataclass(frozen=True, slots=True)
class Read:
    """A story as read, and the keys of exactly the bytes it was read from."""

    story: Story | None
    text_key: str
    key: str
    images: tuple[tuple[str, str], ...]
    seen: tuple[tuple[str, str], ...] = ()
    """The images' signatures (`StoryFiles.seen`); none for a copy of the folder."""
    checked: tuple[str, ...] = ()
    """The checks of its texts that passed (`Done.checked`)."""
    assets: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    """The story's images as read and checked, by `Image.path`: what its writers publish,
    whatever the file on disk became since."""
    sources: str = ""
    """The key of the story's files alone (`sources_key`)."""
    draft: Status | None = None
    """The status of a draft read as if released (`as_released`)."""


def as_released(story: Story | None, drafts: bool) -> tuple[Story | None, Status | None]:
    """With `drafts` (the preview's `--drafts`), a draft (withheld or canceled before anyone
    had it) as if it were released, usable, and the status it has: every format then writes
    it as it will be once out, through the writers' usual rules (a `published` ahead keeps
    it scheduled, as the preview shows such stories), and the summary keeps the status for
    the preview's banner. Otherwise the story as read. The config key of a run with `drafts`
    is another (`engine._config_key`), so nothing made so is ever taken for an export's."""
    if not drafts or story is None or story.status == "usable":
        return story, None
    if story.lifecycle(story.updated) != "draft":  # (a draft at any time: no clock needed)
        return story, None
    return replace(story, status="usable"), story.status


def read_input(
    source: StoryInput,
    config: SiteConfig,
    config_key: str,
    diags: Diagnostics,
    checked: tuple[str, ...] = (),
    drafts: bool = False,
) -> Read:
    """The story of an input (read from its folder, or the story given) and its keys;
    `checked` are the checks of its texts its last reading passed (`Job.checked`); with
    `drafts`, a draft as if released (`as_released`)."""
    files = source.files()
    if files is None:
        assert source.story is not None
        text_key = source.text_key(config_key, None)
        given, draft = as_released(source.story, drafts)
        return Read(given, text_key, story_key(text_key, ()), (), draft=draft)
    verdict = texts_verdict(checked)
    story, draft = as_released(read_story(files, config, diags, verdict=verdict), drafts)
    images = tuple(sorted(files.used.items()))
    seen = tuple(sorted(files.seen.items()))
    text_key = source.text_key(config_key, files)
    assets = {i.path: files.images[i.file] for i in story.images} if story is not None else {}
    key = story_key(text_key, images)
    sources = sources_key(files, images)
    return Read(story, text_key, key, images, seen, verdict.passed, assets, sources, draft)


def texts_verdict(checked: tuple[str, ...]) -> SchemaVerdict:
    """What a reading of a story knows of the checks of its texts and images: those passed
    before by this code (`code_digest`: the schemas are in it) and this process's packages
    (Pillow's among them). The configuration is not in their keys: neither check reads it,
    so a story read again after a change of syndicate.yaml (a new format, a new partner)
    checks nothing it checked before."""
    return SchemaVerdict(None, code_digest(), known=checked, installed=installed_at_start())


def story_files(
    writer: AnyWriter,
    story: Story,
    settings: Settings,
    assets: Mapping[str, bytes] | None = None,
    memos: Mapping[str, tuple[str, bytes]] | None = None,
) -> Made:
    """Run one format on one story; a writer that raises is reported, never a traceback. Its
    memos are kept with its fragments, named `MEMO` and their name (their key and path, on
    two lines)."""
    start = time.perf_counter()
    diags = Diagnostics()
    files: list[OutputFile | Staged] = []
    fragments: dict[str, bytes] = {}
    try:
        for item in writer.story_files(story, settings.context(writer, diags, assets, memos)):
            if (problem := _kept_problem(item)) is not None:
                diags.error("writer.output", f"the {writer.name} writer {problem}")
                return Made([], {}, list(diags), time.perf_counter() - start)
            if isinstance(item, Fragment):
                fragments[item.name] = item.data
            elif isinstance(item, Memo):
                fragments[MEMO + item.name] = f"{item.key}\n{item.path}".encode()
            elif (problem := output_problem(item)) is not None:
                diags.error("writer.output", f"the {writer.name} writer {problem}")
                return Made([], {}, list(diags), time.perf_counter() - start)
            else:
                files.append(item)
    except (Exception, SystemExit) as exc:  # reported, and the run publishes nothing
        log.debug("writer %s failed on %s", writer.name, story.slug, exc_info=True)
        diags.error("writer.failed", f"the {writer.name} writer failed: {exc!r}")
        files, fragments = [], {}
    return Made(files, fragments, list(diags), time.perf_counter() - start)


def _kept_problem(item: object) -> str | None:
    """What is wrong with a fragment or a memo a writer gave (kept in the build state as
    text and bytes), or None."""
    if isinstance(item, Fragment):
        if not isinstance(item.name, str):
            return f"gave a fragment whose name is {type(item.name).__name__}, not text"
        if not isinstance(item.data, bytes):
            return f"gave the fragment {item.name!r} as {type(item.data).__name__}, not bytes"
    elif isinstance(item, Memo) and not all(
        isinstance(value, str) for value in (item.name, item.key, item.path)
    ):
        return f"gave a memo {item!r} whose name, key and path are not all text"
    return None


def run_batch(settings: Settings, batch: Sequence[Unit]) -> list[Done]:
    """The pure per-story function over a batch of units: same units and settings, same
    results, in any process of any machine that has syndicate and the fonts installed."""
    ready = prepared(settings)
    with site_terms(ready.config.terms):  # this thread's: a worker's may run other sites'
        return [do_unit(ready, work) for work in batch]


def prepared(settings: Settings) -> Settings:
    """The settings as this process uses them. Work that travelled: the code checked against
    the export's, the site's templates laid out in this process's scratch folder; like the
    command line, the worker logs library warnings instead of printing them."""
    use_site_terms(settings.config.terms)  # every process of the run: the pool's too
    if settings.site is None:
        return settings
    route_library_warnings()
    if settings.site.code != code_digest():
        raise ExecutorError(
            f"a worker runs syndicate {syndicate.__version__} with other files than the"
            " export: install the same version of syndicate (and of its plugins) on every"
            " worker"
        )
    for package, driver in settings.site.plugins:
        if package_digest(package) != driver:
            raise ExecutorError(
                f"a worker runs the plugin package {package} with other files than the export:"
                " install the same version of it on every worker"
            )
    if settings.site.libraries and (
        problem := skew(run_libraries(settings), settings.site.libraries, font_dirs(settings))
    ):
        raise ExecutorError(problem)
    return replace(settings, config=with_templates(settings.config, settings.site))


def run_libraries(settings: Settings) -> Libraries:
    """The libraries (and, for a run that draws covers, the fonts) that make the run's bytes
    in this process (`toolchain.output_libraries`)."""
    return output_libraries(font_dirs(settings))


def font_dirs(settings: Settings) -> tuple[str, ...] | None:
    """Where the run's covers take their fonts (`epub.font_dirs`), or None when it draws none."""
    for writer in settings.writers.values():
        dirs = getattr(settings.options.get(writer.section()), "font_dirs", None)
        if dirs:
            return tuple(str(folder) for folder in dirs)
    return None


def do_unit(settings: Settings, work: Unit) -> Done:
    """Read one story from its unit and write its files in the unit's formats (in every
    format when what was read is not what the driver expected)."""
    diags = Diagnostics()
    site = settings.site.assets if settings.site else {}
    if isinstance(work.source, Story):
        given = StoryInput(story=work.source)
        read = read_input(given, settings.config, work.config_key, diags, (), settings.drafts)
        return _write(settings, work, read, diags, {**site, **work.assets})
    if isinstance(work.source, Path):
        read = read_input(
            StoryInput(folder=work.source),
            settings.config,
            work.config_key,
            diags,
            work.checked,
            settings.drafts,
        )
        return _write(settings, work, read, diags, read.assets)
    with Mirror(work.source) as mirror:
        files = _MirrorFiles(mirror.folder, mirror.withheld)
        verdict = texts_verdict(work.checked)
        there = read_story(files, settings.config, diags, verdict=verdict)
        if files.wanted:
            return Done(None, [], {}, "", "", withheld=True)
        problems = Diagnostics()
        problems.extend(mirror.relocate(list(diags)))
        # Keyed as the driver names the folder: the same keys as any other executor's.
        text_key = folder_text_key(work.config_key, work.source.folder, files)
        images = tuple(sorted(files.used.items()))
        story, draft = as_released(mirror.relocate(there), settings.drafts)
        key = story_key(text_key, images)
        sources = sources_key(files, images)
        read = Read(story, text_key, key, images, (), verdict.passed, sources=sources, draft=draft)
        assets = dict(site)
        if there is not None and story is not None:
            for mirrored, here in zip(there.images, story.images, strict=True):
                assets[here.path] = Path(mirrored.path).read_bytes()
    return _write(settings, work, read, problems, assets)


def _write(
    settings: Settings,
    work: Unit,
    read: Read,
    diags: Diagnostics,
    assets: Mapping[str, bytes] | None,
) -> Done:
    story = read.story
    if story is None:
        return Done(None, list(diags), {}, read.text_key, read.key)
    formats = work.formats if read.key == work.expect else tuple(settings.writers)
    made = {
        name: story_files(settings.writers[name], story, settings, assets, work.memos.get(name))
        for name in formats
    }
    if settings.stage_to is not None:
        units, out = settings.stage_to
        folder = os.path.join(units, str(work.number))
        twins = Twins()  # a photo in several formats' folders is written once
        made = {
            name: _staged(one, folder, out, twins, f"{number}.")
            for number, (name, one) in enumerate(made.items())
        }
    summary = StorySummary.of(story)
    return Done(
        replace(summary, draft=read.draft) if read.draft else summary,
        list(diags),
        made,
        read.text_key,
        read.key,
        read.images,
        pack_story(story),
        content_digest(story),
        read.seen,
        read.checked,
        read.sources,
    )


def _staged(made: Made, folder: str, out: str, twins: Twins, prefix: str) -> Made:
    """`made` with its files staged side by side in `folder` (`stage_file`), each named
    `prefix` and its index. A file that cannot be (a path outside out/, a full disk) goes
    back as it is, for the driver to stage or report."""
    files: list[OutputFile | Staged] = []
    for index, file in enumerate(made.files):
        if isinstance(file, Staged):
            files.append(file)
            continue
        name = f"{prefix}{index}"
        try:
            rel = checked_path(file.path)
            existed, same = stage_file(folder, out, rel, file.data, twins, name)
        except (OSError, OutputError):
            files += made.files[index:]
            break
        files.append(Staged(folder, file.path, existed, same, name))
    return replace(made, files=files)
