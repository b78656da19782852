"""The physical floor of a full export, as a whole process: read every source file, parse its
YAML (libyaml) and Markdown (markdown-it), render the Markdown to HTML, and write the same files
with the same bytes as the export it is compared with (copied from `reference`).
`python tests/bench/floor.py ARTICLES REFERENCE OUT`; the bench measures its CPU."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from markdown_it import MarkdownIt


def main(articles: Path, reference: Path, out: Path) -> None:
    markdown = MarkdownIt("commonmark")
    for path in sorted(articles.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".yaml":
            yaml.load(data, Loader=yaml.CSafeLoader)
        elif path.suffix == ".md":
            _, front, body = data.decode("utf-8").split("---\n", 2)
            yaml.load(front, Loader=yaml.CSafeLoader)
            markdown.render(body)
    for path in sorted(reference.rglob("*")):
        if path.is_file():
            target = out / path.relative_to(reference)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
