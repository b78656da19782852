"""The fast paths give exactly what the slow ones gave: YAML read by libyaml (for shallow
documents) the same values, lines and problems as PyYAML's own parser; schemas with their
references inlined the same problems as jsonschema resolving them; JSON documents indented by
msgspec the same bytes as the standard library's indenting encoder; covers assembled from the
compressed rows with ink of their strips the same pixels as their whole drawing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from syndicate.formats.contract import json_text
from syndicate.formats.epub import cover as covers
from syndicate.formats.epub.options import DEFAULT_FONT_DIRS
from syndicate.formats.epub.palette_png import band
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


COVERS = [
    covers.CoverText("en", "YCPress", "Politics", "NATO to expand its Iraq mission", "May 1, 2026"),
    covers.CoverText(
        "ar", "YCPress", "سياسة", "حلف الناتو يعتزم زيادة انتشاره 8 مرات", "18 فبراير"
    ),
    covers.CoverText(
        "zh-Hans", "YCPress", "政治", "北约将大幅增加在伊拉克的军事部署。" * 4, "2021年2月18日"
    ),
    covers.CoverText(
        "fr", "Ỳ\u0301\u0301\u0301\u0301Press", "Société", "a" + "\u0301" * 40, "1er mai"
    ),
    covers.CoverText("en", "YCPress", "", "", ""),
]


@pytest.mark.parametrize("text", COVERS, ids=lambda text: text.lang)
def test_a_cover_from_compressed_pieces_is_its_whole_drawing(text: covers.CoverText) -> None:
    """The PNG is assembled from each strip's rows with ink, compressed one piece at a time,
    and cached blank rows: it decodes to the strips drawn whole, one under the other, and the
    thumbnail to that drawing reduced by 4."""
    dirs = tuple(DEFAULT_FONT_DIRS)
    whole = Image.new("L", (covers.WIDTH, covers.HEIGHT))
    for strip in covers._layout(text, dirs):
        steps, _ = covers._paint(strip)
        steps = steps.crop((covers._LEFT, 0, steps.width, steps.height))
        ground = strip.ramp * covers._STEPS
        whole.paste(steps.point([min(step + ground, 255) for step in range(256)]), (0, strip.top))
    drawn = covers.draw_cover(text, dirs)
    with Image.open(io.BytesIO(drawn.png)) as image:
        assert image.mode == "P" and image.tobytes() == whole.tobytes()
    with Image.open(io.BytesIO(drawn.thumbnail)) as image:
        assert image.tobytes() == whole.reduce(covers.WIDTH // covers.THUMBNAIL_WIDTH).tobytes()


def test_rows_beside_their_filter_bytes_are_the_band_of_the_rest() -> None:
    image = Image.effect_noise((40, 12), 90).convert("L")
    rows = Image.new("L", (41, 12), 0)
    rows.paste(image, (1, 0))
    assert band(rows, rows=True) == band(image)
    with pytest.raises(ValueError, match="filter bytes"):
        band(image, rows=True)
