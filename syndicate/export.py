"""One export run: read the stories, run the selected writers, publish their files atomically."""

from __future__ import annotations

import difflib
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate.config import SiteConfig
from syndicate.diagnostics import Diagnostics
from syndicate.model import Story
from syndicate.output import OutputError, Staging, check_path, locked
from syndicate.writers.base import AnyWriter, Context, OutputFile

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Told what a run is doing: (step, done, total), e.g. ("stories", 120, 2000) or ("atom", 1, 1)."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    files: int
    written: int
    unchanged: int
    removed: int


def writer_options(writer: AnyWriter, config: SiteConfig) -> dict[str, Any]:
    """The writer's options: its declared defaults, overridden by its section of the config."""
    values = {opt.name: opt.default for opt in writer.options}
    section = config.section(writer.section())
    values.update({k: v for k, v in section.items() if k in values})
    return values


def check_format_options(
    writers: Sequence[AnyWriter], config: SiteConfig, diags: Diagnostics, *, every_section: bool
) -> None:
    """Every key of the writers' sections of syndicate.yaml must be one of their options, and
    with `every_section` (all writers given) every section must belong to one: typos are errors.
    An export checks only its formats' sections, so it imports only the formats it writes."""
    known: dict[str, set[str]] = {}
    for writer in writers:
        known.setdefault(writer.section(), set()).update(o.name for o in writer.options)
    for section, values in config.sections.items():
        where = f"{config.source.path}:{config.lines.get(section, 0)}"
        if section not in known and not every_section:
            continue
        if section not in known:
            hint = difflib.get_close_matches(section, list(known), n=1)
            fix = f"; did you mean {hint[0]!r}?" if hint else ""
            diags.error("config.section", f"unknown section {section!r}{fix}", where)
            continue
        for key in values:
            if key not in known[section]:
                hint = difflib.get_close_matches(key, sorted(known[section]), n=1)
                fix = (
                    f"; did you mean {hint[0]!r}?"
                    if hint
                    else (f"; known options: {', '.join(sorted(known[section]))}")
                )
                diags.error("config.option", f"{section}: unknown option {key!r}{fix}", where)


def make_context(
    writer: AnyWriter,
    config: SiteConfig,
    now: datetime,
    languages: tuple[str, ...],
    diags: Diagnostics,
) -> Context:
    return Context(
        config=config,
        now=now,
        diagnostics=diags,
        languages=languages,
        options=writer_options(writer, config),
    )


def export(
    *,
    writers: Sequence[AnyWriter],
    stories: Sequence[Story],
    config: SiteConfig,
    out: Path,
    now: datetime,
    languages: tuple[str, ...],
    all_languages: bool,
    diags: Diagnostics,
    progress: Progress | None = None,
) -> ExportResult | None:
    """Run the writers on stories already read and publish; None (out/ untouched) if any error
    was reported. `syndicate export` uses `export_articles`, which adds caching and processes."""
    try:
        with locked(out), Staging(out) as staging:
            sink = Sink(staging, diags)
            for done, writer in enumerate(writers, 1):
                if progress:
                    progress(writer.name, done, len(writers))
                ctx = make_context(writer, config, now, languages, diags)
                sink.run(writer, functools.partial(writer.write, stories, ctx))
            if diags.errors:
                return None
            folders = sorted({f for w in writers for f in w.owned_folders()})
            report = staging.commit(folders, keep_others=not all_languages)
    except OutputError as exc:
        diags.error("output.write", str(exc), str(out))
        return None
    return ExportResult(sink.files, report.written, report.unchanged, report.removed)


class Sink:
    """Checks each writer's files as they come (inside its folders, no path written twice) and
    stages them at once, so a run's outputs are never all in memory."""

    def __init__(self, staging: Staging, diags: Diagnostics) -> None:
        self.staging = staging
        self.diags = diags
        self.owner: dict[str, str] = {}
        self.files = 0
        self.counts: dict[str, int] = {}
        """Files staged, by format."""

    def run(self, writer: AnyWriter, produce: Callable[[], Iterable[OutputFile]]) -> list[str]:
        """Stage what `produce` makes for `writer`; the staged paths."""
        try:
            return [file.path for file in produce() if self.add(writer, file)]
        except OutputError:
            raise
        except Exception as exc:  # a bug in a writer must not leave out/ half-written
            log.debug("writer %s failed", writer.name, exc_info=True)
            self.diags.error("writer.failed", f"the {writer.name} writer failed: {exc!r}")
            return []

    def add(self, writer: AnyWriter, file: OutputFile) -> bool:
        if not self.claim(writer, file.path):
            return False
        self.staging.add(file)
        return True

    def reuse(self, writer: AnyWriter, paths: Iterable[str]) -> None:
        for path in paths:
            if self.claim(writer, path):
                self.staging.reuse(path)

    def claim(self, writer: AnyWriter, path: str) -> bool:
        check_path(path)
        if path.split("/", 1)[0] not in writer.owned_folders():
            self.diags.error("writer.path", f"{writer.name} wrote {path!r} outside its folders")
            return False
        if path in self.owner:
            self.diags.error(
                "writer.conflict",
                f"{path!r} is written by both {self.owner[path]} and {writer.name}",
            )
            return False
        self.owner[path] = writer.name
        self.files += 1
        self.counts[writer.name] = self.counts.get(writer.name, 0) + 1
        return True
