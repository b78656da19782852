"""One export run: read the stories, run the selected writers, publish their files atomically."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from syndicate.config import SiteConfig
from syndicate.diagnostics import Diagnostics
from syndicate.model import Story
from syndicate.output import OutputError, check_path, locked, publish
from syndicate.writers.base import Context, OutputFile, Writer
from syndicate.writers.registry import Registry

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ExportResult:
    files: int
    written: int
    unchanged: int
    removed: int


def writer_options(writer: Writer, config: SiteConfig) -> dict[str, Any]:
    """The writer's options: its declared defaults, overridden by its section of the config."""
    values = {opt.name: opt.default for opt in writer.options}
    section = config.section(writer.section())
    values.update({k: v for k, v in section.items() if k in values})
    return values


def check_format_options(registry: Registry, config: SiteConfig, diags: Diagnostics) -> None:
    """Every section and key of syndicate.yaml must belong to a format: typos are errors."""
    known: dict[str, set[str]] = {}
    for writer in registry.all():
        known.setdefault(writer.section(), set()).update(o.name for o in writer.options)
    for section, values in config.sections.items():
        where = f"{config.source.path}:{config.lines.get(section, 0)}"
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
    writer: Writer,
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


def run_writers(
    writers: Sequence[Writer],
    stories: Sequence[Story],
    config: SiteConfig,
    now: datetime,
    languages: tuple[str, ...],
    diags: Diagnostics,
    progress: Progress | None = None,
) -> list[OutputFile]:
    """Every file the writers produce, checked: inside their folders, no path written twice."""
    files: list[OutputFile] = []
    owner: dict[str, str] = {}
    for writer in writers:
        if progress:
            progress(writer.name)
        ctx = make_context(writer, config, now, languages, diags)
        try:
            produced = list(writer.write(stories, ctx))
        except Exception as exc:  # a bug in a writer must not leave out/ half-written
            log.exception("writer %s failed", writer.name)
            diags.error("writer.failed", f"the {writer.name} writer failed: {exc!r}")
            continue
        for file in produced:
            check_path(file.path)
            if file.path.split("/", 1)[0] not in writer.owned_folders():
                diags.error("writer.path", f"{writer.name} wrote {file.path!r} outside its folders")
            elif file.path in owner:
                diags.error(
                    "writer.conflict",
                    f"{file.path!r} is written by both {owner[file.path]} and {writer.name}",
                )
            else:
                owner[file.path] = writer.name
                files.append(file)
    return files


def export(
    *,
    writers: Sequence[Writer],
    stories: Sequence[Story],
    config: SiteConfig,
    out: Path,
    now: datetime,
    languages: tuple[str, ...],
    all_languages: bool,
    diags: Diagnostics,
    progress: Progress | None = None,
) -> ExportResult | None:
    """Run the writers and publish; None (out/ untouched) if any error was reported."""
    files = run_writers(writers, stories, config, now, languages, diags, progress)
    if diags.errors:
        return None
    folders = sorted({f for w in writers for f in w.owned_folders()})
    try:
        with locked(out):
            report = publish(out, files, folders, keep_others=not all_languages)
    except OutputError as exc:
        diags.error("output.write", str(exc), str(out))
        return None
    return ExportResult(len(files), report.written, report.unchanged, report.removed)
