"""Write syndicate/i18n/iso639.py, the ISO 639-2 codes (terminology and bibliographic) of the
languages that have an ISO 639-1 code, from the iso-codes package's data (Debian's
`iso-codes`, /usr/share/iso-codes/json/iso_639-2.json).

    python tools/iso639_codes.py          # rewrite syndicate/i18n/iso639.py
    python tools/iso639_codes.py --check  # exit 1 if it is out of date

BCP 47 (RFC 5646, 2.2.1) uses the shortest ISO 639 code of a language: `fas`, `per` are `fa`.
CLDR's aliases, which babel reads, also map a macrolanguage's members to it (`cmn` to `zh`,
`pes` to `fa`): tags IANA keeps, which this table tells apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/iso-codes/json/iso_639-2.json")
TARGET = ROOT / "syndicate/i18n/iso639.py"


def module(source: Path) -> str:
    entries = json.loads(source.read_text(encoding="utf-8"))["639-2"]
    codes = sorted(
        {
            code
            for entry in entries
            if "alpha_2" in entry
            for code in (entry["alpha_3"], entry.get("bibliographic"))
            if code
        }
    )
    rows = [f'        "{code}",' for code in codes]  # as ruff format writes them
    return "\n".join(
        [
            '"""The ISO 639-2 codes of the languages ISO 639-1 gives a two-letter code, generated',
            "by tools/iso639_codes.py from the iso-codes package: BCP 47 writes these languages",
            'with their two letters (`fas` and `per` are `fa`, `ger` and `deu` are `de`)."""',
            "",
            "OVERLONG = frozenset(",
            "    {",
            *rows,
            "    }",
            ")",
            "",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the module is stale")
    parser.add_argument("--source", type=Path, default=SOURCE, help="iso_639-2.json")
    args = parser.parse_args()
    text = module(args.source)
    if args.check:
        stale = TARGET.read_text(encoding="utf-8") != text
        if stale:
            print(f"{TARGET.relative_to(ROOT)} is out of date", file=sys.stderr)
        return int(stale)
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
