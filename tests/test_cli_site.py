"""The command line around the commands: the site found from any subfolder or given with
--site, global options before or after the command, tags and format names in any case, output
in order (problems, then the summary) and in one form (JSON lines only under --log-format
json), and plurals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO
from test_cli import run_in

from syndicate.cli import main
from syndicate.i18n.locales import canonical_tag


def test_the_site_is_found_from_a_subfolder(site: Path) -> None:
    story = site / "articles" / "2021-02-18-nato-iraq-deployment"
    done = run_in(story, "validate")
    assert done.returncode == 0, done.stderr
    # The articles folder the user is inside of, by its name (it was `..: 1 story`).
    assert done.stderr == f"{site / 'articles'}: 1 story, 6 language variants: OK\n"
    done = run_in(story / "images", "export", "-q", "-f", "model", "--now", FIXED_NOW)
    assert done.returncode == 0, done.stderr
    assert (site / "out" / "model" / "2021-02-18-nato-iraq-deployment.json").is_file()
    assert not (story / "images" / "out").exists()


def test_show_takes_a_path_from_the_folder_it_was_typed_in(site: Path) -> None:
    """`show .` and `show en.md` from a story's folder, and `show site/articles/<slug>/` from
    outside the site, were "no story": the path was taken from the site folder `show` runs
    in, not from the folder the user typed it in."""
    slug = "2021-02-18-nato-iraq-deployment"
    story = site / "articles" / slug
    heading = f"{slug}  (story.yaml)\n"
    for given in (".", "en.md", "story.yaml", f"../{slug}/"):
        done = run_in(story, "show", given, "--now", FIXED_NOW)
        assert done.returncode == 0, (given, done.stderr)
        assert done.stdout.startswith(heading), (given, done.stdout[:200])
    done = run_in(story / "images", "show", "..", "--now", FIXED_NOW)
    assert done.returncode == 0, done.stderr
    done = run_in(site.parent, "--site", "site", "show", f"site/articles/{slug}/")
    assert done.returncode == 0, done.stderr
    # from the site's parent, as every path is named there: `site/...` (it was absolute,
    # while the summaries and messages of the same run said `site/...`)
    assert done.stdout.startswith(f"{slug}  (site/articles/{slug}/story.yaml)\n")
    done = run_in(site.parent, "--site", "site", "show", f"{site}/articles/{slug}/fr.md")
    assert done.returncode == 0, done.stderr
    # A path is the user's, not the site's: from outside, `articles/<slug>` is no story here.
    done = run_in(site.parent, "--site", "site", "show", f"articles/{slug}")
    assert done.returncode == 2 and "no story" in done.stderr


def test_a_problem_s_place_is_named_as_its_summary_names_the_folder_from_the_site_s_parent(
    site: Path,
) -> None:
    """From the folder holding the site (`--site site`), a problem named its file in full
    (`/home/ana/site/articles/x/story.yaml:9: error`) and the summary under it the folder
    relative (`site/articles: not valid`), as the messages' text names a path: one folder two
    ways on one screen. A place follows the one rule too (`path_from`): relative where the
    command was typed when inside it; in full from elsewhere, as the summary then is."""
    story = site / "articles" / "2021-02-18-nato-iraq-deployment" / "story.yaml"
    lines = story.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("urgency:"))
    lines[line - 1] = "urgency: 0\n"
    story.write_text("".join(lines), encoding="utf-8")
    done = run_in(site.parent, "--site", "site", "validate")
    assert done.returncode == 2
    place = f"site/articles/2021-02-18-nato-iraq-deployment/story.yaml:{line}: error: urgency"
    assert done.stderr.startswith(place), done.stderr
    assert done.stderr.endswith("\nsite/articles: not valid: 1 error (above)\n"), done.stderr
    beside = site.parent / "beside"
    beside.mkdir()
    done = run_in(beside, "--site", "../site", "validate")
    assert done.stderr.startswith(f"{story}:{line}: error: urgency"), done.stderr
    assert done.stderr.endswith(f"\n{site}/articles: not valid: 1 error (above)\n")


def test_site_and_config_from_anywhere(site: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_in(elsewhere, "--site", "../site", "validate")
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"{site / 'articles'}: 1 story, 6 language variants: OK\n"
    done = run_in(elsewhere, "export", "-q", "-f", "model", "--config", "../site/syndicate.yaml")
    assert done.returncode == 0, done.stderr
    assert (site / "out" / "model").is_dir() and not (elsewhere / "out").exists()
    # Paths typed on the command line are relative to where the command runs.
    done = run_in(elsewhere, "--site", str(site), "export", "-q", "-f", "model", "--out", "o")
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "o" / "model").is_dir()


def test_no_site_is_a_clear_error(tmp_path: Path) -> None:
    done = run_in(tmp_path, "validate")
    assert done.returncode == 2
    assert done.stderr == (
        f"error: no syndicate.yaml in {tmp_path} or any folder above it; run `syndicate init`"
        " to start a site here, or pass --site DIR [config.missing]\n"
    )
    done = run_in(tmp_path, "list", "--site", str(tmp_path))
    assert done.returncode == 2 and "is not a syndicate site" in done.stderr
    # a folder of a site given as the site: the site is named, not `init` suggested
    (tmp_path / "news" / "articles").mkdir(parents=True)
    (tmp_path / "news" / "syndicate.yaml").write_text("{}\n", encoding="utf-8")
    done = run_in(tmp_path, "validate", "--site", str(tmp_path / "news" / "articles"))
    assert done.returncode == 2
    assert f"it is in the site {tmp_path / 'news'}: give --site {tmp_path / 'news'}" in done.stderr
    assert "syndicate init" not in done.stderr
    done = run_in(tmp_path, "validate", "--config", "nowhere/syndicate.yaml")
    missing = tmp_path / "nowhere" / "syndicate.yaml"
    assert done.returncode == 2 and f"--config {missing}: no such file" in done.stderr


def test_a_folder_named_syndicate_yaml_is_told_so_not_init(tmp_path: Path) -> None:
    """A folder named `syndicate.yaml` (a copy gone wrong, `mkdir -p` of the wrong path) is no
    site's configuration: every command said "run `syndicate init`", which then said the site
    was there already. Both now name the folder."""
    site = tmp_path / "site"
    (site / "syndicate.yaml").mkdir(parents=True)
    (site / "articles").mkdir()
    for where, args in ((site, ()), (site / "articles", ()), (tmp_path, ("--site", str(site)))):
        done = run_in(where, *args, "validate")
        assert done.returncode == 2
        assert (
            f"{site / 'syndicate.yaml'} is a folder, not a site's configuration: rename or move"
            f" it, then run `syndicate init {site}`" in done.stderr
        ), done.stderr
    done = run_in(site, "init")
    assert done.returncode == 2
    assert done.stderr == (
        "error: ./syndicate.yaml is a folder, not a site's configuration; nothing was changed."
        " Rename or move that folder, then run init again [init.exists]\n"
    )
    assert sorted(p.name for p in site.iterdir()) == ["articles", "syndicate.yaml"]


def test_a_configuration_linked_to_nothing_is_told_so_from_anywhere_in_the_site(
    tmp_path: Path,
) -> None:
    """A `syndicate.yaml` that is a link to a share not mounted (or a loop of links) was no
    site at all: "no syndicate.yaml ... run `syndicate init`", which then said the site was
    there already; inside another site's folder, the commands took that outer site for it.
    Its folder is the site, and the problem is the link's, named from where one stands."""
    outer = tmp_path / "outer"
    (outer / "articles").mkdir(parents=True)
    (outer / "syndicate.yaml").write_text("{}\n", encoding="utf-8")
    site = outer / "desk"
    (site / "articles").mkdir(parents=True)
    (site / "syndicate.yaml").symlink_to("/nonexistent/newsroom/syndicate.yaml")
    done = run_in(site, "validate")
    assert done.returncode == 2
    assert done.stderr == (
        "syndicate.yaml: error: syndicate.yaml is a link to"
        " '/nonexistent/newsroom/syndicate.yaml', which is not there (a share not mounted, a"
        " file moved or renamed): make the link lead to the site's configuration, or replace"
        " it with the file [config.missing]\n"
        "syndicate.yaml: not valid: 1 error (above)\n"
    )
    done = run_in(site / "articles", "export", "-f", "html")
    assert done.returncode == 2 and "outer" not in done.stderr
    assert done.stderr.startswith("../syndicate.yaml: error: syndicate.yaml is a link to '/")
    (site / "syndicate.yaml").unlink()
    (site / "syndicate.yaml").symlink_to("syndicate.yaml")
    done = run_in(site, "list")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "syndicate.yaml: error: syndicate.yaml is a link that leads back to itself (a loop of"
        " links); replace the link with the site's configuration [config.missing]\n"
    )
    assert not (outer / ".syndicate").exists() and not (outer / "out").exists()


def test_a_configuration_given_that_links_to_nothing_is_told_so(tmp_path: Path) -> None:
    """`--config` naming a link to a share not mounted (or a loop of links) said "no such
    file", of a file `ls` shows: what the link leads to is named, as for a syndicate.yaml
    found."""
    (tmp_path / "site" / "articles").mkdir(parents=True)
    given = tmp_path / "conf.yaml"
    given.symlink_to("/nonexistent/newsroom/syndicate.yaml")
    done = run_in(tmp_path / "site", "validate", "--config", "../conf.yaml")
    assert done.returncode == 2
    assert done.stderr == (
        f"error: --config {given} is a link to '/nonexistent/newsroom/syndicate.yaml', which is"
        " not there (a share not mounted, a file moved or renamed): make the link lead to the"
        " site's configuration, or replace it with the file [config.missing]\n"
    )
    given.unlink()
    given.symlink_to(given.name)
    done = run_in(tmp_path / "site", "list", "--config", str(given))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: --config {given} is a link that leads back to itself")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_site_whose_configuration_is_no_file_is_told_so_with_site_too(
    tmp_path: Path, kind: str
) -> None:
    """With --site, a syndicate.yaml that is a FIFO or a link to a device was "not a syndicate
    site ...; it is in the site DIR: give --site DIR", the very folder given: it is the site,
    found as without --site, and the reader refuses the file (never opening the FIFO)."""
    site = tmp_path / "site"
    site.mkdir()
    config = site / "syndicate.yaml"
    if kind == "fifo":
        os.mkfifo(config)
    else:
        config.symlink_to("/dev/zero")
    what = "a FIFO" if kind == "fifo" else "a device"
    said = f"error: not a regular file but {what}; use a plain file [file.special]"
    for folder, args in ((tmp_path, ("--site", "site")), (site, ())):
        done = subprocess.run(
            [sys.executable, "-m", "syndicate", *args, "validate"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert "syndicate.yaml: " + said in done.stderr
        assert "give --site" not in done.stderr and "not a syndicate site" not in done.stderr


def test_site_and_config_must_agree(site: Path, tmp_path: Path) -> None:
    done = run_in(tmp_path, "--site", str(tmp_path), "--config", str(site / "syndicate.yaml"))
    assert done.returncode == 2  # no command
    done = run_in(
        tmp_path, "validate", "--site", str(tmp_path), "--config", str(site / "syndicate.yaml")
    )
    assert done.returncode == 2 and "name two different sites" in done.stderr


def test_problems_are_shown_relative_to_where_the_command_runs(site: Path) -> None:
    story = site / "articles" / "2021-02-18-nato-iraq-deployment"
    (story / "fr.md").write_text("---\nheadline: [\n---\n", encoding="utf-8")
    done = run_in(story, "validate")
    assert done.returncode == 2
    assert done.stderr.startswith("fr.md:")
    done = run_in(site, "validate")
    assert done.stderr.startswith("articles/2021-02-18-nato-iraq-deployment/fr.md:")


@pytest.mark.parametrize(
    "args",
    [
        ["-q", "--log-format", "json", "--now", FIXED_NOW, "export", "-f", "model"],
        ["export", "-f", "model", "-q", "--log-format", "json", "--now", FIXED_NOW],
        ["--log-format", "json", "export", "-q", "-f", "model", "--now", FIXED_NOW],
    ],
)
def test_global_options_before_or_after_the_command(site: Path, args: list[str]) -> None:
    done = run_in(site, *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # quiet, before or after


def test_tags_and_format_names_in_any_case(site: Path) -> None:
    done = run_in(site, "export", "--format", "NINJS", "--lang", "FR", "--lang", "ZH-hans")
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (site / "out" / "ninjs").glob("*.json"))
    slug = "2021-02-18-nato-iraq-deployment"
    assert written == [f"{slug}.fr.json", f"{slug}.zh-Hans.json"]
    done = run_in(
        site, "--log-format", "JSON", "export", "-q", "--format", "ALL", "--now", FIXED_NOW
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("FR", "fr"),
        ("zh-hans", "zh-Hans"),
        ("PT-br", "pt-BR"),
        ("es-419", "es-419"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("en-US-x-TWAIN", "en-US-x-twain"),
    ],
)
def test_canonical_tags(typed: str, canonical: str) -> None:
    assert canonical_tag(typed) == canonical


@pytest.mark.parametrize("jobs", ["0", "-2", "two"])
def test_jobs_must_be_at_least_one(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "-f", "model", "--jobs", jobs]) == 2
    typed = jobs if jobs != "two" else "'two'"  # a number as it is, other text in quotes
    said = f"{typed} is not valid: expected a whole number of at least 1"
    assert f"argument --jobs/-j: {said}" in capsys.readouterr().err


def test_summary_comes_after_the_problems(tmp_path: Path) -> None:
    broken = REPO / "tests" / "fixtures" / "broken"
    done = run_in(broken, "export", "-f", "model", "--out", str(tmp_path / "out"))
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and len(lines) > 2
    # duplicate-id-a is fine but for its twin, which is the twin's own problem: --keep-going
    # would publish it, so it is suggested.
    assert lines[-1] == (
        "not exported: fix the errors above, or export with --keep-going to publish the other"
        f" stories; {tmp_path / 'out'}/ is unchanged"  # (`--out`: the folder given)
    )
    assert all(": error: " in line or ": warning: " in line for line in lines[:-1])


def test_json_mode_prints_only_json(tmp_path: Path) -> None:
    broken = REPO / "tests" / "fixtures" / "broken"
    done = run_in(
        broken, "export", "-f", "model", "--out", str(tmp_path / "out"), "--log-format", "json"
    )
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert done.returncode == 2 and done.stdout == ""
    assert all("severity" in r for r in records[:-1])
    assert records[-1] == {
        "command": "export",
        "status": 2,
        "summary": "not exported: fix the errors above, or export with --keep-going to publish"
        f" the other stories; {tmp_path / 'out'}/ is unchanged",
    }
    # Usage errors too.
    done = run_in(broken, "export", "--log-format", "json", "--jobs", "0", "-f", "model")
    (record,) = [json.loads(line) for line in done.stderr.splitlines()]
    assert done.returncode == 2 and record["code"] == "cli.usage"
    assert record["line"] is None and record["path"] is None


@pytest.mark.parametrize("given", [["--log-format", "json"], ["--log-format=JSON", "-q"]])
def test_json_mode_without_a_command_is_a_usage_problem(tmp_path: Path, given: list[str]) -> None:
    """`syndicate --log-format json` with no command (an empty `$CMD` in a script) printed
    argparse's text help on stdout, and nothing on stderr; the help is for a person (text
    mode, on stdout as `--help` is: see test_no_arguments_is_the_help_not_a_traceback)."""
    done = run_in(tmp_path, *given)
    assert done.returncode == 2 and done.stdout == ""
    (record,) = [json.loads(line) for line in done.stderr.splitlines()]
    assert record == {
        "code": "cli.usage",
        "line": None,
        "message": "a command is required: init, new, list, show, validate, export, deliver,"
        " serve, formats, terms",
        "path": None,
        "severity": "error",
    }


def test_json_summary_of_an_export(site: Path) -> None:
    done = run_in(site, "export", "-f", "model", "--timings", "--log-format", "json")
    assert done.returncode == 0, done.stderr
    timing, summary = [json.loads(line) for line in done.stderr.splitlines()]
    assert timing["format"] == "model" and timing["files"] == 1
    assert summary["stories"] == 1 and summary["files"] == 1 and summary["formats"] == ["model"]
    assert summary["summary"] == (
        "exported model: 1 story, 1 file (1 written, 0 unchanged, 0 removed) in out"
    )
