"""The Python API's `export` (docs/api.md): a mistake in its arguments, or in a writer an
application plugs in, is a diagnostic in the result, never a traceback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, REPO
from markupsafe import Markup

from syndicate.build import export
from syndicate.formats.contract import Context, Options, OutputFile, Writer
from syndicate.formats.registry import BUILTIN, Registry
from syndicate.model import Localized, Place, SiteConfig, Story, StorySummary

NOW = datetime.fromisoformat(FIXED_NOW)


def run(tmp_path: Path, **arguments: Any) -> tuple[str, list[str]]:
    common: dict[str, Any] = {
        "formats": ["model"],
        "config": REPO / "syndicate.yaml",
        "articles": REPO / "articles",
        "out": tmp_path / "out",
        "cache": tmp_path / "cache",
        "now": NOW,
    }
    result = export(**(common | arguments))
    return result.status, [d.format_text() for d in result.diagnostics.errors]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"formats": []}, "formats: name one or more formats, or 'all'"),
        ({"now": datetime(2026, 12, 1)}, "is not a datetime with a time zone"),
        ({"now": "2026-12-01T00:00:00Z"}, "is not a datetime with a time zone"),
        ({"jobs": 0}, "jobs: 0 is not valid: expected a whole number of at least 1"),
        ({"jobs": -3}, "jobs: -3 is not valid: expected a whole number of at least 1"),
        ({"executor": "threads"}, "executor: unknown executor 'threads'"),
        ({"executor": "dsak"}, "did you mean 'dask'?"),
        ({"stories": []}, "give articles (story folders) or stories (Story objects), not both"),
        ({"stories": ["x"], "articles": None}, "stories: give Story objects, not str"),
        ({"formats": 3}, "formats: give a list of format names"),
        ({"languages": 3}, "languages: give a list, such as ['en', 'fr']"),
        # A list of something else than text: an AttributeError or a TypeError before, and
        # the example of `only` and `stories` was the languages' one.
        ({"languages": [1]}, "languages: give each language as text, such as 'en', not 1"),
        ({"languages": ["en", None]}, "languages: give each language as text, such as 'en'"),
        ({"only": [1]}, "only: give each story folder name as text, such as '2026-12-01-w"),
        ({"only": [None]}, "only: give each story folder name as text"),
        ({"only": 3}, "only: give a list of story folder names, such as ['2026-12-01-welcome']"),
        ({"stories": iter(()), "articles": None}, "stories: give a list of Story objects"),
        ({"scheduler": "tcp://127.0.0.1:1"}, "scheduler: 'tcp://127.0.0.1:1' is a Dask"),
        # Each argument of another kind than it takes: a traceback before.
        ({"config": 5}, "config: give a path of syndicate.yaml or a SiteConfig, not 5"),
        ({"articles": 3}, "articles: give a folder's path, not 3"),
        ({"out": 7}, "out: give a folder's path, not 7"),
        ({"cache": 3}, "cache: give a folder's path, not 3"),
        ({"registry": 5}, "registry: give a Registry, not 5"),
        ({"diagnostics": 5}, "diagnostics: give a Diagnostics, not 5"),
        ({"progress": 5}, "progress: give a function of (phase, done, total), not 5"),
        ({"force": "yes"}, "force: give True or False, not 'yes'"),
        ({"releases": "no"}, "releases: give True or False, not 'no'"),
        ({"drafts": "yes"}, "drafts: give True or False, not 'yes'"),
        # Drafts shown as released are the preview's, in a run nobody receives.
        ({"drafts": True}, "drafts=True (the preview's --drafts) shows drafts as released"),
        ({"drafts": 1}, "drafts=True (the preview's --drafts) shows drafts as released"),
        ({"keep_going": 2}, "keep_going: give True, False or None, not 2"),
        ({"force": 0.5}, "force: give True or False, not 0.5"),
    ],
)
def test_a_mistaken_argument_is_an_error_not_a_traceback(
    tmp_path: Path, arguments: dict[str, Any], message: str
) -> None:
    status, errors = run(tmp_path, **arguments)
    assert status == "input-errors"
    assert any(message in e and e.endswith("[export.request]") for e in errors), errors
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"languages": ["pt"]}, "error: 'pt' is not one of the site's languages (en, fr,"),
        ({"only": ["nope"]}, "error: no story 'nope' in the articles folder"),
    ],
)
def test_a_value_the_site_lacks_is_said_without_command_line_flags(
    tmp_path: Path, arguments: dict[str, Any], message: str
) -> None:
    """Python callers pass no --lang or --story: the messages named flags they never used."""
    status, errors = run(tmp_path, **arguments)
    assert status == "input-errors"
    assert any(e.startswith(message) for e in errors), errors
    assert not any("--" in e for e in errors), errors


def test_one_name_is_one_format_not_its_letters_and_paths_may_be_text(tmp_path: Path) -> None:
    status, errors = run(
        tmp_path,
        formats="ninjs",
        languages="en",
        out=str(tmp_path / "out"),
        articles=str(REPO / "articles"),
        config=str(REPO / "syndicate.yaml"),
    )
    assert (status, errors) == ("exported", [])
    # One language's files: a file per language variant, and only the English one.
    written = sorted(p.name for p in (tmp_path / "out" / "ninjs").glob("*.json"))
    assert written == ["2021-02-18-nato-iraq-deployment.en.json"]


def test_the_readers_take_paths_as_text_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """`load_config("syndicate.yaml", ...)` ended in an AttributeError (`str` has no
    `exists`), though `export` takes text paths."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.readers.articles import read_articles
    from syndicate.readers.config import load_config

    monkeypatch.chdir(REPO)
    diagnostics = Diagnostics()
    config = load_config("syndicate.yaml", "syndicate.yaml", diagnostics)
    assert config is not None
    (story,) = read_articles("articles", config, diagnostics)
    assert story.slug == "2021-02-18-nato-iraq-deployment" and not diagnostics.errors


class _Careless(Writer[Options]):
    """A plugin whose files are not `OutputFile(path, bytes)`."""

    name = "careless"
    description = "gives what it should not"
    media_type = "text/plain"
    extension = ".txt"
    scope = "collection"
    Options = Options
    given: object = None

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[Options]
    ) -> Iterator[OutputFile]:
        yield self.given  # type: ignore[misc]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (("careless/a.txt", b"x"), "gave tuple ('careless/a.txt', b'x') where an OutputFile"),
        (OutputFile("careless/a.txt", "text"), "gave 'careless/a.txt' as str, not bytes: encode"),  # type: ignore[arg-type]
        (OutputFile(None, b"x"), "gave a file whose path is NoneType, not text"),  # type: ignore[arg-type]
    ],
)
def test_a_writer_giving_what_is_not_a_file_is_named(
    tmp_path: Path, given: object, message: str
) -> None:
    writer = _Careless()
    writer.given = given
    registry = Registry({**BUILTIN, "careless": lambda: writer})
    status, errors = run(tmp_path, formats=["careless"], registry=registry)
    assert status == "failed"
    assert any(
        f"the careless writer {message}" in e and e.endswith("[writer.output]") for e in errors
    ), errors
    assert not (tmp_path / "out" / "careless").exists()


class _Optionless(Writer[Options]):
    """A plugin whose class has no `Options`."""

    name = "optionless"
    description = "forgot its options"
    media_type = "text/plain"
    extension = ".txt"
    scope = "collection"

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[Options]
    ) -> Iterator[OutputFile]:
        yield OutputFile("optionless/a.txt", b"a")


def test_a_writer_without_options_is_named_not_a_traceback(tmp_path: Path) -> None:
    """It raised AttributeError out of `export()`, which promises problems never raise."""
    registry = Registry({**BUILTIN, "optionless": _Optionless})
    status, errors = run(tmp_path, formats=["optionless"], registry=registry)
    assert status == "input-errors"
    assert any(
        "format 'optionless'" in e and "has no `Options`" in e and e.endswith("[plugin.writer]")
        for e in errors
    ), errors


def test_the_command_line_called_by_a_program_leaves_its_warnings_as_they_were(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """After `syndicate.cli.main([...])`, the host program's own `warnings.warn` went to a
    logger with nowhere to go (dropped), and `sys.warnoptions` had grown: the command line
    routes library warnings for its own run only (the handler it gave the `py.warnings`
    logger too)."""
    import logging
    import sys
    import warnings

    from syndicate.cli import main

    shown, options = warnings.showwarning, list(sys.warnoptions)
    handlers = list(logging.getLogger("py.warnings").handlers)
    assert main(["formats"]) == 0
    assert warnings.showwarning is shown and sys.warnoptions == options
    assert logging.getLogger("py.warnings").handlers == handlers
    capsys.readouterr()


def test_a_flag_given_as_0_or_1_is_taken_as_false_or_true(tmp_path: Path) -> None:
    """Flags given as the numbers 0 and 1 (or numpy's booleans, which compare so) were taken
    before the arguments' kinds were checked, and still are."""
    status, errors = run(tmp_path, force=1, strict=0, keep_going=0, releases=1)
    assert status == "exported" and errors == []


def test_a_story_of_a_program_s_own_text_and_number_types_is_exported(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """A CMS gives a story whose texts are its "safe" strings (`markupsafe.Markup`, Django's
    `SafeString`: str subclasses) and whose coordinates are numpy's (float subclasses): the
    build state, written by msgspec, which takes no subclass, failed the run ("a worker
    failed: TypeError")."""

    class Coordinate(float):
        pass

    first, *others = sample_story.variants
    variant = dataclasses.replace(first, headline=Markup("Harbour &amp; Daily opens"))
    place = Place(Localized((("en", Markup("Brussels")),)), "BE", (Coordinate(50.85), 4.35))
    story = dataclasses.replace(sample_story, variants=(variant, *others), places=(place,))
    result = export(
        formats=["model"], stories=[story], config=site_config, out=tmp_path / "out", now=NOW
    )
    assert result.status == "exported", [d.format_text() for d in result.diagnostics]
