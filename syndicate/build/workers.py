"""A story's work, and the processes that run it. The work is a pure function of the story's
input and the run's settings: read the story, then run each format's `story_files` on it.
Results come back in story order, so the output does not depend on how many workers ran."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from syndicate.build.inputs import StoryInput, story_key
from syndicate.build.state import pack_story
from syndicate.diagnostics import Diagnostic, Diagnostics, route_library_warnings
from syndicate.formats.contract import AnyWriter, Context, Fragment, Options, OutputFile
from syndicate.model import SiteConfig, Story, StorySummary
from syndicate.model.codec import content_digest
from syndicate.readers.articles import read_story

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

    def context(self, writer: AnyWriter, diags: Diagnostics) -> Context[Options]:
        return Context(
            config=self.config,
            now=self.now,
            languages=self.languages,
            options=self.options[writer.section()],
            diagnostics=diags,
            writer=writer.name,
        )


@dataclass(frozen=True, slots=True)
class Job:
    """One story's work: read it, then write its files in `formats`. When its files no longer
    have the key `expect` (they changed since the engine looked, or it found no record), every
    format is made: the results must all come from the bytes this job read."""

    input: StoryInput
    formats: tuple[str, ...]
    config_key: str
    expect: str | None = None


@dataclass(frozen=True, slots=True)
class Made:
    """One format's files and fragments of one story, the problems reported, the seconds."""

    files: list[OutputFile]
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


@dataclass(frozen=True, slots=True)
class Read:
    """A story as read, and the keys of exactly the bytes it was read from."""

    story: Story | None
    text_key: str
    key: str
    images: tuple[tuple[str, str], ...]


def read_input(source: StoryInput, config: SiteConfig, config_key: str, diags: Diagnostics) -> Read:
    """The story of an input (read from its folder, or the story given) and its keys."""
    files = source.files()
    story = read_story(files, config, diags) if files is not None else source.story
    images = tuple(sorted(files.used.items())) if files is not None else ()
    text_key = source.text_key(config_key, files)
    return Read(story, text_key, story_key(text_key, images), images)


def story_files(writer: AnyWriter, story: Story, settings: Settings) -> Made:
    """Run one format on one story; a writer that raises is reported, never a traceback."""
    start = time.perf_counter()
    diags = Diagnostics()
    files: list[OutputFile] = []
    fragments: dict[str, bytes] = {}
    try:
        for item in writer.story_files(story, settings.context(writer, diags)):
            if isinstance(item, Fragment):
                fragments[item.name] = item.data
            else:
                files.append(item)
    except Exception as exc:  # reported, and the run publishes nothing
        log.debug("writer %s failed on %s", writer.name, story.slug, exc_info=True)
        diags.error("writer.failed", f"the {writer.name} writer failed: {exc!r}")
        files, fragments = [], {}
    return Made(files, fragments, list(diags), time.perf_counter() - start)


_settings: Settings | None = None
_PR_SET_PDEATHSIG = 1


def _init_worker(settings: Settings) -> None:
    global _settings
    _settings = settings


def _init_pool_worker(settings: Settings) -> None:
    """A worker process ends with the export that started it, even when that one is killed;
    like the command line, it logs library warnings instead of printing them."""
    route_library_warnings()
    _init_worker(settings)
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the export died before the line above
        os._exit(1)


def do_job(job: Job) -> Done:
    """The pure per-story function: same input and settings, same result."""
    assert _settings is not None, "_init_worker sets the run's settings"
    settings = _settings
    diags = Diagnostics()
    read = read_input(job.input, settings.config, job.config_key, diags)
    story = read.story
    if story is None:
        return Done(None, list(diags), {}, read.text_key, read.key)
    formats = job.formats if read.key == job.expect else tuple(settings.writers)
    made = {name: story_files(settings.writers[name], story, settings) for name in formats}
    return Done(
        StorySummary.of(story),
        list(diags),
        made,
        read.text_key,
        read.key,
        read.images,
        pack_story(story),
        content_digest(story),
    )


def run_jobs(jobs: Sequence[Job], processes: int, settings: Settings) -> Iterator[Done]:
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
