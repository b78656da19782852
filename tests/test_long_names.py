"""Names near the file systems' limit (255 bytes): an out/ folder whose name fits works, as do
the names syndicate derives from it (its build state) and from the files it sends (their
temporary names at a target); a name that does not fit is said, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, SAMPLE_SLUG
from sites import Site

from syndicate.build import export
from syndicate.build.engine import cache_folder
from syndicate.build.publish import NAME_MAX, fitting_name
from syndicate.build.state import state_folder
from syndicate.deliver import deliver

LONGEST = "q" * NAME_MAX


def test_fitting_names_keep_apart_and_fit() -> None:
    assert fitting_name("short", 16) == "short"
    one, two = fitting_name("é" * 200 + "a", 16), fitting_name("é" * 200 + "b", 16)
    assert one != two, "names cut alike stay apart by their hash"
    for name in (one, two):
        assert len(os.fsencode(name)) <= NAME_MAX - 16
        name.encode("utf-8")  # never half a character


def test_an_out_folder_with_the_longest_name_exports_and_delivers(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path / "newsroom")
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: share\n      url: {mirror.as_uri()}/\n"
        "      formats: [html]\n"
    )
    out = tmp_path / LONGEST
    site.out = out
    site.export("html")
    state = state_folder(out, cache_folder(site.config, out))
    assert state.is_dir() and len(os.fsencode(state.name)) <= NAME_MAX
    assert state != state_folder(tmp_path / ("q" * 254), cache_folder(site.config, out))
    # A file of the user's with the longest name: its temporary name at the target fits too.
    (out / "html" / LONGEST).write_bytes(b"mine")
    assert site.deliver() == 0
    assert (mirror / "html" / LONGEST).read_bytes() == b"mine"
    assert not [p for p in mirror.rglob("*") if p.name.endswith(".syndicate-part")]


def test_a_name_too_long_is_said_not_a_traceback(tmp_path: Path) -> None:
    site = Site(tmp_path / "newsroom")
    site.configure(
        f"deliver:\n  targets:\n    - name: share\n      url: {(tmp_path / 'm').as_uri()}/\n"
        "      formats: [html]\n"
    )
    too_long = tmp_path / ("q" * (NAME_MAX + 1))
    for command in (["export", "-f", "html"], ["deliver"], ["serve"]):
        run = subprocess.run(
            [sys.executable, "-m", "syndicate", *command, "--out", str(too_long)],
            cwd=site.root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        assert "is 256 bytes long; a file system takes 255 at most" in run.stderr
    # The Python API: an output.write error, and deliver finds no such folder.
    result = export(
        formats=["html"],
        config=site.config,
        articles=site.articles,
        out=too_long,
        now=datetime.fromisoformat(FIXED_NOW),
        registry=PLAIN_COVERS,
    )
    assert result.status == "failed"
    assert [d.code for d in result.diagnostics.errors] == ["output.write"]
    assert "longer than 255 bytes" in result.diagnostics.errors[0].message
    delivered = deliver(config=site.config, out=too_long)
    assert delivered.status == "input-errors"
    assert [d.code for d in delivered.diagnostics.errors] == ["deliver.out"]


def test_a_profile_name_too_long_for_a_folder_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A profile names its folder, out/partners/<name>/: one named with 300 letters passed
    validate, then `export -f all` failed writing out/ with no syndicate.yaml line. Profile
    names, like section codes, are at most 64 characters, checked when the file is read."""
    site = Site(tmp_path / "newsroom")
    site.configure(f"profiles:\n  {'a' * 300}:\n    base: msn\n")
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) == 2
    assert site.cli("export", "-q", "-f", "all", "--out", str(site.out)) == 2
    err = capsys.readouterr().err
    said = "syndicate.yaml:10: error: profiles: 'aaaa"
    assert err.count(said) == 2 and "is 300 characters long, over 64" in err, err
    assert "output.write" not in err and not site.out.exists()


def test_the_longest_profile_name_exports(tmp_path: Path) -> None:
    site = Site(tmp_path / "newsroom")
    longest = "p" * 64
    site.configure(f"profiles:\n  {longest}:\n    base: google-news\n")
    site.export(longest)
    assert (site.out / "partners" / longest / "en.xml").is_file()


def test_a_section_code_too_long_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A section names feeds (out/atom/<lang>/<section>.xml): at most 64 characters."""
    site = Site(tmp_path / "newsroom")
    site.replace(SAMPLE_SLUG, "story.yaml", "section: politics", f"section: {'s' * 65}")
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) == 2
    err = capsys.readouterr().err
    assert f"{SAMPLE_SLUG}/story.yaml:4: error: section: longer than 64 characters" in err, err


def test_a_name_too_long_typed_in_devanagari_is_quoted_between_its_letters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name on the command line too long for a file system is quoted shortened, as every
    value is (`diagnostics.shortened`): its own cut (`name[-10:]`) could start at a vowel
    sign, shown alone after the `...` (a dotted circle in a terminal), its letter cut off."""
    import unicodedata

    from syndicate.cli import main

    name = "कि" * 44 + "न"  # (89 letters, 267 bytes: a vowel sign 10 from the end)
    assert main(["validate", "--out", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert "bytes long; a file system takes 255 at most" in err, err
    quoted = err.split("the name '", 1)[1].split("'", 1)[0]
    head, tail = quoted.split("...")
    assert name.startswith(head) and name.endswith(tail), quoted
    for char in (name[len(head)], tail[0]):  # (no letter's vowel sign cut from it)
        assert unicodedata.category(char) not in ("Mn", "Mc"), (quoted, char)
