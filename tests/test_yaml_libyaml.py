"""YAML read by libyaml (the fast path for shallow documents) gives exactly what PyYAML's own
parser gives: the same values, the same lines, the same problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syndicate.readers import yamlsource
from syndicate.readers.frontmatter import FrontMatterProblem, split_front_matter
from tests.bench.corpus import generate
from tests.conftest import REPO

SNIPPETS = [
    "a: 1\nb: 0x1F\nc: 1_000\nd: 1.5e3\ne: .inf\nf: yes\ng: ~\nh: 2021-02-18T19:30:00+01:00\n",
    "a: \"quoted \\u00e9 \\t\"\nb: 'single'\nc: |\n  block\n  text\nd: >-\n  folded\n  text\n",
    "base: &b {x: 1, y: [1, 2]}\nother: *b\nlist:\n  - *b\n  - - nested\n    - [deep, [er]]\n",
    "a: b: c\n",
    "a: [1, 2\n",
    "a: 1\na: 2\n",
    "<<: {a: 1}\n",
    "- x\n- y: 1\n  z: 2\n",
    "",
    "# only a comment\n",
    "a: !!python/object:os.system x\n",
    "a: 'unterminated\n",
    "[" * 60 + "]" * 60 + "\n",
    "\ta: tab\n",
]


def documents() -> list[str]:
    texts = list(SNIPPETS)
    folders = [REPO / "articles", REPO / "tests" / "fixtures"]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix == ".yaml" and path.is_file():
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
            elif path.suffix == ".md" and path.is_file():
                texts.append(_front(path))
    return texts


def _front(path: Path) -> str:
    try:
        return split_front_matter(path.read_text(encoding="utf-8", errors="replace")).front_matter
    except FrontMatterProblem:
        return ""


def parsed(text: str) -> Any:
    try:
        doc = yamlsource.parse_yaml(text, 3)
    except yamlsource.YamlProblem as exc:
        return ("problem", exc.message, exc.line)
    return (doc.data, doc.lines)


def test_libyaml_reads_every_document_as_pyyaml_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path / "articles", 30, realistic=True)
    texts = documents()
    for path in sorted((tmp_path / "articles").rglob("*")):
        if path.suffix == ".yaml":
            texts.append(path.read_text(encoding="utf-8"))
        elif path.suffix == ".md":
            texts.append(_front(path))
    fast = [parsed(text) for text in texts]
    monkeypatch.setattr(yamlsource, "_C_LOADER", None)
    slow = [parsed(text) for text in texts]
    assert len(texts) > 200
    for text, one, other in zip(texts, fast, slow, strict=True):
        assert one == other, text
