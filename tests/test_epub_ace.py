"""DAISY Ace, the EPUB accessibility checker (from npm, run in the system's Chromium), on every
book and edition of the sample site, right-to-left and CJK ones included, and of the lifecycle
fixture: no violation, and the accessibility metadata EPUB Accessibility 1.1 asks for present."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, REPO, SAMPLE_SLUG
from test_lead_image import export_site, lead_site
from test_lifecycle import FIXTURE
from test_lifecycle import NOW as LIFECYCLE_NOW

from syndicate.cli import main

ACE = Path(__file__).parent / "a11y" / "node_modules" / ".bin" / "ace-puppeteer"
REQUIRED = {
    "schema:accessMode",
    "schema:accessModeSufficient",
    "schema:accessibilityFeature",
    "schema:accessibilityHazard",
    "schema:accessibilitySummary",
    "dcterms:conformsTo",
}


def books(site: Path, out: Path, now: str) -> list[Path]:
    args = ["export", "-q", "-f", "epub", "--now", now]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main([*args, "--out", str(out)], registry=PLAIN_COVERS) == 0
    return sorted((out / "epub").glob("*.epub"))


def ace(book: Path, reports: Path) -> dict[str, object]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or not ACE.exists():
        pytest.fail("DAISY Ace or Chromium is missing: run `bash .ci/setup test`")
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    done = subprocess.run(
        [str(ACE), "--silent", "--force", "--outdir", str(reports / book.stem), str(book)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, object] = json.loads((reports / book.stem / "report.json").read_text())
    return report


def violations(report: dict[str, object]) -> list[str]:
    """Each failed check of the report: the document, the rule and what it says."""
    found = []
    for document in report["assertions"]:  # type: ignore[attr-defined]
        for check in document["assertions"]:
            if check["earl:result"]["earl:outcome"] != "pass":
                rule = check["earl:test"]["dct:title"]
                said = check["earl:result"].get("dct:description", "")
                found.append(f"{document['earl:testSubject']['url']}: {rule}: {said}")
    return found


@pytest.mark.slow
def test_every_book_and_edition_passes_ace(tmp_path: Path) -> None:
    found = books(REPO, tmp_path / "sample", FIXED_NOW)
    lifecycle = shutil.copytree(FIXTURE, tmp_path / "lifecycle")
    found += books(lifecycle, tmp_path / "lifecycle-out", LIFECYCLE_NOW)
    names = {book.name for book in found}
    assert "2021-02-18-nato-iraq-deployment.ar.epub" in names  # right to left
    assert any(name.startswith("edition") for name in names)
    failed = {}
    for book in found:
        report = ace(book, tmp_path / "reports")
        problems = violations(report)
        metadata = report["a11y-metadata"]
        assert isinstance(metadata, dict)
        missing = REQUIRED - set(metadata["present"])
        if problems or missing or report["earl:result"] != {"earl:outcome": "pass"}:
            failed[book.name] = [*problems, *(f"no {name}" for name in sorted(missing))]
    assert failed == {}


@pytest.mark.slow
def test_books_led_by_an_image_pass_ace(tmp_path: Path) -> None:
    """A story whose picture no body places: its books show it first, alt text and all, and
    keep their claims."""
    status, out = export_site(lead_site(tmp_path), "epub")
    assert status == 0
    failed = {}
    for name in (f"{SAMPLE_SLUG}.en.epub", f"{SAMPLE_SLUG}.ar.epub", "edition-de.epub"):
        report = ace(out / "epub" / name, tmp_path / "reports")
        metadata = report["a11y-metadata"]
        assert isinstance(metadata, dict)
        missing = REQUIRED - set(metadata["present"])
        problems = violations(report)
        if problems or missing or report["earl:result"] != {"earl:outcome": "pass"}:
            failed[name] = [*problems, *(f"no {name}" for name in sorted(missing))]
    assert failed == {}
