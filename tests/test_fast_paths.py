"""The fast paths give exactly what the slow ones gave: YAML read by libyaml (for shallow
documents) the same values, lines and problems as PyYAML's own parser; schemas with their
references inlined the same problems as jsonschema resolving them; JSON documents indented by
msgspec (and encoded by it, without floats) the same bytes as the standard library's indenting
encoder, and stories packed for the build state by msgspec its compact JSON; covers assembled
from the compressed rows with ink of their strips the same pixels as their whole drawing; word
and character counts in one regex pass (and those of a Latin-1 text as its bytes) the counts
made word by word; model values encoded with cached field names the
data encoded field by field; pages parsed by a plain lxml parser the bytes lxml.html gave, and
pages parsed and written as UTF-8 bytes the bytes and errors of the page's text parsed and
written as text; JPEGs checked in draft mode and PNGs checked without decoding (chunks, CRCs,
zlib stream and filter types) the same problems as decoded whole; URL paths, link templates and
a text's language looked up the way quoting, parsing and trying each tag did; a page's
stylesheets found by `bytes.find` those its pattern found; stored JSON read by msgspec the
values `json.loads` read; and a check's keys made from a start hashed once a process the keys of
its parts hashed whole."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import io
import json
import random
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup
from PIL import Image as PILImage

from syndicate.diagnostics import Diagnostics
from syndicate.formats.contract import json_text
from syndicate.formats.epub import cover as covers
from syndicate.formats.epub.fontfiles import DEFAULT_FONT_DIRS
from syndicate.formats.epub.palette_png import band
from syndicate.formats.html import templating
from syndicate.formats.html.writer import HtmlWriter
from syndicate.formats.model import writer as model_writer
from syndicate.i18n.dates import rfc3339
from syndicate.model import (
    Image,
    Localized,
    Place,
    SourceRef,
    Story,
    StorySummary,
    Variant,
    codec,
)
from syndicate.readers import images, schemas, textfile, yamlsource
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config
from syndicate.readers.frontmatter import FrontMatterProblem, split_front_matter
from syndicate.render import text as plain
from tests.bench.corpus import PNG_1x1 as corpus_png_1x1
from tests.bench.corpus import chart as corpus_chart
from tests.bench.corpus import generate
from tests.bench.run import _context, _InMemory, make_site
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


SCHEMA_VALUES: list[Any] = [
    *(None, True, False, 0, -1, 3, 1.0, 1.5, float("nan"), float("inf"), 10**20),
    *("", " ", "x", "\x1c", "\x85", "\ufeff", "x\n", "\u0663", "en", "en\n", "EN", "zh-Hans"),
    *("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z\n", "\u0662026-01-01T00:00:00Z"),
    *("https://example.com/x", "https://a b", "https://a\x1cb", "https://a\x85b/"),
    *("medtop:01000000", "medtop:\u06601000000", "a@b", "a@b\x1c", "politics", "usable"),
    *([], {}, ["x"], [5], {"x": 1}, {"en": "x"}),
]
"""Values a field may be changed to: of every type, and text that Python's and ECMA's
patterns read differently (its space, its digits, a final line break)."""


def _schema_documents(tmp_path: Path) -> list[tuple[Any, str, str]]:
    """(document, schema, pointer): the sample's and a generated corpus's `story.yaml` files
    and front matter, the sample's configuration, the goldens' JSON-LD."""
    generate(tmp_path / "articles", 4, realistic=True)
    found: list[tuple[Any, str, str]] = []
    for folder in (REPO / "articles", tmp_path / "articles"):
        for path in sorted(folder.glob("*/story.yaml")):
            found.append(
                (_yaml(path.read_text(encoding="utf-8")), "article.schema.json", "/$defs/story")
            )
        for path in sorted(folder.glob("*/*.md")):
            found.append((_yaml(_front(path)), "article.schema.json", "/$defs/variant"))
    found.append(
        (_yaml((REPO / "syndicate.yaml").read_text(encoding="utf-8")), "site.schema.json", "")
    )
    for path in sorted((REPO / "tests/golden/jsonld").glob("*.jsonld"))[:4]:
        found.append((json.loads(path.read_text(encoding="utf-8")), "jsonld.schema.json", ""))
    return found


def _yaml(text: str) -> Any:
    return yamlsource.parse_yaml(text).data


def _changed(doc: Any, rnd: random.Random) -> Any:
    """`doc` with one to three fields anywhere in it changed to a `SCHEMA_VALUES` value,
    removed, or joined by an unknown one."""
    doc = copy.deepcopy(doc)
    for _ in range(rnd.randint(1, 3)):
        node, path = doc, []
        while isinstance(node, dict | list) and node and (not path or rnd.random() < 0.7):
            key = rnd.choice(list(node)) if isinstance(node, dict) else rnd.randrange(len(node))
            path.append((node, key))
            node = node[key]
        if not path:
            continue
        parent, key = path[-1]
        choice = rnd.random()
        if choice < 0.1 and isinstance(parent, dict):
            del parent[key]
        elif choice < 0.15 and isinstance(parent, dict):
            parent[f"{key}x"] = rnd.choice(SCHEMA_VALUES)
        else:
            parent[key] = copy.deepcopy(rnd.choice(SCHEMA_VALUES))
    return doc


def test_documents_jsonschema_rs_passes_have_no_problems_for_jsonschema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`schemas.check` leaves jsonschema out for a document jsonschema-rs finds valid: the
    problems are the ones jsonschema alone finds, for stories, front matter, a configuration
    and JSON-LD with fields changed to every type and to text the two regular expression
    dialects read differently. The fast way is taken for the intact and for many changed."""
    rnd = random.Random(16)
    cases = []
    for doc, name, pointer in _schema_documents(tmp_path):
        assert schemas._passes(doc, name, pointer), (name, pointer)
        cases += [(_changed(doc, rnd), name, pointer) for _ in range(60)]
    taken = sum(schemas._passes(doc, name, pointer) for doc, name, pointer in cases)
    fast = [list(schemas.check(doc, name, pointer, "x")) for doc, name, pointer in cases]
    monkeypatch.setattr(schemas, "_passes", lambda instance, name, pointer: False)
    slow = [list(schemas.check(doc, name, pointer, "x")) for doc, name, pointer in cases]
    assert len(cases) > 1000
    assert len(cases) // 10 < taken < len(cases) * 9 // 10
    assert fast == slow


def test_patterns_given_to_jsonschema_rs_match_what_python_s_match() -> None:
    """Every character (the whole of the first plane, every 61st beyond) is a space, a
    non-space or a digit for the rewritten pattern jsonschema-rs gets exactly where it is
    for Python's (a digit: only where Python's too); a form with no such rewrite is
    refused, and each of syndicate's schemas has a fast validator."""
    import jsonschema_rs

    def fast(pattern: str) -> Any:
        return jsonschema_rs.validator_for(
            {"type": "string", "pattern": schemas._no_looser(pattern)}
        )

    space, other, not_at, digit = fast(r"^\s$"), fast(r"^\S$"), fast(r"^[^@\s]$"), fast(r"^\d$")
    for code in [*range(0x10000), *range(0x10000, 0x110000, 61)]:
        char = chr(code)
        if 0xD800 <= code < 0xE000:
            continue
        assert space.is_valid(char) is char.isspace(), hex(code)
        assert other.is_valid(char) is not char.isspace(), hex(code)
        assert not_at.is_valid(char) is not (char.isspace() or char == "@"), hex(code)
        assert not digit.is_valid(char) or char.isdecimal(), hex(code)
    assert not fast("^a$").is_valid("a\n")
    for refused in (r"\w", r"[^\d]", r"[\S]", r"\b"):
        with pytest.raises(ValueError, match="no equivalent"):
            schemas._no_looser(refused)
    for name in ("article.schema.json", "site.schema.json", "jsonld.schema.json"):
        assert schemas._fast_validator(name, "") is not None, name


def test_jsonschema_rs_is_given_no_deep_value_and_no_value_it_cannot_take() -> None:
    """A value deeper than `_FAST_DEPTH` (Rust's recursion has no guard: it would crash the
    process) and a value jsonschema-rs refuses (a date, a key that is not text) go
    jsonschema's way."""
    deep: list[Any] = []
    inner = deep
    for _ in range(5000):
        inner.append([])
        inner = inner[0]
    assert not schemas._shallow(deep) and schemas._shallow([[[]]])
    assert not schemas._passes(deep, "jsonld.schema.json", "")
    assert not schemas._passes({"when": date(2026, 1, 1)}, "site.schema.json", "")
    assert not schemas._passes({1: "x"}, "site.schema.json", "")


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


WITHOUT_FLOATS = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT | st.sampled_from([2**63, -(2**63), 2**64]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(TEXT, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=500, derandomize=True, database=None)
@given(WITHOUT_FLOATS)
def test_json_text_encoded_by_msgspec_is_the_standard_library_s_indented_json(
    data: Any,
) -> None:
    """Data without a float (an article's JSON-LD but for a place's coordinates) is encoded
    by msgspec, keys sorted: the same text, lone surrogates and integers past 64 bits
    included (those take the standard library's way)."""
    assert json_text(data) == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


def test_json_text_takes_msgspec_s_way_only_for_what_it_writes_as_json_does() -> None:
    from markupsafe import Markup

    from syndicate.formats.contract import _msgspec_writes_as_json_does as plain_data

    assert plain_data({"a": [1, "b", None, True, (2**63 - 1, -(2**63))], "c": {"d": ""}})
    for value in (1.5, float("nan"), 2**63, Markup("x"), {1: "a"}, {"a": [{"b": 0.0}]}):
        assert not plain_data(value), value
        assert not plain_data({"a": [value]}), value
    assert json_text({"a": Markup("<b>")}) == '{\n  "a": "<b>"\n}'
    assert json_text({"b": 1e16, "a": "x"}) == '{\n  "a": "x",\n  "b": 1e+16\n}'


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
    whole = PILImage.new("L", (covers.WIDTH, covers.HEIGHT))
    for strip in covers._layout(text, dirs):
        steps, _ = covers._paint(strip)
        steps = steps.crop((covers._LEFT, 0, steps.width, steps.height))
        ground = strip.ramp * covers._STEPS
        whole.paste(steps.point([min(step + ground, 255) for step in range(256)]), (0, strip.top))
    drawn = covers.draw_cover(text, dirs)
    with PILImage.open(io.BytesIO(drawn.png)) as image:
        assert image.mode == "P" and image.tobytes() == whole.tobytes()
    with PILImage.open(io.BytesIO(drawn.thumbnail)) as image:
        assert image.tobytes() == whole.reduce(covers.WIDTH // covers.THUMBNAIL_WIDTH).tobytes()


def test_rows_beside_their_filter_bytes_are_the_band_of_the_rest() -> None:
    image = PILImage.effect_noise((40, 12), 90).convert("L")
    rows = PILImage.new("L", (41, 12), 0)
    rows.paste(image, (1, 0))
    assert band(rows, rows=True) == band(image)
    with pytest.raises(ValueError, match="filter bytes"):
        band(image, rows=True)


WORDY = st.text(
    st.characters(codec=None, exclude_categories=())
    | st.sampled_from(" \t\n\u3000\u00a0a_9é,.!-«»\u4e00\u3001\u30fb\u30a0\u3042\uac00\u0627"),
    max_size=40,
)


def test_non_space_characters_are_what_isspace_is_not_true_of() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert plain.char_count(every) == sum(1 for c in every if not c.isspace())


@settings(max_examples=2000, derandomize=True, database=None)
@given(WORDY)
def test_words_counted_in_one_pass_are_those_counted_one_by_one(sample: str) -> None:
    assert plain.word_count.__wrapped__(sample) == plain.slow_word_count(sample)


@settings(max_examples=2000, derandomize=True, database=None)
@given(WORDY.map(lambda text: plain._ANY_CJK.sub(" ", text)))
def test_words_of_a_text_without_cjk_split_are_those_counted_one_by_one(sample: str) -> None:
    assert plain.word_count.__wrapped__(sample) == plain.slow_word_count(sample)


@settings(max_examples=2000, derandomize=True, database=None)
@given(st.text(st.characters(max_codepoint=255, exclude_categories=()), max_size=40))
def test_words_of_a_latin_1_text_counted_as_bytes_are_those_counted_one_by_one(
    sample: str,
) -> None:
    """A text of ASCII or Latin-1 alone is counted from its Latin-1 bytes, its white space
    made spaces and its punctuation deleted: every one of the 256 characters, control
    characters, the no-break space, U+0085 and `²`, `ª`, `«` among them."""
    assert plain.word_count.__wrapped__(sample) == plain.slow_word_count(sample)


_PUNCT_WORD_AS_WRITTEN = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")
"""`render.text._PUNCT_WORD` as first written, its look-behind first."""
CJK_WORDY = st.text(
    st.sampled_from(" \t\n\u3000\u00a0a9_,.!-\u4e00\u9fff\U00020000\u3001\u3002\u30fb\u3042\uff66")
    | st.characters(codec=None, exclude_categories=()),
    max_size=40,
)


@settings(max_examples=2000, derandomize=True, database=None)
@given(CJK_WORDY)
def test_words_of_a_cjk_text_counted_by_runs_are_those_counted_one_by_one(sample: str) -> None:
    """A text holding CJK is counted as its CJK characters and the words between them (each
    run of CJK made a space): CJK next to punctuation, letters and every kind of space."""
    assert plain.word_count.__wrapped__(sample) == plain.slow_word_count(sample)


@settings(max_examples=2000, derandomize=True, database=None)
@given(WORDY)
def test_punctuation_words_are_found_where_the_pattern_as_written_found_them(sample: str) -> None:
    found = [m.span() for m in plain._PUNCT_WORD.finditer(sample)]
    assert found == [m.span() for m in _PUNCT_WORD_AS_WRITTEN.finditer(sample)]


def test_every_latin_1_character_counts_as_it_did() -> None:
    for code in range(256):
        for sample in (chr(code), f"a{chr(code)}b", f"a {chr(code)} b", f"{chr(code)}a\u00e9"):
            assert plain.word_count.__wrapped__(sample) == plain.slow_word_count(sample), sample


def test_counts_of_a_realistic_corpus_and_of_hostile_runs(tmp_path: Path) -> None:
    generate(tmp_path / "articles", 8, realistic=True)
    texts = [p.read_text(encoding="utf-8") for p in sorted(tmp_path.rglob("*.md"))]
    texts += ["!" * 200_000, "a!" * 100_000, "\u3001" * 100_000]
    for sample in texts:
        assert plain.word_count.__wrapped__(sample) == plain.slow_word_count(sample)
        assert plain.char_count.__wrapped__(sample) == sum(1 for c in sample if not c.isspace())


def _encode_field_by_field(value: Any, leave_out: frozenset[str] = frozenset()) -> Any:
    """`codec._encode` as it was: each value's fields asked of `dataclasses`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {
            f.name: _encode_field_by_field(getattr(value, f.name), leave_out)
            for f in dataclasses.fields(value)
            if f.name not in leave_out
        }
        if isinstance(value, Variant) and value.published is None:
            del data["published"]  # left out while unset (`codec._LEFT_OUT_UNSET`)
        for name in ("rights", "animation", "decorative"):  # the same
            if isinstance(value, Image) and getattr(value, name) is None:
                del data[name]
        data["@"] = type(value).__name__
        return data
    if isinstance(value, tuple | list):
        return [_encode_field_by_field(v, leave_out) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _to_data_field_by_field(value: Any) -> Any:
    """`formats.model.writer.to_data` as it was."""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, SourceRef):
        return str(SourceRef(model_writer._story_relative(value.path), value.line))
    if isinstance(value, Localized):
        return dict(value.values)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {
            f.name: _to_data_field_by_field(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in model_writer._LOCAL_FIELDS
        }
        if isinstance(value, Variant) and value.published is None:
            del data["published"]  # the story's, said once
        for name in ("animation", "decorative"):  # an editor's word, where given
            if isinstance(value, Image) and getattr(value, name) is None:
                del data[name]
        if type(value) in model_writer._BODY_TYPES:
            data["node"] = type(value).__name__
        return data
    if isinstance(value, tuple | list):
        return [_to_data_field_by_field(v) for v in value]
    return value


def test_stories_encoded_with_cached_field_names_as_field_by_field(
    tmp_path: Path, sample_stories: list[Story]
) -> None:
    site = make_site(tmp_path / "site", 12)
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    stories = [*sample_stories, *read_articles(site / "articles", config, Diagnostics())]
    assert len(stories) > 12
    first, *others = stories[0].variants  # a translation with its own `published`
    later = replace(first, published=stories[0].published + timedelta(days=1))
    stories.append(replace(stories[0], variants=(later, *others)))
    for story in stories:
        assert codec._encode(story) == _encode_field_by_field(story)
        unrelated = codec._UNRELATED
        assert codec._encode(story, unrelated) == _encode_field_by_field(story, unrelated)
        assert model_writer.to_data(story) == _to_data_field_by_field(story)
        assert codec.loads(codec.dumps(story)) == story


_ODD_FLOATS = (1e16, -1e-05, 0.0001, -0.0, 5e-324, 1.5e300, 48.8566, float("nan"), float("inf"))


def _stories_with_odd_places(tmp_path: Path, sample_stories: list[Story], seed: int) -> list[Story]:
    """The sample and a generated corpus in every language, and each of them again with
    three places more whose coordinates (`_ODD_FLOATS`, drawn by `seed`) msgspec alone would
    write otherwise."""
    site = make_site(tmp_path / "site", 12)
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    stories = [*sample_stories, *read_articles(site / "articles", config, Diagnostics())]
    rnd = random.Random(seed)
    for story in list(stories):
        places = tuple(
            Place(Localized((("en", f"Place {n}"),)), "FR", (rnd.choice(_ODD_FLOATS), 2.5))
            for n in range(3)
        )
        stories.append(replace(story, places=(*story.places, *places)))
    return stories


def test_stories_stored_by_msgspec_are_the_standard_library_s_compact_json(
    tmp_path: Path, sample_stories: list[Story]
) -> None:
    """`codec.dumps` (what the build state keeps of each story) writes with msgspec the bytes
    `json.dumps` wrote: the sample and a generated corpus in every language, and places whose
    coordinates msgspec alone would write otherwise (`1e16`, `0.00001`, NaN as null)."""
    for story in _stories_with_odd_places(tmp_path, sample_stories, seed=29):
        compact = json.dumps(codec._encode(story), ensure_ascii=False, separators=(",", ":"))
        assert codec.dumps(story) == compact.encode("utf-8")


class _SafeText(str):
    """A CMS's "safe" text (as `markupsafe.Markup`, Django's `SafeString`): a str subclass."""

    def __str__(self) -> str:
        return "not what json.dumps writes"


class _Coordinate(float):
    """A coordinate of numpy's (`numpy.float64`): a float subclass, its own repr."""

    def __repr__(self) -> str:
        return f"_Coordinate({float(self)!r})"


class _Version(int):
    """A number of a program's own type (an `IntEnum`'s): an int subclass."""

    def __repr__(self) -> str:
        return "not a number"


_any_text = st.text(st.characters(codec=None, exclude_categories=("Cs",))) | st.sampled_from(
    ["\u2028\u2029\x7f", '"\\/<>&\x00\x1f', "\U0001f600\U00010348"]
)
_any_float = st.floats() | st.sampled_from(_ODD_FLOATS)


_any_story_parts = st.fixed_dictionaries(
    {
        "headline": st.one_of(_any_text, _any_text.map(_SafeText)),
        "keywords": st.lists(st.one_of(_any_text, _any_text.map(_SafeText)), max_size=3),
        "coordinates": st.tuples(
            st.one_of(_any_float, _any_float.map(_Coordinate), st.integers(), st.booleans()),
            st.one_of(_any_float, st.integers(min_value=-(2**70), max_value=2**70)),
        ),
        "version": st.one_of(
            st.integers(min_value=1, max_value=2**80), st.integers(1, 9).map(_Version)
        ),
        "updated": st.datetimes(timezones=st.timezones()),
    }
)
"""A story's parts of any value a program may give: texts of every character and of a CMS's
safe text, numpy's floats, numbers past 64 bits, NaN and infinite coordinates, any zone."""


def _story_with(
    story: Story,
    headline: str,
    keywords: list[str],
    coordinates: tuple[float, float],
    version: int,
    updated: datetime,
) -> Story:
    """`story` with these parts (`_any_story_parts`): its first variant's headline, keywords
    and time, one place named by the headline at the coordinates, and its version."""
    first, *others = story.variants
    variant = replace(first, headline=headline, keywords=tuple(keywords), updated=updated)
    place = Place(Localized((("en", headline),)), "FR", coordinates)
    return replace(story, variants=(variant, *others), places=(place,), version=version)


@settings(max_examples=150, deadline=None)
@given(parts=_any_story_parts)
def test_any_story_stored_by_msgspec_is_the_standard_library_s_compact_json(
    sample_story: Story, parts: dict[str, Any]
) -> None:
    """`codec.dumps` writes the bytes `json.dumps` wrote of any story, also one given by a
    program (`export(stories=...)`, which checks nothing) whose texts, numbers or coordinates
    are of subclasses of str, int or float, which msgspec alone refuses: a CMS's safe text,
    numpy's floats."""
    story = _story_with(sample_story, **parts)
    compact = json.dumps(codec._encode(story), ensure_ascii=False, separators=(",", ":"))
    assert codec.dumps(story) == compact.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(parts=_any_story_parts)
def test_any_story_s_digest_is_that_of_the_standard_library_s_json(
    sample_story: Story, parts: dict[str, Any]
) -> None:
    """`codec.content_digest` (msgspec's sorted JSON spaced by `msgspec.json.format`) is the
    digest of `json.dumps(..., sort_keys=True)` of any story: texts of every character, a
    CMS's safe text, numpy's floats, numbers past 64 bits, and NaN and infinite coordinates,
    which are no JSON (those go through `json.dumps`)."""
    story = _story_with(sample_story, **parts)
    assert codec.content_digest(story) == codec.slow_content_digest(story)


def test_stories_digests_are_those_of_the_standard_library_s_json(
    tmp_path: Path, sample_stories: list[Story]
) -> None:
    """The sample and a generated corpus in every language, with places of odd coordinates:
    the same digest by msgspec as by `json.dumps` (a story's history compares them)."""
    for story in _stories_with_odd_places(tmp_path, sample_stories, seed=31):
        assert codec.content_digest(story) == codec.slow_content_digest(story)


def _decode_hint_by_hint(data: Any, hint: Any) -> Any:
    """`codec._decode` as it was: each value's type hint taken apart as it is read."""
    import types
    import typing

    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        if isinstance(data, dict):
            return _decode_hint_by_hint(data, Story)
        for option in options:
            if option is datetime and isinstance(data, str):
                return datetime.fromisoformat(data)
            if typing.get_origin(option) is tuple and isinstance(data, list):
                return _decode_hint_by_hint(data, option)
        return data
    if origin is typing.Literal or hint is Any:
        return data
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode_hint_by_hint(v, args[0]) for v in data)
        return tuple(_decode_hint_by_hint(v, a) for v, a in zip(data, args, strict=True))
    if hint is datetime:
        return datetime.fromisoformat(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        cls = codec._CLASSES[data["@"]]
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)
        return cls(
            **{
                f.name: _decode_hint_by_hint(data[f.name], hints[f.name])
                for f in fields
                if f.name in data
                or (f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            }
        )
    if hint in (str, int, float, bool) and not isinstance(data, hint):
        raise TypeError(f"expected {hint.__name__}, got {type(data).__name__}")
    return data


def _decoded(decode: Any, data: Any) -> Any:
    try:
        return decode(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return type(exc).__name__


def test_stories_read_back_by_decoders_chosen_once_as_hint_by_hint(
    tmp_path: Path, sample_stories: list[Story]
) -> None:
    """`codec.loads` reads each value by a decoder chosen once for its type: the stories that
    reading each type hint as it comes gave, and the same refusals of stored data changed
    (a field of another type, a class unknown, a field missing, a list for a text)."""
    site = make_site(tmp_path / "site", 8)
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    stories = [*sample_stories, *read_articles(site / "articles", config, Diagnostics())]
    rnd = random.Random(12)
    cases = []
    for story in stories:
        data = json.loads(codec.dumps(story))
        cases.append(data)
        for _ in range(30):
            changed = copy.deepcopy(data)
            node: Any = changed
            while True:
                keys = list(node) if isinstance(node, dict) else list(range(len(node)))
                if not keys:
                    break
                key = rnd.choice(keys)
                if isinstance(node[key], dict | list) and node[key] and rnd.random() < 0.8:
                    node = node[key]
                    continue
                choice = rnd.random()
                if choice < 0.15 and isinstance(node, dict):
                    del node[key]
                else:
                    node[key] = rnd.choice(
                        [None, 5, 1.5, "x", "2026-01-01T00:00:00", [], ["x"], {"@": "Nope"}]
                    )
                break
            cases.append(changed)
    fast = [_decoded(lambda d: codec._decode(d, Story), data) for data in cases]
    slow = [_decoded(lambda d: _decode_hint_by_hint(d, Story), data) for data in cases]
    assert sum(isinstance(outcome, str) for outcome in slow) > len(cases) // 4
    assert fast == slow
    for story in stories:
        assert codec.loads(codec.dumps(story)) == story


def test_a_story_stored_before_a_field_was_added_reads_back(sample_stories: list[Story]) -> None:
    """A build state written by an older syndicate lacks the fields added since (here the
    headline's line, `headline_source`): each takes its default, so a kept story still reads
    and a --keep-going run still has it. A field with no default missing is refused."""
    story = sample_stories[0]
    data = json.loads(codec.dumps(story))
    for variant in data["variants"]:
        assert "headline_source" in variant
        del variant["headline_source"]
    old = codec.loads(json.dumps(data).encode("utf-8"))
    assert [v.headline_source for v in old.variants] == [None] * len(story.variants)
    assert old == story  # (where a story was read from is not part of what it is)
    assert codec.content_digest(old) == codec.content_digest(story)
    del data["variants"][0]["headline"]
    with pytest.raises(codec.CodecError, match="headline"):
        codec.loads(json.dumps(data).encode("utf-8"))


def _page_bytes_with_lxml_html(markup: str) -> bytes:
    """`templating.page_bytes` as it was: lxml.html's element classes, the slow walk."""
    root = lxml_html.document_fromstring(markup)
    templating.slow_normalise_space(root)
    page = etree.tostring(
        root, method="html", encoding="unicode", doctype=templating.DOCTYPE, pretty_print=True
    )
    return str(page).encode("utf-8")


TRICKY_PAGES = [
    "<html><head>\n<title>\n</title>\n<!-- c -->\n<style>\n</style></head><body>\n"
    "<p>a\n<em>b</em>\n<!-- x -->\n<strong>c</strong>\n</p>\n<pre>\n<code>\n</code>\n</pre>\n"
    "<p>\u00a0\n<b>x</b>\u3000\n<i>y</i>\n\u00a0</p><?pi x?>\n<div>\n<span>\n</span>\n</div>"
    "<h2>t\n<a href='#'>l</a>\n\n<a>m</a>\n</h2><textarea>\n\n</textarea>\n</body></html>",
    "<p>only a paragraph\n<b>x</b>\n</p>",
    "text alone\n",
]


def test_pages_normalised_as_lxml_html_did(sample_stories: list[Story], tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 6)
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    stories = read_articles(site / "articles", config, Diagnostics())
    markups = list(TRICKY_PAGES)
    original = templating._page_bytes  # (what `render_page` calls, its text encoded once)

    def keep(markup: str, data: bytes | None, base: str | None, here: str | None) -> bytes:
        markups.append(markup)  # (a section page's `<base>` and own path passed through)
        return original(markup, data, base, here)

    writer = HtmlWriter()
    ctx = _context(writer, config, config.languages, _InMemory(stories))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(templating, "_page_bytes", keep)
        for story in stories:
            list(writer.story_files(story, ctx))
        list(writer.collection_files([StorySummary.of(s) for s in stories], ctx))
    assert len(markups) > 20
    for markup in markups:
        assert templating.page_bytes(markup) == _page_bytes_with_lxml_html(markup), markup


_TEXT_PARSER = etree.HTMLParser()


def _page_bytes_from_text(markup: str, base: str | None, here: str | None) -> tuple[bytes, list]:
    """`templating.page_bytes` as it was until the twenty-eighth round: the page's `str`
    handed to lxml (which gives libxml2 the string's own buffer to convert), serialised to a
    `str` and encoded; with what the parser said of it."""
    root = etree.fromstring(markup, _TEXT_PARSER)
    said = [(e.line, e.column, e.type_name, e.level, e.message) for e in _TEXT_PARSER.error_log]
    if root is None:
        raise etree.ParserError("Document is empty")
    fatal = [e for e in _TEXT_PARSER.error_log if e.level == etree.ErrorLevels.FATAL]
    if fatal:
        raise templating._Unreadable(fatal[0].message.strip())
    if base is not None:
        templating._set_base(root, base, here)
    voids = templating._empty_voids(root)
    templating._normalise_space(root)
    kept = templating._set_raw_text_aside(root, markup) if voids else []
    page = etree.tostring(
        root, method="html", encoding="unicode", doctype=templating.DOCTYPE, pretty_print=True
    )
    if voids:
        for end in templating._NEW_VOID_ENDS:
            page = page.replace(end, "")
        for mark, text in kept:
            page = page.replace(mark, text, 1)
    return page.encode("utf-8"), said


_PIECES = [
    "<!DOCTYPE html>", "<html lang='ar' dir='rtl'>", "<head>", "</head>", "<body>",
    "</body>", "</html>", "<meta charset='utf-8'>", "<meta charset='iso-8859-1'>",
    "<meta http-equiv='Content-Type' content='text/html; charset=windows-1252'>",
    "<title>", "</title>", "<p>", "</p>", "<b>", "</b>", "<i>", "</i>", "<div>", "</div>",
    "<span>", "</span>", "<h2>", "</h2>", "<pre>", "</pre>", "<textarea>", "</textarea>",
    "<script type='application/ld+json'>", "</script>", "<style>", "</style>", "<wbr>",
    "<embed src='x'>", "</embed>", "</wbr>", "<source>", "<br>", "<img alt='a \"q\"'>",
    "<a href='#top'>", "<a href='x y.html?a=1&amp;b=é'>", "</a>", "<!-- c -- d -->",
    "<!-->", "<?pi x?>", "]]>", "<![CDATA[x]]>", "</scr", "ipt>", "&amp;", "&nbsp;",
    "&#0;", "&#x80;", "&#xD800;", "&unknown;", "&lt", "\ufeff", "\ud800", "\r\n", "\r",
    "\n", " ", "\n  \n", "\u3000\n", "\u00a0", "\x00", "\x0c", "\x1f", "\x7f",
    "\x85", "\u200f", "\u202e", "\ufffe", "\U0001f600", "\u4e2d\u6587", "عربي",
    "\u00e9", "caf\u00e9", "x",
]  # fmt: skip
"""Markup, texts and characters a page may hold, in any order."""
_MARKUP = st.lists(
    st.sampled_from(_PIECES)
    | st.text(st.characters(codec=None, exclude_categories=("Cs",)), max_size=8),
    max_size=40,
).map("".join)


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(_MARKUP, st.sampled_from([(None, None), ("../", None), ("../", "en/politics.html")]))
def test_a_page_parsed_and_written_as_utf_8_is_the_page_parsed_and_written_as_text(
    markup: str, place: tuple[str | None, str | None]
) -> None:
    """`page_bytes` hands libxml2 the page's UTF-8 bytes and has lxml write UTF-8 bytes:
    the bytes, and what the parser says of the markup (`_mended`, the fatal errors), that
    the page's `str` parsed and written as a `str` gave, for any markup a template renders
    (BOMs, charsets declared otherwise, control characters, lone surrogates, CJK, RTL,
    HTML5 void elements, CDATA's and comments' ends, script ends cut in two)."""
    base, here = place
    try:
        expected: Any = _page_bytes_from_text(markup, base, here)
    except (etree.ParserError, ValueError) as exc:  # (lxml refuses to set a C0 control's text)
        expected = repr(exc)
    try:
        page = templating.page_bytes(markup, base, here)
        said = templating._PARSER.error_log
        got: Any = (page, [(e.line, e.column, e.type_name, e.level, e.message) for e in said])
    except (etree.ParserError, ValueError) as exc:
        got = repr(exc)
    assert got == expected


def _image_outcome(data: bytes) -> Any:
    try:
        facts = images.inspect_image(data)
    except images.ImageProblem as exc:
        return ("problem", str(exc))
    return (facts.width, facts.height, facts.pixels, facts.notes)


def test_jpegs_decoded_in_draft_mode_fail_where_whole_decoding_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path / "articles", 3, realistic=True)
    photo = next((tmp_path / "articles").rglob("*.jpg")).read_bytes()
    pixels = PILImage.open(io.BytesIO(photo))
    samples = [photo]
    for mode, progressive in [("L", False), ("CMYK", False), ("RGB", True)]:
        buffer = io.BytesIO()
        pixels.convert(mode).save(buffer, format="JPEG", progressive=progressive)
        samples.append(buffer.getvalue())
    rnd = random.Random(16)
    cases = []
    for data in samples:
        cases.append(data)
        cases += _cut_and_changed(data, rnd, range(1, 12, 2), cuts=40, changes=40, most=4)
    fast = [_image_outcome(data) for data in cases]
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    slow = [_image_outcome(data) for data in cases]
    assert sum("truncated" in str(outcome) for outcome in slow) > 50
    assert fast == slow


def _jpeg_layouts(photo: bytes) -> list[bytes]:
    """The same picture saved as JPEG in the layouts cameras and editors write: grey, CMYK,
    progressive, with restart markers, without chroma subsampling, optimized tables, EXIF
    turned, a comment, an ICC profile."""
    pixels = PILImage.open(io.BytesIO(photo)).resize((400, 225))
    exif = PILImage.Exif()
    exif[0x0112] = 6
    layouts: list[tuple[str, dict[str, Any]]] = [
        ("RGB", {}),
        ("L", {}),
        ("CMYK", {}),
        ("RGB", {"progressive": True}),
        ("RGB", {"restart_marker_blocks": 3}),
        ("RGB", {"restart_marker_rows": 1, "progressive": True}),
        ("RGB", {"subsampling": 0, "quality": 95, "optimize": True}),
        ("RGB", {"exif": exif.tobytes(), "comment": b"caption", "icc_profile": b"x" * 300}),
    ]
    samples = [photo]
    for mode, kwargs in layouts:
        buffer = io.BytesIO()
        pixels.convert(mode).save(buffer, format="JPEG", **kwargs)
        samples.append(buffer.getvalue())
    return samples


def test_jpegs_checked_without_their_pixels_fail_where_whole_decoding_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`jpeg_is_whole` decodes a JPEG's marker segments without its scans' data: the facts
    and the problems are the ones a whole decode finds, for JPEGs damaged the ways that
    matter here: marker segments changed (tables, frame and scan headers), markers planted
    in the entropy-coded data (a table, a scan, an early end, a restart, an unknown one),
    files cut short, bytes changed anywhere. The fast way is taken for every intact layout
    and for many of the damaged (whose pixels are only drawn wrong)."""
    generate(tmp_path / "articles", 2, realistic=True)
    photo = next((tmp_path / "articles").rglob("*.jpg")).read_bytes()
    rnd = random.Random(35)
    cases = []
    for data in _jpeg_layouts(photo):
        assert images.jpeg_is_whole(data)
        scan = data.index(b"\xff\xda") + 14
        for _ in range(25):
            damaged = bytearray(data)
            for _ in range(rnd.randint(1, 2)):
                damaged[rnd.randrange(scan)] = rnd.randrange(256)
            cases.append(bytes(damaged))
        for marker in [0xC4, 0xDB, 0xDD, 0xDA, 0xD9, 0xC0, 0xE1, 0xFE, 0xD3, 0x01, 0xFF, 0x9A]:
            planted = bytearray(data)
            at = rnd.randrange(scan, len(data) - 2)
            planted[at : at + 2] = bytes([0xFF, marker])
            cases.append(bytes(planted))
        cases += _cut_and_changed(data, rnd, range(1, 6, 2), cuts=8, changes=12, most=4)
    taken = sum(images.jpeg_is_whole(data) for data in cases)
    fast = [_image_outcome(data) for data in cases]
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    slow = [_image_outcome(data) for data in cases]
    assert taken > len(cases) // 4
    assert sum("problem" in str(outcome) for outcome in slow) > len(cases) // 4
    assert fast == slow


def test_jpegs_checked_in_a_shrunk_frame_fail_where_whole_decoding_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`jpeg_is_whole` decodes the hollow file in a frame of at most 16x16 (`_shrunk_frame`):
    for JPEGs of every size about it, every sampling and layout, and frame headers whose
    size was changed to one libjpeg refuses (zero, past 65,500) or to any other, the facts
    and the problems are those of a whole decode; and the frame a 1600x900 photo's hollow
    file holds is 16x16 (decoding it at its own size was 5.6 million instructions)."""
    generate(tmp_path / "articles", 2, realistic=True)
    photo = next((tmp_path / "articles").rglob("*.jpg")).read_bytes()
    hollow = images._jpeg_markers(photo)
    assert hollow is not None
    sof = hollow.index(b"\xff\xc0")
    assert struct.unpack(">HH", hollow[sof + 5 : sof + 9]) == (16, 16)
    assert PILImage.open(io.BytesIO(photo)).size == (1600, 900)
    pixels = PILImage.open(io.BytesIO(photo)).convert("RGB")
    rnd = random.Random(31)
    cases = []
    sizes = [(1, 1), (3, 5), (8, 8), (15, 17), (16, 16), (17, 1), (33, 250), (600, 7)]
    for size in sizes:
        for kwargs in [{}, {"subsampling": 0}, {"progressive": True}, {"restart_marker_blocks": 1}]:
            buffer = io.BytesIO()
            pixels.resize(size).save(buffer, format="JPEG", **kwargs)
            data = buffer.getvalue()
            assert images.jpeg_is_whole(data)
            cases.append(data)
            at = min(data.find(m) % len(data) for m in (b"\xff\xc0", b"\xff\xc2")) + 5
            for side in (0, 1, 2, 15, 16, 17, 4096, 65500, 65501, 65535):
                for offset in (0, 2):
                    changed = bytearray(data)
                    changed[at + offset : at + offset + 2] = side.to_bytes(2)
                    cases.append(bytes(changed))
            changed = bytearray(data)
            changed[at + rnd.randrange(4)] = rnd.randrange(256)
            cases.append(bytes(changed))
    fast = [_image_outcome(data) for data in cases]
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    slow = [_image_outcome(data) for data in cases]
    assert sum("problem" in str(outcome) for outcome in slow) > len(sizes)
    assert fast == slow


def test_jpegs_of_odd_frames_checked_in_a_shrunk_frame_fail_where_whole_decoding_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The frame `_shrunk_frame` gives the hollow file keeps what libjpeg checks of it for
    every kind of frame, not only a colour photo's: grey, CMYK and YCCK (Adobe's transform 2)
    photos; sampling factors libjpeg refuses or cannot scale (3x1, 4x4, 0, 5) and components
    sharing an id; precisions other than 8 (12-bit included), component counts changed, and
    the frame's kind changed to extended, lossless and arithmetic-coded; each at sizes below,
    at and above 16. The facts and problems are those of a whole decode."""
    base = PILImage.effect_mandelbrot((96, 64), (-2, -1.2, 1, 1.2), 40).convert("RGB")
    cases = []
    for size in [(5, 3), (16, 16), (40, 24), (300, 17)]:
        for mode in ("RGB", "L", "CMYK"):
            for kwargs in [{}, {"progressive": True}, {"restart_marker_blocks": 1}]:
                buffer = io.BytesIO()
                base.resize(size).convert(mode).save(buffer, format="JPEG", **kwargs)
                data = buffer.getvalue()
                assert images.jpeg_is_whole(data)
                at = min(data.find(m) % len(data) for m in (b"\xff\xc0", b"\xff\xc2"))
                edits = [(at + 1, kind) for kind in (0xC1, 0xC3, 0xC9)]
                edits += [(at + 4, precision) for precision in (0, 7, 12, 16)]
                edits += [(at + 9, count) for count in (0, 2, 4, 5)]
                for component in range(data[at + 9]):
                    spot = at + 11 + 3 * component
                    edits += [(spot, factors) for factors in (0x31, 0x13, 0x44, 0x41, 0x00, 0x51)]
                    edits.append((spot - 1, data[at + 10]))  # (the first component's id)
                if (adobe := data.find(b"Adobe")) >= 0:
                    edits += [(adobe + 11, transform) for transform in (0, 1, 2, 3)]
                cases.append(data)
                for spot, value in edits:
                    changed = bytearray(data)
                    changed[spot] = value
                    cases.append(bytes(changed))
    fast = [_image_outcome(data) for data in cases]
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    slow = [_image_outcome(data) for data in cases]
    assert sum("problem" in str(outcome) for outcome in slow) > len(cases) // 4
    assert fast == slow


def _multi_pictures(photo: bytes) -> list[bytes]:
    """Multi-picture JPEGs (MPO) as phones and 3D cameras write them: a photo and a second
    view; the two views and a smaller grey depth map, progressive; and the first of these with
    a place in its second view's EXIF, added after Pillow wrote its MP index (whose sizes
    are then off: that picture is decoded, not walked)."""
    view = PILImage.open(io.BytesIO(photo)).convert("RGB").resize((400, 225))
    other = view.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT)
    depth = view.convert("L").resize((100, 56)).convert("RGB")
    samples = []
    for more, kwargs in [([other], {}), ([other, depth], {"progressive": True})]:
        buffer = io.BytesIO()
        view.save(buffer, "MPO", save_all=True, append_images=more, **kwargs)
        samples.append(buffer.getvalue())
    exif = PILImage.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (50.0, 51.0, 1.1), 3: "W", 4: (4.0, 21.0, 6.1)})
    data = exif.tobytes()
    segment = b"\xff\xe1" + (len(data) + 8).to_bytes(2) + b"Exif\x00\x00" + data
    second = samples[0].index(b"\xff\xd8", 2) + 2
    samples.append(samples[0][:second] + segment + samples[0][second:])
    return samples


def test_multi_picture_jpegs_checked_without_their_pixels_fail_where_whole_decoding_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each picture of a multi-picture JPEG is checked by `jpeg_is_whole` (the MP index
    gives its bytes), or decoded at an eighth of its size from where it starts: the facts
    (the pictures' pixels, the place any of them gives) and the problems are those of
    decoding every picture whole, as the first reading did, for MPOs damaged in any of their
    pictures: bytes changed in a header or in the entropy-coded data, markers planted,
    files cut short anywhere."""
    generate(tmp_path / "articles", 2, realistic=True)
    photo = next((tmp_path / "articles").rglob("*.jpg")).read_bytes()
    rnd = random.Random(48)
    cases = []
    for data in _multi_pictures(photo):
        starts = [at for at in range(len(data) - 1) if data[at : at + 3] == b"\xff\xd8\xff"]
        for start in starts:
            scan = data.index(b"\xff\xda", start) + 14
            for _ in range(6):
                damaged = bytearray(data)
                damaged[rnd.randrange(start, scan)] = rnd.randrange(256)
                cases.append(bytes(damaged))
            for marker in [0xC4, 0xDA, 0xD9, 0xD8, 0xE2, 0xD3, 0xFF, 0x9A]:
                planted = bytearray(data)
                at = rnd.randrange(scan, scan + 400)
                planted[at : at + 2] = bytes([0xFF, marker])
                cases.append(bytes(planted))
        cases.append(data)
        cases += _cut_and_changed(data, rnd, range(1, 6, 2), cuts=20, changes=12, most=3)
    fast = [_image_outcome(data) for data in cases]
    locations = [images.inspect_image(data).location for data in _multi_pictures(photo)]
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    slow = [_image_outcome(data) for data in cases]
    assert locations == ["", "", "50.85031, -4.35169"]
    assert locations == [images.inspect_image(d).location for d in _multi_pictures(photo)]
    assert sum("problem" in str(outcome) for outcome in slow) > len(cases) // 4
    assert fast == slow


def test_a_multi_picture_jpeg_s_pictures_are_never_decoded_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A phone's multi-picture JPEG (a 12-megapixel photo, a second view, a depth map) was
    read by decoding each of its pictures whole: three photos' time and memory. None is
    decoded at more than an eighth of its size (its marker segments alone, or its pixels
    drafted when its layout is not the usual one), and its budget still counts the pixels
    of every picture."""
    from PIL import ImageFile

    loaded: list[tuple[int, int]] = []
    load = ImageFile.ImageFile.load

    def counted(self: Any) -> Any:
        loaded.append(self.size)
        return load(self)

    views = [PILImage.new("RGB", (4000, 3000), "red"), PILImage.new("RGB", (4000, 3000), "blue")]
    views.append(PILImage.new("RGB", (1000, 750), "grey"))
    buffer = io.BytesIO()
    views[0].save(buffer, "MPO", save_all=True, append_images=views[1:])
    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    facts = images.inspect_image(buffer.getvalue())
    assert (facts.width, facts.height, facts.pictures) == (4000, 3000, 3)
    assert facts.pixels == 2 * 4000 * 3000 + 1000 * 750
    assert loaded and all(w <= 500 and h <= 375 for w, h in loaded), loaded


def _mp_indexed(pictures: list[bytes], entries: list[tuple[int, int]], tail: bytes = b"") -> bytes:
    """A multi-picture JPEG written by hand: `pictures` one after the other (the first given
    an MP index), whose MP index lists `entries` as they are (size, offset from the index),
    true or not, then `tail`."""
    raw = b"".join(
        struct.pack("<LLLHH", 0x20030000 if not at else 0x20002, size, offset, 0, 0)
        for at, (size, offset) in enumerate(entries)
    )
    ifd = struct.pack("<HHHL4s", 3, 0xB000, 7, 4, b"0100")
    ifd += struct.pack("<HHLLHHLLL", 0xB001, 4, 1, len(entries), 0xB002, 7, len(raw), 50, 0)
    body = b"MPF\x00II*\x00" + struct.pack("<L", 8) + ifd + raw
    first = pictures[0][:2] + b"\xff\xe2" + struct.pack(">H", len(body) + 2) + body
    return first + pictures[0][2:] + b"".join(pictures[1:]) + tail


def test_multi_picture_jpegs_of_hostile_mp_indexes_fail_as_whole_decoding_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An MP index is the file's word, not a fact: offsets past the end or into the first
    picture, a picture that is a PNG or no picture, sizes that lie (none, too short, past the
    end), a picture over the budget, a thousand entries for one picture. Each is refused or
    taken as decoding every picture whole does, and the bytes are never copied (a copy of the
    rest of the file a picture, 4,000 pictures of a 20 MB file took a minute and 20 MB)."""
    import tracemalloc

    def jpeg(size: tuple[int, int], **kwargs: Any) -> bytes:
        buffer = io.BytesIO()
        PILImage.new("RGB", size, "teal").save(buffer, "JPEG", **kwargs)
        return buffer.getvalue()

    photo, tiny, big = jpeg((64, 48)), jpeg((1, 1), progressive=True), jpeg((8000, 6000))
    png = io.BytesIO()
    PILImage.new("RGB", (8, 8)).save(png, "PNG")
    first = len(photo) + 58 + 16 * 2  # (the first picture's size, its MP index of 2 entries)
    at = first - 10  # (the second's offset: the MP index starts 10 bytes in)
    many = 1000
    at_many = len(photo) + 58 + 16 * many - 10
    pad = b"\x00" * (8 << 20)
    cases = [
        _mp_indexed([photo, tiny], [(first, 0), (len(tiny), at)]),
        _mp_indexed([photo, tiny], [(first, 0), (len(tiny), 10**9)]),
        _mp_indexed([photo, tiny], [(first, 0), (len(tiny), 40)]),
        _mp_indexed([photo, tiny], [(first, 0), (len(tiny), at - 200)]),
        _mp_indexed([photo, png.getvalue()], [(first, 0), (len(png.getvalue()), at)]),
        _mp_indexed([photo, b"\xff\xd8\xff" + bytes(60)], [(first, 0), (63, at)]),
        _mp_indexed([photo, big], [(first, 0), (len(big), at)]),
        _mp_indexed([photo, tiny[:-30]], [(first, 0), (len(tiny), at)]),
        *(
            _mp_indexed([photo, tiny], [(first, 0), (size, at)], b"\xff\xd9" * 3)
            for size in (0, 1, len(tiny) - 2, len(tiny) + 2, 2**32 - 1)
        ),
        _mp_indexed([photo, tiny], [(at_many + 10, 0)] + [(len(tiny), at_many)] * (many - 1), pad),
        _mp_indexed([photo, tiny], [(at_many + 10, 0)] + [(2**32 - 1, at_many)] * (many - 1), pad),
    ]
    fast = []
    for data in cases:
        tracemalloc.start()
        fast.append(_image_outcome(data))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 4 << 20, (fast[-1], peak)
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    slow = [_image_outcome(data) for data in cases]
    assert [outcome[0] == "problem" for outcome in slow] == [False] + [True] * 7 + [False] * 7

    def kind(outcome: Any) -> Any:  # (a damaged file's reason is Pillow's, met elsewhere)
        if outcome[0] != "problem" or "damaged" not in outcome[1]:
            return outcome
        return (outcome[0], outcome[1].partition(" (")[0])

    assert [kind(outcome) for outcome in fast] == [kind(outcome) for outcome in slow]


def test_a_multi_picture_jpeg_s_mp_indexes_are_read_once_not_a_picture(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each picture of a multi-picture JPEG may carry an MP index of its own, of up to 4,000
    entries: checked without its pixels (`jpeg_is_whole`), a picture had its index read again,
    as decoding never reads it, so 1,000 entries for one picture that held 1,000 more took
    72 s (decoding them whole, 0.9 s). The file's index is read once, when it is opened."""
    from PIL import JpegImagePlugin

    many = 200
    tiny = io.BytesIO()
    PILImage.new("RGB", (1, 1), "teal").save(tiny, "JPEG")
    photo = io.BytesIO()
    PILImage.new("RGB", (64, 48), "teal").save(photo, "JPEG")
    first = len(photo.getvalue()) + 58 + 16 * many
    inner = _mp_indexed([tiny.getvalue()], [(len(tiny.getvalue()), 0)] * many)
    data = _mp_indexed(
        [photo.getvalue(), inner], [(first, 0)] + [(len(inner), first - 10)] * (many - 1)
    )
    read = JpegImagePlugin._getmp
    calls: list[int] = []

    def counted(image: Any) -> Any:
        calls.append("mp" in image.info)  # (else there is no index to read)
        return read(image)

    monkeypatch.setattr(JpegImagePlugin, "_getmp", counted)
    facts = images.inspect_image(data)
    assert (facts.width, facts.height, facts.pictures) == (64, 48, many)
    assert facts.pixels == 64 * 48 + many - 1
    assert sum(calls) == 1, sum(calls)
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    assert images.inspect_image(data) == facts


def test_images_decoded_before_give_the_same_facts_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An image whose bytes a story's last reading decoded without a problem (`decoded`) is
    not decoded again when it is a JPEG, GIF or WebP: the same facts (displayed size after
    its EXIF orientation, frames, digest), from its header; a PNG goes its usual way. The
    pixel budget is still checked."""
    generate(tmp_path / "articles", 3, realistic=True)
    photo = PILImage.open(next((tmp_path / "articles").rglob("*.jpg"))).convert("RGB")
    samples: dict[str, bytes] = {}
    exif = PILImage.Exif()
    exif[0x0112] = 6  # turned a quarter: displayed with width and height swapped
    for name, kwargs in [
        ("JPEG", {}),
        ("JPEG", {"exif": exif.tobytes(), "progressive": True}),
        ("WEBP", {"exif": exif.tobytes()}),
        ("PNG", {}),
    ]:
        buffer = io.BytesIO()
        photo.save(buffer, format=name, **kwargs)
        samples[f"{name}{len(samples)}"] = buffer.getvalue()
    frames = [photo.resize((40, 30)).quantize(), photo.resize((40, 30)).rotate(90).quantize()]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    samples["GIF"] = buffer.getvalue()
    checked = {name: images.inspect_image(data) for name, data in samples.items()}
    assert checked["JPEG1"].width == photo.height and checked["GIF"].pixels == 40 * 30 * 2

    def no_decoding(img: object, frames: int, data: bytes) -> bool:
        raise AssertionError("decoded again")

    monkeypatch.setattr(images, "_decode", no_decoding)
    for name, data in samples.items():
        if name.startswith("PNG"):
            continue
        assert images.inspect_image(data, decoded=True) == checked[name], name
        with pytest.raises(images.ImageProblem, match="pixels"):
            images.inspect_image(data, checked[name].pixels - 1, decoded=True)
    monkeypatch.undo()
    assert images.inspect_image(samples["PNG3"], decoded=True) == checked["PNG3"]


def test_the_facts_an_image_check_remembers_are_the_facts_it_found(tmp_path: Path) -> None:
    """What a story's reading keeps with an image's passed check (`ImageFacts.remembered`)
    gives back, for the same bytes, the facts the check found (displayed size after the
    EXIF orientation, frames, digest): a later reading takes them without opening the
    image. A word that is not such facts gives nothing, and the image is checked."""
    generate(tmp_path / "articles", 3, realistic=True)
    photo = PILImage.open(next((tmp_path / "articles").rglob("*.jpg"))).convert("RGB")
    exif = PILImage.Exif()
    exif[0x0112] = 6
    samples = []
    for name, kwargs in [("JPEG", {"exif": exif.tobytes()}), ("PNG", {}), ("WEBP", {})]:
        buffer = io.BytesIO()
        photo.save(buffer, format=name, **kwargs)
        samples.append(buffer.getvalue())
    buffer = io.BytesIO()
    frames = [photo.resize((40, 30)).quantize(), photo.resize((40, 30)).rotate(90).quantize()]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    samples.append(buffer.getvalue())
    for data in samples:
        facts = images.inspect_image(data)
        word = facts.remembered()
        assert word.split() == [word]
        assert images.ImageFacts.recalled(word, data, facts.sha256) == facts
    assert images.inspect_image(samples[0]).width == photo.height
    for word in ("", "image/png", "image/png,1,2", "image/tiff,1,2,2", "image/png,a,2,2"):
        assert images.ImageFacts.recalled(word, samples[1], "0" * 64) is None


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


def test_images_and_folders_found_by_their_parts_are_what_resolving_finds(
    tmp_path: Path,
) -> None:
    """An image whose every part is a plain folder or file is found by one `lstat` a part,
    and a story folder that is not a link by the articles folder's listing: the same real
    paths, signatures, hashes and refusals as resolving each from the file system's root. A
    link anywhere (a folder of images, the image, the story folder) takes resolving's way."""
    import os

    from syndicate.build.inputs import folder_inputs
    from syndicate.readers.safefile import Refused, digest_seen, status_checked
    from syndicate.readers.storyfiles import StoryFiles

    articles = tmp_path / "articles"
    folder = articles / "story"
    (folder / "images" / "deep").mkdir(parents=True)
    (folder / "story.yaml").write_text("id: x\n", encoding="utf-8")
    outside = tmp_path / "outside"
    (outside / "pics").mkdir(parents=True)
    (outside / "secret.png").write_bytes(b"secret")
    (outside / "pics" / "p.png").write_bytes(b"p")
    (folder / "top.png").write_bytes(b"top")
    (folder / "images" / "a.png").write_bytes(b"a")
    (folder / "images" / "deep" / "b.png").write_bytes(b"b")
    (folder / "images" / "inner.png").symlink_to("a.png")
    (folder / "images" / "out.png").symlink_to(outside / "secret.png")
    (folder / "linked").symlink_to(outside / "pics", target_is_directory=True)
    (folder / "images" / "folder.png").mkdir()
    os.mkfifo(folder / "images" / "pipe.png")
    (articles / "alias").symlink_to("story", target_is_directory=True)
    (articles / "away").symlink_to(outside, target_is_directory=True)

    inputs = {source.name: source for source in folder_inputs(articles)}
    assert sorted(inputs) == ["alias", "away", "story"]
    assert inputs["story"].real == folder.resolve()
    assert inputs["alias"].real is None  # a link: resolved when it is read
    away = inputs.pop("away").files()  # leads outside: a story that cannot be read
    assert away is not None and away.problem is not None and not away.entries
    assert away.problem.code == "story.outside"

    def found(files: StoryFiles, rel: str, real: Path | None) -> object:
        try:
            status = status_checked(files.folder / rel, files.root, 1 << 20, real=real)
            return status, digest_seen(files.folder / rel, files.root, 1 << 20, real=real)
        except Refused as exc:
            return exc.code

    names = [
        "top.png",
        "images/a.png",
        "images/deep/b.png",
        "images/inner.png",
        "images/out.png",
        "linked/p.png",
        "images/folder.png",
        "images/pipe.png",
        "images/missing.png",
        "images/../top.png",
        "images//a.png",
        "./top.png",
    ]
    for source in inputs.values():
        files = source.files()
        assert files is not None and files.root == source.folder.resolve()
        plain = set()
        for rel in names:
            real = files._real(rel)
            if real is not None:
                plain.add(rel)
                assert real == (files.folder / rel).resolve(strict=True)
            assert found(files, rel, real) == found(files, rel, None), rel
        assert plain == {"top.png", "images/a.png", "images/deep/b.png"}
        assert files.unchanged({"images/a.png": _sha(b"a")})
        assert not files.unchanged({"images/out.png": _sha(b"secret")})
        with pytest.raises(Refused) as refused:
            files.image("linked/p.png")
        assert refused.value.code == "image.path"


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


@given(st.binary(max_size=5000), st.integers(0, 50), st.integers(0, 50))
def test_checksums_by_zlib_ng_are_the_system_zlib_s(data: bytes, head: int, tail: int) -> None:
    """Covers' bands and PNG chunks are checksummed by zlib-ng (a twentieth of the time) and
    images' chunks checked by it: the same Adler-32 and CRC-32 as the system zlib gives, for
    bytes and for slices of a buffer."""
    from zlib_ng import zlib_ng

    view = memoryview(data)[head : max(head, len(data) - tail)]
    for part in (data, view):
        assert zlib_ng.adler32(part) == zlib.adler32(part)
        assert zlib_ng.crc32(part) == zlib.crc32(part)


def _rle_deflated(module: Any, data: bytes) -> bytes:
    packer = module.compressobj(9, module.DEFLATED, -15, 8, module.Z_RLE)
    return bytes(packer.compress(data) + packer.flush(module.Z_SYNC_FLUSH))


@settings(max_examples=80, derandomize=True, database=None)
@given(
    st.binary(max_size=3000)
    | st.lists(st.sampled_from([0, 0, 0, 1, 7, 255]), max_size=5000).map(bytes)
    | st.builds(lambda n, b: bytes([b]) * n, st.integers(1, 100000), st.integers(0, 255))
)
def test_run_length_deflate_by_zlib_ng_is_the_system_zlib_s(data: bytes) -> None:
    """Covers' bands are deflated by zlib-ng (run-length, level 9): the bytes the system zlib
    gives, for random bytes, for the few values of a palette band, and for long runs."""
    from zlib_ng import zlib_ng

    assert _rle_deflated(zlib_ng, data) == _rle_deflated(zlib, data)


def test_covers_bands_are_deflated_as_the_system_zlib_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every band of covers in four scripts (publisher, kicker, title and date strips, and
    their thumbnails) deflates to the system zlib's bytes, and the covers with them."""
    from syndicate.formats.epub import palette_png

    rows: list[bytes] = []
    banded = palette_png.band

    def keep(image: Any, **kwargs: Any) -> Any:
        rows.append(image.tobytes())
        return banded(image, **kwargs)

    monkeypatch.setattr(covers, "band", keep)
    for text in COVERS:
        covers._draw.__wrapped__(text, tuple(DEFAULT_FONT_DIRS))  # type: ignore[attr-defined]
    from zlib_ng import zlib_ng

    assert len(rows) > 20
    for data in rows:
        assert _rle_deflated(zlib_ng, data) == _rle_deflated(zlib, data)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def _png_of(chunks: list[tuple[bytes, bytes]]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(_png_chunk(kind, body) for kind, body in chunks)


def _png_samples() -> list[bytes]:
    """The corpus's chart and 1x1 picture, and PNGs of every colour type and several depths,
    in several IDAT chunks, with text or bytes after the image data, rows too many or too few,
    and one said to be interlaced (Pillow writes none)."""
    chart_png = corpus_chart(0)
    base = PILImage.open(io.BytesIO(chart_png)).convert("RGB").resize((61, 37))
    noise = PILImage.effect_noise((300, 200), 60).convert("RGB")
    samples = [chart_png, corpus_png_1x1]
    for image, options in [
        (base, {}),
        (base.convert("L"), {}),
        (base.convert("LA"), {}),
        (base.convert("RGBA"), {}),
        (base.convert("P"), {}),
        (base.convert("P"), {"bits": 4}),
        (base.convert("1"), {}),
        (base.convert("I;16"), {}),
        (noise, {"compress_level": 0}),
    ]:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", **options)
        samples.append(buffer.getvalue())
    chunks = _png_chunks(samples[2])
    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    head = [c for c in chunks if c[0] not in (b"IDAT", b"IEND")]
    pieces = [(b"IDAT", idat[i : i + 7]) for i in range(0, len(idat), 7)]
    samples.append(_png_of([*head, *pieces, (b"IEND", b"")]))
    samples.append(_png_of([*head, (b"IDAT", idat), (b"tEXt", b"k\0v"), (b"IEND", b"")]))
    samples.append(_png_of([*head, (b"IDAT", idat), (b"IDAT", b""), (b"IEND", b"")]))
    samples.append(_png_of([*head, (b"IDAT", idat), (b"IEND", b"")]) + b"trailing")
    samples.append(_png_of([*head, (b"IDAT", idat + b"more"), (b"IEND", b"")]))
    samples.append(_png_of([*head, (b"IDAT", zlib.compress(zlib.decompress(idat) + b"\0"))]))
    samples.append(_png_of([*head, (b"IDAT", zlib.compress(zlib.decompress(idat)[:-1]))]))
    header = head[0][1][:12] + b"\x01"
    samples.append(_png_of([(b"IHDR", header), *head[1:], (b"IDAT", idat), (b"IEND", b"")]))
    return samples


def _cut_and_changed(
    data: bytes, rnd: random.Random, short: range, *, cuts: int, changes: int, most: int
) -> list[bytes]:
    """`cuts` copies of `data` cut anywhere, copies `short` bytes short, and `changes` copies
    with 1 to `most` bytes changed anywhere (drawn from `rnd` in that order)."""
    cases = [data[: rnd.randrange(len(data))] for _ in range(cuts)]
    cases += [data[: len(data) - cut] for cut in short]
    for _ in range(changes):
        damaged = bytearray(data)
        for _ in range(rnd.randint(1, most)):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        cases.append(bytes(damaged))
    return cases


def _damaged_pngs(data: bytes, rnd: random.Random) -> list[bytes]:
    """Cut anywhere; bytes changed anywhere; bytes changed in the image data with the CRCs made
    right again (so the zlib stream itself is damaged); filter types changed."""
    cases = _cut_and_changed(data, rnd, range(1, 14, 3), cuts=25, changes=20, most=3)
    chunks = _png_chunks(data)
    for _ in range(20):
        changed = []
        for kind, body in chunks:
            if kind == b"IDAT" and body:
                edited = bytearray(body)
                edited[rnd.randrange(len(edited))] = rnd.randrange(256)
                body = bytes(edited)
            changed.append((kind, body))
        cases.append(_png_of(changed))
    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    if idat:
        head = [c for c in chunks if c[0] not in (b"IDAT", b"IEND")]
        try:
            rows = bytearray(zlib.decompress(idat))
        except zlib.error:
            rows = bytearray()
        for _ in range(4 if rows else 0):
            rows[rnd.randrange(len(rows))] = rnd.choice([5, 6, 255])
            cases.append(_png_of([*head, (b"IDAT", zlib.compress(bytes(rows))), (b"IEND", b"")]))
    return cases


def test_pngs_checked_without_decoding_fail_where_whole_decoding_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rnd = random.Random(16)
    samples = _png_samples()
    cases = []
    for data in samples:
        cases.append(data)
        cases += _damaged_pngs(data, rnd)
    whole = [data for data in cases if images.png_is_whole(data)]
    fast = [_image_outcome(data) for data in cases]
    monkeypatch.setattr(images, "_decode", images.slow_decode)
    slow = [_image_outcome(data) for data in cases]
    assert len(cases) > 1000
    assert sum(str(outcome).startswith("('problem'") for outcome in slow) > 300
    assert fast == slow
    assert len(whole) > 50
    # What the check passed, Pillow decodes without a problem; the check passes every sample
    # Pillow wrote and leaves to Pillow the corpus's 1x1 picture (its zlib stream is cut after
    # the pixels: Pillow stops inflating there) and the six odd ones.
    assert all(
        not str(outcome).startswith("('problem'")
        for data, outcome in zip(cases, slow, strict=True)
        if data in whole
    )
    assert sum(data in whole for data in samples) == len(samples) - 1 - 6


def test_terms_files_read_by_libyaml_are_what_pyyaml_reads() -> None:
    """`syndicate.i18n.terms` reads its files with libyaml: the same values as PyYAML's own
    loader, for every terms file."""
    from importlib import resources

    import yaml

    from syndicate.i18n import terms

    folder = resources.files("syndicate.i18n").joinpath("terms")
    names = [p.name for p in folder.iterdir() if p.name.endswith(".yaml")]
    assert len(names) > 10
    for name in names:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        assert yaml.load(text, Loader=terms._LOADER) == yaml.safe_load(text), name
        lang = name.removesuffix(".yaml")
        assert terms._table(lang) == {str(k): str(v) for k, v in yaml.safe_load(text).items()}


def test_code_digest_lists_the_files_rglob_lists(tmp_path: Path) -> None:
    """`code_digest` walks syndicate's files with os.walk: the same files, in the same order,
    as `sorted(Path(root).rglob("*"))` with its filter (links, caches, names sorting apart
    from their paths, a broken link, a FIFO)."""
    import os

    from syndicate.build.inputs import _package_files

    root = tmp_path / "pkg"
    for rel in ("a.py", "a-b/x.py", "a/b.py", "a/b/c.txt", "A/z", "__pycache__/m.pyc"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    (root / "a" / "__pycache__").mkdir()
    (root / "a" / "__pycache__" / "n.pyc").write_text("")
    (root / ".hidden").write_text("")
    (root / "outside").mkdir()
    (root / "outside" / "f").write_text("")
    (root / "linked-dir").symlink_to(root / "outside")
    (root / "linked-file").symlink_to(root / "a.py")
    (root / "broken").symlink_to(root / "nowhere")
    os.mkfifo(root / "fifo")
    expected = [
        path.relative_to(root).as_posix()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert _package_files(str(root)) == expected
    import syndicate

    syndicate_root = Path(syndicate.__file__).parent
    assert _package_files(str(syndicate_root)) == [
        path.relative_to(syndicate_root).as_posix()
        for path in sorted(syndicate_root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]


_PATHS = ["ninjs/media/a-b/ميناء-جدة.png", "a b/c#d?e%f", "A-Z_a.z~0/9", "", "/", "é/ü"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(_PATHS))
def test_a_url_path_given_back_as_it_is_is_what_quote_gives(path: str) -> None:
    """`url_path` hands back a path of unreserved characters without quoting it: every path,
    ASCII or not, spelled as `quote(path, safe="/")` spells it."""
    from urllib.parse import quote

    from syndicate.formats.contract import url_path

    assert url_path(path) == quote(path, safe="/")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "{base_url}",
                "{slug}",
                "{lang}",
                "/",
                "x",
                "{{",
                "}}",
                "{slug!r}",
                "{lang:>4}",
                "{other}",
                ".html",
            ]
        ),
        max_size=8,
    )
)
def test_a_template_parsed_once_fills_as_parsed_each_time(pieces: list[str]) -> None:
    """`fill` takes a template's parse from a cache: the text `string.Formatter` parsing it
    on every call gave (unknown fields, format specs and conversions fill with nothing)."""
    import string

    from syndicate.model.site import fill

    template = "".join(pieces)
    fields = {"base_url": "https://example.org/", "slug": "a-b", "lang": "fr"}
    expected = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        expected.append(literal)
        if name is not None:
            expected.append(fields[name] if name in fields and not spec and not conversion else "")
    assert fill(template, **fields) == fill(template, **fields) == "".join(expected)


_TAGS = ["en", "en-GB", "fr", "fr-CA", "ar", "*", "zh-Hant-TW", "zh"]


@given(
    st.dictionaries(st.sampled_from(_TAGS), st.just("t"), max_size=5),
    st.sampled_from([t for t in _TAGS if t != "*"]),
    st.none() | st.sampled_from(["", *_TAGS]),
)
def test_the_tag_a_text_is_taken_from_is_the_first_candidate_given(
    table: dict[str, str], lang: str, fallback: str | None
) -> None:
    """`Localized.get`'s lookup, tried tag by tag: the first of the exact tag, its primary
    language, `*`, then the fallback's exact tag and primary language that the text has."""
    from syndicate.model.story import _first_given

    candidates = [lang, lang.split("-")[0], "*"]
    if fallback:
        candidates += [fallback, fallback.split("-")[0]]
    assert _first_given(table, lang, fallback) == next((t for t in candidates if t in table), None)


_LINKED = [
    b"<style", b"<STYLE", b"<style>", b"<style media='x'>", b">", b"</style>", b"</style",
    b"</STYLE>", b"url(a.css)", b"/* url(b) */", b"<styles>", b"<!-- </style> -->", b"'",
    b"\"", b"#x", b"x", b"\n", b"\xc3\xa9", b"<", b"/", b"style>",
]  # fmt: skip


@settings(max_examples=1000, derandomize=True, database=None)
@given(st.lists(st.sampled_from(_LINKED) | st.binary(max_size=4), max_size=30).map(b"".join))
def test_styles_found_by_find_are_what_the_pattern_finds(data: bytes) -> None:
    """The dead-link scan finds a page's `<style>` texts with `bytes.find`: those the
    pattern found, in its order."""
    from syndicate.build import links

    assert links._styles(data) == links._STYLE.findall(data)


def _frames_image(fmt: str, frames: int, seed: int, **save: Any) -> bytes:
    """An image of `frames` frames (different, so that no encoder merges them) in `fmt`."""
    rng = random.Random(seed)
    size = (rng.randint(1, 40), rng.randint(1, 40))
    pictures = [
        PILImage.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[misc]
        for _ in range(frames)
    ]
    out = io.BytesIO()
    if frames > 1:
        save.update(save_all=True, append_images=pictures[1:])
    if fmt == "GIF" and rng.random() < 0.5:
        save["comment"] = b"x" * rng.randint(0, 600)  # an extension of several sub-blocks
    pictures[0].save(out, fmt, **save)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP", "JPEG", "MPO"])
def test_animation_read_off_the_chunks_is_what_pillow_says(fmt: str) -> None:
    """An EPUB's animated image (its hazards unknown) is told by `is_animated` from the
    file's blocks (GIF), chunks (APNG's acTL, WebP's VP8X and ANMF) or signature (JPEG, MPO),
    without opening Pillow; it says what Pillow's `is_animated` says of every such file,
    still or animated, cut short or not."""
    from syndicate.readers.animation import is_animated

    def pillow(data: bytes) -> bool | None:
        """Pillow's answer; None where it fails on a file cut short (which the reader, that
        decodes every frame, refused before any book)."""
        try:
            with PILImage.open(io.BytesIO(data)) as picture:
                return picture.format != "MPO" and bool(getattr(picture, "is_animated", False))
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
            return None

    checked = 0
    for seed in range(40):
        for frames in (1, 2, 3):
            if fmt in ("JPEG",) and frames > 1:
                continue
            extra: dict[str, Any] = {"lossless": True} if fmt == "WEBP" else {}
            data = _frames_image(fmt, frames, seed, **extra)
            assert is_animated(data) == pillow(data), (fmt, frames, seed)
            assert is_animated(data) == (frames > 1 and fmt != "MPO"), (fmt, frames, seed)
            checked += 1
            if fmt == "GIF":  # cut short: the frames whose descriptors it holds whole
                for cut in (data[: len(data) * 2 // 3], data[: len(data) - 1]):
                    said = pillow(cut)
                    assert said is None or is_animated(cut) == said, (fmt, frames, seed, "cut")
    assert checked >= 40


def test_animation_read_off_the_chunks_agrees_with_pillow_on_odd_files_readers_accept() -> None:
    """Files the reader accepts (it decodes every frame) whose structure is unusual: a GIF
    with a stray byte between its blocks (Pillow skips it), an APNG whose image data is a
    default image outside its one-frame animation (Pillow counts two frames), an APNG with
    three acTL chunks (the second undoes the first, the third counts again, in Pillow), a
    WebP of one frame of animation with a frame's chunk after the end its RIFF header gives."""
    from syndicate.readers.animation import is_animated

    def save(frames: int, fmt: str, **options: Any) -> bytes:
        pictures = [PILImage.new("RGB", (8, 8), (i * 90, 0, 0)) for i in range(frames)]
        out = io.BytesIO()
        pictures[0].save(out, fmt, save_all=True, append_images=pictures[1:], **options)
        return out.getvalue()

    def pillow(data: bytes) -> bool:
        with PILImage.open(io.BytesIO(data)) as picture:
            for index in range(picture.n_frames):  # as the reader: every frame decodes
                picture.seek(index)
                picture.load()
            return bool(getattr(picture, "is_animated", False))

    gif = save(2, "GIF", loop=0)
    second = gif.rindex(b"\x00\x2c") + 1  # after the first frame's data, its descriptor
    png = save(3, "PNG")
    actl = png.index(b"acTL") - 4
    cases = {
        "gif, a stray byte": gif[:second] + b"\x00" + gif[second:],
        "gif, stray bytes": gif[:second] + b"\xff\xfe" + gif[second:],
        "apng, default image and one frame": save(2, "PNG", default_image=True),
        "apng, default image and two frames": save(3, "PNG", default_image=True),
        "apng, two acTL": png[:actl] + png[actl : actl + 20] * 2 + png[actl + 20 :],
        "apng, three acTL": png[:actl] + png[actl : actl + 20] * 3 + png[actl + 20 :],
    }
    webp = save(2, "WEBP")  # VP8X, ANIM, then an ANMF chunk a frame
    frames = webp.index(b"ANMF")
    second = webp.index(b"ANMF", frames + 8)
    one = webp[12:second]  # one frame of animation, and a chunk after the RIFF's end
    cases["webp, one frame, an ANMF after the RIFF"] = (
        b"RIFF" + struct.pack("<I", len(one) + 4) + b"WEBP" + one + webp[second:]
    )
    for name, data in cases.items():
        assert is_animated(data) == pillow(data), name


def _item_by_feedgen(entry: Any, dialect: Any) -> bytes:
    """An RSS item as `rss_item` made it before: feedgen's `FeedEntry.rss_entry`, repaired,
    then moved under the document's channel."""
    from syndicate.formats.feeds import feedgen_adapter as adapter
    from tests.feedgen_reference import feedgen_rss_item

    element = feedgen_rss_item(entry)
    root = etree.Element("rss", nsmap=adapter._rss_nsmap(dialect))
    etree.SubElement(root, "channel").append(element)
    if dialect.item is not None:
        dialect.item(element, entry)
    return adapter._rss_plain_text(adapter._fragment(root, b"item"))


def _a_dialect() -> Any:
    """A partner's RSS: a namespace of its own, and an element added to every item."""
    from syndicate.formats.feeds.feedgen_adapter import RssDialect

    def item(element: etree._Element, entry: Any) -> None:
        etree.SubElement(element, "{urn:partner}lang").text = entry.lang

    return RssDialect(namespaces={"p": "urn:partner"}, item=item)


_XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("&<>\"'\n\t]]>"),
    max_size=12,
)


@st.composite
def _entries(draw: Any) -> Any:
    from datetime import UTC

    from syndicate.formats.feeds import feedgen_adapter as adapter

    when = st.datetimes(
        min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
    lang = draw(st.sampled_from(["en", "fr", "ar", "zh-Hans"]))
    langs = draw(st.lists(st.sampled_from(["en", "fr", "ar", "zh-Hans"]), unique=True, max_size=4))
    people = st.builds(
        adapter.Person, _XML_TEXT, st.none() | _XML_TEXT, st.none() | st.sampled_from(["", "a@b.c"])
    )
    media = st.builds(
        adapter.Media,
        _XML_TEXT,
        st.sampled_from(["image/jpeg", "image/png", ""]),
        st.integers(0, 10**7),
        st.integers(0, 5000),
        st.integers(0, 5000),
        st.none() | _XML_TEXT,
        st.none() | _XML_TEXT,
    )
    categories = st.builds(adapter.Category, _XML_TEXT, _XML_TEXT, st.none() | _XML_TEXT)
    body = draw(_XML_TEXT)
    content = etree.tostring(
        etree.fromstring('<div xmlns="http://www.w3.org/1999/xhtml"><p/></div>'), encoding="unicode"
    ).replace("<p/>", f"<p>{body.replace('&', '&amp;').replace('<', '&lt;')}</p>")
    return adapter.Entry(
        id=draw(st.sampled_from(["urn:x:1", "tag:example.org,2026:a&b"])),
        lang=lang,
        title=draw(_XML_TEXT),
        link=draw(st.sampled_from(["https://example.org/a", ""])),
        translations=tuple(
            adapter.Link(f"https://example.org/{tag}", "alternate", "text/html", tag)
            for tag in langs
        ),
        published=draw(when),
        updated=draw(when),
        summary=draw(_XML_TEXT),
        content=content,
        authors=tuple(draw(st.lists(people, max_size=3))),
        categories=tuple(draw(st.lists(categories, max_size=3))),
        media=tuple(draw(st.lists(media, max_size=3))),
        rights=draw(st.none() | _XML_TEXT),
        contributors=tuple(draw(st.lists(people, max_size=2))),
    )


@settings(
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_entries(), st.booleans())
def test_an_rss_item_built_directly_is_feedgen_s_item_repaired(entry: Any, partner: bool) -> None:
    """`rss_item` builds an item's elements itself: the bytes feedgen's item gave, repaired
    (empty titles, links and summaries, authors with and without e-mail, categories with and
    without a scheme, images with and without captions, a partner's namespace and hook)."""
    from syndicate.formats.feeds.feedgen_adapter import PLAIN_RSS, rss_item

    dialect = _a_dialect() if partner else PLAIN_RSS
    assert rss_item(entry, dialect) == _item_by_feedgen(entry, dialect)


def test_the_rss_items_of_the_bench_corpus_are_feedgen_s_items_repaired(tmp_path: Path) -> None:
    """The items of every story and language of a generated site (bylines, translations,
    photos with captions and credits, kills), plain and in a partner's dialect."""
    from syndicate.formats.feeds.documents import make_entry
    from syndicate.formats.feeds.feedgen_adapter import PLAIN_RSS, rss_item
    from syndicate.formats.feeds.rss import RssWriter

    site = make_site(tmp_path / "site", 12)
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    stories = read_articles(site / "articles", config, Diagnostics())
    ctx = _context(RssWriter(), config, config.languages, _InMemory(stories))
    items = 0
    for story in stories:
        for variant in story.variants:
            entry = make_entry(story, variant.lang, ctx)
            for dialect in (PLAIN_RSS, _a_dialect()):
                assert rss_item(entry, dialect) == _item_by_feedgen(entry, dialect)
                items += 1
    assert items > 40


def _an_entry(**changed: Any) -> Any:
    """A plain entry in Arabic with a translation, an author, a category and an image."""
    from datetime import UTC

    from syndicate.formats.feeds import feedgen_adapter as adapter

    entry = adapter.Entry(
        id="urn:x:1",
        lang="ar",
        title="عنوان",
        link="https://example.org/ar/a",
        translations=(
            adapter.Link("https://example.org/ar/a", "alternate", "text/html", "ar"),
            adapter.Link("https://example.org/en/a", "alternate", "text/html", "en"),
        ),
        published=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        updated=datetime(2026, 1, 3, 3, 4, 5, tzinfo=UTC),
        summary="ملخص",
        content='<div xmlns="http://www.w3.org/1999/xhtml"><p>نص</p></div>',
        authors=(adapter.Person("كاتب"),),
        categories=(adapter.Category("world", "العالم"),),
        media=(adapter.Media("https://example.org/a.jpg", "image/jpeg", 10, 4, 3, "c", "d"),),
        rights="©",
    )
    return replace(entry, **changed)


@pytest.mark.parametrize("field", ["published", "updated"])
def test_an_rss_item_refuses_a_date_without_a_time_zone_as_feedgen_s_did(field: str) -> None:
    """feedgen's item refused a naive datetime (its setters' check); the item built directly
    must too, not write the date as if it were in the machine's time zone."""
    from syndicate.formats.feeds.feedgen_adapter import rss_item

    entry = _an_entry(**{field: datetime(2026, 1, 2, 3, 4, 5)})
    with pytest.raises(ValueError, match=r"time ?zone"):
        _item_by_feedgen(entry, _a_dialect())
    with pytest.raises(ValueError, match=r"time ?zone"):
        rss_item(entry)


def test_the_feedgen_adapter_holds_no_function_only_the_tests_call() -> None:
    """The product carries no test-only code: every function of the adapter is called (or
    imported) by syndicate's own code; feedgen's item, the reference `rss_item` is checked
    against, and feedgen's whole document, which the bench times, are in
    `tests/feedgen_reference.py`."""
    import ast

    adapter = REPO / "syndicate" / "formats" / "feeds" / "feedgen_adapter.py"
    defined = {
        node.name
        for node in ast.parse(adapter.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef)
    }
    used: set[str] = set()
    for path in (REPO / "syndicate").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.ImportFrom):
                used.update(alias.name for alias in node.names)
    assert defined - used == set()


def test_feedgen_makes_the_rss_heads_and_kill_items_and_not_the_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """feedgen stays behind its adapter for what it still makes: the head of every feed
    document (`FeedGenerator`) and every kill item (`FeedEntry.rss_entry`); an item it no
    longer makes."""
    from datetime import UTC

    from feedgen.entry import FeedEntry
    from feedgen.feed import FeedGenerator

    from syndicate.formats.feeds import feedgen_adapter as adapter

    calls: list[str] = []
    for cls, name in ((FeedEntry, "rss_entry"), (FeedGenerator, "rss_str")):
        real = getattr(cls, name)

        def counted(self: Any, *args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            calls.append(_name)
            return _real(self, *args, **kw)

        monkeypatch.setattr(cls, name, counted)
    when = datetime(2026, 1, 2, tzinfo=UTC)
    item = adapter.rss_item(_an_entry())
    assert calls == []
    kill = adapter.rss_kill_item(
        adapter.Tombstone("urn:x:1", "ar", "ملغى", "أُلغي", "https://example.org/ar/a", when)
    )
    assert calls == ["rss_entry"]
    head = adapter.Feed(
        id="urn:feed",
        lang="ar",
        title="t",
        subtitle="s",
        updated=when,
        self_url="https://example.org/ar/rss.xml",
        site_url="https://example.org/ar/",
        site_lang="ar",
        links=(),
        author=adapter.Person("P"),
        logo=None,
        icon=None,
        rights="©",
        archive=False,
    )
    document = adapter.rss_document(head, [item, kill])
    assert calls == ["rss_entry", "rss_str"]
    assert etree.fromstring(document).findall("channel/item")[1].findtext("title") == "ملغى"


@pytest.mark.parametrize("profile", ["flipboard", "google-news", "msn", "smartnews"])
def test_the_rss_items_of_every_built_in_partner_profile_are_feedgen_s_items_repaired(
    profile: str,
) -> None:
    """Each built-in profile's dialect (its namespaces, and its item hook: plain titles and
    descriptions, summaries alone, dates its way, thumbnails, its own elements) on items in
    right-to-left text with characters to escape (`<`, `&`, `]]>`), very long texts, empty
    fields and e-mail authors."""
    from syndicate.formats.feeds import feedgen_adapter as adapter
    from syndicate.formats.partners.dialect import rss_dialect
    from syndicate.formats.partners.profiles import BUILTIN, PLACEHOLDERS

    dialect = rss_dialect(
        BUILTIN[profile](),
        lambda entry: dict.fromkeys(PLACEHOLDERS, entry.lang),
        "https://example.org/logo.png",
    )
    rtl = "عنوان \u202bمع\u202c <b>x</b> & y ]]> \u200f"
    entries = [
        _an_entry(),
        _an_entry(title=rtl, summary=rtl, authors=(adapter.Person(rtl, email="a@b.c"),)),
        _an_entry(title="x<y " * 20000, summary="a & b " * 20000),
        _an_entry(
            title="", link="", summary="", authors=(), categories=(), media=(), translations=()
        ),
        _an_entry(
            categories=(
                adapter.Category(
                    "medtop:1", "<i>&</i>", "http://cv.iptc.org/newscodes/mediatopic/"
                ),
                adapter.Category("", ""),
            ),
            contributors=(adapter.Person("مترجم"),),
        ),
    ]
    for entry in entries:
        assert adapter.rss_item(entry, dialect) == _item_by_feedgen(entry, dialect)


@pytest.mark.parametrize("text", ["a\x01b", "a\x0bb", "a\x1fb", "a\ufffeb"])
def test_an_rss_item_refuses_characters_xml_cannot_hold_as_feedgen_s_did(text: str) -> None:
    """A control character (or a noncharacter) in any text of an item is refused, by the item
    built directly as by feedgen's, never written into a feed no parser reads."""
    from syndicate.formats.feeds import feedgen_adapter as adapter
    from syndicate.formats.feeds.feedgen_adapter import rss_item

    changes: list[dict[str, Any]] = [
        {"title": text},
        {"summary": text},
        {"authors": (adapter.Person(text),)},
        {"categories": (adapter.Category("c", text),)},
        {"contributors": (adapter.Person(text),)},
    ]
    for changed in changes:
        entry = _an_entry(**changed)
        with pytest.raises(ValueError, match="XML compatible"):
            _item_by_feedgen(entry, _a_dialect())
        with pytest.raises(ValueError, match="XML compatible"):
            rss_item(entry)


_AROUND_TODO = st.lists(
    st.sampled_from(["TODO", "T", "O", "D", " ", "_", "é", "x", "1", "\n", "-", "ТODO"])
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_AROUND_TODO)
def test_a_placeholder_is_looked_for_only_where_todo_is_written(text: str) -> None:
    """`has_placeholder` looks for `\\bTODO\\b` only in a text holding `TODO`: it finds what
    the pattern finds, word boundaries of letters, digits, `_` and other scripts included."""
    from syndicate.readers.articles import PLACEHOLDER, has_placeholder

    assert has_placeholder(text) == (PLACEHOLDER.search(text) is not None)
    for edge in ("TODO", "TODOs", "xTODO", "_TODO", "TODO_", "éTODO", "TODO.", "(TODO)", "1TODO"):
        assert has_placeholder(edge) == (PLACEHOLDER.search(edge) is not None)


_CHECKED_TEXTS = st.lists(
    st.sampled_from(
        [
            "<<<<<<<",
            ">>>>>>>",
            "<",
            ">",
            " ",
            "\n",
            "\r",
            "a",
            "é",
            "\u202a",
            "\u2069",
            "\x85",
            "\x01",
        ]
    )
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_CHECKED_TEXTS)
def test_texts_without_what_a_check_looks_for_are_passed_at_once(text: str) -> None:
    """Merge conflicts are looked for only in a text holding `<<<<<<<`, bidi controls and C1
    controls only in a text that is not ASCII: the conflicts, warnings, errors and text are
    those of the patterns run on every text."""
    from syndicate.readers import textfile

    found, at = [], 0
    while (start := textfile._CONFLICT_START.search(text, at)) and (
        end := textfile._CONFLICT_END.search(text, start.end())
    ):
        found.append((text.count("\n", 0, start.start()) + 1, text.count("\n", 0, end.start()) + 1))
        at = end.end()
    assert textfile.merge_conflicts(text) == found
    warned = textfile.bidi_warning(text, "the body")
    assert (warned is None) == (textfile.BIDI_CONTROLS.search(text) is None)
    diags = Diagnostics()
    kept = textfile.strip_forbidden(text, SourceRef("en.md", 1), diags)
    assert kept == textfile.C1_CONTROLS.sub("", textfile.XML_FORBIDDEN.sub("", text))
    c1 = len(textfile.C1_CONTROLS.findall(text)) + len(textfile.XML_FORBIDDEN.findall(text))
    assert bool(diags.errors) == bool(c1)


def _depth_matched(block: Any) -> int:
    """A body's depth as it was measured before the thirty-second round: a `match` of class
    patterns, each tried in turn (the reference `model.body.depth` must agree with)."""
    from syndicate.model import body as b

    deepest = 0
    todo: list[tuple[Any, int]] = [(block, 1)]
    while todo:
        node, level = todo.pop()
        deepest = max(deepest, level)
        match node:
            case b.BlockQuote(children):
                todo.extend((child, level + 1) for child in children)
            case b.ListBlock(_, items):
                todo.extend((child, level + 2) for item in items for child in item)
            case (
                b.Paragraph(children)
                | b.Heading(_, children)
                | b.Emphasis(children)
                | b.Strong(children)
                | b.Superscript(children)
                | b.Subscript(children)
                | b.Link(_, children)
            ):
                todo.extend((child, level + 1) for child in children)
    return deepest


def _body_trees() -> st.SearchStrategy[Any]:
    from syndicate.model import body as b

    at = SourceRef("en.md", 1)
    leaves = st.sampled_from([b.Text("a"), b.Code("x"), b.LineBreak()])
    inlines = st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3)
            .map(tuple)
            .flatmap(
                lambda kids: st.sampled_from(
                    [
                        b.Emphasis(kids),
                        b.Strong(kids),
                        b.Superscript(kids),
                        b.Subscript(kids),
                        b.Link("https://e.example/", kids),
                    ]
                )
            )
        ),
        max_leaves=12,
    )
    paragraphs = (
        st.lists(inlines, max_size=4)
        .map(tuple)
        .flatmap(lambda kids: st.sampled_from([b.Paragraph(kids, at), b.Heading(2, kids, at)]))
    )
    simple = paragraphs | st.sampled_from([b.Figure(0, at), b.ThematicBreak(at)])
    return st.recursive(
        simple,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda kids: b.BlockQuote(tuple(kids), at)),
            st.lists(st.lists(inner, max_size=3).map(tuple), max_size=3).map(
                lambda items: b.ListBlock(False, tuple(items), at)
            ),
        ),
        max_leaves=10,
    )


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(_body_trees())
def test_a_body_s_depth_told_by_type_is_what_the_class_patterns_measured(block: Any) -> None:
    """`depth` tells a node by its exact type (a subclass by `isinstance`): the depth the
    class patterns measured, on generated trees of quotes, lists, paragraphs, headings, figures
    and nested inline markup, empty ones too."""
    from syndicate.model.body import depth

    assert depth(block) == _depth_matched(block)


def test_a_body_s_depth_counts_a_subclass_of_a_node_as_the_node() -> None:
    """A program's own subclass of a body node (none of syndicate's) is measured as its
    class is: the class patterns took subclasses too."""
    from syndicate.model import body as b

    class Marked(b.Emphasis):
        __slots__ = ()

    at = SourceRef("en.md", 1)
    tree = b.BlockQuote((b.Paragraph((Marked((Marked((b.Text("a"),)),)),), at),), at)
    assert b.depth(tree) == _depth_matched(tree) == 5


_PIECE_TEXT = st.text(alphabet=st.sampled_from(["a", "<", ">", "&", '"', "'", "é", "ب", " "]))


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.tuples(_PIECE_TEXT | _PIECE_TEXT.map(Markup), st.booleans()), max_size=6),
    st.sampled_from([Markup(""), Markup(' lang="dv"'), Markup(' lang="en" class="x"')]),
)
def test_isolated_values_escaped_in_place_are_what_markup_format_made(
    pieces: list[tuple[str, bool]], marks: Markup
) -> None:
    """A composed text's values are put in their `<bdi>` with each piece escaped as
    `Markup.format` escaped it (a piece that is markup already kept as it is)."""
    from syndicate.formats.html.writer import isolated_markup

    made = Markup("").join(
        Markup("<bdi{}>{}</bdi>").format(marks, piece) if value else Markup.escape(piece)
        for piece, value in pieces
    )
    assert isolated_markup(pieces, marks) == made
    assert type(isolated_markup(pieces, marks)) is Markup


def test_a_language_s_open_graph_locale_is_the_same_asked_twice() -> None:
    """`with_territory` is kept for the process: the same answers, asked again or not."""
    from syndicate.i18n import locales

    tags = ["en", "en-GB", "en-UK", "fr", "zh-Hans", "ar", "dv", "mn-Mong", "es-419"]
    first = [locales.with_territory.__wrapped__(tag) for tag in tags]
    assert [locales.with_territory(tag) for tag in tags] == first
    assert [locales.with_territory(tag) for tag in tags] == first


_AROUND_STRUCK = st.lists(
    st.sampled_from(
        [
            "~",
            "~~",
            "<",
            ">",
            "del",
            "DEL",
            "s",
            "strike",
            "style",
            "ſtyle",
            "STYLE",
            "=",
            '"',
            "'",
            "-",
            "line-through",
            "LINE-THROUGH",
            "lıne-through",
            " ",
            "\n",
            "\t",
            "a",
            "é",
        ]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(_AROUND_STRUCK)
def test_struck_out_text_is_looked_for_only_where_its_marks_are_written(text: str) -> None:
    """Struck-out text is looked for only in a text holding `~~`, `<`, or `=` and `-`: found
    where the pattern run on every text finds it, and nowhere else."""
    from syndicate.readers import markdown

    assert markdown._struck(text) == bool(markdown._STRUCK.search(text))


def test_no_ascii_character_is_east_asian_wide_or_ambiguous() -> None:
    """A line end between two ASCII characters (or at a run's end) is a space without asking
    the East Asian width patterns: neither takes an ASCII character."""
    from syndicate.readers import markdown

    wide, mark = markdown._east_asian()
    assert not [c for c in map(chr, range(128)) if wide.match(c) or mark.match(c)]


_AROUND_BREAK = st.sampled_from(
    ["", "a", " ", "—", "“", "…", "的", "北", "ア", "ｱ", "한", "😀", "é", "·", "§", "ب", "1", "<br"]
)


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(_AROUND_BREAK | st.characters(), _AROUND_BREAK | st.characters())
def test_a_line_end_beside_ascii_is_told_without_the_width_patterns(
    before: str, after: str
) -> None:
    """Whether a line end stands for nothing is what the two patterns say of its characters,
    ASCII ones told at once."""
    import regex

    from syndicate.readers import markdown

    wide = regex.compile(markdown._UNSPACED_WIDE)
    mark = regex.compile(markdown._AMBIGUOUS_MARK)
    wide_before, wide_after = bool(wide.match(before)), bool(wide.match(after))
    expected = (wide_before and wide_after) or (
        (wide_before and bool(mark.match(after))) or (wide_after and bool(mark.match(before)))
    )
    assert markdown._unspaced(before, after) == expected


def test_a_body_in_english_imports_no_regex_module() -> None:
    """The `regex` module (the East Asian widths of a line end's characters) is imported only
    for a line end beside a character that is not ASCII: an English body's soft breaks, read
    in a process of its own, leave it unimported; a Chinese one's imports it."""
    script = (
        "import sys\n"
        "from syndicate.diagnostics import Diagnostics\n"
        "from syndicate.model import SourceRef\n"
        "from syndicate.readers.markdown import parse_body\n"
        "def read(text):\n"
        "    return parse_body(text, SourceRef('en.md', 5), lambda ref: None, Diagnostics())\n"
        "read('A line\\nand the next, *with\\nemphasis* and [a\\nlink](https://e.example/).\\n')\n"
        "print('regex' in sys.modules)\n"
        "print(read('北约\\n军事人员\\n')[0].children)\n"
        "print('regex' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert run.stdout.splitlines() == ["False", "(Text(text='北约军事人员'),)", "True"]


_RAW_HTML_BODIES = (
    "A paragraph with <b>bold</b> and <script>x()</script> text.\n",
    "<div>\nA block <em>of</em> HTML, <NATO> and a <a href='/x'>link</a>.\n</div>\n",
    "## A heading <sup>2</sup>\n\n<table><tr><td>a cell</td></tr></table>\n",
)


def test_a_body_without_raw_html_imports_no_sanitiser() -> None:
    """The raw HTML sanitiser's module (`readers.rawhtml`, with nh3 and lxml.html) is
    imported by the first body that holds raw HTML: an English body without any, read in a
    process of its own, leaves them unimported; bodies with raw HTML in a paragraph, a block
    and a heading then import them, and read as they read where the module was imported
    first: the same trees and the same problems."""
    modules = ("syndicate.readers.rawhtml", "nh3", "lxml.html")
    script = (
        "import sys\n"
        "from syndicate.diagnostics import Diagnostics\n"
        "from syndicate.model import SourceRef\n"
        "from syndicate.readers.markdown import parse_body\n"
        "def read(text):\n"
        "    diags = Diagnostics()\n"
        "    body = parse_body(text, SourceRef('en.md', 5), lambda ref: None, diags)\n"
        "    return repr((body, [(d.severity, d.code, d.message) for d in diags]))\n"
        "read('A paragraph, *emphasis*, `<b>code</b>` and [a link](https://e.example/).\\n')\n"
        f"print([m in sys.modules for m in {modules!r}])\n"
        f"for text in {_RAW_HTML_BODIES!r}:\n"
        "    print(read(text))\n"
        f"print([m in sys.modules for m in {modules!r}])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    lines = run.stdout.splitlines()
    assert lines[0] == "[False, False, False]" and lines[-1] == "[True, True, True]"
    from syndicate.readers.markdown import parse_body

    here = []
    for text in _RAW_HTML_BODIES:
        diags = Diagnostics()
        body = parse_body(text, SourceRef("en.md", 5), lambda ref: None, diags)
        here.append(repr((body, [(d.severity, d.code, d.message) for d in diags])))
    assert lines[1:-1] == here
    assert all("warning" in line or "error" in line for line in here)  # each said something


def test_a_story_file_s_shown_path_is_its_folder_s_and_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story reader names a file of its folder from the folder's shown path, worked out
    once (`shown_entry`): the text `shown_path` gives the file itself, whether the folder is
    the working directory, inside it (given relative, absolute, through `..` or a link),
    above it or elsewhere, for names with spaces, dots, non-ASCII letters and a leading
    `-`."""
    from syndicate.readers.folders import shown_entry, shown_path

    work = tmp_path / "site"
    (work / "articles" / "story one").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (work / "linked").symlink_to(tmp_path / "elsewhere")
    monkeypatch.chdir(work)
    folders = [
        work,
        Path("."),
        Path("articles/story one"),
        work / "articles" / "story one",
        Path("articles/../articles/story one"),
        Path("linked"),
        work / "linked",
        tmp_path,
        tmp_path / "elsewhere",
        Path(".."),
        Path("../elsewhere"),
        Path("/"),
    ]
    names = ["en.md", "zh-Hans.md", "story.yaml", "ünïcode é.md", ".hidden", "-x", "a.b.c"]
    for folder in folders:
        for name in names:
            assert shown_entry(shown_path(folder), name) == shown_path(folder / name), (
                folder,
                name,
            )
    monkeypatch.chdir(work / "articles" / "story one")  # the working directory inside it
    for name in names:
        assert shown_entry(shown_path(work), name) == shown_path(work / name)


_MARKDOWN_PIECES = [
    "\n", "\n\n", "  \n", "\\\n", "# ", "## ", "> ", "- ", "* ", "1. ", "2) ", "    ", "\t", "```",
    "~~~", "---", "***", "___", "=", "*", "**", "_", "`", "[", "]", "(", ")", "<", ">", "!", "&",
    "&amp;", "&#0;", "&#x110000;", "&nbsp;", "[x]: /u", "[^1]: note", "[^1]", "<div>", "</div>",
    "<br>", "<!-- c -->", "<span>", "\u2028", "\x85", "\ufffd", "é", "的", "ب", "word", " ", "\r\n",
    "\r", "\0",
]  # fmt: skip


@settings(max_examples=800, deadline=None, derandomize=True, database=None)
@given(st.lists(st.sampled_from(_MARKDOWN_PIECES) | st.text(max_size=3), max_size=40).map("".join))
def test_a_body_without_carriage_returns_or_nuls_parses_as_normalized(text: str) -> None:
    """A body that holds no `\\r` and no NUL is parsed without markdown-it's `normalize` rule
    (`_MD_LF`), which gives such a text back unchanged: the same tokens and environment as
    the parser with it, and a body that holds one is parsed by the parser with it."""
    from syndicate.readers import markdown

    normalized: dict[str, Any] = {}
    expected = markdown._MD.parse(text, normalized)
    if "\r" in text or "\0" in text:
        assert markdown._parser(text) is markdown._MD
        return
    assert markdown._parser(text) is markdown._MD_LF
    env: dict[str, Any] = {}
    assert [t.as_dict() for t in markdown._MD_LF.parse(text, env)] == [
        t.as_dict() for t in expected
    ]
    assert env == normalized


def test_the_repository_s_and_the_bench_s_bodies_parse_as_normalized(tmp_path: Path) -> None:
    """Every Markdown body of the repository, its fixtures and a generated bench corpus,
    parsed without markdown-it's `normalize` rule where it holds no `\\r` and no NUL: the same
    tokens and environment."""
    from syndicate.readers import markdown

    generate(tmp_path / "articles", 20, realistic=True)
    folders = [REPO / "articles", REPO / "tests" / "fixtures", tmp_path / "articles"]
    texts = [
        path.read_text(encoding="utf-8", errors="replace")
        for folder in folders
        for path in sorted(folder.rglob("*.md"))
    ]
    assert len(texts) > 100
    for text in texts:
        normalized: dict[str, Any] = {}
        expected = [t.as_dict() for t in markdown._MD.parse(text, normalized)]
        env: dict[str, Any] = {}
        assert [t.as_dict() for t in markdown._parser(text).parse(text, env)] == expected
        assert env == normalized


def _configuration(parser: Any) -> list[Any]:
    """What a markdown-it parser does, apart from its objects: its options, each ruler's rules
    in order (name, whether enabled, the function), its renderer's rules and link checks."""
    rulers = [parser.core.ruler, parser.block.ruler, parser.inline.ruler, parser.inline.ruler2]
    return [
        dict(parser.options),
        [[(r.name, r.enabled, r.fn, tuple(r.alt)) for r in ruler.__rules__] for ruler in rulers],
        type(parser.renderer),
        {name: getattr(rule, "__func__", rule) for name, rule in parser.renderer.rules.items()},
        [
            getattr(check, "__func__", check)
            for check in (parser.validateLink, parser.normalizeLink, parser.normalizeLinkText)
        ],
    ]


def test_the_two_markdown_parsers_differ_only_by_the_normalize_rule() -> None:
    """`_MD_LF` is `_MD` but for markdown-it's `normalize` rule: the same options, rules (the
    reader's own core rules among them), renderer and link checks. A rule, plugin or option
    given to one parser only would make a body's tree depend on whether it holds a `\\r`,
    which the generated texts of the test above seldom reach."""
    from syndicate.readers import markdown

    with_rule, without = _configuration(markdown._MD), _configuration(markdown._MD_LF)
    core = with_rule[1][0]
    assert ("syndicate_not_characters", True) in [(name, on) for name, on, *_ in core]
    assert ("syndicate_used_definitions", True) in [(name, on) for name, on, *_ in core]
    normalize = [i for i, (name, *_) in enumerate(core) if name == "normalize"]
    assert len(normalize) == 1 and core[normalize[0]][1] is True
    assert without[1][0][normalize[0]][1] is False
    without[1][0][normalize[0]] = core[normalize[0]]
    assert without == with_rule


_FLOAT_TEXTS = st.sampled_from(
    ["5e-324", "2.2250738585072011e-308", "1.7976931348623157e308", "1e400", "-1e400",
     "0.1", "-0.0", "1E2", "9007199254740993",
     "1.00000000000000011102230246251565404236316680908203125",
     "NaN", "Infinity", "-Infinity", "123456789012345678901234567890", "-0"]
)  # fmt: skip


@settings(max_examples=1000, derandomize=True, database=None)
@given(JSON, st.sampled_from(["ascii", "utf-8", "indented", "msgspec"]), _FLOAT_TEXTS)
def test_json_read_by_msgspec_is_what_json_loads_reads(data: Any, how: str, number: str) -> None:
    """A stored story's JSON read by msgspec where it can (`codec._json`) gives the values
    `json.loads` gives, floats to the bit and the types of numbers: whether written with or
    without escapes, indented or by msgspec, holding NaN, a float past the largest, a lone
    surrogate, or numbers written as no encoder writes them."""
    if how == "msgspec":
        try:
            text = msgspec.json.encode(data)
        except (msgspec.EncodeError, UnicodeEncodeError, OverflowError):
            return
    else:
        text = json.dumps(
            data, ensure_ascii=how == "ascii", indent=2 if how == "indented" else None
        ).encode("utf-8", "surrogatepass")
    for one in (text, b'{"n": [%s, %s]}' % (number.encode(), text)):
        assert repr(codec._json(one)) == repr(json.loads(one))
    assert repr(codec._json(b"\xef\xbb\xbf" + text)) == repr(json.loads(b"\xef\xbb\xbf" + text))
    assert repr(codec._json(json.dumps(data).encode("utf-16"))) == repr(
        json.loads(json.dumps(data).encode("utf-16"))
    )


def test_a_verdict_s_keys_are_its_code_installed_and_parts_hashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check's key is SHA-256 over the code, the installed distributions and the check's
    parts, each prefixed with its length, whichever verdict makes it: the code and the
    distributions, the same for every story's verdict of a run, are hashed once a process
    (`_base_hash`), and a second verdict's key feeds only its own parts."""
    from syndicate.readers import config

    def plain(code: str, installed: tuple[str, ...], *parts: str | bytes) -> str:
        h = hashlib.sha256()
        for part in (code, *installed, *parts):
            data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
            h.update(len(data).to_bytes(8, "big") + data)
        return h.hexdigest()

    fed: list[int] = []
    hashed = config._hashed

    def counted(h: Any, parts: Any) -> Any:
        parts = list(parts)
        fed.append(len(parts))
        return hashed(h, parts)

    monkeypatch.setattr(config, "_hashed", counted)
    installed = tuple(f"package_{i}-1.{i}.dist-info" for i in range(150))
    cases = [
        ("code", installed, ("texts", "\udcff text", b"\x00bytes")),
        ("code", installed, ("image", b"")),
        ("other code", installed, ("image", b"")),
        ("code", installed[:-1], ("image", b"")),
        ("code", (), ()),
    ]
    for code, names, parts in cases:
        verdict = config.SchemaVerdict(None, code, known=(), installed=list(names))
        assert verdict.key(*parts) == plain(code, names, *parts)
        assert verdict.key(*parts) == plain(code, names, *parts)  # its base kept, not fed
    again = config.SchemaVerdict(None, "code", known=(), installed=list(installed))
    fed.clear()
    assert again.key("image", b"") == plain("code", installed, "image", b"")
    assert fed == [2]  # the code and the 150 names were not hashed again


def _forbidden_by_patterns(text: str, c1: bool = False) -> bool:
    found = textfile.XML_FORBIDDEN.search(text) is not None
    return found or (c1 and textfile.C1_CONTROLS.search(text) is not None)


_CONTEXTS = (("", ""), ("a", "\u00e9"), ("\u0627", "\n"), ("\U0001f600", ""))
"""What each code point is checked between: alone, after ASCII and before a two-byte letter,
after an Arabic letter and before a line's end, after an emoji (four bytes)."""


def _disagreement(chars: str, before: str, after: str, c1: bool) -> str | None:
    """The text of one of `chars` between `before` and `after` on which `holds_forbidden`
    and the patterns disagree, found by halving `chars`; None when they agree on all of
    them. All of `chars` in one text are compared at once: each verdict is whether any of
    its characters is forbidden, so on characters they agree on one by one they agree on
    the whole; a whole they disagree on is halved until the character is found (or, if no
    one character is, the smallest text they disagree on is given)."""
    text = before + (after + before).join(chars) + after
    if textfile.holds_forbidden(text, c1) == _forbidden_by_patterns(text, c1):
        return None
    if len(chars) == 1:
        return text
    half = len(chars) // 2
    return (
        _disagreement(chars[:half], before, after, c1)
        or _disagreement(chars[half:], before, after, c1)
        or text
    )


def test_every_character_is_forbidden_from_its_bytes_as_the_patterns_say() -> None:
    """`holds_forbidden` (a text's UTF-8 bytes) against `XML_FORBIDDEN` and `C1_CONTROLS`, on
    every code point, alone and between others (a surrogate beside a letter, U+FFFE after
    a two-byte character...). Those either pattern finds (some 2,100) are checked one by
    one; the rest 65,536 at a time, a text of all of them that both must allow, halved to
    the character where they disagree (a text a character at a time took 9 to 15 s)."""
    every = "".join(map(chr, range(0x110000)))
    forbidden = {at.start() for at in textfile.XML_FORBIDDEN.finditer(every)}
    forbidden |= {at.start() for at in textfile.C1_CONTROLS.finditer(every)}
    for code in sorted(forbidden):
        for before, after in _CONTEXTS:
            sample = f"{before}{chr(code)}{after}"
            for c1 in (False, True):
                assert textfile.holds_forbidden(sample, c1) == _forbidden_by_patterns(sample, c1)
    allowed = every.translate(dict.fromkeys(forbidden))
    assert len(allowed) + len(forbidden) == 0x110000
    for start in range(0, len(allowed), 0x10000):
        batch = allowed[start : start + 0x10000]
        for before, after in _CONTEXTS:
            text = before + (after + before).join(batch) + after
            for c1 in (False, True):
                verdicts = (textfile.holds_forbidden(text, c1), _forbidden_by_patterns(text, c1))
                assert verdicts == (False, False), (c1, _disagreement(batch, before, after, c1))


@settings(max_examples=2000, derandomize=True, database=None)
@given(
    st.text(
        st.characters(codec=None, exclude_categories=())
        | st.sampled_from("\x00\x08\t\n\x0b\x0c\r\x1f\x7f\x80\x9f\xa0\xc2\ufffd\ufffe\uffff"),
        max_size=30,
    ),
    st.booleans(),
)
def test_texts_are_forbidden_from_their_bytes_as_the_patterns_say(text: str, c1: bool) -> None:
    assert textfile.holds_forbidden(text, c1) == _forbidden_by_patterns(text, c1)
