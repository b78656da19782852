"""The fast paths give exactly what the slow ones gave: YAML read by libyaml (for shallow
documents) the same values, lines and problems as PyYAML's own parser; schemas with their
references inlined the same problems as jsonschema resolving them; JSON documents indented by
msgspec the same bytes as the standard library's indenting encoder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.formats.contract import json_text
from syndicate.readers import schemas, yamlsource
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
    "headline:\tx\n",
    "a: &x 1\nb: &x 2\n",
    "headline: @home\n",
    "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n",
    "a: &a [*a]\n",
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


def mutations(doc: dict[str, Any]) -> list[Any]:
    """`doc` broken in every way a field can be: missing, of another type, unknown."""
    broken: list[Any] = [doc, [], "text", None]
    for key in doc:
        for value in (None, 5, "x", [], {"zz": 1}, [{"zz": 1}], ["x", 5]):
            broken.append({**doc, key: value})
        broken.append({k: v for k, v in doc.items() if k != key})
    broken.append({**doc, "headlin": "x", "urgency": 12, "status": "gone"})
    return broken


def problems(instances: list[Any], pointer: str) -> list[Any]:
    return [list(schemas.check(i, "article.schema.json", pointer)) for i in instances]


def test_inlined_references_report_what_resolved_ones_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path / "articles", 6, realistic=True)
    folder = tmp_path / "articles" / "bench-000003"
    story = yamlsource.parse_yaml((folder / "story.yaml").read_text(encoding="utf-8")).data
    variant = yamlsource.parse_yaml(_front(folder / "en.md")).data
    cases = [(mutations(story), "/$defs/story"), (mutations(variant), "/$defs/variant")]
    fast = [problems(instances, pointer) for instances, pointer in cases]
    monkeypatch.setattr(schemas, "_inlined", lambda root: root)
    for cached in (schemas.load_schema, schemas._validator):
        cached.cache_clear()
    try:
        slow = [problems(instances, pointer) for instances, pointer in cases]
    finally:
        monkeypatch.undo()
        for cached in (schemas.load_schema, schemas._validator):
            cached.cache_clear()
    assert sum(len(p) for group in slow for p in group) > 100
    assert fast == slow


TEXT = st.text(
    st.characters(codec=None, exclude_categories=()) | st.sampled_from('\u2028\u2029\x7f"\\/<>&'),
    max_size=20,
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, derandomize=True, database=None)
@given(JSON)
def test_json_text_is_the_standard_library_s_indented_json(data: Any) -> None:
    assert json_text(data) == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


def test_a_story_folder_listed_from_its_entries_is_what_kind_of_says(tmp_path: Path) -> None:
    """StoryFiles takes the kind of a plain entry (not a link) from the listing and reads it
    without resolving it again: the same entries, texts and refusals as `kind_of` and a
    resolved read give, links and special files included."""
    import os

    from syndicate.readers import budgets
    from syndicate.readers.safefile import Refused, kind_of, read_checked
    from syndicate.readers.storyfiles import LANGUAGE_SUFFIX, STORY_FILE, StoryFiles

    outside = tmp_path / "outside.md"
    outside.write_text("outside\n", encoding="utf-8")
    folder = tmp_path / "articles" / "story"
    (folder / "images").mkdir(parents=True)
    (folder / "story.yaml").write_text("id: x\n", encoding="utf-8")
    (folder / "en.md").write_text("# en\n", encoding="utf-8")
    (folder / "fr.md").mkdir()
    (folder / "de.md").symlink_to("en.md")
    (folder / "es.md").symlink_to(outside)
    (folder / "it.md").symlink_to("missing.md")
    (folder / "images" / "a.png").write_bytes(b"png")
    (folder / "notes.txt").write_text("n", encoding="utf-8")
    (folder / "hard.md").write_text("h", encoding="utf-8")
    os.link(folder / "hard.md", tmp_path / "other-name")
    (folder / ".hidden.md").write_text("h", encoding="utf-8")
    os.mkfifo(folder / "pipe.md")
    linked = tmp_path / "articles" / "linked"
    linked.symlink_to("story")

    for where in (folder, linked):
        files = StoryFiles(where)
        root = where.resolve()
        expected = []
        for name in sorted(n for n in os.listdir(where) if not n.startswith(".")):
            kind = kind_of(where / name, root)
            text = name == STORY_FILE or name.endswith(LANGUAGE_SUFFIX)
            if kind == "file" and text:
                try:
                    assert files.text(name) == read_checked(
                        where / name, root, budgets.MAX_TEXT_BYTES
                    )
                    kind = "text"
                except Refused as exc:
                    kind = exc
            elif kind == "dir" and text:
                kind = Refused("file.special", "a folder, not a file")
            expected.append((name, kind.code if isinstance(kind, Refused) else kind))
        assert [(e.name, e.kind) for e in files.entries] == expected
        assert {"hard.md", "es.md", "it.md", "pipe.md", "de.md", "images"} <= {
            e.name for e in files.entries
        }
