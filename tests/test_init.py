"""`syndicate init`: a new site that validates and exports as created, in the site's
languages, that never overwrites anything; the same request makes the same files."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import unwritable
from PIL import Image

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.i18n.terms import available_languages
from syndicate.readers.config import load_config

NOW = "2026-03-02T08:15:00Z"


def init(folder: Path, *args: str) -> int:
    return main(["init", str(folder), "--now", NOW, "--timezone", "Europe/Brussels", *args])


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_new_site_validates_and_exports_from_a_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "harbour-daily"
    langs = ("--lang", "en", "--lang", "FR", "--lang", "ar", "--lang", "ja", "--lang", "he")
    assert init(site, *langs) == 0
    err = capsys.readouterr().err
    slug = "2026-03-02-welcome"
    assert err.splitlines()[0] == (
        f"created the site 'Harbour Daily' in {site}: syndicate.yaml, articles/_site/logo.png"
        f" and icon.png, articles/{slug} (en, fr, ar, ja, he)"
    )
    assert set(files(site)) == {
        ".gitignore",
        "syndicate.yaml",
        "articles/_site/logo.png",
        "articles/_site/icon.png",
        f"articles/{slug}/story.yaml",
        *(f"articles/{slug}/{lang}.md" for lang in ("en", "fr", "ar", "ja", "he")),
    }
    config = yaml.safe_load((site / "syndicate.yaml").read_text(encoding="utf-8"))
    assert config["publisher"]["name"] == "Harbour Daily"
    assert config["languages"] == ["en", "fr", "ar", "ja", "he"]
    assert config["timezone"] == "Europe/Brussels"
    text = (site / "syndicate.yaml").read_text(encoding="utf-8")
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 15  # explained
    with Image.open(site / "articles/_site/logo.png") as logo:
        assert logo.height == 60 and logo.width <= 600
    with Image.open(site / "articles/_site/icon.png") as icon:
        assert icon.width == icon.height
    front = (site / "articles" / slug / "fr.md").read_text(encoding="utf-8").split("---\n")[1]
    assert yaml.safe_load(front)["dateline"] == "Bruxelles"  # the site's zone, in French

    monkeypatch.chdir(site / "articles" / slug)
    assert main(["validate", "--strict"]) == 0
    assert main(["export", "--format", "all", "--now", NOW, "--jobs", "1"]) == 0
    assert (site / "out" / "html" / f"{slug}.ja.html").is_file()
    assert (site / "out" / "epub" / f"{slug}.he.epub").is_file()
    assert not (site / "articles" / slug / "out").exists()
    capsys.readouterr()
    assert main(["show", slug, "--lang", "ja", "--json", "--now", NOW]) == 0
    (story,) = map(json.loads, capsys.readouterr().out.splitlines())
    assert story["state"] == "public" and story["variants"][0]["headline"] == "編集部へようこそ"


def test_the_sample_story_says_a_new_version_takes_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample story's comment on `version` says to give a new version its `updated`:
    it said only to raise the version, and a correction made so was a `story.updated`
    warning (a `story.kill-time` one for a kill), which a `--strict` cron job does not publish.
    Done as it says, the correction is published under --strict."""
    site = tmp_path / "site"
    assert init(site, "--lang", "en") == 0
    meta = site / "articles/2026-03-02-welcome/story.yaml"
    (line,) = [x for x in meta.read_text(encoding="utf-8").splitlines() if x.startswith("version:")]
    assert "updated:" in line.partition("#")[2]
    monkeypatch.chdir(site)
    assert main(["-q", "export", "--format", "all", "--now", NOW, "--jobs", "1"]) == 0
    text = meta.read_text(encoding="utf-8").replace(line, "version: 2")
    meta.write_text(text + "updated: 2026-03-02T10:00:00Z\n", encoding="utf-8")
    later = "2026-03-02T11:00:00Z"
    assert main(["-q", "--strict", "export", "--format", "all", "--now", later, "--jobs", "1"]) == 0


@pytest.mark.parametrize("lang", sorted(available_languages()))
def test_the_sample_story_exists_in_every_language_with_terms(tmp_path: Path, lang: str) -> None:
    assert init(tmp_path / "site", "--lang", lang, "--quiet") == 0
    assert (tmp_path / "site" / "articles" / "2026-03-02-welcome" / f"{lang}.md").is_file()
    assert main(["--site", str(tmp_path / "site"), "validate", "--strict", "-q"]) == 0


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert init(site) == 0
    before = files(site)
    (site / "syndicate.yaml").write_text("# mine\n", encoding="utf-8")
    capsys.readouterr()
    assert init(site) == 2
    assert capsys.readouterr().err.startswith(
        f"error: {site} is a syndicate site already (syndicate.yaml exists); nothing was changed."
    )
    (site / "syndicate.yaml").unlink()
    assert init(site) == 2
    assert "already has articles/2026-03-02-welcome, articles/_site;" in capsys.readouterr().err
    assert files(site) == {k: v for k, v in before.items() if k != "syndicate.yaml"}


def test_a_gitignore_there_is_kept_and_what_it_lacks_is_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder with a `.gitignore` of its own (`git init` and a template) kept it, so git
    tracked out/ and .syndicate/, the preview of embargoed stories included, without a word."""
    site = tmp_path / "site"
    site.mkdir()
    (site / ".gitignore").write_text("node_modules\n/out\n", encoding="utf-8")
    capsys.readouterr()
    assert init(site) == 0
    assert (site / ".gitignore").read_text(encoding="utf-8") == "node_modules\n/out\n"
    told = capsys.readouterr().err.rstrip()
    assert told.endswith(
        "the .gitignore there was left as it was, and it does not seem to ignore .syndicate/:"
        " check it, or add /.syndicate/ to it (the exported files, and the build state with"
        " the preview, which shows embargoed stories, are no sources)"
    )
    other = tmp_path / "other"
    other.mkdir()
    (other / ".gitignore").write_text("out/*\n.syndicate/\n", encoding="utf-8")
    assert init(other) == 0
    assert ".gitignore" not in capsys.readouterr().err
    # Patterns at any depth are read as such, and a negation takes a pattern back (review).
    for text, lacks in (
        ("**/out/\n**/.syndicate\n", None),
        ("out/\n!out/\n.syndicate/\n", "out/"),
        ("*\n!out/\n", "out/"),  # an allow-list: `*`, then what git is to track
        ("/*\n!/src/\n", None),
    ):
        folder = tmp_path / f"site-{len(text)}"
        folder.mkdir()
        (folder / ".gitignore").write_text(text, encoding="utf-8")
        assert init(folder) == 0
        err = capsys.readouterr().err
        if lacks is None:
            assert ".gitignore" not in err, err
        else:
            assert f"it does not seem to ignore {lacks}:" in err, err


def test_a_read_only_folder_is_told_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with unwritable(site):
        assert init(site) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write {site}/syndicate.yaml: ")
    assert "nothing was written" in err and "Traceback" not in err
    assert list(site.iterdir()) == []
    assert init(site) == 0  # once it can be written


def test_a_file_in_the_way_of_a_folder_leaves_nothing_half_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "articles").write_text("mine", encoding="utf-8")
    assert init(site) == 2
    err = capsys.readouterr().err
    assert f"error: cannot write {site}/articles" in err
    assert "a file is where a folder should be: move it away" in err
    # syndicate.yaml, written first, is taken back: `init` can run again once the file is moved
    assert files(site) == {"articles": b"mine"}


def test_a_write_that_fails_midway_leaves_no_half_file(tmp_path: Path) -> None:
    """A disk that filled up while syndicate.yaml was written (here a file size limit) was
    told "nothing was written", but the half file stayed, and the next `init` refused the
    folder as "a syndicate site already"."""
    import resource
    import subprocess
    import sys

    site = tmp_path / "site"

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

    command = [sys.executable, "-m", "syndicate", "init", str(site), "--now", NOW]
    full = subprocess.run(
        [*command, "--timezone", "Europe/Brussels"],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
    )
    assert full.returncode == 2, full.stderr
    assert f"error: cannot write {site}/syndicate.yaml: File too large" in full.stderr
    assert "nothing was written" in full.stderr and "Traceback" not in full.stderr
    assert not site.exists() or files(site) == {}
    assert init(site) == 0  # once it can be written


def test_a_link_to_nothing_in_the_way_is_never_written_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A syndicate.yaml that was a link to a file not there: `init` wrote the configuration
    where the link pointed, outside the site folder, exit 0."""
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere" / "config.yaml"
    site.mkdir()
    elsewhere.parent.mkdir()
    (site / "syndicate.yaml").symlink_to(elsewhere)
    assert init(site) == 2
    assert "is a syndicate site already (syndicate.yaml exists)" in capsys.readouterr().err
    assert not elsewhere.exists()
    (site / "syndicate.yaml").unlink()
    (site / ".gitignore").symlink_to(tmp_path / "elsewhere" / "ignored")
    assert init(site) == 0
    assert not (tmp_path / "elsewhere" / "ignored").exists(), "the user's link is kept as is"


def test_the_same_request_makes_the_same_site(tmp_path: Path) -> None:
    assert init(tmp_path / "a", "--name", "Le Quotidien", "--lang", "fr") == 0
    assert init(tmp_path / "b", "--name", "Le Quotidien", "--lang", "fr") == 0
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_a_language_without_sample_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    assert init(site, "--lang", "sw", "--lang", "en", "--url", "https://habari.example") == 0
    err = capsys.readouterr().err
    assert "syndicate has no terms for 'sw'" in err  # English phrases: said at once
    story = site / "articles" / "2026-03-02-welcome"
    assert sorted(p.name for p in story.iterdir()) == ["en.md", "story.yaml"]
    meta = yaml.safe_load((story / "story.yaml").read_text(encoding="utf-8"))
    assert meta["id"] == "tag:habari.example,2026-03-02:welcome"
    assert main(["--site", str(site), "validate"]) == 0


def test_strict_writes_nothing_when_the_new_site_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--strict init --lang sw` exited 2, "a problem; nothing written", with the site
    written: the warning is found before anything is."""
    site = tmp_path / "site"
    assert init(site, "--lang", "sw", "--strict") == 2
    err = capsys.readouterr().err
    assert f"{site}/syndicate.yaml:" in err and "no terms for 'sw'" in err
    assert "not created: nothing was written" in err
    assert not site.exists()
    assert init(site, "--lang", "sw") == 0, "without --strict the warning is said, the site made"


def test_the_global_site_option_names_the_folder_to_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`init --site DIR` wrote the site into the current folder, unsaid."""
    monkeypatch.chdir(tmp_path)
    common = ["--now", NOW, "--timezone", "Europe/Brussels"]
    assert main(["init", "--site", "made", *common, "--lang", "en", "--lang", "sw"]) == 0
    assert (tmp_path / "made" / "syndicate.yaml").is_file()
    said = capsys.readouterr().err
    assert said.startswith("made/syndicate.yaml:"), said  # from here, not made/made/
    assert not (tmp_path / "syndicate.yaml").exists()
    assert main(["init", "one", "--site", "two", *common]) == 2
    assert "--site two and one name two different folders" in capsys.readouterr().err
    assert main(["init", "--config", "x/syndicate.yaml", *common]) == 2
    assert "init writes syndicate.yaml into the new site's folder" in capsys.readouterr().err
    assert not any((tmp_path / name).exists() for name in ("one", "two", "x"))
    # The commands that use a site when there is one refuse a named folder that is none.
    for command in (["formats"], ["terms", "--lang", "fr"]):
        assert main([*command, "--site", "nowhere"]) == 2, command
        assert "nowhere is not a syndicate site" in capsys.readouterr().err
        assert main([*command, "--site", "made"]) == 0, command


def test_the_new_site_is_checked_with_the_folder_s_own_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check before writing loaded the new files alone: a `terms/sw.yaml` the folder
    already held was not seen, and `--strict` refused the site for having no Swahili terms."""
    site = tmp_path / "site"
    assert main(["terms", "--lang", "sw", "--log-format", "json"]) == 0
    phrases = json.loads(capsys.readouterr().out)["terms"]
    (site / "terms").mkdir(parents=True)
    translated = {key: f"{value} (sw)" for key, value in phrases.items()}
    (site / "terms" / "sw.yaml").write_text(yaml.safe_dump(translated), encoding="utf-8")
    assert init(site, "--lang", "en", "--lang", "sw", "--strict") == 0, capsys.readouterr().err
    assert (site / "syndicate.yaml").is_file()


def test_bad_requests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init(tmp_path / "s", "--lang", "xx-bogus", "--url", "ftp://files.example") == 2
    err = capsys.readouterr().err
    assert "--lang xx-bogus: not a known BCP 47 language tag [init.language]" in err
    assert "--url ftp://files.example: not a web address" in err
    assert not (tmp_path / "s").exists()
    assert main(["init", str(tmp_path / "s"), "--timezone", "Mars/Olympus"]) == 2
    assert "--timezone Mars/Olympus: not an IANA time zone" in capsys.readouterr().err


@pytest.mark.parametrize("given", [["--timezone", "EST"], []])
def test_a_fixed_offset_zone_is_warned_of_once_by_the_configuration(
    given: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """EST (UTC-05:00 all year), typed or the machine's TZ: the warning was said twice, once
    naming a --timezone never typed; it is said once, of the configuration written."""
    monkeypatch.setenv("TZ", "EST")
    assert main(["init", str(tmp_path / "s"), "--now", NOW, *given]) == 0
    err = capsys.readouterr().err
    assert err.count("no daylight saving") == 1, err
    assert "syndicate.yaml:" in err and "--timezone EST" not in err


def test_a_name_with_a_control_character_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It wrote a site whose syndicate.yaml did not load, said "created", and the next init
    then refused the folder as a site already."""
    assert init(tmp_path / "s", "--name", "Harbour\x07Daily") == 2
    err = capsys.readouterr().err
    assert "--name: holds a control character (U+0007)" in err and "[init.name]" in err
    assert not (tmp_path / "s").exists()
    assert "created" not in err
    odd = tmp_path / "bell\x07here"
    assert main(["init", str(odd)]) == 2
    assert "the folder's name 'bell\\x07here': holds a control character (U+0007)" in (
        capsys.readouterr().err
    )
    assert not odd.exists()
    assert init(tmp_path / "s", "--name", "Harbour Daily") == 0


def test_near_misses_get_what_to_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "s"), "--timezone", "Europe/Bruxelles"]) == 2
    assert "not an IANA time zone; did you mean 'Europe/Brussels'?" in capsys.readouterr().err
    assert main(["init", str(tmp_path / "s"), "--url", "harbour.example"]) == 2
    assert "--url harbour.example: not a web address; write it https://harbour.example/" in (
        capsys.readouterr().err
    )


def test_a_site_is_not_started_inside_another_sites_articles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its syndicate.yaml and story became stray files and broken stories of the outer site."""
    assert init(tmp_path / "outer") == 0
    capsys.readouterr()
    assert init(tmp_path / "outer" / "articles" / "inner") == 2
    assert "is inside the articles folder of the site at" in capsys.readouterr().err
    assert not (tmp_path / "outer" / "articles" / "inner").exists()
    # nor in the articles folder itself (which a --site message once suggested)
    before = files(tmp_path / "outer")
    assert init(tmp_path / "outer" / "articles") == 2
    assert "is the articles folder of the site at" in capsys.readouterr().err
    assert files(tmp_path / "outer") == before


def test_the_next_step_is_a_command_that_works_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "my site", "--url", "https://x.example/"]) == 0
    assert "next: cd 'my site' && syndicate validate" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("jp", "; did you mean 'ja'?"),  # a country's code, not its language's
        ("kr", "; did you mean 'ko'?"),
        ("farsi", "; did you mean 'fa'?"),  # a name, not a tag
        ("japanese", "; did you mean 'ja'?"),
        ("ar_SA", "; write it 'ar-SA' (BCP 47 joins subtags with hyphens)"),  # echoed as typed
    ],
)
def test_a_near_miss_language_tag_names_the_tag_to_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, hint: str
) -> None:
    assert init(tmp_path / "s", "--lang", given) == 2
    err = capsys.readouterr().err
    assert f"--lang {given}: not a known BCP 47 language tag{hint} [init.language]" in err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(
    ("given", "preferred"),
    [
        *[("iw", "he"), ("in", "id"), ("per", "fa"), ("fas", "fa"), ("ger", "de"), ("deu", "de")],
        *[("iw-IL", "he-IL"), ("en-UK", "en-GB")],
    ],
)
def test_an_outdated_language_code_is_refused_naming_the_current_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, preferred: str
) -> None:
    """CLDR reads `iw` as Hebrew, but pages would say lang="iw" and the phrases were English:
    a new site starts with the tag everyone expects."""
    assert init(tmp_path / "s", "--lang", given) == 2
    assert f"write {preferred!r}, the tag" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("given", ["cmn", "arb", "zsm", "pes", "kmr", "yue", "cmn-Hans"])
def test_a_macrolanguage_member_is_a_tag_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    """CLDR reads Mandarin (`cmn`) as Chinese (`zh`), Standard Arabic (`arb`) as Arabic, but
    IANA deprecates neither: only the ISO 639-2 codes of a two-letter language (`fas`, `ger`)
    are old codes. A site in such a language starts, and its configuration is not warned."""
    assert init(tmp_path / "s", "--lang", given) == 0
    assert "old code" not in capsys.readouterr().err
    diags = Diagnostics()
    assert load_config(tmp_path / "s" / "syndicate.yaml", "syndicate.yaml", diags) is not None
    assert not [d.message for d in diags if "old code" in d.message]
    assert main(["terms", "--lang", given]) == 0
    site = ["--site", str(tmp_path / "s")]
    assert main([*site, "new", "2026-12-05-more", "--lang", given]) == 0
    assert "old code" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lang", "served_by", "rights"),
    [
        ("ar-SA", "ar", "جميع الحقوق محفوظة"),
        ("ar-EG", "ar", "جميع الحقوق محفوظة"),
        ("zh-CN", "zh-Hans", "保留所有权利"),
        ("zh-TW", "zh-Hant", "版權所有"),
        ("zh-HK", "zh-Hant", "版權所有"),
    ],
)
def test_a_regional_tag_gets_the_sample_and_phrases_of_the_tag_it_falls_back_to(
    tmp_path: Path, lang: str, served_by: str, rights: str
) -> None:
    from syndicate.cli.init import _samples
    from syndicate.i18n.terms import lookup

    site = tmp_path / "s"
    assert init(site, "--lang", lang) == 0
    story = site / "articles" / "2026-03-02-welcome"
    assert {p.name for p in story.iterdir()} == {f"{lang}.md", "story.yaml"}
    front = yaml.safe_load((story / f"{lang}.md").read_text("utf-8").split("---\n")[1])
    assert front["headline"] == _samples()[served_by]["headline"]
    meta = yaml.safe_load((story / "story.yaml").read_text(encoding="utf-8"))
    assert rights in json.dumps(meta["rights"]["notice"], ensure_ascii=False)
    assert lookup("contents", lang) == lookup("contents", served_by) != lookup("contents", "en")
    assert main(["--site", str(site), "validate", "--strict"]) == 0


@pytest.mark.parametrize(
    ("tz", "zone"),
    [
        ("right/Europe/Brussels", "Europe/Brussels"),
        ("posix/Asia/Kathmandu", "Asia/Kathmandu"),
        (":posix/Asia/Kathmandu", "Asia/Kathmandu"),
        ("/usr/share/zoneinfo/Asia/Kathmandu", "Asia/Kathmandu"),
        ("Asia/Kathmandu", "Asia/Kathmandu"),
    ],
)
def test_the_machine_s_zone_is_written_by_its_iana_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tz: str, zone: str
) -> None:
    """`right/...` and `posix/...` load, but a site's configuration refuses them: init wrote
    one, then said "unknown time zone" and left a site that did not validate; a zone file's
    path became Etc/UTC."""
    if not Path("/usr/share/zoneinfo/Asia/Kathmandu").is_file() and tz.startswith("/"):
        pytest.skip("no system zone database")
    monkeypatch.setenv("TZ", tz)
    assert main(["init", str(tmp_path / "x"), "--now", NOW]) == 0
    config = yaml.safe_load((tmp_path / "x" / "syndicate.yaml").read_text("utf-8"))
    assert config["timezone"] == zone
    assert main(["validate", "-q", "--config", str(tmp_path / "x" / "syndicate.yaml")]) == 0


def test_a_tz_that_names_no_zone_is_said_and_the_machine_s_zone_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from syndicate.cli.init import local_zone

    monkeypatch.setenv("TZ", "Asia")  # a folder of the zone database
    assert main(["init", str(tmp_path / "x"), "--now", NOW]) == 0
    err = capsys.readouterr().err
    assert "TZ=Asia names no time zone" in err and "[init.timezone]" in err
    monkeypatch.delenv("TZ")
    config = yaml.safe_load((tmp_path / "x" / "syndicate.yaml").read_text("utf-8"))
    assert config["timezone"] == local_zone()


@pytest.mark.parametrize("tz", ["Asia", "/usr", "right/Europe/Brussels"])
def test_a_tz_babel_cannot_read_changes_nothing(tmp_path: Path, tz: str) -> None:
    """babel reads the machine's zone when it is imported: `TZ=Asia` (a folder) made init end
    in a traceback and export say "the html writer failed: IsADirectoryError". Syndicate
    never uses the machine's zone: the same site, the same files."""
    import os
    import subprocess
    import sys

    outputs = []
    for given in (tz, "UTC"):
        site = tmp_path / given.replace("/", "_") / "newsroom"  # the name: from the folder
        env = {**os.environ, "TZ": given}
        run = [sys.executable, "-m", "syndicate"]
        now = ["--now", "2026-12-01T09:00:00+01:00"]
        made = subprocess.run(
            [*run, "init", str(site), "--timezone", "Europe/Brussels", *now],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        done = subprocess.run(
            [*run, "export", "-q", "-f", "html", "-f", "jsonld", *now],
            cwd=site, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append(files(site / "out"))
    assert outputs[0] == outputs[1]


def test_the_links_the_new_configuration_calls_the_defaults_are_the_defaults(
    tmp_path: Path,
) -> None:
    """The scaffold's commented `links:` said "(these are the defaults)" with an image
    template that had lost the `{digest}` every image URL now carries: a newsroom moving its
    images to a CDN copied it and never learnt where the digest goes."""
    from syndicate.model.site import DEFAULT_ARTICLE_URL, DEFAULT_IMAGE_URL

    assert main(["init", str(tmp_path / "site"), "--lang", "en", "-q"]) == 0
    text = (tmp_path / "site" / "syndicate.yaml").read_text(encoding="utf-8")
    start = text.index("(these are the defaults)")
    commented = "\n".join(
        line.removeprefix("#") for line in text[start:].splitlines()[1:4] if line.startswith("#")
    )
    assert yaml.safe_load(commented) == {
        "links": {"article": DEFAULT_ARTICLE_URL, "image": DEFAULT_IMAGE_URL}
    }


def test_a_site_without_its_address_is_told_to_set_it_before_publishing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --url, init wrote https://example.org/ as the site's address and said nothing:
    the next step it printed led to ids and links naming example.org, and `syndicate new`
    minted ids under it."""
    assert init(tmp_path / "s") == 0
    err = capsys.readouterr().err
    assert (
        f"before publishing: set publisher.url and base_url in {tmp_path / 's' / 'syndicate.yaml'}"
        " (now https://example.org/, a placeholder)"
    ) in err
    assert main(["new", "2026-03-02-first", "--site", str(tmp_path / "s"), "--now", NOW]) == 0
    err = capsys.readouterr().err
    assert "its id names example.org, the placeholder `syndicate init` wrote" in err
    assert init(tmp_path / "t", "--url", "https://harbour.news/") == 0
    assert "before publishing" not in capsys.readouterr().err
    assert main(["new", "2026-03-02-first", "--site", str(tmp_path / "t"), "--now", NOW]) == 0
    err = capsys.readouterr().err
    assert "placeholder" not in err and "reserves" not in err


@pytest.mark.parametrize(
    ("url", "name", "rfc"),
    [
        ("https://harbour.example/", ".example", "RFC 2606 reserves for examples and tests"),
        (
            "https://www.example.com/news/",
            "example.com",
            "RFC 2606 reserves for examples and tests",
        ),
        ("https://example.net/", "example.net", "RFC 2606 reserves for examples and tests"),
        ("https://harbour.test/", ".test", "RFC 2606 reserves for examples and tests"),
        # (localhost is this machine's, not an example's; .invalid a name that is none)
        ("http://localhost:8000/", "localhost", "RFC 6761 keeps for this machine itself"),
        ("http://news.localhost/", ".localhost", "RFC 6761 keeps for this machine itself"),
        ("https://harbour.invalid/", ".invalid", "RFC 2606 keeps for names that are invalid"),
    ],
)
def test_a_site_on_any_name_kept_for_examples_is_told_so_by_init_and_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, name: str, rfc: str
) -> None:
    """Only example.org, init's placeholder, was said to be no site's: `--url
    https://harbour.example/` (or example.com, `.test`, `localhost`) made ids under a name that
    RFC 2606 and RFC 6761 keep for examples and tests, without a word, until deliver."""
    assert init(tmp_path / "s", "--url", url) == 0
    err = capsys.readouterr().err
    said = f"(now {url}, on {name}, a name {rfc}, no site's)"
    assert "before publishing: set publisher.url and base_url in" in err and said in err, err
    assert main(["new", "2026-03-02-first", "--site", str(tmp_path / "s"), "--now", NOW]) == 0
    err = capsys.readouterr().err
    host = urlsplit(url).hostname
    assert f"its id names {host} (publisher.url is on {name}, a name {rfc}, no" in err, err


def test_the_placeholder_address_is_the_one_the_configuration_knows() -> None:
    from syndicate.cli import build_parser
    from syndicate.readers.config import PLACEHOLDER_URL

    assert build_parser(["atom"]).parse_args(["init"]).url == PLACEHOLDER_URL


def test_the_placeholder_is_said_wherever_init_was_run_from_and_however_it_was_edited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """init named `syndicate.yaml` alone, run from another folder, and not the sample story
    it had just given an id under example.org; an address on example.org but for init's very
    spelling (`http://`, a path under it) was said to be nothing by init nor by new, while
    every id made from it names example.org all the same (and deliver refuses it)."""
    monkeypatch.chdir(tmp_path)
    assert init(Path("papers/harbour"), "--url", "http://example.org/harbour/") == 0
    err = capsys.readouterr().err
    config = Path("papers/harbour/syndicate.yaml")
    assert (
        f"before publishing: set publisher.url and base_url in {config} (now"
        " http://example.org/harbour/, a placeholder)"
    ) in err, err
    assert (
        "the sample story's id, tag:example.org,2026-03-02:welcome, names example.org already:"
        " give it one of your own, or remove the story"
    ) in err, err
    site = tmp_path / "papers" / "harbour"
    assert main(["new", "2026-03-02-first", "--site", str(site), "--now", NOW]) == 0
    err = capsys.readouterr().err
    assert "its id names example.org, the placeholder `syndicate init` wrote" in err, err
    story = (site / "articles" / "2026-03-02-first" / "story.yaml").read_text(encoding="utf-8")
    assert "id: tag:example.org," in story


def test_the_sample_story_s_id_changed_as_init_asks_is_not_told_to_go_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """init says to give the sample story an id of your own (its id names harbour.example),
    and next to export: done in that order, the export that followed told the editor to put
    the id back ("an id never changes"), and deliver refuses the old one."""
    monkeypatch.chdir(tmp_path)
    assert init(Path("harbour"), "--url", "https://harbour.example/", "--lang", "en") == 0
    later = "2026-03-02T10:00:00Z"
    assert main(["--site", "harbour", "export", "-f", "all", "-q", "--now", later]) == 0
    config = Path("harbour/syndicate.yaml")
    config.write_text(config.read_text("utf-8").replace("harbour.example", "harbour.news"), "utf-8")
    story = Path("harbour/articles/2026-03-02-welcome/story.yaml")
    text = story.read_text("utf-8")
    story.write_text(text.replace("id: tag:harbour.example,", "id: tag:harbour.news,"), "utf-8")
    capsys.readouterr()
    assert main(["--site", "harbour", "export", "-f", "all", "--now", later]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: the id changed from 'tag:harbour.example,2026-03-02:welcome' to"
        " 'tag:harbour.news,2026-03-02:welcome' since it was published: the old one names"
        " harbour.example (on .example, a name RFC 2606 reserves for examples and tests, no"
        " site's), as syndicate init's sample story and the stories syndicate new made"
        " before publisher.url was set do; syndicate deliver refuses a story under such an id"
        " (deliver.story-id) unless a target was sent it before: if none was, no partner has"
        " it from syndicate"
    ) in err, err
    # (deliver sends on a story a target was sent under such an id: "never sends" was untrue)
    assert "never sends" not in err
    assert "if one was, it keeps the old id and would hold two stories: put the id back" in err
