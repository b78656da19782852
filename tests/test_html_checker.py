"""The W3C HTML checker (the Nu Html Checker, `vnu.jar` from npm's `vnu-jar`, run with Java) on
every page of the sample site (six languages, Arabic right to left, Chinese) and of the
lifecycle fixture (embargoes, corrections, kill notices, paged indexes): no error, no warning."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, REPO
from test_lifecycle import FIXTURE
from test_lifecycle import NOW as LIFECYCLE_NOW

from syndicate.cli import main

VNU = Path(__file__).parent / "a11y" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def pages(site: Path, out: Path, now: str) -> list[str]:
    args = ["export", "-q", "-f", "html", "--now", now, "--config", str(site / "syndicate.yaml")]
    args += ["--articles", str(site / "articles"), "--out", str(out)]
    assert main(args, registry=PLAIN_COVERS) == 0
    # the pages of out/html/ and the section pages in its languages' folders
    found = [*(out / "html").glob("*.html"), *(out / "html").glob("*/*.html")]
    return sorted(str(p) for p in found)


@pytest.mark.slow
def test_every_page_passes_the_w3c_html_checker(tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("Java or the Nu Html Checker is missing: run `bash .ci/setup test`")
    found = pages(REPO, tmp_path / "sample", FIXED_NOW)
    lifecycle = shutil.copytree(FIXTURE, tmp_path / "lifecycle")
    found += pages(lifecycle, tmp_path / "lifecycle-out", LIFECYCLE_NOW)
    assert any(".ar." in page for page in found) and any("false-report" in p for p in found)
    assert any(page.endswith("/ar/politics.html") for page in found)  # a section page
    done = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--also-check-css", *found],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    said = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['type']}: {m['message']}"
        for m in messages
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert said == []
    assert done.returncode == 0, done.stderr
