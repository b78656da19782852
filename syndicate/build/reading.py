"""Every story read for `validate` and `list`, in a pool of worker processes when there are
many: each worker reads a share of the folders with the ordinary reader and sends back each
story's summary and problems, taken in folder order, so the result and the messages are the
ones reading them in this process gives. An archive of 2,000 stories in four languages took
20 s to read in one process."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from syndicate.build.executors import end_with_parent, local_workers, stop_pool
from syndicate.build.inputs import sources_key
from syndicate.diagnostics import Diagnostic, Diagnostics
from syndicate.model import SiteConfig, StorySummary
from syndicate.model.codec import content_digest
from syndicate.readers.articles import read_story
from syndicate.readers.folders import check_collection, report_missing, shown_path, story_folders
from syndicate.readers.storyfiles import StoryFiles

PARALLEL_FROM = 100
"""Stories read in this process below this many: a worker process takes about half a second to
start (it imports the reader), the time of 40 to 50 stories."""
CHUNK = 16
"""Folders sent to a worker at a time."""

Read = tuple[StorySummary | None, list[Diagnostic], tuple[str, str]]
"""A story's summary, its problems, and what it says (`codec.content_digest`) with the key of
its files (`inputs.sources_key`), both "" when not asked for."""

_config: SiteConfig | None = None
_digests = False


def read_summaries(
    articles: Path,
    config: SiteConfig,
    diags: Diagnostics,
    jobs: int,
    published: Mapping[str, str] | None = None,
    digests: dict[str, tuple[str, str]] | None = None,
) -> list[StorySummary]:
    """The summaries of the stories under `articles` that have no error, read by up to `jobs`
    processes; every problem is reported in `diags`, as `read_articles` reports it.
    `published`: the folder each id was published from (see `check_collection`); `digests`,
    if given, gets what each story says (`codec.content_digest`) and the key of its files
    (`inputs.sources_key`), by folder name, for its history (`syndicate.build.history`)."""
    if not articles.is_dir():
        report_missing(articles, diags)
        return []
    folders = story_folders(articles)
    workers = min(local_workers(jobs), math.ceil(len(folders) / (PARALLEL_FROM // 2)))
    if workers <= 1 or len(folders) < PARALLEL_FROM:
        results = [_read(folder, config, digests is not None) for folder in folders]
    else:
        found = _read_in_pool(folders, config, workers, digests is not None)
        if found is None:
            diags.error(
                "articles.worker",
                "a worker process reading the stories died (killed, or out of memory):"
                " run again, with --jobs 1 if memory is short",
                shown_path(articles),
            )
            return []
        results = found
    summaries = []
    for summary, problems, said in results:
        diags.extend(problems)
        if summary is not None:
            summaries.append(summary)
            if digests is not None:
                digests[summary.slug] = said
    check_collection(summaries, articles, diags, published)
    return summaries


def _read_in_pool(
    folders: list[Path], config: SiteConfig, workers: int, digests: bool
) -> list[Read] | None:
    """What each folder reads to, in order, from `workers` spawned processes (see
    `PoolExecutor` for why spawned); None if one of them died."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from syndicate.build.spawning import spawning

    pool = ProcessPoolExecutor(
        workers,
        mp_context=spawning(),
        initializer=_init_worker,
        initargs=(config, digests),
    )
    try:
        return list(pool.map(_read_here, [str(f) for f in folders], chunksize=CHUNK))
    except BrokenProcessPool:
        return None
    finally:  # Ctrl-C: the folders not yet read are dropped, not read before returning
        stop_pool(pool)


def _init_worker(config: SiteConfig, digests: bool) -> None:
    """Ctrl-C is the command's to handle: its workers ignore it, and end with it."""
    global _config, _digests
    from syndicate.build.spawning import ignore_interrupts

    ignore_interrupts()
    end_with_parent()
    _config = config
    _digests = digests


def _read_here(folder: str) -> Read:
    assert _config is not None, "_init_worker sets the site's configuration"
    return _read(Path(folder), _config, _digests)


def _read(folder: Path, config: SiteConfig, digests: bool) -> Read:
    problems = Diagnostics()
    files = StoryFiles(folder)
    story = read_story(files, config, problems)
    if story is None:
        return None, list(problems), ("", "")
    if not digests:
        return StorySummary.of(story), list(problems), ("", "")
    sources = sources_key(files, tuple(sorted(files.used.items())))  # as the export's
    return StorySummary.of(story), list(problems), (content_digest(story), sources)
