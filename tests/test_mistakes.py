"""The messages a journalist gets for the mistakes people make (tests/fixtures/mistakes/, one
story per mistake, golden diagnostics in its expected.txt): each names the file, the line and
what to do, in words, never a Python repr, a regular expression or PyYAML's own wording."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

MISTAKES = Path(__file__).resolve().parent / "fixtures" / "mistakes"
DIAGNOSTIC = re.compile(r"articles/([a-z-]+)/[^:]+(:[0-9]+)?: error: (.+) \[[a-z]+\.[a-z-]+\]")
NOT_FOR_PEOPLE = (
    "None",
    "is not of type",
    "is not valid under any",
    "does not match",
    "^[",
    "\\S",
    "mapping values are not allowed",
    "cannot start any token",
    "could not find expected",
    "<block end>",
    "Error",
    "Traceback",
    "0 is less than",
    "mapping",
)


def validate_in(site: Path) -> subprocess.CompletedProcess[str]:
    """`syndicate validate` run in `site`, in a process of its own; it must find errors."""
    result = subprocess.run(
        [sys.executable, "-m", "syndicate", "validate"],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    return result


@pytest.fixture(scope="module")
def reported() -> str:
    result = validate_in(MISTAKES)
    # the problems, then the command's summary line, which counts them
    problems, summary = result.stderr.removesuffix("\n").rsplit("\n", 1)
    errors = problems.count(": error: ")
    assert summary == f"articles: not valid: {errors} errors (above)"
    return problems + "\n"


def test_every_mistake_gets_exactly_the_expected_messages(reported: str) -> None:
    assert reported == (MISTAKES / "expected.txt").read_text(encoding="utf-8")


def test_every_mistake_is_reported_at_its_line(reported: str) -> None:
    lines = reported.splitlines()
    matches = [DIAGNOSTIC.fullmatch(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches, strict=True) if not m]
    stories = {p.name for p in (MISTAKES / "articles").iterdir()}
    assert {m.group(1) for m in matches if m} == stories
    # Only a file's name (EN.md) has no line to point at.
    assert [line for line, m in zip(lines, matches, strict=True) if m and not m.group(2)] == [
        "articles/uppercase-language-file/EN.md: error: name the file en.md: a language tag is"
        " written 'en', and one language has one file [story.language]"
    ]


def test_no_message_shows_python_regexes_or_pyyaml(reported: str) -> None:
    for words in NOT_FOR_PEOPLE:
        assert words not in reported, words


def test_a_misspelt_required_field_is_one_mistake(tmp_path: Path) -> None:
    """`headlin:` for `headline:` is reported once, as the unknown field with its "did you
    mean"; `'headline' is required` beside it would count one mistake twice. A field named
    nothing like it still leaves the requirement said."""
    import shutil

    repo = MISTAKES.parents[2]
    shutil.copytree(repo / "articles", tmp_path / "articles")
    shutil.copy(repo / "syndicate.yaml", tmp_path / "syndicate.yaml")
    en = tmp_path / "articles" / "2021-02-18-nato-iraq-deployment" / "en.md"
    text = en.read_text(encoding="utf-8")

    def problems(field: str) -> list[str]:
        en.write_text(text.replace("\nheadline:", f"\n{field}:", 1), encoding="utf-8")
        return [line for line in validate_in(tmp_path).stderr.splitlines() if ": error: " in line]

    [typo] = problems("headlin")
    assert typo.endswith("unknown field 'headlin'; did you mean 'headline'? [article.schema]")
    unknown, required = problems("title")
    assert "unknown field 'title'" in unknown and "'headline' is required" in required


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "\n",
            "syndicate.yaml:1: error: the site configuration is empty; it needs publisher,"
            " base_url and languages, one `name: value` line each (docs/configuration.md), or"
            " copy the syndicate.yaml that `syndicate init DIR` writes in a new folder"
            " [file.empty]",
        ),
        (
            "# publisher: Daily Planet\n",
            "syndicate.yaml:1: error: the site configuration is empty; it needs publisher,"
            " base_url and languages, one `name: value` line each (docs/configuration.md), or"
            " copy the syndicate.yaml that `syndicate init DIR` writes in a new folder"
            " [config.schema]",
        ),
        (
            "- publisher\n- languages\n",
            "syndicate.yaml:1: error: syndicate.yaml must be `name: value` lines, like"
            " `timezone: Europe/Brussels`, not a list (lines starting with -) [config.schema]",
        ),
    ],
)
def test_a_configuration_that_is_not_settings_says_what_it_needs(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Not a story's advice (front matter and a body), nor YAML's word "mapping"."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.readers.config import load_config

    (tmp_path / "syndicate.yaml").write_text(text, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is None
    assert [d.format_text() for d in diags] == [expected]


def test_a_story_file_of_comments_or_empty_front_matter_says_what_it_needs(
    tmp_path: Path,
) -> None:
    """YAML that holds nothing (only comments, or `---` twice) is not "a value with no name":
    it gets what an empty file of its kind gets, the fields to write."""
    import shutil

    repo = MISTAKES.parents[2]
    shutil.copytree(repo / "articles", tmp_path / "articles")
    shutil.copy(repo / "syndicate.yaml", tmp_path / "syndicate.yaml")
    folder = tmp_path / "articles" / "2021-02-18-nato-iraq-deployment"
    meta, en = folder / "story.yaml", folder / "en.md"
    facts = meta.read_text(encoding="utf-8")
    meta.write_text("# id: to come\n\n", encoding="utf-8")
    [error] = [line for line in validate_in(tmp_path).stderr.splitlines() if ": error: " in line]
    assert error.endswith(
        "story.yaml:1: error: story.yaml has only comments or blank lines; write the facts every"
        " language shares, one `name: value` line each, at least id, original_language, section,"
        " first_created, published and rights (docs/sources.md shows a complete one), or copy"
        " the one `syndicate new SLUG` writes, which marks each field to fill in with TODO"
        " [article.schema]"
    )
    meta.write_text(facts, encoding="utf-8")
    text = en.read_text(encoding="utf-8")
    en.write_text("---\n---\n" + text.split("\n---\n", 1)[1], encoding="utf-8")
    [error] = [line for line in validate_in(tmp_path).stderr.splitlines() if ": error: " in line]
    assert error.endswith(
        "en.md:2: error: the front matter between the --- lines is empty; write this language's"
        " headline, summary, byline and dateline there, one `name: value` line each"
        " (docs/sources.md) [article.schema]"
    )
