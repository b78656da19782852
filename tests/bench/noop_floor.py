"""The physical floor of an export that has nothing to do, as a whole process: hash every input
(the story folders and the configuration with the files it points to) and stat every output.
`python tests/bench/noop_floor.py SITE OUT`; the bench measures its CPU."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def main(site: Path, out: Path) -> None:
    for path in sorted([site / "syndicate.yaml", *(site / "site").rglob("*")]):
        hashlib.sha256(path.read_bytes()).hexdigest()
    for path in sorted((site / "articles").rglob("*")):
        if path.is_file():
            hashlib.sha256(path.read_bytes()).hexdigest()
    for top, _, names in os.walk(out):
        for name in names:
            os.stat(os.path.join(top, name))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
