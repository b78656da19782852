"""The command line: export, validate, formats, new; exit codes; out/ untouched on error."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_SLUG, Exporter

from syndicate.build.engine import CACHE_ENV
from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.readers.config import load_config

BROKEN = Path(__file__).resolve().parent / "fixtures" / "broken"


def run_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicate", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_version_and_module_entry_point() -> None:
    result = run_in(REPO, "--version")
    assert result.returncode == 0 and result.stdout.startswith("syndicate ")


def test_version_imports_the_cli_alone() -> None:
    """`syndicate --version` is the bench's start-up (`startup_ratio`): it loads the command
    line's module and nothing of the build, the readers, the formats, nor the libraries they
    use. In a process of its own, as from a shell."""
    script = (
        "import runpy, sys\n"
        "sys.argv = ['syndicate', '--version']\n"
        "try:\n"
        "    runpy.run_module('syndicate', run_name='__main__', alter_sys=True)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(*sorted(sys.modules))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = run.stdout.splitlines()[-1].split()
    assert [m for m in loaded if m.startswith("syndicate")] == ["syndicate", "syndicate.cli"]
    libraries = {"yaml", "msgspec", "babel", "sqlite3", "socket", "ctypes", "logging", "lxml"}
    libraries |= {"multiprocessing", "markdown_it", "PIL", "jinja2", "jsonschema_rs"}
    assert [m for m in loaded if m.partition(".")[0] in libraries] == []


def test_formats_lists_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    from syndicate.formats.registry import default_registry

    assert main(["formats"]) == 0
    listed = [
        line.split()[0]
        for line in capsys.readouterr().out.splitlines()
        if line and not line.startswith(" ")
    ]
    assert listed == list(default_registry().names)
    assert "model" in listed


def test_unknown_format_names_the_nearest(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["export", "--format", "modle"]) == 2
    err = capsys.readouterr().err
    assert "unknown format 'modle'; did you mean 'model'?" in err


def test_validate_passes_on_the_sample_articles(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["validate"]) == 0
    assert "articles: 1 story, 6 language variants: OK" in capsys.readouterr().err


def test_broken_articles_give_one_precise_message_per_problem() -> None:
    result = run_in(BROKEN, "validate")
    assert result.returncode == 2
    expected = (BROKEN / "expected.txt").read_text(encoding="utf-8")
    assert result.stderr == expected
    assert "Traceback" not in result.stderr


def test_a_duplicate_id_is_told_at_its_id_line(tmp_path: Path) -> None:
    """A copied folder's id is where the fix goes: the message names that line, wherever the
    id stands in story.yaml (not the file's first line)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    copy = site / "articles" / "2021-02-19-copy"
    shutil.copytree(site / "articles" / "2021-02-18-nato-iraq-deployment", copy)
    text = (copy / "story.yaml").read_text(encoding="utf-8")
    (copy / "story.yaml").write_text("# copied\n\n" + text, encoding="utf-8")
    line = 3 + text.splitlines().index(next(t for t in text.splitlines() if t.startswith("id:")))
    result = run_in(site, "validate")
    assert result.returncode == 2
    assert f"articles/2021-02-19-copy/story.yaml:{line}: error: id 'tag:" in result.stderr
    assert "give the story that partners have not had yet an id of its own" in result.stderr


def test_broken_articles_as_json_lines() -> None:
    result = run_in(BROKEN, "validate", "--log-format", "json")
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert result.returncode == 2 and len(records) == len(
        (BROKEN / "expected.txt").read_text(encoding="utf-8").splitlines()
    )
    assert {"severity", "code", "message", "path", "line"} <= set(records[0])
    unknown = next(
        r for r in records if r["code"] == "article.schema" and "sectoin" in r["message"]
    )
    assert unknown["path"] == "articles/unknown-field/story.yaml" and unknown["line"] == 9
    folder = next(r for r in records if r["code"] == "story.slug")
    assert folder["path"] == "articles/Bad_Slug" and folder["line"] is None, "no line, not 0"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Icon\r", "Icon\\r"),  # macOS's folder icon file: went back to the line's start
        ("x\x1b[2Jy", "x\\x1b[2Jy"),  # cleared the screen
        ("a\x9bb\x7f", "a\\x9bb\\x7f"),
        ("a\u2028b\u202ec", "a\\u2028b\\u202ec"),
        ("\udcffbad", "\\udcffbad"),  # a byte that is not UTF-8 (surrogateescape)
        ("café/中文.md", "café/中文.md"),
    ],
)
def test_a_path_a_terminal_would_act_on_is_shown_escaped(name: str, shown: str) -> None:
    """A file name's control characters were printed raw in the text diagnostics; JSON keeps
    the real path, which it escapes itself."""
    from syndicate.diagnostics import Diagnostic

    for line, where in ((3, f"articles/{shown}:3: "), (0, f"articles/{shown}: ")):
        problem = Diagnostic(
            "error", "story.slug", f"folder name {name!r}", f"articles/{name}", line
        )
        assert problem.format_text() == f"{where}error: folder name {name!r} [story.slug]"
        assert json.loads(problem.format_json())["path"] == f"articles/{name}"


def test_export_with_bad_input_leaves_out_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "model").mkdir(parents=True)
    (out / "model" / "previous.json").write_text("{}", encoding="utf-8")
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    result = run_in(BROKEN, "export", "--format", "model", "--out", str(out))
    assert result.returncode == 2
    assert "out/ is unchanged" in result.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before


def test_export_names_the_out_folder_given_where_it_says_it_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out DIR` was said as "out/ is unchanged", a folder the run never touched: the
    folder is named as given, from where syndicate was started (relative inside it,
    absolute outside), as every other path it says; the site's own is out/, as ever."""
    site = shutil.copytree(BROKEN, tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    base = ["export", "--format", "model", "--site", "site"]
    said = {}
    for given in ("published", str(tmp_path.parent / "elsewhere"), None):
        capsys.readouterr()
        out = [] if given is None else ["--out", given]
        assert main([*base, *out]) == 2
        said[given] = capsys.readouterr().err.strip().splitlines()[-1]
    assert said["published"].endswith("; published/ is unchanged"), said
    outside = str(tmp_path.parent / "elsewhere")
    assert said[outside].endswith(f"; {outside}/ is unchanged"), said
    assert said[None].endswith("; out/ is unchanged"), said  # the site's own
    monkeypatch.chdir(site)
    assert main(base[:3]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith("; out/ is unchanged")


def test_model_dump_golden(export_sample: Exporter, golden: Callable[[Path, str], None]) -> None:
    out = export_sample("model")
    golden(out / "model", "model")


def test_exports_are_byte_identical(export_sample: Exporter) -> None:
    first, second = export_sample("model"), export_sample("model")
    files = sorted(p.relative_to(first) for p in first.rglob("*.json"))
    assert files
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes()


def test_lang_filter(export_sample: Exporter) -> None:
    out = export_sample("ninjs", extra=("--lang", "fr", "--lang", "ar"))
    # A file per language variant: those of the two languages only.
    written = sorted(p.name.split(".")[1] for p in (out / "ninjs").glob("*.json"))
    assert written == ["ar", "fr"]


def test_lang_must_be_a_site_language(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["export", "-f", "model", "--lang", "pt", "--out", str(tmp_path)]) == 2
    assert "'pt' is not one of the site's languages" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("tag", "fix"),
    [
        ("pt", "; to publish pt, add it to languages: in the site's syndicate.yaml"),
        ("zh", "; did you mean 'zh-Hans'?"),  # the site's one Chinese
        ("en-GB", "; did you mean 'en'?"),
        ("fra", "; did you mean 'fr'?"),  # ISO 639-2, which BCP 47 writes fr
        ("nl", "; to publish nl, add it to languages: in the site's syndicate.yaml"),  # not en
        ("jp", ", nor a known BCP 47 language tag; did you mean 'ja'?"),  # a country's code
    ],
)
def test_a_language_the_site_lacks_gets_its_fix(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tag: str,
    fix: str,
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["export", "-f", "model", "--lang", tag, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"error: {tag!r} is not one of the site's languages (en, fr, ar" in err
    assert f"{fix} [export.language]" in err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["exprot"], "invalid choice: 'exprot' (choose from 'init', "),
        (["export", "-f", "atom", "--executor", "dsak"], "invalid choice: 'dsak' (choose from"),
    ],
)
def test_a_mistyped_command_or_choice_gets_the_nearest(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2, "a usage error is a status returned, as api.md says"
    err = capsys.readouterr().err
    assert said in err
    meant = "export" if argv == ["exprot"] else "dask"
    assert err.rstrip().endswith(f"; did you mean {meant!r}?"), err
    assert main(["zzz"]) == 2
    assert "did you mean" not in capsys.readouterr().err


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_an_unknown_option_of_a_command_is_said_by_that_command(
    log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`syndicate list --bogus` was said by the top-level parser: `syndicate: error:` under the
    usage of `syndicate` itself, where every other mistake of a command's arguments (`show`
    without its SLUG, `export --format` without its value) is `syndicate COMMAND: error:`
    under that command's usage, which lists the options it takes."""
    assert main(["--log-format", log_format, "list", "--bogus", "-q"]) == 2
    err = capsys.readouterr().err
    if log_format == "json":
        (line,) = err.splitlines()
        assert json.loads(line)["message"] == "unrecognized arguments: --bogus"
        return
    assert err.startswith("usage: syndicate list ["), err
    assert err.splitlines()[-1] == "syndicate list: error: unrecognized arguments: --bogus"
    assert main(["--bogus"]) == 2, "no command: the top-level parser's, as ever"
    assert capsys.readouterr().err.splitlines()[-1] == (
        "syndicate: error: unrecognized arguments: --bogus"
    )


def test_no_arguments_is_the_help_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """A bare `syndicate`, the first command many type, ended in a ValueError traceback."""
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("usage: syndicate") and "Traceback" not in err
    assert main(["--help"]) == 0, "the help asked for is a success"
    done = subprocess.run(
        [sys.executable, "-m", "syndicate"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout.startswith("usage:"), done.stderr
    assert done.stderr == ""


def test_now_needs_a_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert main(["export", "-f", "model", "--now", "2026-01-01T00:00:00"]) == 2


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("2026-01-05 10:00 +0100", "; write it '2026-01-05T10:00:00+01:00'"),
        ("2026-1-5T10:00Z", "; write it '2026-01-05T10:00:00Z'"),
        ("2026-01-05 10:00", "; add the offset of its time zone: '2026-01-05T10:00:00Z' for UTC"),
    ],
)
def test_now_written_almost_right_is_given_back_as_it_must_be(
    given: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """sources.md: a date written almost right is given back as it must be written, and
    `--now` gets the same words (it got "not an RFC 3339 date-time, e.g." and nothing more)."""
    assert main(["list", "--now", given]) == 2
    err = capsys.readouterr().err
    assert f"{given!r} is not an RFC 3339 date-time{said}\n" in err, err


def test_now_mended_into_a_refused_date_is_not_offered(capsys: pytest.CaptureFixture[str]) -> None:
    """`0999-01-01 10:00Z` was told to be written `'0999-01-01T10:00:00Z'`, which the year
    check then refuses: no hint that cannot be taken."""
    assert main(["list", "--now", "0999-01-01 10:00Z"]) == 2
    err = capsys.readouterr().err
    assert "write it" not in err and "is not an RFC 3339 date-time, e.g." in err, err


def test_new_scaffolds_a_valid_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site", str(REPO / "articles/_site")), encoding="utf-8"
    )
    (tmp_path / "articles").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["new", "2026-11-24-budget-vote", "--lang", "fr", "--lang", "en"]) == 0
    folder = tmp_path / "articles" / "2026-11-24-budget-vote"
    assert sorted(p.name for p in folder.iterdir()) == ["en.md", "fr.md", "story.yaml"]
    assert "original_language: fr" in (folder / "story.yaml").read_text(encoding="utf-8")
    assert main(["validate"]) == 0
    assert main(["new", "2026-11-24-budget-vote", "--lang", "fr"]) == 2  # exists


def test_every_list_json_row_has_every_key_an_unreadable_story_too(site: Path) -> None:
    """A story that could not be read was `{"slug", "state"}` alone in `list --json`: a
    script reading `.status` or `.languages[]` of every row broke on it."""
    broken = site / "articles" / "2026-01-02-broken"
    shutil.copytree(site / "articles" / SAMPLE_SLUG, broken)
    (broken / "en.md").write_text("---\nheadline: [\n---\n", encoding="utf-8")
    done = run_in(site, "list", "--json", "--now", "2026-02-01T00:00:00Z")
    assert done.returncode == 2, done.stderr
    rows = {row["slug"]: row for row in map(json.loads, done.stdout.splitlines())}
    keys = [
        "embargo_until", "headline", "id", "languages", "published", "section", "slug", "state",
        "status", "updated", "version",
    ]  # fmt: skip
    assert sorted(rows[SAMPLE_SLUG]) == keys and rows[SAMPLE_SLUG]["state"] == "public"
    assert rows[broken.name] == dict.fromkeys(keys) | {
        "slug": broken.name,
        "state": "unreadable",
        "languages": [],
    }
    table = run_in(site, "list", "--now", "2026-02-01T00:00:00Z").stdout.splitlines()
    assert [line.split() for line in table if line.startswith(broken.name)] == [
        [broken.name, "unreadable"]
    ]


def test_init_refuses_an_articles_folder_its_site_would_not_validate(tmp_path: Path) -> None:
    """`init` in a folder whose articles/ held notes said "created the site", exit 0, and
    printed `next: cd paper && syndicate validate && ...`, whose validate failed on them."""
    zone = ("--timezone", "UTC")
    now = ("--now", "2026-02-01T00:00:00Z", *zone)
    articles = tmp_path / "paper" / "articles"
    (articles / "notes").mkdir(parents=True)
    (articles / "notes" / "todo.txt").write_text("call Ana\n", encoding="utf-8")
    done = run_in(tmp_path, "init", "paper", *now)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(
        "paper/articles: error: already holds articles/notes, which the new site could not"
        " validate (the problems below); nothing was written."
    ), done.stderr
    assert "paper/articles/notes/todo.txt: error: " in done.stderr
    assert done.stderr.endswith("not created: nothing was written in paper (the problems above)\n")
    written = sorted(p.name for p in (tmp_path / "paper").rglob("*"))
    assert written == ["articles", "notes", "todo.txt"]
    shutil.move(articles / "notes", tmp_path / "notes")

    def story_of(*init: str) -> Path:  # the sample story of another site, made a day earlier
        other = tmp_path / f"other{len(list(tmp_path.iterdir()))}"
        assert run_in(tmp_path, "init", other.name, *init).returncode == 0
        return other / "articles" / next(n for n in os.listdir(other / "articles") if n[0] != "_")

    # A story half made (no language file yet) is refused the same way.
    half = articles / "2026-01-30-half"
    shutil.copytree(story_of("--now", "2026-01-30T00:00:00Z", *zone), half)
    (half / "en.md").unlink()
    done = run_in(tmp_path, "init", "paper", *now)
    assert done.returncode == 2 and "already holds articles/2026-01-30-half, which" in done.stderr
    shutil.rmtree(half)
    # One with the id the sample story would have (the same --url and date) too.
    shutil.copytree(story_of(*now), articles / "2026-01-05-copy")
    done = run_in(tmp_path, "init", "paper", *now)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(
        "paper/articles/2026-01-05-copy/story.yaml:2: error: has the id"
        " tag:example.org,2026-02-01:welcome of the sample story init would write"
    ), done.stderr
    shutil.rmtree(articles / "2026-01-05-copy")
    # Stories the new site reads (and a stray file: a warning) are kept, and `next:` works.
    shutil.copytree(story_of("--now", "2026-01-31T00:00:00Z", *zone), articles / "2026-01-31-x")
    (articles / "README.txt").write_text("our stories\n", encoding="utf-8")
    done = run_in(tmp_path, "init", "paper", *now)
    assert done.returncode == 0, done.stderr
    assert "next: cd paper && syndicate validate && syndicate export --format all" in done.stderr
    done = run_in(tmp_path / "paper", "validate", "--now", "2026-02-01T00:00:00Z")
    assert done.returncode == 0 and "articles: 2 stories" in done.stderr, done.stderr
    assert "README.txt: warning: " in done.stderr


def test_config_typos_are_reported_with_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "syndicate.yaml").write_text(config + "modle:\n  x: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    assert "unknown section 'modle'; did you mean 'model'?" in capsys.readouterr().err


def test_a_strict_summary_names_the_file_the_warning_is_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A warning at a line of syndicate.yaml, an error under --strict: the summary named
    articles/ (and had a stray comma)."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("zh-Hans, de, es]", "zh-Hans, de, es, sw]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--strict", "validate", "--articles", str(REPO / "articles")]) == 2
    summary = capsys.readouterr().err.splitlines()[-1]
    assert summary == (
        "syndicate.yaml: not valid: 0 errors and 1 warning, an error under --strict (above)"
    )


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("timezone:", "timezon:"), "unknown setting 'timezon'; did you mean 'timezone'?"),
        (("base_url:", "baseurl:"), "unknown setting 'baseurl'; did you mean 'base_url'?"),
        (("publisher:", "publsher:"), "unknown setting 'publsher'; did you mean 'publisher'?"),
    ],
)
def test_a_misspelt_setting_is_named_with_its_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str],
    said: str,
) -> None:
    """The schema read any other key as a format's section: `timezon: Europe/Brussels` was
    "expected fields (name: value lines)", `publsher:` only "'publisher' is required"."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    assert change[0] in config
    (tmp_path / "syndicate.yaml").write_text(config.replace(*change), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    err = capsys.readouterr().err
    assert said in err, err
    assert "expected fields" not in err


def test_a_key_that_is_neither_a_setting_nor_a_section_is_told_to_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`editor_notes: check with legal` was only "expected fields (name: value lines)",
    which reads as if the key were a section syndicate knows."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    lines = config.count("\n")
    (tmp_path / "syndicate.yaml").write_text(config + "editor_notes: check with legal\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    assert (
        f"syndicate.yaml:{lines + 1}: error: editor_notes: expected fields (name: value lines),"
        " found 'check with legal'; editor_notes is read as a format's section: if it is none"
        " (a note, another tool's setting), remove it [config.schema]"
    ) in capsys.readouterr().err


@pytest.mark.parametrize("name", ['" "', '"\\u200b"', '"YCPress\\n"', '"YC\\u2028Press"'])
def test_a_blank_or_broken_publisher_name_is_refused_at_its_line(
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The publisher's name is in every output (feeds' titles, News sitemaps' publication,
    NewsML-G2's provider, books' publisher): a blank one, an invisible one or one with a line
    break passed validate and went into them all."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    line = config.splitlines().index("  name: YCPress") + 1
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("  name: YCPress", f"  name: {name}", 1)
    )
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    (said,) = [x for x in capsys.readouterr().err.splitlines() if "publisher.name" in x]
    assert said.startswith(f"syndicate.yaml:{line}: error: publisher.name: ")
    assert said.endswith(
        " is not the publisher's name: one line, with at least one visible character"
        " [config.schema]"
    )


@pytest.mark.parametrize("key", ["theme", "templates", "layoutDir", "staticDir"])
def test_a_hugo_folder_setting_is_told_that_templates_is_the_folder(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`theme: harbour` or `templates: theme/` (Hugo's way to name the pages' folders) was
    told it "is read as a format's section", which said nothing of where templates go."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "syndicate.yaml").write_text(config + f"{key}: theme/\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    assert (
        f"; syndicate has no {key} setting: the pages' templates are always the"
        " templates/ folder beside syndicate.yaml, whose other files (CSS, fonts, scripts,"
        " images) are published beside the pages; remove this line [config.schema]"
    ) in capsys.readouterr().err


@pytest.mark.parametrize("name", ["templates", "terms"])
def test_a_templates_or_terms_file_not_a_folder_is_told(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `templates` (or `terms`) file beside syndicate.yaml, a folder's name written as a
    file (a zip unpacked wrong, `touch templates`), was passed over in silence: the site's
    pages came out in syndicate's own templates and the editor never knew why."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "syndicate.yaml").write_text(config)
    (tmp_path / name).write_text("{% extends 'base.html' %}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 0
    assert (
        f"{name}: warning: {name} beside syndicate.yaml is not a folder, so syndicate's own"
        f" {name} are used; to have {name} of the site's own, make {name}/ a folder and put"
        " them in it (docs/configuration.md) [config.folder]"
    ) in capsys.readouterr().err


def test_one_did_you_mean_with_a_cutoff_for_near_misses() -> None:
    """Every "did you mean" is written by `diagnostics` (the configuration's typos and the
    language tags wrote their own): a key holding a section asks for a nearer miss, since a
    section named `langs` is a plugin's, not `languages` misspelt."""
    from syndicate.diagnostics import did_you_mean, suggest

    assert did_you_mean("langs", ["languages"]) == "; did you mean 'languages'?"
    assert did_you_mean("langs", ["languages"], cutoff=0.85) == ""
    assert did_you_mean("publsher", ["publisher"], cutoff=0.85) == "; did you mean 'publisher'?"
    assert (suggest("ja"), suggest(None)) == ("; did you mean 'ja'?", "")


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("jsonfeed: {limit: 5}", "unknown section 'jsonfeed'; the options of jsonfeed are in the"
         " section 'feeds'"),
        ("rss: {limit: 5}", "unknown section 'rss'; the options of rss are in the section 'feeds'"),
        ("jsonld: {x: 1}", "jsonld: unknown option 'x'; this section takes no options"),
        ("ninjs: {version: 2.2}", "ninjs: version: 2.2 is not a text (2.2 or 3.1): YAML reads it"
         " unquoted as a number; put it in quotes"),
        ("profiles: {acme: {image_ratio_min: 0}}", "image_ratio_min: 0 is not valid: expected a"
         " number from 0.05 to 20"),
        ("feeds: {languages: [EN]}", "feeds: languages: EN not among the site's languages (en,"
         " fr, ar, zh-Hans, de, es): write 'en' for 'EN'"),
        ("profiles: {msn: {languages: [zh-hans]}}", "write 'zh-Hans' for 'zh-hans'"),
        ("deliver: {targets: [{name: a, url: 'file:///srv/a/', formats: [atom], languages: [FR]}]}",
         "languages: FR not among the site's languages (en, fr, ar, zh-Hans, de, es): write 'fr'"
         " for 'FR'"),
        ("timezone: localtime", "unknown time zone 'localtime'"),
        ("timezone: posix/Europe/Paris", "unknown time zone 'posix/Europe/Paris'"),
        ("timezone: europe/brussels", "unknown time zone 'europe/brussels'; did you mean"
         " 'Europe/Brussels'?"),
        ("timezone: America/New York", "did you mean 'America/New_York'?"),
        ("timezone: GMT+5", "unknown time zone 'GMT+5': an offset (UTC+05:00), not a time zone;"
         " write the IANA zone of the place"),  # not "did you mean 'GMT+0'?", five hours off
        ("timezone: GMT+5", "for UTC+05:00 all year round, 'Etc/GMT-5' (the zone database"
         " writes the sign inverted)"),
        ("timezone: UTC+05:45", "unknown time zone 'UTC+05:45': an offset (UTC+05:45), not a"
         " time zone; write the IANA zone of the place (such as Asia/Kathmandu"),
        ("base_url: https://ycpress.example/é/", "holds letters a URL carries only encoded;"
         " write it 'https://ycpress.example/%C3%A9/'"),
        ("base_url: https://straße.example/", "holds a host name with letters a URL carries"
         " only in its IDNA form"),
        # The same address as without the port, but every feed id and link spelled otherwise.
        ("base_url: https://ycpress.example:443/syndicate/", "names the default port of https"
         " (:443): the same address as without it, but every link and id made from it (feed"
         " ids, canonical links, sitemaps) would be spelled otherwise; write"
         " 'https://ycpress.example/syndicate/'"),
        ("base_url: http://[2001:db8::1]:80/", "write 'http://[2001:db8::1]/'"),
        # The fix of another mistake was refused in turn while it kept the default port.
        ("base_url: HTTPS://ycpress.example:443/syndicate/", "write HTTPS:// in lowercase and"
         " leave out the port its scheme implies: 'https://ycpress.example/syndicate/'"),
        ("base_url: https://ycpress.example:0443/syndicate", "end it with / and leave out the"
         " port its scheme implies: 'https://ycpress.example/syndicate/'"),
        # An empty port is the same address too (RFC 3986: omit it).
        ("base_url: 'https://ycpress.example:/syndicate/'", "ends its host with an empty port"
         " (:): the same address as without it, but every link and id made from it (feed ids,"
         " canonical links, sitemaps) would be spelled otherwise; write"
         " 'https://ycpress.example/syndicate/'"),
    ],
)  # fmt: skip
def test_configuration_mistakes_get_the_fix_that_applies(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: str,
    said: str,
) -> None:
    """Hints that pointed the wrong way ("did you mean 'jsonld'" for jsonfeed), said nothing
    ("known options: " with none), contradicted themselves ("0 is too small; the least
    allowed is 0"), or let a host's own zone (`localtime`) make the output depend on it."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    setting = extra.partition(":")[0]
    if setting in ("timezone", "base_url"):
        config = re.sub(rf"(?m)^{setting}: .*$", extra, config)
        assert extra in config
    else:
        config += extra + "\n"
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    assert said in capsys.readouterr().err


def test_a_port_of_its_own_stays_in_the_site_s_urls(tmp_path: Path) -> None:
    """Only a scheme's default port is refused (`:443`, `:80`): a site served on another
    port (`:8443`) keeps it in every link."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("https://ycpress.example/syndicate/", "https://ycpress.example:8443/")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    site = load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags)
    assert site is not None and site.base_url == "https://ycpress.example:8443/", list(diags)


@pytest.mark.parametrize("formats", [["all"], ["atom"]])
def test_export_refuses_the_sections_validate_refuses(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    formats: list[str],
) -> None:
    """A section no format nor command owns (a typo, a setting from another tool) stops the
    export as it fails validate: an export said nothing and published without it (feeds
    linking the default pages). Sections of the formats a run does not write, and of the
    commands, are no problem."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "syndicate.yaml").write_text(config + "epubb:\n  x: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    export = ["export", "--jobs", "1", "--out", str(out), "--articles", str(REPO / "articles")]
    for name in formats:
        export += ["-f", name]
    assert main(export) == 2
    assert "unknown section 'epubb'; did you mean 'epub'?" in capsys.readouterr().err
    assert not out.exists(), "nothing published"
    (tmp_path / "syndicate.yaml").write_text(
        config + "deliver:\n  targets: []\nserve:\n  protect: []\nepub:\n  edition: latest\n",
        encoding="utf-8",
    )
    assert main([*export, "-q"]) == 0


def test_validate_warns_of_a_section_no_story_is_in_as_the_export_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`feeds.sections: [technolgy]` (feeds that stay empty), a profile's and
    `epub.section_order`'s typo: the export warned of each, `validate --strict` said OK and
    exited 0, so a CI gate on it passed what `export --strict` then failed. Both say them, in
    the same words."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config += (
        "feeds:\n  sections: [politic]\n"
        "epub:\n  section_order: [politcs]\n"
        "profiles:\n  flipboard:\n    sections: [politicz]\n"
        "  msn:\n    enabled: false\n    sections: [sport]\n"  # not in --format all: not said
    )
    (site / "syndicate.yaml").write_text(config, encoding="utf-8")
    expected = {
        "feeds.sections: no story is in the section 'politic', so its feeds stay empty; did"
        " you mean 'politics'? [feeds.section]",
        "profiles.flipboard.sections: no story is in the section 'politicz', so its feeds stay"
        " empty; did you mean 'politics'? [feeds.section]",
        "epub.section_order: no story is in the section 'politcs', so it orders nothing; did"
        " you mean 'politics'? [epub.section]",
    }

    def said(err: str) -> set[str]:
        return {line.split("warning: ", 1)[1] for line in err.splitlines() if "warning: " in line}

    validated = run_in(site, "--strict", "validate")
    assert validated.returncode == 2, validated.stderr
    assert said(validated.stderr) == expected
    exported = run_in(site, "--strict", "export", "-f", "all", "-f", "flipboard", "-q")
    assert said(exported.stderr) >= expected


def test_validate_warns_of_an_edition_day_without_stories_as_the_export_does(
    tmp_path: Path,
) -> None:
    """`epub.edition_day` set to a day no story reached the public on: the export warned that
    no edition is made in each language, `validate --strict` said OK, so the CI gate passed
    what `export --strict` failed. Both say it, in the same words, at edition_day's line; a
    day with stories, or `edition: latest`, is no warning."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    line = config.count("\n") + 2
    (site / "syndicate.yaml").write_text(config + "epub:\n  edition_day: 2020-01-01\n")
    expected = {
        f"syndicate.yaml:{line}: warning: epub.edition_day: no {lang} story reached the public"
        f" on 2020-01-01, so there is no edition-{lang}.epub: give a day with stories, or leave"
        " edition_day out for the newest day's [epub.edition]"
        for lang in ("en", "fr", "ar", "zh-Hans", "de", "es")
    }

    def said(err: str) -> set[str]:
        return {line for line in err.splitlines() if "[epub.edition]" in line}

    validated = run_in(site, "--strict", "validate")
    assert validated.returncode == 2, validated.stderr
    assert said(validated.stderr) == expected
    exported = run_in(site, "export", "-f", "epub", "-q", "--jobs", "1")
    assert exported.returncode == 0, exported.stderr
    assert said(exported.stderr) == expected
    for other in ("edition_day: 2021-02-18", "edition: latest\n  edition_day: 2020-01-01"):
        (site / "syndicate.yaml").write_text(config + f"epub:\n  {other}\n")
        validated = run_in(site, "--strict", "validate")
        assert validated.returncode == 0, validated.stderr


def test_the_commands_sections_are_those_export_knows() -> None:
    from syndicate.build.engine import OTHER_SECTIONS
    from syndicate.build.options import SECTION as EXPORT
    from syndicate.deliver.options import SECTION as DELIVER
    from syndicate.serve.options import SECTION as SERVE

    assert set(OTHER_SECTIONS) == {EXPORT, DELIVER, SERVE}


def test_validate_outputs_checks_written_files(
    export_sample: Exporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = export_sample("model")
    monkeypatch.chdir(REPO)
    assert main(["validate", "--outputs", str(out)]) == 0
    (out / "model" / "broken.json").write_text("{not json", encoding="utf-8")
    assert main(["validate", "--outputs", str(out)]) == 1


def test_validate_outputs_of_a_folder_without_formats_fails_naming_the_one_to_give(
    export_sample: Exporter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--outputs out/newsml` (one format's folder, an easy slip in a CI script), the articles
    or an empty folder said "no formats found: OK" with status 0, having checked nothing; the
    root folder ended in a ValueError from looking for a state kept beside it."""
    out = export_sample("newsml")
    monkeypatch.chdir(REPO)
    empty = tmp_path / "empty"
    empty.mkdir()
    capsys.readouterr()
    for given, fix in [
        (f"{out}/newsml", f"it is the newsml format's folder: give its parent, --outputs {out}"),
        ("articles", "give the folder export writes, which holds a folder per format"),
        (str(empty), "give the folder export writes, which holds a folder per format"),
        ("/", "give the folder export writes, which holds a folder per format"),  # was a traceback
    ]:
        assert main(["validate", "--outputs", given]) == 2
        err = capsys.readouterr().err
        assert f"{given} holds no format's files, so nothing was checked: {fix}" in err
        assert f"{given}: not checked" in err and "OK" not in err.splitlines()[-1]
    # No folder at all (an export not run yet) is the same request's slip: it was status 1,
    # which says an output is broken.
    missing = str(tmp_path / "never-exported")
    assert main(["validate", "--outputs", missing]) == 2
    err = capsys.readouterr().err
    assert (
        f"no output folder {missing}; run syndicate export --format all --out {missing} first"
        in err
    )
    # A typo in the folder above it was told to be exported into, which export refuses.
    typo = tmp_path / "nver" / "out"
    for command in (["validate", "--outputs", str(typo)], ["serve", "--out", str(typo)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert (
            f"no output folder {typo}, nor the folder {typo.parent} it would be in: check the path"
        ) in err, err
        assert "run syndicate export" not in err
    # A file given for the folder was told to be exported into, which cannot be done.
    note = tmp_path / "out.zip"
    note.write_bytes(b"PK")
    for command in (["validate", "--outputs", str(note)], ["serve", "--out", str(note)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"{note} is a file, not an output folder: give the folder an export writes" in err
        assert "run syndicate export" not in err
    share = tmp_path / "share-out"  # a link to a share not mounted is no file either
    share.symlink_to(tmp_path / "mnt" / "out")
    assert main(["validate", "--outputs", str(share)]) == 2
    assert f"{share} is a link to {tmp_path}/mnt/out, which does not exist" in (
        capsys.readouterr().err
    )
    assert main(["validate", "--outputs", str(out)]) == 0


def test_a_failing_writer_is_reported_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from syndicate.formats.model.writer import ModelWriter

    def broken(self: ModelWriter, story: object, ctx: object) -> list[object]:
        raise RuntimeError("bug in a writer")

    monkeypatch.setattr(ModelWriter, "story_files", broken)
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    assert main(["export", "-f", "model", "--jobs", "1", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "the model writer failed: RuntimeError('bug in a writer')" in err
    assert "Traceback" not in err
    assert not (out / "model").exists()


@pytest.mark.parametrize(
    ("out", "said"),
    [
        ("articles", "is the articles folder (articles)"),
        ("articles/pages", "is inside the articles folder (articles)"),
        (".", "holds the articles folder (articles)"),
        ("templates", "is the site's templates folder (templates)"),
        ("terms/out", "is inside the site's terms folder (terms)"),
        (".syndicate", "holds the site's build states (.syndicate/builds)"),
        (".syndicate/builds/out", "is inside the site's build states (.syndicate/builds)"),
    ],
)
def test_out_must_be_a_folder_of_its_own(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    out: str,
    said: str,
) -> None:
    """An export into the sources wrote pages the next run read as stories (every later run
    failed); into the site folder, the formats' folders among the site's own files; into the
    cache, its files among the build states (the preview's own folder there is its own)."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site", str(REPO / "articles/_site")), encoding="utf-8"
    )
    shutil.copytree(REPO / "articles", tmp_path / "articles")
    (tmp_path / "templates").mkdir()
    (tmp_path / "terms").mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CACHE_ENV)  # the site's own cache, .syndicate/ beside syndicate.yaml
    assert main(["export", "-f", "atom", "--jobs", "1", "--out", out]) == 2
    assert f"error: --out {out}: {said}; export into a folder of its own" in (
        capsys.readouterr().err
    )
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("dry_run", [False, True], ids=["export", "dry-run"])
def test_out_in_a_folder_that_is_not_there_is_refused_not_made(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    dry_run: bool,
) -> None:
    """`--out a/b/c` with no `a/b` (a typo in a cron job) made the whole tree and exported
    there, the site's out/ left as it was; a file in the way is said as a file. Its own
    folder is still made when the folder it goes in is there."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site", str(REPO / "articles/_site")), encoding="utf-8"
    )
    shutil.copytree(REPO / "articles", tmp_path / "articles")
    (tmp_path / "afile").write_text("mine")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CACHE_ENV)
    dry = ["--dry-run"] if dry_run else []
    assert main(["export", "-q", "-f", "atom", "-j", "1", *dry, "--out", "a/b/c"]) == 2
    assert main(["export", "-q", "-f", "atom", "-j", "1", *dry, "--out", "afile/c"]) == 2
    err = capsys.readouterr().err
    assert (
        "error: --out a/b/c: a does not exist: an export makes its output folder, not the"
        " folders above it; check the path, or make the folder it goes in first (mkdir -p"
        " a/b); nothing was written [export.out]"
    ) in err, err
    assert "error: --out afile/c: afile is a file, not a folder: check the path" in err, err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    # `--out=~/site` (the shell leaves ~ alone after =): `mkdir -p '~'` was the fix said,
    # a folder named ~ in the site; a link to a share not mounted: `mkdir -p` fails on it
    (tmp_path / "share").symlink_to(tmp_path / "mnt/share")
    assert main(["export", "-q", "-f", "atom", "-j", "1", *dry, "--out=~/site"]) == 2
    assert main(["export", "-q", "-f", "atom", "-j", "1", *dry, "--out", "share/out"]) == 2
    err = capsys.readouterr().err
    assert "mkdir" not in err, err
    assert (
        "error: --out ~/site: ~ does not exist: the shell makes ~ a home folder only at the"
        " start of a word, not after = nor in quotes: write --out ~/... or the path in full;"
        " nothing was written [export.out]"
    ) in err, err
    assert (
        f"error: --out share/out: share is a link to {tmp_path / 'mnt/share'}, which does not"
        " exist (a share not mounted?): mount it, or check the path; nothing was written"
    ) in err, err
    assert not (tmp_path / "~").exists() and not (tmp_path / "mnt").exists()
    (tmp_path / "share").unlink()
    (tmp_path / "a/b").mkdir(parents=True)
    assert main(["export", "-q", "-f", "atom", "-j", "1", "--out", "a/b/c"]) == 0
    assert (tmp_path / "a/b/c/atom").is_dir()


def test_out_among_stories_kept_in_the_site_folder_is_told_a_fix_that_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export --articles .`, the stories beside syndicate.yaml: out/ is among them, and the
    fix said was "export into a folder of its own, such as out/", the folder refused. A
    syndicate.yaml there is the site's own, not a stray file of the articles folder."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site", str(REPO / "articles/_site")), encoding="utf-8"
    )
    shutil.copytree(REPO / "articles" / SAMPLE_SLUG, tmp_path / SAMPLE_SLUG)
    monkeypatch.chdir(tmp_path)
    assert main(["export", "-f", "atom", "--jobs", "1", "--articles", "."]) == 2
    err = capsys.readouterr().err
    assert "error: --out out: is inside the articles folder (.); give --out a folder" in err
    assert "such as out/" not in err and not (tmp_path / "out").exists()
    assert main(["validate", "--articles", "."]) == 0
    assert "stray-file" not in capsys.readouterr().err


def test_a_config_that_is_not_a_file_is_said_so(capsys: pytest.CaptureFixture[str]) -> None:
    """`--config /dev/zero` (a device) said "no such file"."""
    assert main(["--config", "/dev/zero", "validate"]) == 2
    assert "--config /dev/zero: not a regular file" in capsys.readouterr().err


def test_an_icon_that_is_not_square_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Feeds and search engines show the icon square: a 1600x900 one was squeezed, unsaid."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    wide = REPO / "articles" / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"
    config = re.sub(r"(?m)^  icon: .*$", f"  icon: {wide}", config)
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--articles", str(REPO / "articles")]) == 0
    assert "is 1600x900 px: feeds, JSON Feed and search engines show icons square" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("change", "extra", "said"),
    [
        (("languages: [", "languages: [en, "), "", "languages: an item is listed twice ('en')"),
        (None, "feeds:\n  limit: 3\n  limit: 4\n", "duplicate key 'limit' (first at line"),
        (None, "profiles:\n  googl-news: {}\n", "googl-news: a profile of the site's own, with"
         " no base (a plain RSS feed); did you mean 'google-news'?"),
    ],
)  # fmt: skip
def test_configuration_messages_name_what_they_are_about(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str] | None,
    extra: str,
    said: str,
) -> None:
    """ "an item is listed twice" named none; "duplicate key" not the first one's line; a
    misspelt built-in profile silently became a plain feed of the site's own."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    if change is not None:
        assert change[0] in config
        config = config.replace(*change)
    (tmp_path / "syndicate.yaml").write_text(config + extra, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["validate", "--articles", str(REPO / "articles")])
    assert said in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--port", "99999"],
            "argument --port: 99999 is not valid: expected a whole number from"
            " 0 to 65535 (0: any free port)",
        ),
        (["--port", "-1"], "argument --port: -1 is not valid: expected a whole number from 0"),
        (["--port", "http"], "argument --port: 'http' is not valid: expected a whole number"),
        (["--host", ""], "argument --host: an empty address: give 127.0.0.1"),
    ],
)
def test_serve_refuses_a_port_or_address_it_cannot_listen_on(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`serve --port 99999` ended in an OverflowError traceback, and `--host ""` listened on
    every interface unsaid: both are usage errors."""
    assert main(["serve", *args]) == 2
    assert said in capsys.readouterr().err


def test_a_place_written_path_colon_line_is_a_file_and_a_line_in_json() -> None:
    """The checkers of out/'s files write a place as `out/newsml/x.xml:3`: under JSON that was
    `"path": "out/newsml/x.xml:3", "line": null`, a file that does not exist."""
    from syndicate.diagnostics import Diagnostics

    diags = Diagnostics()
    diags.error("output.xml", "not well-formed XML", "out/newsml/x.ar.xml:3")
    diags.error("output.xml", "no line", "out/newsml/x.ar.xml")
    first, second = (json.loads(d.format_json()) for d in diags)
    assert (first["path"], first["line"]) == ("out/newsml/x.ar.xml", 3)
    assert (second["path"], second["line"]) == ("out/newsml/x.ar.xml", None)
    assert next(iter(diags)).format_text().startswith("out/newsml/x.ar.xml:3: error:")
    # EPUBCheck's `file:line:column` (the column was taken for the line, the line left in
    # the path), and a checker's `:0` for no line.
    diags.error("epub.check", "a", "out/epub/b.epub/EPUB/nav.xhtml:12:5")
    diags.error("opds.check", "b", "out/opds/en.xml:0")
    third, fourth = (json.loads(d.format_json()) for d in list(diags)[2:])
    assert (third["path"], third["line"]) == ("out/epub/b.epub/EPUB/nav.xhtml", 12)
    assert (fourth["path"], fourth["line"]) == ("out/opds/en.xml", None)


@pytest.mark.parametrize("command", [["formats"], ["terms", "--lang", "fr"], ["list", "--json"]])
def test_a_reader_that_closes_the_pipe_early_has_what_it_wanted(command: list[str]) -> None:
    """`syndicate formats | head -1`, `| grep -q rss`: exit 1 ("an output could not be
    written") and "not done", which fails a script's pipeline that got its answer."""
    syndicate = [sys.executable, "-m", "syndicate", "--log-format", "json", *command]
    with subprocess.Popen(
        syndicate, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # the reader is gone before the first line
        err = process.stderr.read()
        assert process.wait(timeout=60) == 0, err
    assert "not done" not in err and "Traceback" not in err


def _with_stdout_closed(argv: list[str], folder: Path) -> tuple[int, str]:
    """The status and standard error of `syndicate ARGV` whose reader is gone before the first
    line (`| head -1` after its line, `| grep -q` after its match)."""
    with subprocess.Popen(
        [sys.executable, "-m", "syndicate", *argv],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        err = process.stderr.read()
        return process.wait(timeout=120), err


def test_the_version_to_a_reader_gone_is_no_traceback() -> None:
    """`syndicate --version | true`: a BrokenPipeError traceback and status 1, where `--help`
    to the same pipe ends quietly with 0."""
    assert _with_stdout_closed(["--version"], REPO) == (0, "")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_dry_run_to_a_reader_gone_says_its_summary_and_status(
    site: Path, tmp_path: Path, log_format: str
) -> None:
    """`syndicate export --dry-run | grep -q html/` ("is there anything to publish?") and
    `deliver --dry-run | head -1`: the listing is the dry run's data, its work done before it is
    printed, yet a reader that had what it wanted made it status 1 ("an output could not be
    written"), with no summary in text and `export: not done` in JSON, failing a CI step
    under `set -o pipefail`."""
    (tmp_path / "drop").mkdir()
    config = site / "syndicate.yaml"
    target = f"{{name: archive, url: 'file://{tmp_path}/drop/', formats: [all]}}"
    # (on a name of its own: deliver refuses the sample's, on .example, kept for examples)
    text = config.read_text("utf-8").replace(
        "https://ycpress.example/", "https://ycpress.internal/"
    )
    config.write_text(f"{text}deliver:\n  targets: [{target}]\n", "utf-8")
    for meta in site.glob("articles/*/story.yaml"):  # (and ids of its own: deliver.story-id)
        said = meta.read_text("utf-8")
        meta.write_text(said.replace("tag:ycpress.example,", "tag:ycpress.internal,"), "utf-8")
    argv = ["--log-format", log_format, "--now", "2026-12-01T09:00:00Z"]
    status, err = _with_stdout_closed([*argv, "export", "-f", "all", "--dry-run"], site)
    last = err.splitlines()[-1] if err else "(nothing said)"
    assert status == 0, err
    said = json.loads(last)["summary"] if log_format == "json" else last
    dry = r"dry run: \d+ new, 0 changed and 0 removed in out; nothing was published"
    assert re.fullmatch(dry, said), err
    assert main(["-q", *argv[2:], "--site", str(site), "export", "-f", "all"]) == 0
    status, err = _with_stdout_closed([*argv, "deliver", "--dry-run"], site)
    assert status == 0, err
    assert "not done" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["--log-format", "json", "validate"],
        ["export", "-f", "html", "--dry-run"],
        ["--log-format", "json", "export", "-f", "html"],
    ],
)
def test_a_report_to_a_reader_gone_ends_with_the_runs_own_status(
    site: Path, argv: list[str]
) -> None:
    """`syndicate validate --log-format json 2>&1 | head -1`, `export ... 2>&1 | grep -q`: the
    run is over, its work done (out/ published), when its report and summary meet the closed
    pipe; that was a BrokenPipeError traceback (into the pipe, unseen) and status 1, a
    finished export read by cron or CI as a failed one. It ends with the run's own status."""
    argv = ["--now", "2026-12-01T09:00:00Z", *argv]
    command = [sys.executable, "-m", "syndicate", *argv]
    ran = subprocess.run(command, cwd=site, capture_output=True, check=False)
    assert ran.returncode == 0, ran.stderr
    shutil.rmtree(site / "out", ignore_errors=True)
    reader, writer = os.pipe()
    os.close(reader)  # (both streams into a pipe whose reader is gone: `2>&1 | true`)
    try:
        status = subprocess.run(command, cwd=site, stdout=writer, stderr=writer, check=False)
    finally:
        os.close(writer)
    assert status.returncode == ran.returncode
    published = "export" in argv and "--dry-run" not in argv
    assert (site / "out/html/index.html").is_file() == published


@pytest.mark.parametrize("closed", [0, 1, 2], ids=["stdin", "stdout", "stderr"])
def test_a_command_started_with_a_standard_stream_closed_runs(site: Path, closed: int) -> None:
    """`syndicate list >&-`, `syndicate export ... 2>&-`, `<&-` (a cron line or a daemon that
    closes them): Python makes the stream None, and `sys.stdout.isatty()` (the table, the
    progress bar) was an AttributeError traceback, status 1; with standard error closed,
    `export` stopped with status 1 and not a word, nothing published."""
    kept = {0: "stdin", 1: "stdout", 2: "stderr"}
    said = 2 if closed != 2 else 1  # what is left to read: standard error, else output
    for argv in (["list"], ["export", "--format", "all"], ["export", "-f", "all", "--dry-run"]):
        with subprocess.Popen(
            [sys.executable, "-m", "syndicate", "--now", "2026-12-01T09:00:00Z", *argv],
            cwd=site,
            stdin=subprocess.DEVNULL if closed != 0 else None,
            stdout=subprocess.PIPE if said == 1 else subprocess.DEVNULL,
            stderr=subprocess.PIPE if said == 2 else subprocess.DEVNULL,
            preexec_fn=lambda: os.close(closed),
        ) as process:
            stream = process.stdout if said == 1 else process.stderr
            assert stream is not None
            text = stream.read().decode()
            assert process.wait(timeout=120) == 0, (kept[closed], argv, text)
        assert "Traceback" not in text
    assert (site / "out/html/index.html").is_file()


def test_json_lines_stay_json_in_a_locale_that_is_not_utf_8() -> None:
    """`LC_ALL=C PYTHONUTF8=0` (or an ISO-8859-1 locale): standard output is ASCII, and the
    backslashreplace that keeps text lines from crashing wrote `d\\xe9fense` into `show --json`
    and `terms --log-format json`, which no JSON reader takes. They are JSON's escapes now,
    which decode to the text a UTF-8 run prints."""
    commands = [
        ["show", "--json", SAMPLE_SLUG],
        ["--log-format", "json", "terms", "--lang", "fr"],
        ["--log-format", "json", "show", SAMPLE_SLUG, "--lang", "ar"],
    ]
    for argv in commands:
        runs = {}
        for encoding in ("utf-8", "ascii", "latin-1"):
            env = os.environ | {"PYTHONIOENCODING": encoding}
            result = subprocess.run(
                [sys.executable, "-m", "syndicate", "--now", "2026-12-01T09:00:00Z", *argv],
                cwd=REPO,
                capture_output=True,
                env=env,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            lines = (result.stdout + result.stderr).decode(encoding).splitlines()
            runs[encoding] = [json.loads(line) for line in lines]
        assert runs["ascii"] == runs["latin-1"] == runs["utf-8"], argv


def test_json_lines_in_a_latin_1_locale_are_utf_8_as_json_is() -> None:
    """JSON text is UTF-8 (RFC 8259): under an ISO-8859-1 locale `terms --log-format json`
    wrote `mati\xe8res` as the Latin-1 byte, which jq read as `mati\ufffdres` and Python's
    `json.loads` refused. JSON lines are ASCII there (JSON's escapes), which a JSON reader and
    the locale both read as the text a UTF-8 run prints."""
    argv = ["--log-format", "json", "terms", "--lang", "fr"]
    runs = {}
    for encoding in ("utf-8", "latin-1"):
        result = subprocess.run(
            [sys.executable, "-m", "syndicate", *argv],
            cwd=REPO,
            capture_output=True,
            env=os.environ | {"PYTHONIOENCODING": encoding},
            check=True,
        )
        runs[encoding] = [json.loads(line) for line in result.stdout.splitlines()]
    assert runs["latin-1"] == runs["utf-8"]
    assert "è" in json.dumps(runs["utf-8"], ensure_ascii=False)


def test_a_command_whose_starting_folder_is_deleted_ends_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder an export was started from deleted while it ran (two jobs sharing a work
    folder): the way back (`contextlib.chdir`) and a path shown from the working folder
    raised FileNotFoundError, a traceback."""
    from syndicate.cli import _inside
    from syndicate.readers.folders import shown_path

    start, site = tmp_path / "start", tmp_path / "site"
    start.mkdir()
    site.mkdir()
    monkeypatch.chdir(start)
    with _inside(site):
        start.rmdir()
    with _inside(site):  # started in a folder already gone
        assert Path.cwd() == site
    site_file = site / "x"
    shutil.rmtree(site)
    assert shown_path(site_file) == str(site_file)


def test_a_command_run_by_an_application_leaves_it_in_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`main()` embedded in an application: where no descriptor of the working folder can be
    had (Windows has no `fchdir`; a folder this user may not read), the way back was lost and
    the application was left in the site folder."""
    from syndicate import cli

    start, site = tmp_path / "start", tmp_path / "site"
    start.mkdir()
    site.mkdir()
    monkeypatch.chdir(start)
    monkeypatch.delattr(cli.os, "fchdir")
    with cli._inside(site):
        assert Path.cwd() == site
    assert Path.cwd() == start


@pytest.mark.parametrize(
    ("zone", "advice"),
    [
        ("Mars/Olympus", "; use an IANA name such as Europe/Brussels"),
        ("europe/paris", "; did you mean 'Europe/Paris'?"),
        # a city alone was told the example, Europe/Brussels, for Paris or Tokyo
        ("Paris", "; did you mean 'Europe/Paris'?"),
        ("Buenos Aires", "; did you mean 'America/Argentina/Buenos_Aires'?"),
        # a city the zones do not name was told the name nearest its spelling: another place
        ("Portland", "; use an IANA name such as Europe/Brussels"),
        ("UTC+02:00", ": an offset (UTC+02:00), not a time zone; write the IANA zone"),
        # a name alone of zones in two places was told nothing, or one of them: every one
        (
            "Eastern",
            "; 'Eastern' alone is 2 zones: 'America/New_York' (US/Eastern) or"
            " 'America/Toronto' (Canada/Eastern); write the one of the place meant",
        ),
        ("Istanbul", "; did you mean 'Europe/Istanbul'?"),  # (Asia/Istanbul is its other name)
        # an Australian state's older zone name, told as if Victoria were there alone
        (
            "Victoria",
            "; did you mean 'Australia/Melbourne' (by its older name, Australia/Victoria)? For"
            " another place named Victoria, write the zone of the city its clocks follow,"
            " Region/City, such as Europe/Brussels",
        ),
        # "For a Arizona elsewhere": the article was "a" whatever the name's first sound
        (
            "Arizona",
            "; did you mean 'America/Phoenix' (by its older name, US/Arizona)? For another"
            " place named Arizona, write the zone of the city its clocks follow, Region/City,"
            " such as Europe/Brussels",
        ),
    ],
)
def test_a_wrong_time_zone_gets_the_same_advice_wherever_it_is_written(
    site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    zone: str,
    advice: str,
) -> None:
    """`syndicate.yaml`'s, a story's and `init --timezone`'s wrong zone were each told their
    own way: "(use an IANA name such as Europe/Brussels)", "; use an IANA name such as
    Europe/Paris", ", e.g. Europe/Brussels"."""
    story = site / "articles" / SAMPLE_SLUG / "story.yaml"
    story.write_text(
        story.read_text(encoding="utf-8").replace("timezone: Europe/Brussels", f"timezone: {zone}"),
        encoding="utf-8",
    )
    monkeypatch.chdir(site)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert f"story.yaml:5: error: unknown time zone {zone!r}{advice}" in err, err
    config = site / "syndicate.yaml"
    config.write_text(
        re.sub(r"(?m)^timezone: .*$", f"timezone: {zone}", config.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    assert main(["validate"]) == 2
    assert f"error: unknown time zone {zone!r}{advice}" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "new"), "--timezone", zone]) != 0
    assert f"--timezone {zone}: not an IANA time zone{advice}" in capsys.readouterr().err


def test_a_machine_without_a_null_device_keeps_its_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """A standard stream missing where no null device can be opened (a bare container): the
    streams stay as they were, where opening `os.devnull` was an OSError traceback."""
    from syndicate import cli

    monkeypatch.setattr(os, "devnull", "/nonexistent/null")
    monkeypatch.setattr(sys, "stdin", None)
    cli._standard_streams()
    assert sys.stdin is None


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_command_started_in_a_folder_gone_since_says_so(
    site: Path, tmp_path: Path, log_format: str
) -> None:
    """A cron job's working folder cleaned up before it ran (or a shell left in a folder
    deleted since): every command was a FileNotFoundError traceback from `Path.cwd()`, even
    with `--site` naming the site by its absolute path."""
    gone = tmp_path / "gone"
    gone.mkdir()
    for argv in (["validate"], ["--site", str(site), "export", "-f", "atom"]):
        argv = ["--log-format", log_format, *argv]
        script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
        command = ["sh", "-c", script, "sh", str(gone), sys.executable, "-m", "syndicate", *argv]
        ran = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        assert ran.returncode == 2, ran.stderr
        assert "Traceback" not in ran.stderr and ran.stdout == ""
        (line,) = ran.stderr.splitlines()
        said = json.loads(line)["message"] if log_format == "json" else line
        assert "the folder this command was started in no longer exists" in said, line
        assert "cd to a folder that exists" in said and line.endswith(("[cli.cwd]", "}"))
        gone.mkdir()
    assert not (site / "out").exists()
