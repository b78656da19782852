"""`syndicate list` and `syndicate show`: what the readers made of the stories, with each one's
state at --now, as a table, as text or as JSON lines."""

from __future__ import annotations

import json

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


def test_show_unknown_story_or_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    assert main(["show", "2021-02-18-nato-iraq-deploymen"]) == 2
    typo = "2021-02-18-nato-iraq-deploymen"
    expected = f"error: no story '{typo}' in articles; did you mean '{SAMPLE_SLUG}'?"
    assert expected in capsys.readouterr().err
    assert main(["show", SAMPLE_SLUG, "--lang", "ja"]) == 2
    assert (
        "has no ja version (its languages: en, ar, de, es, fr, zh-Hans)" in capsys.readouterr().err
    )
    monkeypatch.chdir(BROKEN)
    assert main(["show", "bad-yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("articles/bad-yaml/en.md:3: error: ") and "Traceback" not in err
