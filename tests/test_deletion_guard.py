"""The guard against mass deletions: an articles folder that shows empty (a network share not
mounted) or half there (not synced yet) is refused by `export`, and an out/ emptied by other
means is refused by `deliver`, unless told with --allow-deletions (`allow_deletions=True`)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, SAMPLE_SLUG
from sites import SECOND_SLUG, Site

from syndicate.build import export
from syndicate.deliver import deliver
from syndicate.diagnostics import Diagnostics


def third(site: Site, slug: str) -> None:
    """One more story, a copy of the sample with its own id."""
    shutil.copytree(site.articles / SAMPLE_SLUG, site.articles / slug)
    site.replace(slug, "story.yaml", "nato-iraq-deployment", slug.removeprefix("2021-02-19-"))


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path / "newsroom")
    mirror = tmp_path / "mirror"
    site.configure(
        "deliver:\n  targets:\n    - name: share\n"
        f"      url: {mirror.as_uri()}/\n      formats: [all]\n"
    )
    site.export()
    return site


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def export_args(site: Site, *more: str) -> list[str]:
    return [
        "export", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out),
        "--articles", str(site.articles), "-f", "newsml", "-f", "atom", "-f", "html", *more,
    ]  # fmt: skip


def unmount(site: Site) -> None:
    """The articles folder as an unmounted share shows it: no story folder (the logo and
    icon, which the configuration checks, stay: a site may keep them elsewhere)."""
    for slug in (SAMPLE_SLUG, SECOND_SLUG):
        shutil.rmtree(site.articles / slug)


def test_an_empty_articles_folder_is_refused_and_nothing_changes(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(site.out)
    unmount(site)
    capsys.readouterr()
    assert site.cli(*export_args(site)) == 2
    err = capsys.readouterr().err
    assert "[articles.empty]" in err
    assert "unmounted" in err and "--allow-deletions" in err
    assert "story.deleted" not in err, "the refusal, not a warning per story"
    assert snapshot(site.out) == before
    assert site.cli(*export_args(site, "--dry-run")) == 2, "a dry run says the same"
    # Told, it takes everything down.
    assert site.cli(*export_args(site, "--allow-deletions")) == 0
    assert not [p for p in snapshot(site.out) if SAMPLE_SLUG in p or SECOND_SLUG in p]


def test_more_than_the_share_of_stories_gone_is_refused(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    for slug in ("2021-02-19-third", "2021-02-19-fourth"):
        third(site, slug)
    site.export()
    before = snapshot(site.out)
    # A half-synced folder: three of four stories missing, but one is there.
    for slug in (SAMPLE_SLUG, SECOND_SLUG, "2021-02-19-third"):
        shutil.rmtree(site.articles / slug)
    capsys.readouterr()
    assert site.cli(*export_args(site)) == 2
    err = capsys.readouterr().err
    assert "[articles.mass-delete]" in err and "3 of the 4 stories" in err
    assert snapshot(site.out) == before
    # The share is the site's to set; at 75%, three of four may go.
    site.configure(site.extra + "export:\n  max_deleted_percent: 75\n")
    assert site.cli(*export_args(site)) == 0
    assert "story.deleted" in capsys.readouterr().err


def test_one_story_deleted_or_renamed_folders_are_not_refused(site: Site) -> None:
    third(site, "2021-02-19-third")
    (site.articles / SECOND_SLUG).rename(site.articles / "2021-02-21-renamed")
    shutil.rmtree(site.articles / SAMPLE_SLUG)
    # Of two published stories, one folder renamed (same id) and one deleted: one deletion.
    assert site.cli(*export_args(site)) == 0


SECOND_ID = "tag:ycpress.internal,2021-02-18:nato-second-story"
RENAMED = "2021-02-21-renamed"


def second_files(site: Site) -> dict[str, bytes]:
    return {path: data for path, data in snapshot(site.out).items() if SECOND_SLUG in path}


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("story.yaml", "urgency: 4", "urgency: [4"),  # YAML that does not parse: no id read
        ("en.md", "headline:", "headline: [unclosed"),  # its story.yaml gives the id
    ],
)
def test_a_renamed_folder_with_errors_holds_its_story_under_keep_going(
    site: Site, capsys: pytest.CaptureFixture[str], name: str, old: str, new: str
) -> None:
    """Renamed with an error in it, the folder cannot be read: its story is not taken down
    with no kill (`story.deleted`), but held as a story with errors is, until it reads."""
    published = second_files(site)
    assert published
    (site.articles / SECOND_SLUG).rename(site.articles / RENAMED)
    site.replace(RENAMED, name, old, new)
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 3
    err = capsys.readouterr().err
    assert "[export.held]" in err and SECOND_ID in err and RENAMED in err
    assert "[story.deleted]" not in err
    assert second_files(site) == published, "its last published version, as it was"
    assert site.cli(*export_args(site, "--keep-going")) == 3, "held again, run after run"
    assert second_files(site) == published
    # Fixed, the folder reads: the story follows it (a rename), nothing is held.
    site.replace(RENAMED, name, new, old)
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 0
    err = capsys.readouterr().err
    assert "[export.held]" not in err and "[story.deleted]" not in err
    assert not second_files(site)
    assert any(RENAMED in path for path in snapshot(site.out))


def test_a_folder_with_errors_that_gives_another_id_holds_no_deleted_story(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    third(site, "2021-02-19-third")
    site.replace("2021-02-19-third", "en.md", "headline:", "headline: [unclosed")
    shutil.rmtree(site.articles / SECOND_SLUG)
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 3
    err = capsys.readouterr().err
    assert "[story.deleted]" in err and "[export.held]" not in err
    assert not second_files(site)


def test_allow_deletions_takes_down_a_story_an_unread_folder_may_hold(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    (site.articles / SECOND_SLUG).rename(site.articles / RENAMED)
    site.replace(RENAMED, "story.yaml", "urgency: 4", "urgency: [4")
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going", "--allow-deletions")) == 3
    err = capsys.readouterr().err
    assert "[story.deleted]" in err and "[export.held]" not in err
    assert not second_files(site)


def test_stories_a_folder_with_errors_may_hold_do_not_count_as_deleted(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both published stories renamed with an error in each: none is deleted, so the guard
    against mass deletions has nothing to refuse; each is held, and the last line says so."""
    for slug in (SAMPLE_SLUG, SECOND_SLUG):
        site.replace(slug, "story.yaml", "urgency: 4", "urgency: [4")
        (site.articles / slug).rename(site.articles / f"2021-03-01-{slug[11:]}")
    before = snapshot(site.out)
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going", "--log-format", "json")) == 3
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    codes = [line.get("code") for line in lines]
    assert "articles.mass-delete" not in codes and "story.deleted" not in codes
    assert codes.count("export.held") == 2
    summary = lines[-1]
    assert sorted(summary["kept_gone"]) == [SAMPLE_SLUG, SECOND_SLUG]
    assert sorted(summary["not_published"]) == [
        f"2021-03-01-{s[11:]}" for s in sorted((SAMPLE_SLUG, SECOND_SLUG))
    ]
    assert {p: d for p, d in snapshot(site.out).items() if SAMPLE_SLUG in p} == {
        p: d for p, d in before.items() if SAMPLE_SLUG in p
    }
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 3
    assert "stories they may hold, kept as last published" in capsys.readouterr().err


def test_a_folder_with_errors_moved_in_place_of_a_deleted_one_holds_the_story_it_gives(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder of the first story deleted, the second's moved into its place with an
    error in it: the id it gives is the second story's, which is held; the first is the
    deletion it is (a `story.deleted` warning that says why), not held in its place."""
    third(site, "2021-02-19-third")
    site.export()
    before = snapshot(site.out)
    shutil.rmtree(site.articles / SAMPLE_SLUG)
    (site.articles / SECOND_SLUG).rename(site.articles / SAMPLE_SLUG)
    site.replace(SAMPLE_SLUG, "story.yaml", "urgency: 4", "urgency: [4")
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 3
    err = capsys.readouterr().err
    assert f"{SAMPLE_SLUG} gives the id {SECOND_ID!r} now (a folder moved in" in err
    assert err.count("[story.deleted]") == 1 and "[export.held]" in err
    assert second_files(site) == {p: d for p, d in before.items() if SECOND_SLUG in p}
    assert not [p for p in snapshot(site.out) if SAMPLE_SLUG in p]


def test_a_folder_with_errors_that_gives_a_taken_story_s_id_stops_the_run(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two folders swapped, one with an error in it: the story it gives (by its id line)
    lost its folder name to the other, so it can neither be held nor taken down with no
    kill: an error that names the folder, and nothing is published."""
    before = snapshot(site.out)
    (site.articles / SAMPLE_SLUG).rename(site.articles / "swap")
    (site.articles / SECOND_SLUG).rename(site.articles / SAMPLE_SLUG)
    (site.articles / "swap").rename(site.articles / SECOND_SLUG)
    site.replace(SAMPLE_SLUG, "story.yaml", "urgency: 4", "urgency: [4")
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 2
    err = capsys.readouterr().err
    assert f"{SAMPLE_SLUG}: error: {SAMPLE_SLUG} could not be read and gives the id" in err
    assert "[story.held]" in err and "[story.duplicate-id]" not in err
    assert snapshot(site.out) == before
    assert site.cli(*export_args(site, "--keep-going", "--allow-deletions")) == 3


def test_a_story_run_keeps_a_story_whose_folder_is_gone(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--story` publishes the stories it names; every other stays as last published, one
    whose folder was renamed with an error in it (not read in this run) too."""
    published = second_files(site)
    (site.articles / SECOND_SLUG).rename(site.articles / RENAMED)
    site.replace(RENAMED, "story.yaml", "urgency: 4", "urgency: [4")
    capsys.readouterr()
    assert site.cli(*export_args(site, "--story", SAMPLE_SLUG)) == 0
    err = capsys.readouterr().err
    assert "[story.deleted]" not in err
    assert "--story publishes only the stories it names" in err and "[export.held]" in err
    assert second_files(site) == published
    # An export of every story takes it down, as ever (its folder gives no id it can read).
    assert site.cli(*export_args(site, "--keep-going")) == 3
    assert "[export.held]" in capsys.readouterr().err, "held: the folder may hold it"
    shutil.rmtree(site.articles / RENAMED)
    assert site.cli(*export_args(site)) == 0
    assert "[story.deleted]" in capsys.readouterr().err
    assert not second_files(site)


def test_a_renamed_story_that_reads_is_no_deletion_beside_a_folder_with_errors(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both folders renamed, one with an id no reading finds: the other, which reads, is a
    rename; only the first story is held (no false duplicate id)."""
    (site.articles / SAMPLE_SLUG).rename(site.articles / "2021-03-01-first")
    (site.articles / SECOND_SLUG).rename(site.articles / RENAMED)
    site.replace("2021-03-01-first", "story.yaml", "id: tag", "id: [tag")
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going", "--log-format", "json")) == 3
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    codes = [line.get("code") for line in lines]
    assert "story.duplicate-id" not in codes and codes.count("export.held") == 1
    assert lines[-1]["kept_gone"] == [SAMPLE_SLUG]
    assert any(RENAMED in path for path in snapshot(site.out))


def test_a_story_run_publishes_a_renamed_story(site: Site) -> None:
    (site.articles / SECOND_SLUG).rename(site.articles / RENAMED)
    site.replace(RENAMED, "story.yaml", "version: 1", "version: 2")
    assert site.cli(*export_args(site, "--story", RENAMED)) == 0
    assert any(RENAMED in path for path in snapshot(site.out))


def test_an_id_copied_into_a_folder_with_errors_keeps_that_folder_s_story(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second story's id pasted into the first's folder, with an error: the second is
    still in its own folder, so nothing moved in; the first is held as a story with errors."""
    before = snapshot(site.out)
    site.replace(SAMPLE_SLUG, "story.yaml", "urgency: 4", "urgency: [4")
    site.replace(SAMPLE_SLUG, "story.yaml", "nato-iraq-deployment\n", "nato-second-story\n")
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 3
    assert "[story.deleted]" not in capsys.readouterr().err
    assert snapshot(site.out) == before


def test_a_gone_story_whose_files_would_be_made_again_is_taken_down_with_a_warning(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """Held by a run of one format, the story's other formats' files are not known as kept:
    made again, they would read images its gone folder no longer has. The run does not fail
    (as it did, for every run after): the story is taken down, said as a deletion."""
    (site.articles / SECOND_SLUG).rename(site.articles / RENAMED)
    site.replace(RENAMED, "story.yaml", "urgency: 4", "urgency: [4")
    html_only = [
        "export", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out),
        "--articles", str(site.articles), "-f", "html", "--keep-going",
    ]  # fmt: skip
    assert site.cli(*html_only) == 3
    capsys.readouterr()
    assert site.cli(*export_args(site, "--keep-going")) == 3
    err = capsys.readouterr().err
    assert "writer.failed" not in err and "[story.deleted]" in err


def test_the_python_api_has_the_same_choice(site: Site) -> None:
    unmount(site)
    diags = Diagnostics()
    common = {
        "formats": ["newsml", "atom", "html"],
        "config": site.config,
        "articles": site.articles,
        "out": site.out,
        "now": datetime_now(),
        "registry": PLAIN_COVERS,
    }
    result = export(**common, diagnostics=diags)  # type: ignore[arg-type]
    assert result.status == "input-errors"
    assert [d.code for d in diags.errors] == ["articles.empty"]
    result = export(**common, allow_deletions=True)  # type: ignore[arg-type]
    assert result.status == "exported" and result.removed > 0


def datetime_now() -> datetime:
    return datetime.fromisoformat(FIXED_NOW)


def test_deliver_refuses_to_empty_a_target_when_out_was_emptied(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    assert site.deliver() == 0
    held = snapshot(mirror)
    assert held
    for child in site.out.iterdir():  # rm -rf out/*
        shutil.rmtree(child)
    capsys.readouterr()
    assert site.deliver("--dry-run") == 1
    # The dry run says why the run would fail: the deletions, not a credential.
    listed = capsys.readouterr().out
    assert "would fail: it would delete too many of the target's files" in listed, listed
    assert "credential" not in listed
    assert site.deliver() == 1
    err = capsys.readouterr().err
    assert "every file it holds" in err and "--allow-deletions" in err
    assert snapshot(mirror) == held, "nothing deleted at the partner"
    result = deliver(config=site.config, out=site.out, registry=PLAIN_COVERS)
    assert result.status == "failed"
    result = deliver(config=site.config, out=site.out, registry=PLAIN_COVERS, allow_deletions=True)
    assert result.status == "current"
    assert snapshot(mirror) == {}


def test_deliver_refuses_more_than_the_share_of_a_target_files(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    assert site.deliver() == 0
    held = snapshot(mirror)
    for folder in ("html", "newsml"):  # most of the files, but not all
        shutil.rmtree(site.out / folder)
    capsys.readouterr()
    assert site.deliver("--log-format", "json") == 1
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert any("max_deleted_percent" in line.get("message", "") for line in lines)
    assert snapshot(mirror) == held
    assert site.deliver("--allow-deletions") == 0
    assert sorted({p.split("/")[0] for p in snapshot(mirror)}) == ["atom"]


def test_deliver_sends_the_kills_that_took_most_of_out_away(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both stories killed the documented way: export removes most of out/, past its own
    guard (a kill is no deletion), and deliver refused it all as "out emptied by other
    means", kill notices too, so partners kept the live stories. Files the last export's
    state no longer lists, export took away: they are deleted at the target."""
    mirror = tmp_path / "mirror"
    formats = ("newsml", "atom", "html", "jsonld", "epub", "model")  # what a kill takes away
    site.export(*formats)
    assert site.deliver() == 0
    held = snapshot(mirror)
    for slug in (SAMPLE_SLUG, SECOND_SLUG):
        site.replace(slug, "story.yaml", "status: usable", "status: canceled")
        site.replace(slug, "story.yaml", "version: 1", "version: 2")
    site.export(*formats)
    gone = [path for path in held if not (site.out / path).exists()]
    assert len(gone) * 2 > len(held), "more than half: what the guard refuses from other means"
    capsys.readouterr()
    assert site.deliver() == 0, capsys.readouterr().err
    now = snapshot(mirror)
    assert not any(path in now for path in gone)
    item = now[f"newsml/{SAMPLE_SLUG}.en.xml"].decode()
    assert "stat:canceled" in item


def test_a_target_that_never_deletes_is_guarded_too(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`delete: false` turned every deletion into a file kept there and forgotten, past the
    guard: an out/ emptied by mistake made the ledger forget every file the target holds, and
    the next run, out/ restored, sent each of them to the partner again."""
    mirror = tmp_path / "mirror"
    site.configure(site.extra + "      delete: false\n")
    assert site.deliver() == 0
    held = snapshot(mirror)
    saved = tmp_path / "saved"
    shutil.move(site.out, saved)  # out/ emptied, then put back
    site.out.mkdir()
    for child in saved.iterdir():
        (site.out / child.name).mkdir()
    capsys.readouterr()
    assert site.deliver("--dry-run") == 1
    assert "would fail: it would forget too many" in capsys.readouterr().out
    assert site.deliver() == 1
    err = capsys.readouterr().err
    assert "would forget (delete: false) every file it holds" in err, err
    assert "--allow-deletions" in err
    shutil.rmtree(site.out)
    shutil.move(saved, site.out)
    assert site.deliver() == 0
    assert "current, nothing to send" in capsys.readouterr().err, "nothing sent again"
    assert snapshot(mirror) == held
