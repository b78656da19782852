"""Runs that publish less than everything: `--keep-going` (the healthy stories out, a broken
one kept as last published), `--story SLUG`, `--dry-run`, a kill in a `--lang`/`--format`
run (it widens to every file that carried the story), and the dead links a partial run
warns about."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import FIXED_NOW, PLAIN_COVERS
from sites import generated_site

import syndicate.formats as formats_package
from syndicate.build.engine import CACHE_ENV
from syndicate.cli import EXIT_PARTIAL, main

FORMATS = ("html", "atom", "rss", "jsonld", "newsml")
BROKEN = "bench-000001"
HEALTHY = "bench-000002"


@pytest.fixture(autouse=True)
def cache_in_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(CACHE_ENV)
    yield


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return generated_site(tmp_path, 4)


def export(site: Path, *extra: str, formats: tuple[str, ...] = FORMATS, quiet: bool = True) -> int:
    args = ["export", "--now", FIXED_NOW, "--site", str(site), *(["-q"] if quiet else [])]
    for name in formats:
        args += ["-f", name]
    return main([*args, *extra], registry=PLAIN_COVERS)


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def retitle(site: Path, slug: str, headline: str) -> None:
    md = site / "articles" / slug / "en.md"
    text = md.read_text(encoding="utf-8")
    start = text.index('headline: "') + len('headline: "')
    md.write_text(text[:start] + headline + text[text.index('"', start) :], encoding="utf-8")


def break_yaml(site: Path, slug: str) -> None:
    md = site / "articles" / slug / "en.md"
    md.write_text(
        md.read_text(encoding="utf-8").replace("dateline: Brussels", "dateline: [Brussels"),
        encoding="utf-8",
    )


def page(site: Path, slug: str, lang: str = "en") -> str:
    return (site / "out" / "html" / f"{slug}.{lang}.html").read_text(encoding="utf-8")


# --keep-going ---------------------------------------------------------------------------------


def test_keep_going_publishes_the_healthy_and_keeps_the_broken_as_published(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(site) == 0
    before = page(site, BROKEN)
    retitle(site, BROKEN, "A new headline that never makes it")
    break_yaml(site, BROKEN)
    retitle(site, HEALTHY, "Healthy story updated")
    capsys.readouterr()

    # Without --keep-going: all or nothing, as before; the summary names the way out.
    published = tree(site / "out")
    assert export(site, quiet=False) == 2
    assert tree(site / "out") == published
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "not exported: fix the errors above, or export with --keep-going to publish the other"
        " stories; out/ is unchanged"
    )

    # With --story naming only the broken one, --keep-going would publish nothing: not said.
    assert export(site, "--story", BROKEN, quiet=False) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "not exported: fix the errors above; out/ is unchanged"
    )
    assert export(site, "--story", BROKEN, "--story", HEALTHY, quiet=False) == 2
    assert "export with --keep-going to publish the other" in capsys.readouterr().err

    assert export(site, "--keep-going") == EXIT_PARTIAL
    err = capsys.readouterr().err
    assert f"articles/{BROKEN}/en.md:" in err and ": error: " in err
    last = err.strip().splitlines()[-1]
    assert last == (
        f"left out for their errors, their last published version kept: {BROKEN}"
        f" (exit status {EXIT_PARTIAL})"
    )
    assert "Healthy story updated" in page(site, HEALTHY)
    assert page(site, BROKEN) == before
    feed = (site / "out" / "atom" / "en.xml").read_text(encoding="utf-8")
    assert "Healthy story updated" in feed and "never makes it" not in feed
    assert f"{BROKEN}.en.html" in feed  # still listed, as last published

    # Again: the broken story still keeps its version; once fixed, it is published.
    assert export(site, "--keep-going") == EXIT_PARTIAL
    assert page(site, BROKEN) == before
    md = site / "articles" / BROKEN / "en.md"
    md.write_text(md.read_text(encoding="utf-8").replace("[Brussels", "Brussels"), "utf-8")
    assert export(site, "--keep-going") == 0
    assert "A new headline that never makes it" in page(site, BROKEN)


def test_a_copied_folder_is_its_own_problem_and_the_others_go_on(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story copied to start another (its folder copied, the id with it): the duplicate id
    stopped every export, even with --keep-going (an embargo due then not lifted, every
    editor's preview frozen), and when the copy's name came first the error named the
    published story, whose id the editor then changed (its partners got a second story)."""
    assert export(site) == 0
    copy = site / "articles" / ("0000-" + HEALTHY)  # its name sorts before the original's
    shutil.copytree(site / "articles" / HEALTHY, copy)
    capsys.readouterr()
    assert export(site, "--keep-going") == EXIT_PARTIAL
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "[story.duplicate-id]" in line]
    assert len(said) == 1 and said[0].startswith(f"{copy}/story.yaml:")
    assert "which partners have had under it" in said[0] and "[story.version]" not in err
    assert not (site / "out" / "html" / f"{copy.name}.en.html").exists()
    assert export(site) == 2, "without --keep-going the copy stops the run, named"
    capsys.readouterr()
    assert main(["validate", "--site", str(site)]) == 2
    (said,) = [line for line in capsys.readouterr().err.splitlines() if "duplicate-id" in line]
    assert said.startswith(f"{copy}/story.yaml:")


def test_a_copied_draft_is_not_said_to_be_a_story_partners_had(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The original a copy was made of is a draft (withheld at version 1): no partner had its
    id, which the duplicate-id error said they had."""
    meta = site / "articles" / HEALTHY / "story.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "status: withheld\n", "utf-8")
    assert export(site) == 0
    shutil.copytree(site / "articles" / HEALTHY, site / "articles" / ("0000-" + HEALTHY))
    capsys.readouterr()
    assert export(site, "--keep-going") == EXIT_PARTIAL
    (said,) = [line for line in capsys.readouterr().err.splitlines() if "duplicate-id" in line]
    assert "which the last export took from it; ids must be unique" in said, said
    assert "partners" not in said


def test_an_id_pasted_from_another_story_says_no_story_moved(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A published story given another's id (its story.yaml pasted over): beside the copy's
    error, the run warned that the id had "moved there" from the original's folder, which
    still holds it. The copy is no folder giving the id."""
    assert export(site) == 0
    first, second = sorted(p for p in (site / "articles").iterdir() if p.name.startswith("b"))[:2]
    taken = yaml.safe_load((first / "story.yaml").read_text(encoding="utf-8"))["id"]
    meta = second / "story.yaml"
    own = yaml.safe_load(meta.read_text(encoding="utf-8"))["id"]
    meta.write_text(meta.read_text(encoding="utf-8").replace(own, taken), "utf-8")
    capsys.readouterr()
    assert export(site, quiet=False) == 2
    err = capsys.readouterr().err
    assert "[story.duplicate-id]" in err and "moved there" not in err, err


def test_no_keep_going_hint_when_it_would_publish_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every story broken: `--keep-going` would not help, so it is not suggested. Two stories
    with one id are the second's own problem (a copy: the first in name order keeps the id
    when neither was published), which `--keep-going` leaves out: suggested then."""
    site = generated_site(tmp_path, 1)
    (slug,) = [p.name for p in (site / "articles").iterdir() if not p.name.startswith("_")]
    break_yaml(site, slug)
    assert export(site, quiet=False) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "not exported: fix the errors above; out/ is unchanged"
    )
    site = generated_site(tmp_path / "twins", 3)
    first, second, third = sorted(
        p for p in (site / "articles").iterdir() if not p.name.startswith("_")
    )
    taken = yaml.safe_load((first / "story.yaml").read_text(encoding="utf-8"))["id"]
    meta = second / "story.yaml"
    facts = yaml.safe_load(meta.read_text(encoding="utf-8"))
    meta.write_text(meta.read_text(encoding="utf-8").replace(facts["id"], taken), "utf-8")
    break_yaml(site, third.name)
    capsys.readouterr()
    assert export(site, quiet=False) == 2
    err = capsys.readouterr().err
    assert "[story.duplicate-id]" in err
    assert err.strip().splitlines()[-1] == (
        "not exported: fix the errors above, or export with --keep-going to publish the other"
        " stories; out/ is unchanged"
    )
    assert export(site, "--keep-going") == EXIT_PARTIAL
    published = sorted(p.name for p in (site / "out" / "html").glob("*.en.html"))
    assert published == [f"{first.name}.en.html", "index.en.html"]


def test_a_broken_story_never_published_is_absent(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_yaml(site, BROKEN)
    assert export(site, "--keep-going") == EXIT_PARTIAL
    assert not (site / "out" / "html" / f"{BROKEN}.en.html").exists()
    assert (site / "out" / "html" / f"{HEALTHY}.en.html").is_file()
    assert BROKEN in capsys.readouterr().err


def test_keep_going_is_a_configuration_default(site: Path) -> None:
    config = site / "syndicate.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "export:\n  keep_going: true\n")
    break_yaml(site, BROKEN)
    assert export(site) == EXIT_PARTIAL
    assert export(site, "--no-keep-going") == 2
    assert main(["validate", "--site", str(site)]) == 2  # the broken story, not the section
    config.write_text(config.read_text(encoding="utf-8") + "  keep_gong: true\n")
    assert export(site) == 2


def test_keep_going_in_json_names_the_stories_left_out(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    break_yaml(site, BROKEN)
    assert export(site, "--keep-going", "--log-format", "json") == EXIT_PARTIAL
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    (summary,) = [r for r in records if "left_out" in r]
    assert summary["left_out"] == [BROKEN] and summary["status"] == EXIT_PARTIAL


# --story --------------------------------------------------------------------------------------


def test_story_publishes_one_story_and_keeps_the_others(site: Path) -> None:
    assert export(site) == 0
    retitle(site, BROKEN, "Not ready yet")
    retitle(site, HEALTHY, "Ready to go")
    assert export(site, "--story", HEALTHY) == 0
    assert "Ready to go" in page(site, HEALTHY)
    assert "Not ready yet" not in page(site, BROKEN)
    feed = (site / "out" / "atom" / "en.xml").read_text(encoding="utf-8")
    assert "Ready to go" in feed and "Not ready yet" not in feed
    assert feed.count("<entry>") == 4
    assert export(site) == 0
    assert "Not ready yet" in page(site, BROKEN)


def test_story_unknown_is_refused_with_the_nearest_name(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(site, "--story", "bench-00002") == 2
    err = capsys.readouterr().err
    assert "no story 'bench-00002' in the articles folder" in err
    assert "did you mean 'bench-000002'? (`syndicate list` lists the stories)" in err
    assert not (site / "out").exists() or not tree(site / "out")


# --dry-run ------------------------------------------------------------------------------------


def test_dry_run_lists_the_changes_and_publishes_nothing(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(site) == 0
    published = tree(site / "out")
    retitle(site, HEALTHY, "Changed headline")
    shutil.rmtree(site / "articles" / BROKEN)
    capsys.readouterr()
    assert export(site, "--dry-run") == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert f"changed  html/{HEALTHY}.en.html" in lines
    assert f"removed  html/{BROKEN}.en.html" in lines
    assert f"removed  html/{BROKEN}.fr.html" in lines
    listed = {line.split()[-1] for line in lines}
    assert listed < set(published)  # changed and removed: all there before
    assert f"html/media/{HEALTHY}/figure.png" not in listed  # unchanged: not listed
    assert tree(site / "out") == published
    # The next real export does what the dry run said.
    assert export(site) == 0
    assert "Changed headline" in page(site, HEALTHY)
    assert not (site / "out" / "html" / f"{BROKEN}.en.html").exists()


def test_a_dry_run_with_a_broken_story_exits_2_and_says_what_export_would_do(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dry run publishes nothing: under --keep-going a story with errors is no "published,
    but" (3), it is a problem in the sources (2); the line says what the export would do."""
    assert export(site) == 0
    published = tree(site / "out")
    break_yaml(site, BROKEN)
    retitle(site, HEALTHY, "Changed headline")
    capsys.readouterr()
    assert export(site, "--dry-run", "--keep-going") == 2
    err = capsys.readouterr().err
    assert (
        f"an export would leave out for their errors, their last published version kept: {BROKEN}"
        " (and exit with status 3)" in err
    )
    assert tree(site / "out") == published
    assert export(site, "--keep-going") == 3


# A kill in a partial run --------------------------------------------------------------------------


def test_a_kill_reaches_every_language_and_format_of_out(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(site) == 0
    out = site / "out"
    before = tree(out)
    assert any(HEALTHY in before[f"html/index.{lang}.html"].decode() for lang in ("en", "fr"))
    meta = site / "articles" / HEALTHY / "story.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "status: canceled\nversion: 2\n")
    capsys.readouterr()
    assert export(site, "--lang", "en", formats=("atom",), quiet=False) == 0
    err = capsys.readouterr().err
    assert (
        "a story was killed, withdrawn, deleted or taken back under embargo, or lost a"
        " language: also exported fr, html, jsonld, newsml, rss" in err
    )
    after = tree(out)
    for lang in ("en", "fr"):
        assert HEALTHY not in after[f"html/index.{lang}.html"].decode()
        assert after[f"rss/{lang}.xml"] != before[f"rss/{lang}.xml"]
    assert f"jsonld/{HEALTHY}.fr.jsonld" not in after or (
        after[f"jsonld/{HEALTHY}.fr.jsonld"] != before[f"jsonld/{HEALTHY}.fr.jsonld"]
    )
    newsml = (out / "newsml" / f"{HEALTHY}.fr.xml").read_text(encoding="utf-8")
    assert 'pubStatus qcode="stat:canceled"' in newsml
    # A partial run with no kill stays partial.
    assert export(site, "--lang", "en", formats=("atom",), quiet=False) == 0
    assert "also exported" not in capsys.readouterr().err


def test_a_widened_run_ends_with_one_summary_that_says_so(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The widening was a second summary after the counts (a second JSON summary object,
    the last one without them): it is part of the one summary line now."""
    assert export(site) == 0
    meta = site / "articles" / HEALTHY / "story.yaml"
    # (the kill dated at its own time: one dated as version 1 is a warning at every run)
    text = meta.read_text(encoding="utf-8").replace(
        "updated: 2020-01-01T16", "updated: 2020-01-02T16"
    )
    meta.write_text(text + "status: canceled\nversion: 2\n")
    capsys.readouterr()
    assert export(site, "--log-format", "json", formats=("rss",), quiet=False) == 0
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    (summary,) = [r for r in records if "summary" in r]
    assert summary is records[-1] and summary["written"] > 0
    assert summary["formats"][0] == "rss" and summary["widened"] == summary["formats"][1:]
    assert summary["summary"].startswith("exported rss, ")
    widening = "; a story was killed, withdrawn, deleted or taken back under embargo, or lost a"
    assert widening in summary["summary"]
    assert export(site, formats=("rss",), quiet=False) == 0  # nothing widens it now
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("exported rss: ") and "also exported" not in line
    assert export(site, "--log-format", "json", formats=("rss",), quiet=False) == 0
    (summary,) = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert summary["widened"] == []


def test_a_story_deleted_before_a_partial_run_leaves_every_format(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story folder deleted, then `--format html` alone: its pages went, but the feeds,
    items and books of out/ kept listing it and linking to them, silently. As a kill does,
    the deletion widens the run; out/ is then what an export from scratch gives."""
    assert export(site) == 0
    shutil.rmtree(site / "articles" / HEALTHY)
    capsys.readouterr()
    assert export(site, "--lang", "en", formats=("html",), quiet=False) == 0
    err = capsys.readouterr().err
    assert "taken back under embargo, or lost a language: also exported fr, atom" in err
    after = tree(site / "out")
    assert not [path for path, data in after.items() if HEALTHY.encode() in data]
    assert export(site, "--out", str(tmp_path / "fresh")) == 0
    assert after == tree(tmp_path / "fresh")


def test_a_language_removed_before_a_partial_run_leaves_every_format(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """fr.md deleted, then `--lang fr` (or `--format html`): the French files of the other
    formats stayed ("0 removed"). As a deletion does, the lost language widens the run."""
    assert export(site) == 0
    (site / "articles" / HEALTHY / "fr.md").unlink()
    capsys.readouterr()
    assert export(site, "--lang", "fr", formats=("html",), quiet=False) == 0
    assert "or lost a language: also exported en, atom" in capsys.readouterr().err
    after = tree(site / "out")
    assert not [path for path in after if HEALTHY in path and ".fr." in path]
    assert export(site, "--out", str(tmp_path / "fresh")) == 0
    assert after == tree(tmp_path / "fresh")


# Dead links of partial runs -------------------------------------------------------------------


def test_a_feed_alone_warns_about_the_pages_it_links_to(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(site, formats=("atom",)) == 0
    err = capsys.readouterr().err
    dead = [line for line in err.splitlines() if line.endswith("[export.dead-link]")]
    assert any(
        line.startswith(f"out/html/{HEALTHY}.en.html: warning: linked from atom/en.xml")
        or f"out/html/{HEALTHY}.en.html: warning: linked from atom/" in line
        for line in dead
    ), err
    # Once the pages are there, a feed-only run links to what exists: no warning.
    assert export(site, formats=("atom", "html")) == 0
    capsys.readouterr()
    retitle(site, HEALTHY, "Another headline")
    assert export(site, formats=("atom",)) == 0
    assert "export.dead-link" not in capsys.readouterr().err


def test_a_partial_run_loads_only_the_formats_its_dead_links_are_told_by(site: Path) -> None:
    """The pages of an HTML and RSS run link the Atom feeds it did not write: the warning names
    the format that writes them (`add --format atom`), found by loading the formats in their
    order only until each dead link's folder has its own, not every format there is (the
    partners', NewsML's, ninjs'...: 70 ms of a run). In a process of its own, as from cron."""
    script = (
        "import sys\n"
        "from syndicate.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print('loaded:', sorted(m for m in sys.modules if m.endswith('.writer')))\n"
        "sys.exit(status)\n"
    )
    args = ["export", "--now", FIXED_NOW, "--site", str(site), "-q", "-f", "html", "-f", "rss"]
    run = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "add --format atom, or export --format all" in run.stderr
    loaded = run.stdout.splitlines()[-1]
    assert "syndicate.formats.html.writer" in loaded
    for unused in ("partners", "newsml", "ninjs", "sitemap", "jsonfeed", "model"):
        assert f"syndicate.formats.{unused}.writer" not in loaded, loaded


def test_an_export_of_the_model_imports_no_other_format(site: Path) -> None:
    """docs/architecture.md: only the selected formats are imported. An export of the model
    imported the EPUB format's font lister (`fontfiles`), for the stamp of the covers' font
    folders that every build's key holds (now taken without it, the same bytes:
    `syndicate.readers.fontfolders`); into an out/ holding every format's folders, it
    imported every format, to learn whose those folders are. In a process of its own, as
    from cron."""
    assert export(site, formats=("all", "msn")) == 0
    script = (
        "import sys\n"
        "from syndicate.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(*sorted(m for m in sys.modules if m.startswith('syndicate.formats.')))\n"
        "sys.exit(status)\n"
    )
    args = ["export", "--now", FIXED_NOW, "--site", str(site), "-q", "-f", "model"]
    run = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    loaded = run.stdout.splitlines()[-1].split()
    assert "syndicate.formats.model.writer" in loaded
    packages = {p.parent.name for p in Path(formats_package.__file__).parent.glob("*/__init__.py")}
    assert [m for m in loaded if m.split(".")[2] in packages - {"model"}] == []


def test_an_export_of_the_pages_imports_no_feed_format(site: Path) -> None:
    """The pages link the feeds `feeds:` says there are, and read that section's options
    (`syndicate.formats.feedoptions`): they imported the feeds' whole package for it (its
    documents, feedgen's adapter, the feed images: about 9 ms of a short run). Into an out/
    that holds the feeds already, a run of the pages alone imports no module of the feed
    formats. In a process of its own, as from cron."""
    assert export(site, formats=("all",)) == 0
    script = (
        "import sys\n"
        "from syndicate.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(*sorted(m for m in sys.modules if m.startswith('syndicate.formats.')))\n"
        "sys.exit(status)\n"
    )
    args = ["export", "--now", FIXED_NOW, "--site", str(site), "-q", "-f", "html", "--force"]
    run = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    loaded = run.stdout.splitlines()[-1].split()
    assert "syndicate.formats.html.writer" in loaded
    assert "syndicate.formats.feedoptions" in loaded
    assert [m for m in loaded if m.startswith("syndicate.formats.feeds")] == []


def test_an_export_imports_no_importlib_metadata(site: Path) -> None:
    """The libraries' versions are read (by importlib.metadata) only for a Dask cluster's
    check of its workers: an export of every format, its stories made in its own process,
    imports neither it nor the email and csv modules it brings, about a hundredth of an
    edition's export. In a process of its own, as from cron."""
    script = (
        "import sys\n"
        "from syndicate.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print('metadata:', 'importlib.metadata' in sys.modules)\n"
        "sys.exit(status)\n"
    )
    args = ["export", "--now", FIXED_NOW, "--site", str(site), "-q", "-f", "all"]
    args += ["--executor", "serial"]
    run = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "metadata: False"


def test_validate_outputs_says_the_dead_links_of_out_every_time(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dead link was said only by the run that wrote the file linking to it: `--strict`
    exited 3 once, then 0 with the link still dead, and `validate --outputs` said OK."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no Java: the books' structural check only

    def validate(*extra: str) -> tuple[int, list[str]]:
        capsys.readouterr()
        status = main(["validate", "--outputs", "--site", str(site), "--now", FIXED_NOW, *extra])
        lines = capsys.readouterr().err.splitlines()
        return status, [line for line in lines if line.endswith("[output.dead-link]")]

    assert export(site, formats=("html",)) == 0
    assert export(site, formats=("html",)) == 0, "nothing to write: nothing said"
    status, dead = validate()
    assert status == 0 and any(
        "out/atom/en.xml: warning: linked from html/" in line
        and "export --format atom (or --format all) makes it" in line
        for line in dead
    ), dead
    assert validate("--strict")[0] == 1
    assert export(site, formats=("all",)) == 0, "every format: nothing dead"
    assert validate() == (0, [])
    # A file of out/ deleted by hand is dead where it is linked.
    (site / "out" / "html" / f"{HEALTHY}.en.html").unlink()
    status, dead = validate()
    assert len(dead) == 1 and f"/out/html/{HEALTHY}.en.html: warning: linked from" in dead[0]


def test_dead_links_of_another_out_folder_are_named_from_where_the_user_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out o4` from the site: the warnings name `o4/html/...` (they named the absolute
    path, and said "out/ does not have it"), and the line counting those left unsaid comes
    after the others (it came first: its place was the folder itself)."""
    monkeypatch.chdir(generated_site(tmp_path, 12))
    assert main(["export", "--now", FIXED_NOW, "-f", "atom", "--out", "o4"]) == 0
    dead = [line for line in capsys.readouterr().err.splitlines() if "export.dead-link" in line]
    assert len(dead) == 21, dead  # 20 named, then the count of the others
    assert all(line.startswith("o4/html/") for line in dead), dead
    assert all("the output folder does not have it" in line for line in dead[:20])
    assert "more files after it are linked but not written" in dead[-1]


def test_validate_outputs_counts_the_dead_links_past_twenty_as_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the twenty it names, `validate --outputs` said the others were "linked but in the
    output folder": the opposite. They are linked but not in it, as an export says."""
    monkeypatch.chdir(generated_site(tmp_path, 12))
    assert main(["export", "-q", "--now", FIXED_NOW, "-f", "atom", "--out", "o4"]) == 0
    capsys.readouterr()
    main(["validate", "--outputs", "o4", "--now", FIXED_NOW])
    dead = [line for line in capsys.readouterr().err.splitlines() if "output.dead-link" in line]
    assert len(dead) == 21, dead
    assert "more files after it are linked but not in the output folder" in dead[-1], dead[-1]


def test_one_language_warns_about_the_translations_it_links_to(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(site, "--lang", "fr", formats=("html",)) == 0
    err = capsys.readouterr().err
    assert f"out/html/{HEALTHY}.en.html: warning: linked from html/{HEALTHY}.fr.html" in err
    assert "add its language to --lang, or export every language [export.dead-link]" in err
    assert f"out/epub/{HEALTHY}.fr.epub: warning: linked from html/{HEALTHY}.fr.html" in err
    assert (
        "add --format epub, or export --format all; a site that publishes no books: epub:"
        " {story_books: false} in syndicate.yaml and the pages link none [export.dead-link]"
    ) in err
    # A full run makes everything it links to.
    assert export(site, formats=("all",)) == 0
    assert "export.dead-link" not in capsys.readouterr().err


def test_a_site_that_publishes_no_books_or_feeds_is_told_how_to_link_none(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site that exports its pages alone (`--format html` from cron) was told on every run
    to add --format epub and --format atom, the pages' links to books and feeds being dead:
    the warning says what stops the links, and with it set the pages link none."""
    assert export(site, formats=("html",)) == 0
    err = capsys.readouterr().err
    assert "a site that publishes no feeds: feeds: {languages: []} in syndicate.yaml" in err
    assert "a site that publishes no books: epub: {story_books: false} in syndicate.yaml" in err
    config = site / "syndicate.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "epub: {story_books: false}\nfeeds: {languages: []}\n", "utf-8")
    assert export(site, "--force", formats=("html",)) == 0
    assert "export.dead-link" not in capsys.readouterr().err


def test_one_language_s_catalog_names_the_translated_books_it_links_to(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The catalog links each book to its translations' books: a run of one language into an
    empty out/ warns of each it did not write, and a run of every language leaves none."""
    assert export(site, "--lang", "fr", formats=("epub",)) == 0
    err = capsys.readouterr().err
    assert f"out/epub/{HEALTHY}.en.epub: warning: linked from opds/fr.xml" in err
    assert "add its language to --lang, or export every language [export.dead-link]" in err
    assert export(site, formats=("all",)) == 0
    assert "export.dead-link" not in capsys.readouterr().err


def test_strict_warnings_found_once_published_exit_3_not_2(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dead link is found as the files are published: under --strict it cannot stop the run,
    so the status is 3 ("published, but"), not 2 ("nothing was written"), and the last line
    says so."""
    assert export(site, "--strict", formats=("rss",), quiet=False) == EXIT_PARTIAL
    err = capsys.readouterr().err
    assert "[export.dead-link]" in err
    warned = err.count(": warning: ")
    assert err.strip().splitlines()[-1] == (
        f"published, but --strict counts the {warned} warnings above: fix them and export again"
        f" (exit status {EXIT_PARTIAL})"
    )
    assert (site / "out" / "rss" / "en.xml").is_file()
    assert export(site, "--strict", formats=("all",)) == 0


@pytest.mark.parametrize(
    "page",
    [
        b'<a href="a.html">x</a><img src="b.png"/><a href = \'c.html\'>',
        b"<a href=\"src='x.png'\">src=\"y.png\" href='z.html'",  # a src= inside an href's value
        b'<a hrefsrc="a" srchref="b" href="#top" src="?q" href="">',
        b"src=href='a' href=src=\"b\" src src='c'",
        b"",
    ],
)
def test_page_links_are_read_as_one_pattern_of_both_words_reads_them(page: bytes) -> None:
    """The dead-link scan finds `href` and `src` by two patterns (each by its literal start,
    four times faster on pages than one pattern of both words): the same links, in order."""
    import re

    from syndicate.build.links import _attribute_links

    one = re.compile(rb"""(?:href|src)\s*=\s*["']([^"'#?]+)""")
    assert list(_attribute_links(page)) == one.findall(page)


def test_keep_going_tells_a_story_never_published_from_one_kept(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new story with errors has no published version to keep: it is "not published yet",
    apart from a broken story that keeps its last published version, in the text and in the
    JSON summary."""
    assert export(site) == 0
    new = site / "articles" / "bench-new"
    shutil.copytree(site / "articles" / HEALTHY, new)
    meta = new / "story.yaml"
    facts = yaml.safe_load(meta.read_text(encoding="utf-8"))
    meta.write_text(meta.read_text(encoding="utf-8").replace(facts["id"], f"{facts['id']}-new"))
    break_yaml(site, "bench-new")
    break_yaml(site, BROKEN)
    capsys.readouterr()

    assert export(site, "--dry-run", "--keep-going") == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "an export would leave out for their errors: their last published version kept:"
        f" {BROKEN}; not published yet: bench-new (and exit with status {EXIT_PARTIAL})"
    )
    assert export(site, "--keep-going") == EXIT_PARTIAL
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"left out for their errors: their last published version kept: {BROKEN};"
        f" not published yet: bench-new (exit status {EXIT_PARTIAL})"
    )
    assert not list((site / "out").rglob("bench-new*"))

    shutil.rmtree(new)
    shutil.copytree(site / "articles" / HEALTHY, new)
    meta.write_text(meta.read_text(encoding="utf-8").replace(facts["id"], f"{facts['id']}-new"))
    break_yaml(site, "bench-new")
    md = site / "articles" / BROKEN / "en.md"
    md.write_text(md.read_text(encoding="utf-8").replace("[Brussels", "Brussels"), "utf-8")
    capsys.readouterr()
    assert export(site, "--keep-going", "--log-format", "json") == EXIT_PARTIAL
    record = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert record["summary"] == (
        f"left out for their errors, not published yet: bench-new (exit status {EXIT_PARTIAL})"
    )
    assert record["left_out"] == record["not_published"] == ["bench-new"]


def test_keep_going_tells_a_version_the_state_lost_from_one_never_published(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken story published before whose last version the build state cannot give back
    (here its stored story damaged, and a format added that needs it made again) is not
    "not published yet": the warning says its version is lost, and so does the last line."""
    import sqlite3

    assert export(site) == 0
    (state,) = site.rglob("state.sqlite")
    with sqlite3.connect(state) as db:
        db.execute("UPDATE models SET data = x'00'")
    db.close()
    break_yaml(site, BROKEN)
    capsys.readouterr()
    assert export(site, "--keep-going", formats=(*FORMATS, "jsonfeed")) == EXIT_PARTIAL
    err = capsys.readouterr().err
    assert "its last published version cannot be kept" in err and "[export.held]" in err
    assert err.strip().splitlines()[-1] == (
        "left out for their errors, their last published version lost (warning above):"
        f" {BROKEN} (exit status {EXIT_PARTIAL})"
    )
    assert "not published yet" not in err
    assert not list((site / "out").rglob(f"{BROKEN}*"))


# --lang: a run of some languages writes what a run of every language writes ----------------


def language_site(root: Path) -> Path:
    """A site in English, French and Arabic of the realistic corpus (embargoes, kills,
    corrections, other originals, images), with a partner profile; story 4, written in
    French, has no English or Arabic text."""
    from bench.corpus import SITE_CONFIG, generate

    (root / "site").mkdir(parents=True)
    for name in ("logo.png", "icon.png"):
        shutil.copy(Path(__file__).parent.parent / "articles/_site" / name, root / "site" / name)
    config = SITE_CONFIG.format(languages="en, fr, ar") + "profiles:\n  msn:\n"
    (root / "syndicate.yaml").write_text(config, encoding="utf-8")
    generate(root / "articles", 10, ("en", "fr", "ar"), realistic=True)
    only_fr = root / "articles" / "bench-000004"
    assert "original_language: fr" in (only_fr / "story.yaml").read_text(encoding="utf-8")
    for lang in ("en", "ar"):
        (only_fr / f"{lang}.md").unlink()
    text = (only_fr / "story.yaml").read_text(encoding="utf-8")
    text = re.sub(r'\b(?:en|ar): "[^"]*", |, (?:en|ar): "[^"]*"', "", text)
    (only_fr / "story.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("chosen", [("en",), ("ar",), ("fr", "en")])
def test_a_language_run_writes_the_bytes_of_a_run_of_every_language(
    tmp_path: Path, chosen: tuple[str, ...]
) -> None:
    """Each file a `--lang` run writes is the one a run of every language writes: an item
    links to its translations and a package holds every language's item, a feed entry
    names its other languages' pages, a model dump holds every variant and the OPDS root
    lists every language's books, even those of languages the run leaves out. Over an out/
    that a run of every language wrote, it then changes nothing."""
    whole = language_site(tmp_path / "whole")
    assert export(whole, formats=("all",)) == 0
    partial = language_site(tmp_path / "partial")
    assert export(partial, formats=("all",)) == 0
    before = tree(partial / "out")
    assert before == tree(whole / "out")
    langs = [arg for lang in chosen for arg in ("--lang", lang)]
    assert export(partial, *langs, formats=("all",)) == 0
    after = tree(partial / "out")
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert changed == [], changed
    assert sorted(after) == sorted(before)


def test_a_language_run_into_an_empty_out_writes_only_its_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files a run of one language writes are that language's (and the files that every
    language shares: a package, a model dump, the catalogs' roots), each as a run of every
    language writes it; what they link to in the other languages is named as not written."""
    site = language_site(tmp_path / "site")
    whole = language_site(tmp_path / "whole")
    assert export(whole, formats=("all",)) == 0
    assert export(site, "--lang", "ar", formats=("all",)) == 0
    err = capsys.readouterr().err
    assert "add its language to --lang, or export every language [export.dead-link]" in err
    written, full = tree(site / "out"), tree(whole / "out")
    assert written, "nothing written"
    assert [path for path in written if written[path] != full.get(path)] == []
    assert not any(".en." in path or ".fr." in path for path in written)
    others = ("atom/en", "atom/fr", "opds/en", "opds/fr")
    assert not any(path.startswith(others) for path in written)
    assert "newsml/bench-000004.package.xml" not in written  # no Arabic text
    assert "model/bench-000004.json" not in written
    assert "opds/catalog.xml" in written


@pytest.mark.parametrize("held_by", ["story", "keep-going"])
def test_a_story_held_by_a_language_run_keeps_every_language_s_files(
    tmp_path: Path, held_by: str
) -> None:
    """A story left out of a `--lang` run (not named by --story, or broken under
    --keep-going) whose units the state no longer had was made again in the run's language
    only, and recorded as the story's whole work: the next export of every language took
    the other languages' files for that work's, found them not made, and removed them (128
    files of 11 stories), with nothing said, and deliver deleted them at partners."""
    whole = language_site(tmp_path / "whole")
    assert export(whole, formats=("all",)) == 0
    site = language_site(tmp_path / "site")
    assert export(site, formats=("all",)) == 0
    assert export(site, formats=("atom",)) == 0  # a run of one format: its units alone kept
    broken = site / "articles" / "bench-000007" / "en.md"
    text = broken.read_text(encoding="utf-8")
    if held_by == "story":
        assert export(site, "--lang", "fr", "--story", "bench-000006", formats=("all",)) == 0
    else:
        broken.write_text(text.replace("---\n", "---\nheadline: [\n", 1), encoding="utf-8")
        assert export(site, "--lang", "fr", "--keep-going", formats=("all",)) == EXIT_PARTIAL
        broken.write_text(text, encoding="utf-8")
    assert export(site, formats=("all",)) == 0
    assert tree(site / "out") == tree(whole / "out")


@pytest.mark.parametrize("held_by", ["--story", "--keep-going"])
def test_force_never_takes_down_a_story_it_cannot_make(
    site: Path, capsys: pytest.CaptureFixture[str], held_by: str
) -> None:
    """--force makes every story again from its files, with no memory of its last work: a
    story it may not make (not named by --story; broken, under --keep-going) lost every
    file ("not published yet"), with exit 0. --story is refused with --force; a broken
    story stops the run, out/ as it was."""
    assert export(site) == 0
    before = tree(site / "out")
    capsys.readouterr()
    if held_by == "--story":
        assert export(site, "--force", "--story", HEALTHY) == 2
        assert "--force (force) makes every story again" in capsys.readouterr().err
    else:
        break_yaml(site, BROKEN)
        assert export(site, "--force", "--keep-going") == 2
        err = capsys.readouterr().err
        assert f"{BROKEN}" in err and "--force cannot keep its last published version" in err
    assert tree(site / "out") == before
    if held_by == "--keep-going":
        # A story never published, named as a section's feed is, has nothing to keep.
        shutil.rmtree(site / "articles" / BROKEN)
        new = shutil.copytree(site / "articles" / HEALTHY, site / "articles" / "politics")
        text = (new / "story.yaml").read_text(encoding="utf-8")
        (new / "story.yaml").write_text(text.replace(HEALTHY, "politics"), encoding="utf-8")
        break_yaml(site, "politics")
        assert (site / "out" / "atom" / "en" / "politics.xml").is_file()
        capsys.readouterr()
        assert export(site, "--force", "--keep-going", "--allow-deletions") == EXIT_PARTIAL
        assert "--force cannot keep" not in capsys.readouterr().err


def test_a_new_version_in_a_language_run_reaches_every_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The version is the story's: a correction exported with `--lang en` went out as an
    English item at version 2 in a package promising every language's item at version 2,
    while the French and Arabic items stayed at version 1 (sent so to a French-only
    partner). A new version widens the run to every language and format, as a kill does:
    once a run recorded it, no later partial run would see it again (a run of one format,
    then a run of one language of another, left the items at version 1)."""

    def correct(site: Path) -> None:
        meta = site / "articles" / "bench-000005" / "story.yaml"
        text = meta.read_text(encoding="utf-8")
        updated = re.search(r"^updated: \S+", text, re.MULTILINE)
        assert updated is not None and "version: 1\n" in text
        meta.write_text(
            text.replace("version: 1\n", "version: 2\n").replace(
                updated.group(0), "updated: 2025-12-31T23:00:00+00:00"
            ),
            encoding="utf-8",
        )
        md = site / "articles" / "bench-000005" / "en.md"
        md.write_text(md.read_text(encoding="utf-8") + "\nA corrected paragraph.\n", "utf-8")

    whole = language_site(tmp_path / "whole")
    site = language_site(tmp_path / "site")
    for each in (whole, site):
        assert export(each, formats=("all",)) == 0
        correct(each)
    assert export(whole, formats=("all",)) == 0
    capsys.readouterr()
    assert export(site, "--lang", "en", formats=("newsml", "ninjs"), quiet=False) == 0
    err = capsys.readouterr().err
    assert "also exported fr, ar" in err, err
    done, full = tree(site / "out"), tree(whole / "out")
    for path in done:
        if path.startswith(("newsml/", "ninjs/")):
            assert done[path] == full[path], path
    assert b'version="2"' in done["newsml/bench-000005.fr.xml"]
    # A run of one format and one language first, then of another format: every file of the
    # story is at version 2 after the first.
    again = language_site(tmp_path / "again")
    assert export(again, formats=("all",)) == 0
    correct(again)
    assert export(again, "--lang", "en", formats=("html",)) == 0
    assert export(again, "--lang", "en", formats=("newsml",)) == 0
    assert tree(again / "out") == tree(whole / "out")


@pytest.mark.parametrize(
    "held_by",
    [
        "story",
        "story twice",
        "keep-going",
        "story after one format",
        "story after --force",
        "story after a touched file",
    ],
)
def test_a_run_of_every_language_after_a_language_run_keeps_what_it_holds(
    tmp_path: Path, held_by: str
) -> None:
    """A `--lang fr` run made each story's units again in French (its key is its
    languages'), and the state then named them the story's last work: a run of every
    language that held the other stories (--story, or --keep-going with a broken one) staged
    their French files only and removed their English and Arabic ones. The unit keeps the
    other languages' files as its part: a second run that holds the story again keeps them
    too (the EPUB books, whose fragments it made again). When the state does not know them
    (after a run of one format, `--force`, or a file changed since it was published), the
    held story is made again in every language."""
    whole = language_site(tmp_path / "whole")
    assert export(whole, formats=("all",)) == 0
    site = language_site(tmp_path / "site")
    assert export(site, formats=("all",)) == 0
    if held_by == "story after one format":
        assert export(site, formats=("atom",)) == 0
    force = ("--force",) if held_by == "story after --force" else ()
    assert export(site, *force, "--lang", "fr", formats=("all",)) == 0
    if held_by == "story after a touched file":  # then a French edit: made again in French
        os.utime(site / "out" / "html" / "bench-000008.en.html", (0, 0))
        for each in (site, whole):
            french = each / "articles" / "bench-000008" / "fr.md"
            french.write_text(french.read_text("utf-8") + "\nUn paragraphe.\n", "utf-8")
        assert export(whole, formats=("all",)) == 0
        assert export(site, "--lang", "fr", formats=("all",)) == 0
    broken = site / "articles" / "bench-000007" / "en.md"
    text = broken.read_text(encoding="utf-8")
    if held_by == "keep-going":
        broken.write_text(text.replace("---\n", "---\nheadline: [\n", 1), encoding="utf-8")
        assert export(site, "--keep-going", formats=("all",)) == EXIT_PARTIAL
    else:
        assert export(site, "--story", "bench-000006", formats=("all",)) == 0
    assert tree(site / "out") == tree(whole / "out")
    if held_by == "story twice":
        assert export(site, "--story", "bench-000006", formats=("all",)) == 0
        assert tree(site / "out") == tree(whole / "out")
    broken.write_text(text, encoding="utf-8")
    assert export(site, formats=("all",)) == 0
    assert tree(site / "out") == tree(whole / "out")


def test_a_story_named_as_a_static_file_keeps_both(tmp_path: Path) -> None:
    """A static file of templates/ named after a story and a language (`weather.en.js`) is
    the site's, never the story's: held after a run of one format and a `--lang` run, the
    story did not claim it (two writes of one path refused the run)."""
    site = language_site(tmp_path / "site")
    (site / "articles" / "bench-000006").rename(site / "articles" / "weather")
    widgets = site / "templates" / "widgets"
    widgets.mkdir(parents=True)
    for lang in ("en", "fr", "ar"):
        (widgets / f"weather.{lang}.js").write_text(f"// {lang}\n", encoding="utf-8")
    assert export(site, formats=("all",)) == 0
    before = tree(site / "out")
    assert export(site, formats=("atom",)) == 0
    assert export(site, "--lang", "fr", formats=("all",)) == 0
    assert export(site, "--story", "bench-000002", formats=("all",)) == 0
    assert tree(site / "out") == before


def test_a_story_put_back_under_embargo_leaves_every_format_in_a_partial_run(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A public story given an embargo again leaves every public file, as a kill does: a run
    of one format removed its pages while the feeds, sitemaps and catalog of the others went
    on linking to them, with no dead-link warning. It widens that run, and that run only:
    later partial runs (another language, which reads the story again) stay partial until
    the embargo ends."""
    assert export(site, formats=("all",)) == 0
    meta = site / "articles" / HEALTHY / "story.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8") + "version: 2\nembargo_until: 2026-03-01T00:00:00Z\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert export(site, formats=("html",), quiet=False) == 0
    err = capsys.readouterr().err
    assert "[story.unreleased]" in err and "taken back under embargo" in err, err
    page = f"html/{HEALTHY}.en.html".encode()
    linking = [path for path, data in tree(site / "out").items() if page in data]
    assert linking == [], linking
    for run in (("--lang", "fr"), ("--lang", "en"), ()):
        assert export(site, *run, formats=("atom",), quiet=False) == 0
        assert "also exported" not in capsys.readouterr().err
    # At the embargo's end it is out again, in a run of one format as in any.
    assert export(site, "--now", "2026-03-02T00:00:00Z", formats=("all",)) == 0
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("2026-03-01", "2026-04-01"), encoding="utf-8"
    )
    capsys.readouterr()
    assert export(site, "--now", "2026-03-02T00:00:00Z", formats=("html",), quiet=False) == 0
    assert "taken back under embargo" in capsys.readouterr().err


def test_a_story_folder_linked_to_nothing_is_kept_not_deleted(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story folder that is a link to a share not mounted was skipped as if deleted: its
    story left out/ (and, delivered, the partners) with a `story.deleted` warning, exit 0,
    and `validate` said OK. It is a `story.broken-link` error: the run stops, and under
    --keep-going the story stays as last published."""
    assert export(site) == 0
    before = tree(site / "out")
    folder = site / "articles" / HEALTHY
    shutil.move(folder, tmp_path / "elsewhere")
    folder.symlink_to(tmp_path / "not-mounted" / HEALTHY, target_is_directory=True)
    capsys.readouterr()
    assert main(["validate", "--site", str(site)]) == 2
    assert f"{HEALTHY}: error: the story folder is a link to " in capsys.readouterr().err
    assert export(site) == 2
    err = capsys.readouterr().err
    assert "[story.broken-link]" in err and "story.deleted" not in err
    assert tree(site / "out") == before
    assert export(site, "--keep-going") == EXIT_PARTIAL
    assert tree(site / "out") == before


def test_a_story_folder_linked_out_of_the_articles_folder_is_a_story_with_an_error(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story folder moved into an editor's Dropbox and linked back was refused
    (`story.outside`) apart from any story: `--keep-going` published nothing (a correction
    to another story held back), the summary did not offer it, and a `story.deleted` warning
    said the folder was gone. It is a story with an error, as a link to nothing is: kept as
    last published, the others published, exit status 3."""
    assert export(site) == 0
    linked = page(site, HEALTHY)
    folder = site / "articles" / HEALTHY
    shutil.move(folder, tmp_path / "Dropbox")
    folder.symlink_to(tmp_path / "Dropbox", target_is_directory=True)
    retitle(site, BROKEN, "A correction")
    capsys.readouterr()
    assert main(["validate", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert f"articles/{HEALTHY}: error: story folder is a link to a place outside" in err, err
    assert export(site, quiet=False) == 2
    err = capsys.readouterr().err
    assert "[story.outside]" in err and "story.deleted" not in err, err
    assert "export with --keep-going to publish the other stories" in err, err
    assert "A correction" not in page(site, BROKEN)
    assert export(site, "--keep-going", quiet=False) == EXIT_PARTIAL
    err = capsys.readouterr().err
    assert "story.deleted" not in err and f"last published version kept: {HEALTHY}" in err, err
    assert "A correction" in page(site, BROKEN)
    assert page(site, HEALTHY) == linked


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        (HEALTHY, "fr.md"),
        (HEALTHY, "story.yaml"),
        ("bench-000000", "images/figure.png"),  # (every third generated story has one)
    ],
)
def test_a_story_file_icloud_keeps_only_in_the_cloud_keeps_its_story_as_published(
    site: Path, capsys: pytest.CaptureFixture[str], slug: str, name: str
) -> None:
    """iCloud Drive replaces a file it evicts with a hidden placeholder (`fr.md` becomes
    `.fr.md.icloud`), which was read as the file deleted: the language's pages left out/ (and,
    delivered, the partners) with warnings, exit 0. It is a `story.evicted` error, as a story
    folder linked to nothing is: the run stops, and under --keep-going the story stays as last
    published."""
    assert export(site) == 0
    before = tree(site / "out")
    path = site / "articles" / slug / name
    path.rename(path.with_name(f".{path.name}.icloud"))
    capsys.readouterr()
    assert main(["validate", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert f"{name} is in iCloud only (" in err and "Download Now" in err, err
    assert export(site) == 2
    assert "[story.evicted]" in capsys.readouterr().err
    assert tree(site / "out") == before
    assert export(site, "--keep-going") == EXIT_PARTIAL
    assert tree(site / "out") == before


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("base_url: https://ycpress.example/syndicate/", "base_url: https://other.example/news/"),
        ("languages: [en, fr]", "languages: [en]"),
    ],
    ids=["base_url", "a language dropped"],
)
def test_a_catalog_made_while_stories_were_kept_is_made_again_once_they_are_read(
    site: Path, tmp_path: Path, old: str, new: str
) -> None:
    """After a configuration change, `--story` kept the other stories as last published: the
    OPDS catalogs were made with their entries as the last run made them (the old base_url,
    links to a dropped language's page and book) and recorded as made from the summaries
    alone. The next full run made those stories again, found the catalogs' inputs the same,
    and kept them stale for good (validate --outputs: links to missing files)."""
    formats = ("epub", "html")
    assert export(site, formats=formats) == 0
    config = site / "syndicate.yaml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    assert export(site, "--story", HEALTHY, formats=formats) == 0
    assert export(site, formats=formats) == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copytree(site / "articles", fresh / "articles")
    shutil.copytree(site / "site", fresh / "site")
    shutil.copy(config, fresh / "syndicate.yaml")
    assert export(fresh, formats=formats) == 0
    assert tree(site / "out") == tree(fresh / "out")


def test_links_into_a_profile_s_folder_are_checked(tmp_path: Path) -> None:
    """A profile's folder is `partners/<name>`: the whole-folder check looked targets up by
    their first folder, `partners`, and never checked a link into one."""
    from syndicate.build.links import dead_links_in

    out = tmp_path / "out"
    (out / "html").mkdir(parents=True)
    (out / "partners" / "msn").mkdir(parents=True)
    (out / "partners" / "msn" / "en.xml").write_text("<rss/>")
    page = '<a href="https://x.example/partners/msn/{}.xml">feed</a>'
    (out / "html" / "a.en.html").write_text(page.format("en") + page.format("fr"))
    owners = {"html": "html", "partners/msn": "msn"}
    (dead,) = dead_links_in(out, "https://x.example/", owners)
    assert dead.path == str(out / "partners" / "msn" / "fr.xml")
    assert "export --format msn" in dead.message
