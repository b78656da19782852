"""The W3C Feed Validation Service, run offline when the user points to it: `feeds.feedvalidator`
in syndicate.yaml, or the environment variable SYNDICATE_FEEDVALIDATOR, names a script that
takes feed files and prints `FILE:LINE: error|warning|info: Type: message` (as
`../shared/tools/feed_validate.py` does). `validate --outputs` runs it once per format, with the
interpreter running syndicate, and reports each of its errors at its file and line, named
`w3c.<Type>`. The validator is third-party and not shipped; without it, the native checks
(`values.py`) still judge the values it would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from syndicate.diagnostics import Diagnostics
from syndicate.model import SiteConfig, SourceRef

FEEDVALIDATOR_ENV = "SYNDICATE_FEEDVALIDATOR"
"""Environment variable naming the W3C Feed Validator's script; it wins over the setting."""
TIMEOUT = 3600
"""Seconds the validator may take over one format's feeds."""
WHERE = re.compile(r"^line \d+, column \d+: ")
EVENT = re.compile(
    r"^(?P<line>\d+|\?): (?P<level>error|warning|info): (?P<type>\w+): (?P<text>.*)\Z"
)

Known = Callable[[Path, str, str], bool]
"""Whether an error (file, type, message) is one a format's consumer requires: not reported."""


_LANGUAGE_VALUES = re.compile(
    r"""(?:xml:lang|hreflang)=["']([^"']*)["']|<(?:language|dc:language)>([^<]*)<"""
)
"""The language tags a line of a feed names: attributes, and RSS's and Dublin Core's elements."""


def _tags_valid(lines: Sequence[str], line: str) -> bool:
    """Whether the line (of the feed's `lines`) the validator blamed for an `InvalidLanguage`
    names only tags syndicate knows as valid (BCP 47 and CLDR's): the validator's ISO 639
    list is older than codes such as Central Kurdish's `ckb` or N'Ko's `nqo`, which it calls
    invalid."""
    from syndicate.i18n.locales import is_valid_tag

    if not line.isdigit() or not 0 < int(line) <= len(lines):
        return False
    tags = [a or b for a, b in _LANGUAGE_VALUES.findall(lines[int(line) - 1])]
    return bool(tags) and all(is_valid_tag(tag.strip()) for tag in tags)


def _lines(read: dict[Path, list[str]], path: Path) -> list[str]:
    """The lines of a feed, read once for all the validator's reports on it (none when it
    cannot be read)."""
    if path not in read:
        try:
            text = path.read_text(encoding="utf-8")
            read[path] = text.split("\n")  # (by "\n", as the validator counts lines)
        except (OSError, UnicodeDecodeError):
            read[path] = []
    return read[path]


def feedvalidator(
    config: SiteConfig, environ: Mapping[str, str] = os.environ
) -> tuple[str, SourceRef | str] | None:
    """The validator's script and where it was named: the environment variable (a relative
    path from the folder syndicate runs in), else the `feeds.feedvalidator` setting (a
    relative path from syndicate.yaml's folder, as every path of the site is; the partner
    profiles' feeds follow it too), else none."""
    if environ.get(FEEDVALIDATOR_ENV):
        return environ[FEEDVALIDATOR_ENV], FEEDVALIDATOR_ENV
    setting = config.section("feeds").get("feedvalidator")
    if isinstance(setting, str) and setting:
        script = (config.folder or Path()) / Path(setting).expanduser()
        return str(script), config.where("feeds", "feedvalidator")
    return None


def run_feedvalidator(
    named: tuple[str, SourceRef | str],
    paths: Sequence[Path],
    diags: Diagnostics,
    known: Known = lambda path, kind, text: False,
) -> None:
    """Run the validator on `paths` and report its errors (its warnings and infos say how a
    feed could be better, or that it does not know a namespace: they are left out)."""
    script, where = named
    if not paths:
        return
    if not Path(script).is_file():
        message = f"cannot run the W3C Feed Validator: {script} is not a file"
        diags.error("w3c.missing", message, where)
        return
    try:
        done = subprocess.run(
            [sys.executable, script, *map(str, paths)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        diags.error("w3c.failed", f"the W3C Feed Validator did not run: {exc}", where)
        return
    if done.returncode not in (0, 1):
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        diags.error("w3c.failed", f"the W3C Feed Validator failed: {last}", where)
        return
    by_name = sorted(((str(p), p) for p in paths), key=lambda item: -len(item[0]))
    read: dict[Path, list[str]] = {}
    for report in done.stdout.splitlines():
        for name, path in by_name:
            event = EVENT.match(report[len(name) + 1 :]) if report.startswith(f"{name}:") else None
            if event is None:
                continue
            text = WHERE.sub("", event["text"])
            if event["type"] == "InvalidLanguage" and _tags_valid(
                _lines(read, path), event["line"]
            ):
                break
            if event["level"] == "error" and not known(path, event["type"], text):
                at = name if event["line"] == "?" else f"{name}:{event['line']}"
                diags.error(f"w3c.{event['type']}", text, at)
            break
