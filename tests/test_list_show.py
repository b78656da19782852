"""`syndicate list` and `syndicate show`: what the readers made of the stories, with each one's
state at --now, as a table, as text or as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_SLUG

from syndicate.cli import main

LIFECYCLE = REPO / "tests" / "fixtures" / "lifecycle"
BROKEN = REPO / "tests" / "fixtures" / "broken"
NOW = "2026-02-01T00:00:00Z"


def test_list_gives_each_story_its_state(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(LIFECYCLE)
    assert main(["list", "--json", "--now", NOW]) == 0
    out, err = capsys.readouterr()
    stories = {r["slug"]: r for r in map(json.loads, out.splitlines())}
    states = {slug: r["state"] for slug, r in stories.items()}
    assert states == {
        "2026-01-20-port-reopens": "public",
        "2026-01-21-ferry-timetable": "public",
        "2026-01-22-budget-leak": "embargoed",
        "2026-01-23-storm-warning": "public",
        "2026-01-24-mayor-interview": "withdrawn",
        "2026-01-25-false-report": "killed",
        "2026-01-26-draft-festival": "draft",
    }
    leak = stories["2026-01-22-budget-leak"]
    assert leak["embargo_until"] == "2026-03-01T06:00:00Z" and leak["status"] == "usable"
    assert leak["languages"] == ["en", "fr"] and leak["version"] == 1
    ferry = stories["2026-01-21-ferry-timetable"]
    assert (ferry["published"], ferry["updated"]) == (
        "2026-01-21T10:00:00Z",
        "2026-01-22T08:30:00Z",
    )
    summary = json.loads(err)
    assert summary["stories"] == 7 and summary["states"]["public"] == 3
    assert summary["summary"] == (
        "7 stories: 1 draft, 1 embargoed, 1 killed, 3 public, 1 withdrawn (at 2026-02-01T00:00:00Z)"
    )


def test_list_as_a_table_when_piped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(LIFECYCLE / "articles")  # from a subfolder
    assert main(["list", "--now", NOW]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == [
        "story",
        "status",
        "state",
        "version",
        "languages",
        "published",
        "updated",
        "embargo",
    ]
    leak = next(line for line in lines if line.startswith("2026-01-22-budget-leak"))
    assert leak.split() == [
        "2026-01-22-budget-leak",
        "usable",
        "embargoed",
        "1",
        "en",
        "fr",
        "2026-01-30",
        "06:00Z",
        "2026-01-30",
        "06:00Z",
        "2026-03-01",
        "06:00Z",
    ]
    assert len(lines) == 8 and err.startswith("7 stories: ")


def test_the_table_never_shows_an_embargo_ending_before_it_does() -> None:
    """The table dropped seconds: an embargo to 23:59:30 read as ending at 23:59."""
    from syndicate.cli.listing import _short

    assert _short("2026-03-10T23:59:30+05:30") == "2026-03-10 23:59:30+05:30"
    assert _short("2026-03-10T23:59:00+05:30") == "2026-03-10 23:59+05:30"
    assert _short("2026-03-01T06:00:00Z") == "2026-03-01 06:00Z"


def test_list_names_the_stories_it_could_not_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(BROKEN)
    assert main(["list", "--log-format", "json"]) == 2
    out, err = capsys.readouterr()
    stories = {r["slug"]: r["state"] for r in map(json.loads, out.splitlines())}
    assert stories["bad-yaml"] == "unreadable" and stories["duplicate-id-a"] == "public"
    problems = [json.loads(line) for line in err.splitlines()]
    assert any(p.get("path") == "articles/bad-yaml/en.md" for p in problems)
    assert "summary" in problems[-1]  # after the problems


def test_list_shows_a_folder_name_a_terminal_would_act_on_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder named with an escape sequence cleared the screen of whoever ran `list`; its
    problem's message had it escaped already."""
    import shutil

    shutil.copytree(REPO / "articles", tmp_path / "articles")
    shutil.copy(REPO / "syndicate.yaml", tmp_path / "syndicate.yaml")
    (tmp_path / "articles" / "2021-03-01-sm\x1b[2Jall").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["list"]) == 2
    out, err = capsys.readouterr()
    assert "\x1b" not in out and "2021-03-01-sm\\x1b[2Jall" in out
    assert "\x1b" not in err


def test_show_a_story_as_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["show", SAMPLE_SLUG, "--lang", "FR", "--now", NOW]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"{SAMPLE_SLUG}  (articles/{SAMPLE_SLUG}/story.yaml)"
    assert "  state            public at 2026-02-01T00:00:00Z (status usable, version 1)" in lines
    assert "  section          politics (Politique)" in lines
    # the story's languages, not those --lang shows (it said "fr; original en")
    assert "  languages        en, ar, de, es, fr, zh-Hans; original en" in lines
    assert f"fr French  (articles/{SAMPLE_SLUG}/fr.md)" in lines
    assert (
        "  headline         L’OTAN va fortement renforcer son déploiement militaire en Irak"
        in lines
    )
    assert "  dateline         Bruxelles, 18 février 2021" in lines
    assert "  byline           Par YCPress" in lines
    assert "  file             image/png, 1600x900, 49,710 bytes" in lines
    assert not any(line.startswith(("en ", "  alt en", "ar ")) for line in lines)


def test_show_a_story_as_the_model(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(LIFECYCLE)
    slug = "2026-01-25-false-report"
    assert main(["show", slug, "--json", "--now", NOW]) == 0
    (data,) = map(json.loads, capsys.readouterr().out.splitlines())
    assert (
        data["slug"] == slug and data["state"] == "killed" and data["now"] == "2026-02-01T00:00:00Z"
    )
    assert data["status"] == "canceled" and [v["lang"] for v in data["variants"]] == ["en", "fr"]
    assert data["variants"][0]["source"] == f"{slug}/en.md:1"  # as in the model dump


@pytest.mark.parametrize(
    "given",
    [f"articles/{SAMPLE_SLUG}/", f"./articles/{SAMPLE_SLUG}", f"articles/{SAMPLE_SLUG}/fr.md"],
)
def test_show_takes_a_story_s_folder_as_a_shell_completes_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    """`show articles/<slug>/`, as tab completion writes it, was "no story"."""
    monkeypatch.chdir(REPO)
    assert main(["show", given, "--now", NOW]) == 0
    assert capsys.readouterr().out.startswith(f"{SAMPLE_SLUG}  (articles/{SAMPLE_SLUG}/story.yaml)")
    assert main(["show", "syndicate.yaml"]) == 2, "a path outside the articles is no story"


def test_show_unknown_story_or_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["show", "2021-02-18-nato-iraq-deploymen"]) == 2
    typo = "2021-02-18-nato-iraq-deploymen"
    expected = f"error: no story '{typo}' in articles; did you mean '{SAMPLE_SLUG}'?"
    assert expected in capsys.readouterr().err
    assert main(["show", SAMPLE_SLUG, "--lang", "ja"]) == 2
    assert "has no ja.md (its languages: en, ar, de, es, fr, zh-Hans)" in capsys.readouterr().err
    monkeypatch.chdir(BROKEN)
    assert main(["show", "bad-yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("articles/bad-yaml/en.md:3: error: ") and "Traceback" not in err


def test_show_a_language_file_the_story_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A translation first published by the version that kills the story is left out
    (`story.language-unreleased`): `show --lang` said the story "has no es.md", which was
    right there."""
    from sites import Site

    site = Site(tmp_path / "newsroom")
    killed_at = "2021-02-20T09:00:00+01:00"
    site.replace(SAMPLE_SLUG, "es.md", "headline:", f"published: {killed_at}\nheadline:")
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: canceled")
    site.replace(SAMPLE_SLUG, "story.yaml", "version: 1", "version: 2")
    site.replace(
        SAMPLE_SLUG, "story.yaml", "updated: 2021-02-18T19:30:00+01:00", f"updated: {killed_at}"
    )
    capsys.readouterr()
    assert site.cli("show", SAMPLE_SLUG, "--lang", "es", "--articles", str(site.articles)) == 2
    err = capsys.readouterr().err
    assert "has no es.md" not in err
    assert f"{SAMPLE_SLUG} leaves out its es.md, published in no channel" in err
    assert "[story.language-unreleased]" in err


def test_many_stories_are_read_by_workers_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """From `PARALLEL_FROM` stories, `validate` and `list` read them in worker processes: the
    same stories, the same problems at the same lines, the same lines out as one process's."""
    from sites import generated_site

    from syndicate.build import reading
    from syndicate.build.reading import PARALLEL_FROM

    pools: list[int] = []
    in_pool = reading._read_in_pool

    def counted(folders: list[Path], config: object, workers: int, *rest: bool) -> object:
        pools.append(workers)
        return in_pool(folders, config, workers, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "_read_in_pool", counted)
    site = generated_site(tmp_path / "site", PARALLEL_FROM + 20)
    articles = sorted((site / "articles").iterdir())
    (articles[3] / "story.yaml").write_text("headline: [unclosed\n", encoding="utf-8")
    text = (articles[70] / "fr.md").read_text(encoding="utf-8")
    (articles[70] / "fr.md").write_text(text.replace("headline:", "headline: a: b\nx:", 1))
    twin = (articles[110] / "story.yaml").read_text(encoding="utf-8")
    own_id = next(line for line in twin.splitlines() if line.startswith("id:"))
    first_id = next(
        line
        for line in (articles[0] / "story.yaml").read_text(encoding="utf-8").splitlines()
        if line.startswith("id:")
    )
    (articles[110] / "story.yaml").write_text(twin.replace(own_id, first_id), encoding="utf-8")
    monkeypatch.chdir(site)
    said = {}
    for jobs in ("1", "2"):
        for command in ("validate", "list"):
            status = main([command, "--jobs", jobs, "--log-format", "json", "--now", NOW])
            out, err = capsys.readouterr()
            said[command, jobs] = (status, out, err)
    assert pools == [2, 2]  # validate's and list's with --jobs 2; none with --jobs 1
    assert said["validate", "1"] == said["validate", "2"]
    assert said["list", "1"] == said["list", "2"]
    status, out, err = said["validate", "2"]
    codes = [json.loads(line)["code"] for line in err.splitlines() if '"code"' in line]
    assert status == 2 and {"article.yaml", "story.duplicate-id"} <= set(codes), err
    listed = [json.loads(line) for line in said["list", "2"][1].splitlines()]
    unreadable = [r["slug"] for r in listed if r.get("state") == "unreadable"]
    assert len(listed) == PARALLEL_FROM + 20 and articles[3].name in unreadable


def test_under_json_every_command_ends_with_its_summary_and_status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`show` (a success, or a story not found) ended with no summary line under JSON: a
    program reading the lines could not tell how it ended but from the exit status."""
    monkeypatch.chdir(REPO)
    for argv, status in ((["show", SAMPLE_SLUG], 0), (["show", "no-such-story"], 2)):
        capsys.readouterr()
        assert main([*argv, "--log-format", "json"]) == status
        last = json.loads(capsys.readouterr().err.splitlines()[-1])
        assert last["command"] == "show" and last["status"] == status, last
        assert last["summary"] == ("done" if status == 0 else "show: not done")
