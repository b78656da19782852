"""i18n: human dates per locale and zone, direction, terms, machine date formats."""

from __future__ import annotations

import io
import re
import shutil
import string
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import FIXED_NOW, REPO

from syndicate.cli import main
from syndicate.diagnostics import Diagnostic, Diagnostics
from syndicate.i18n import (
    direction,
    display_name,
    format_human_date,
    format_human_datetime,
    is_valid_tag,
    native_digits,
    rfc822,
    rfc3339,
    term,
)
from syndicate.i18n.dates import date_pattern, rfc3339_utc
from syndicate.i18n.locales import language_label
from syndicate.i18n.terms import available_languages
from syndicate.i18n.text import byline_text, dateline_text, isolate, listed, parts, section_name
from syndicate.model import Story
from syndicate.readers.config import load_config

# 19:30 in Brussels on 18 February 2021 is 18:30 UTC.
PUBLISHED = datetime(2021, 2, 18, 19, 30, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "February 18, 2021"),
        ("fr", "18 février 2021"),
        ("ar", "18 فبراير 2021"),
        ("zh-Hans", "2021年2月18日"),
        ("de", "18. Februar 2021"),
        ("es", "18 de febrero de 2021"),
    ],
)
def test_human_dates_follow_the_locale(lang: str, expected: str) -> None:
    assert format_human_date(PUBLISHED, lang, "Europe/Brussels") == expected


def test_human_dates_use_the_story_time_zone_not_utc() -> None:
    late = datetime(2021, 2, 18, 23, 30, tzinfo=UTC)
    assert format_human_date(late, "en", "Asia/Tokyo") == "February 19, 2021"
    assert format_human_date(late, "en", "America/New_York") == "February 18, 2021"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fa", "۱۸ فوریه ۲۰۲۱"),  # CLDR: Persian is read in Extended Arabic-Indic digits
        ("ar-EG", "١٨ فبراير ٢٠٢١"),  # Egyptian Arabic in Arabic-Indic digits
        ("bn", "১৮ ফেব্রুয়ারি, ২০২১"),
        ("mr", "१८ फेब्रुवारी, २०२१"),
        ("ar", "18 فبراير 2021"),  # Arabic without a region: CLDR's default is ASCII digits
    ],
)
def test_human_dates_are_written_in_the_digits_the_language_reads(lang: str, expected: str) -> None:
    assert format_human_date(PUBLISHED, lang, "Europe/Brussels") == expected


def test_native_digits_leave_machine_text_and_ascii_languages_alone() -> None:
    assert native_digits("19:30", "fa") == "۱۹:۳۰"
    assert native_digits("19:30", "en") == "19:30"
    assert native_digits("19:30", "he") == "19:30"
    assert rfc3339(PUBLISHED) == "2021-02-18T19:30:00+01:00"  # machine dates stay ASCII


def test_human_datetime_carries_time_and_zone() -> None:
    """The zone as an offset in the reader's language (CLDR's localized GMT format), never
    the zone database's abbreviation: "IST" is India's to one reader and Israel's to another,
    and "+0330" is no word in any language."""
    brussels = "Europe/Brussels"
    assert format_human_datetime(PUBLISHED, "ar", brussels) == "18 فبراير 2021، 7:30 م غرينتش+01:00"
    assert format_human_datetime(PUBLISHED, "fr", brussels) == "18 février 2021, 19:30 UTC+01:00"
    assert format_human_datetime(PUBLISHED, "zh-Hans", brussels) == "2021年2月18日 19:30 GMT+01:00"
    kolkata = format_human_datetime(PUBLISHED, "he", "Asia/Kolkata")
    assert "GMT+05:30" in kolkata and "IST" not in kolkata
    tehran = format_human_datetime(PUBLISHED, "fa", "Asia/Tehran")
    assert tehran.endswith("+۰۳:۳۰ گرینویچ") and "0330" not in tehran
    # No offset is CLDR's gmtZeroFormat, as each language writes it: a London newsroom's
    # winter times read "GMT", not "GMT+00:00".
    london = format_human_datetime(PUBLISHED, "en", "Europe/London")
    assert london.endswith("6:30\u202fPM GMT") and "+00:00" not in london
    assert format_human_datetime(PUBLISHED, "fr", "UTC").endswith("18:30 UTC")
    assert format_human_datetime(PUBLISHED, "ar", "UTC").endswith(" غرينتش")
    assert format_human_datetime(PUBLISHED, "fa", "UTC").endswith(" گرینویچ")


def test_a_quoted_literal_of_cldr_joins_date_and_time_without_its_quotes() -> None:
    """Corsican joins a date and a time with "{1} 'à' {0}": the quotes mark a literal in
    CLDR's patterns and are never shown ("... 2026 'à' 03:30" in a page's `<time title>`)."""
    text = format_human_datetime(PUBLISHED, "co", "Europe/Paris")
    assert text == "18 di ferraghju di u 2021 à 19:30 GMT+01:00"
    assert "'" not in text


@pytest.mark.parametrize("lang", ["ar", "he", "fa", "ur"])
def test_right_to_left_languages(lang: str) -> None:
    assert direction(lang) == "rtl"


@pytest.mark.parametrize("lang", ["en", "fr", "zh-Hans", "de", "ja", "ru"])
def test_left_to_right_languages(lang: str) -> None:
    assert direction(lang) == "ltr"


def test_language_tags() -> None:
    assert is_valid_tag("zh-Hans") and is_valid_tag("pt-BR") and is_valid_tag("ar")
    assert not is_valid_tag("en_US") and not is_valid_tag("xx-Bogus") and not is_valid_tag("")
    assert display_name("fr") == "français"
    assert display_name("zh-Hans", "en") == "Chinese (Simplified)"


def test_a_language_cldr_does_not_name_in_itself_is_named_by_its_language() -> None:
    """babel's `mn_Mong` names no language: the switcher showed "Mn-Mong", OPDS "mn-Mong".
    Its language's own locale (`mn`) names it, then English does; the tag comes last."""
    assert display_name("mn-Mong") == "монгол (монгол бичиг)"
    assert language_label("mn-Mong") == "Монгол (монгол бичиг)"
    assert display_name("mn-Mong", "en") == "Mongolian (Mongolian)"
    assert display_name("mn") == "монгол" and display_name("dv", "en") == "Divehi"
    assert display_name("en-CN") == "English (China)"  # a named locale keeps its name


def test_a_language_label_is_capitalised_where_its_script_does() -> None:
    assert language_label("fr") == "Français" and language_label("ru") == "Русский"
    assert language_label("ka") == "ქართული", "no Mtavruli capital starts a Georgian word"


@pytest.mark.parametrize(
    "tag",
    [
        *["zh-Hans", "zh-Hant", "sr-Latn", "pt-BR", "es-419", "en-GB", "de-CH", "ar-SA", "fa-AF"],
        *["zh-Hant-TW", "sr-Latn-RS", "ca-ES-valencia", "de-CH-1996", "yue", "ZH-hans", "iw"],
        "en-UK",  # not ISO 3166's, but CLDR's alias of en-GB: a site using it keeps working
    ],
)
def test_tags_newsrooms_use_are_valid(tag: str) -> None:
    assert is_valid_tag(tag)


def test_a_tag_with_a_region_reads_no_cldr_table_once_warmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`is_valid_tag` runs for each language file of each story: the regions it knows (CLDR's
    and those CLDR replaces, a thousand codes) are gathered once, not on every call."""
    from syndicate.i18n import locales

    assert is_valid_tag("pt-BR") and is_valid_tag("en-UK")
    reads: list[str] = []
    real = locales.get_global

    def counting(key: str) -> Any:
        reads.append(key)
        return real(key)

    monkeypatch.setattr(locales, "get_global", counting)
    assert is_valid_tag("pt-BR") and is_valid_tag("es-419") and is_valid_tag("en-UK")
    assert not is_valid_tag("en-XY")
    assert reads == []


@pytest.mark.parametrize(
    "tag",
    # babel reads the first three as `en` (a POSIX encoding dropped), the next as `fr` (a
    # script it does not know dropped): copies of language files, not languages
    [
        *["en.draft", "fr.old", "en.sync-conflict-20261204-120000-abcdefg", "fr-Copy", "fr-copy"],
        *["en-XY", "en-draft", "en@euro", "en-x-private", "en "],
    ],
)
def test_names_that_only_start_with_a_tag_are_not_tags(tag: str) -> None:
    assert not is_valid_tag(tag)


def test_rfc3339_keeps_the_offset_and_writes_z_for_utc() -> None:
    assert rfc3339(PUBLISHED) == "2021-02-18T19:30:00+01:00"
    assert rfc3339_utc(PUBLISHED) == "2021-02-18T18:30:00Z"
    with pytest.raises(ValueError):
        rfc3339(datetime(2021, 2, 18))


def test_an_offset_of_seconds_is_written_in_utc() -> None:
    """Brussels in 1850 was at its local mean time, +00:17:30: `<time datetime>` had an
    offset with seconds, which neither RFC 3339 nor HTML has."""
    from syndicate.i18n.dates import local_rfc3339

    moment = datetime(1850, 6, 1, 10, 0, tzinfo=UTC)
    assert rfc3339(moment.astimezone(ZoneInfo("Europe/Brussels"))) == "1850-06-01T10:00:00Z"
    # In a page, the local time alone (HTML's local date and time): the day its words say.
    late = datetime(1850, 5, 31, 23, 52, 30, tzinfo=UTC)  # 00:10 on 1 June in Brussels
    assert local_rfc3339(late, "Europe/Brussels") == "1850-06-01T00:10:00"
    assert local_rfc3339(PUBLISHED, "Europe/Brussels") == "2021-02-18T19:30:00+01:00"
    assert local_rfc3339(PUBLISHED, "Asia/Kathmandu") == "2021-02-19T00:15:00+05:45"


def test_rfc822_is_english_whatever_the_content_language() -> None:
    assert rfc822(PUBLISHED) == "Thu, 18 Feb 2021 18:30:00 +0000"


TERMS_LANGUAGES = {"en", "fr", "ar", "zh-Hans", "de", "es", "ja", "ko", "he", "fa", "ru", "uk"}
TERMS_LANGUAGES |= {"pt", "pt-BR", "it", "nl", "pl", "tr", "hi", "id", "zh-Hant"}


def _terms(lang: str) -> dict[str, str]:
    from importlib import resources

    folder = resources.files("syndicate.i18n").joinpath("terms")
    data = yaml.safe_load(folder.joinpath(f"{lang}.yaml").read_text("utf-8"))
    assert isinstance(data, dict) and all(isinstance(v, str) for v in data.values()), lang
    return data


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", sorted(available_languages()))
def test_every_terms_file_has_the_reference_keys_and_placeholders(lang: str) -> None:
    """English is the reference: the same keys, each with the same {placeholders}, no blanks
    (a missing phrase would silently show in English)."""
    reference, terms = _terms("en"), _terms(lang)
    assert set(terms) == set(reference), set(terms) ^ set(reference)
    for key, text in terms.items():
        assert text.strip() == text and text, (lang, key)
        assert _placeholders(text) == _placeholders(reference[key]), (lang, key)


def test_the_newsroom_languages_have_terms() -> None:
    assert set(available_languages()) >= TERMS_LANGUAGES


def test_terms_fill_placeholders_and_fall_back() -> None:
    assert term("updated", "fr", date="18 février 2021") == "Mis à jour le 18 février 2021"
    assert term("contents", "zh-Hans") == "目录"
    assert term("contents", "fr-CA") == "Sommaire"  # primary language
    assert term("contents", "sw") == "Contents"  # English fallback
    with pytest.raises(KeyError):
        term("no-such-term", "en")


def test_composed_texts(sample_story: Story) -> None:
    ar = sample_story.variant("ar")
    assert dateline_text(sample_story, ar) == "بروكسل، 18 فبراير 2021"
    assert dateline_text(sample_story, sample_story.variant("de")) == "Brüssel, 18. Februar 2021"
    assert byline_text(sample_story.variant("fr")) == "Par YCPress"
    assert section_name("politics", "zh-Hans") == "政治"
    assert section_name("local-news", "en") == "Local news"


def test_lists_of_names_follow_the_conjunction_rules_cldr_patterns_cannot_say() -> None:
    """ICU's list formatter knows them, babel's patterns do not: Spanish "y" is "e" before
    the sound of i, Hebrew's "ו" takes a hyphen before a word not in Hebrew letters."""
    assert listed(["María López", "Inés García"], "es") == "María López e Inés García"
    assert listed(["A", "B", "Hilario"], "es") == "A, B e Hilario"
    assert listed(["A", "Hielo"], "es-MX") == "A y Hielo"  # a diphthong: "y"
    assert listed(["A", "Yolanda"], "es") == "A y Yolanda"
    assert listed(["דנה כהן", "YCPress"], "he") == "דנה כהן ו-YCPress"
    assert listed(["דנה כהן", "משה לוי"], "he") == "דנה כהן ומשה לוי"
    assert listed(["Ana", "Inés"], "en") == "Ana and Inés"
    marked = listed([isolate("Ana"), isolate("Inés")], "es")
    assert parts(marked) == [("Ana", True), (" e ", False), ("Inés", True)]


def test_a_language_without_terms_is_a_warning(tmp_path: Path) -> None:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace(
        "languages: [en, fr, ar, zh-Hans, de, es]", "languages: [en, pt-PT, sw]"
    )
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is not None
    (warning,) = diags  # pt-PT has Portuguese terms: only sw is named
    line = config.splitlines().index("languages: [en, pt-PT, sw]") + 1
    assert warning.format_text() == (
        f"syndicate.yaml:{line}: warning: syndicate has no terms for 'sw': its fixed"
        ' phrases ("Updated", "Contents", section names) are shown in English; translate'
        " them in terms/sw.yaml (start from the output of `syndicate terms --lang sw`)"
        " [config.terms]"
    )
    (tmp_path / "terms").mkdir()
    # `syndicate terms --lang sw > terms/sw.yaml`, saved untranslated: still English
    english = "updated: Updated {date}\ncontents: Contents\n"
    (tmp_path / "terms" / "sw.yaml").write_text(english, "utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is not None
    (warning,) = diags
    assert warning.message.startswith(
        "terms/sw.yaml holds syndicate's English phrases, not yet translated"
    )
    (tmp_path / "terms" / "sw.yaml").write_text("updated: Imesasishwa {date}\n", "utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is not None
    assert not list(diags)  # the site translates sw itself


def _site_with_terms(site: Path, files: dict[str, str]) -> Path:
    config = site / "syndicate.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "languages: [en, fr,", "languages: [en, sw, fr,"
    )
    config.write_text(text, encoding="utf-8")
    (site / "terms").mkdir()
    for name, content in files.items():
        (site / "terms" / name).write_text(content, encoding="utf-8")
    return config


def test_a_site_translates_and_changes_phrases_in_its_own_terms_files(site: Path) -> None:
    config = _site_with_terms(
        site,
        {
            "sw.yaml": "by: Na {names}\nsection.politics: Siasa\n",
            "en.yaml": "section.politics: Politics & Power\nsection.local-news: Around town\n",
        },
    )
    slug = "2021-02-18-nato-iraq-deployment"
    en = (site / "articles" / slug / "en.md").read_text(encoding="utf-8")
    (site / "articles" / slug / "sw.md").write_text(en, encoding="utf-8")
    out = site / "out"
    args = ["export", "-q", "-j", "2", "--format", "html", "--out", str(out), "--config"]
    assert main([*args, str(config), "--articles", str(site / "articles")]) == 0
    page = (out / "html" / f"{slug}.sw.html").read_text(encoding="utf-8")
    assert ">Siasa<" in page and "Na <bdi>" in page  # the site's phrases, from a worker
    assert ">Politics &amp; Power<" in (out / "html" / f"{slug}.en.html").read_text("utf-8")
    # a change of the site's phrases is a change of every page that shows them
    (site / "terms" / "sw.yaml").write_text("by: Imeandikwa na {names}\n", "utf-8")
    assert main([*args, str(config), "--articles", str(site / "articles")]) == 0
    page = (out / "html" / f"{slug}.sw.html").read_text(encoding="utf-8")
    # no Swahili name for the section now: the site's English one stands in
    assert "Imeandikwa na <bdi>" in page and ">Politics &amp; Power<" in page


def test_a_section_name_for_a_section_no_story_is_in_is_said_at_its_line(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`section.politcs:` in a terms file (a typo of the stories' `politics`) was kept
    without a word: the pages showed syndicate's name, the site's shown nowhere. A section
    code no story is in is a warning at its line, with the nearest code, said by `validate`
    and by every export (one that finds nothing changed too); a code syndicate.yaml names
    (`epub.section_order`), or one of syndicate's own phrases (`sports`), is not."""
    config = _site_with_terms(
        site,
        {
            "en.yaml": "updated: Updated {date}\nsection.politcs: Politics & Power\n"
            "section.sports: Sport\nsection.local-news: Around town\nsection.weather: Sky\n",
        },
    )
    with config.open("a", encoding="utf-8") as file:
        file.write("epub:\n  section_order: [politics, weather]\n")
    said = [
        "terms/en.yaml:2: warning: section.politcs: no story is in the section 'politcs' and"
        " syndicate.yaml names it nowhere, so this name is shown nowhere; did you mean"
        " 'politics'? [config.terms-section]",
        "terms/en.yaml:4: warning: section.local-news: no story is in the section"
        " 'local-news' and syndicate.yaml names it nowhere, so this name is shown nowhere"
        " [config.terms-section]",
    ]
    monkeypatch.chdir(site)
    sources = ["--config", "syndicate.yaml", "--articles", "articles"]
    capsys.readouterr()
    assert main(["validate", *sources]) == 0
    assert main(["validate", "--strict", *sources]) == 2
    out = ["-q", "-j", "1", "--now", FIXED_NOW, "--format", "html", "--out", "out"]
    for _ in range(2):  # the second run finds nothing changed, and says it again
        assert main(["export", *out, *sources]) == 0
    err = capsys.readouterr().err
    found = [line for line in err.splitlines() if "[config.terms-section]" in line]
    assert found == said * 4, err
    # the story comes: its section's name is shown, and nothing is said of it
    slug = "2021-02-18-nato-iraq-deployment"
    story = site / "articles" / slug / "story.yaml"
    story.write_text(story.read_text("utf-8").replace("politics", "local-news"), "utf-8")
    assert main(["validate", *sources]) == 0
    err = capsys.readouterr().err
    assert "section.local-news:" not in err and "section.politcs:" in err
    # a story that cannot be read has a section too: nothing is said of any while one is
    (site / "articles" / "zz-broken").mkdir()
    (site / "articles" / "zz-broken" / "story.yaml").write_text("id: [\n", "utf-8")
    assert main(["validate", *sources]) == 2
    assert main(["export", *out, *sources]) == 2
    assert "[config.terms-section]" not in capsys.readouterr().err


def test_a_brace_written_as_the_error_says_is_one_brace_in_every_phrase(site: Path) -> None:
    """`section.politics: "Politics {x}"` is told "it takes none (a brace is {{)"; written
    so, a phrase without placeholders (a section's name, latest_news) was published with
    both braces, and no such phrase could show one."""
    config = _site_with_terms(
        site,
        {"en.yaml": 'section.politics: "Politics {{x}}"\nby: "By {names} {{y}}"\n'},
    )
    slug = "2021-02-18-nato-iraq-deployment"
    out = site / "out"
    args = ["export", "-q", "--format", "html", "--out", str(out), "--config", str(config)]
    assert main([*args, "--articles", str(site / "articles")]) == 0
    page = (out / "html" / f"{slug}.en.html").read_text(encoding="utf-8")
    assert ">Politics {x}<" in page and "{{" not in page and "}}" not in page
    assert "</bdi> {y}" in page


def test_mistakes_in_a_site_terms_file_name_file_and_line(site: Path) -> None:
    config = _site_with_terms(
        site,
        {
            "sw.yaml": "by: Na {name}\nupdatd: Imesasishwa {date}\nupdated: Imesasishwa\n",
            "notes.txt": "to do\n",
            "SW-tz.yaml": "by: Na {names}\n",
        },
    )
    diags = Diagnostics()
    assert load_config(config, "syndicate.yaml", diags) is None
    assert sorted(d.format_text() for d in diags) == [
        "terms/SW-tz.yaml: error: name the file sw-TZ.yaml [config.terms-file]",
        "terms/notes.txt: warning: not a terms file, ignored: name it <language tag>.yaml,"
        " such as sw.yaml [config.terms-file]",
        "terms/sw.yaml:1: error: by: unknown placeholder {name}; did you mean 'names'?; use"
        " only {names} [config.terms-placeholder]",
        "terms/sw.yaml:2: warning: 'updatd' is not a phrase syndicate uses, ignored; did you"
        " mean 'updated'? [config.terms-key]",
        "terms/sw.yaml:3: error: updated: it must hold {date}, as syndicate's phrase does"
        " [config.terms-placeholder]",
    ]


def test_a_terms_file_a_site_language_falls_back_to_is_not_said_unused(site: Path) -> None:
    """`terms/zh-Hant.yaml` on a site of `zh-TW` (and `sr-Latn.yaml` for `sr-Latn-RS`) gives
    its pages their phrases, yet was a warning saying "its phrases are not used", failing
    every `--strict` run."""
    config = _site_with_terms(
        site,
        {
            "zh-Hant.yaml": "updated: 已更新 {date}\n",
            "sr-Latn.yaml": "updated: Ažurirano {date}\n",
            "ko.yaml": "updated: 업데이트 {date}\n",
        },
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r"(?m)^languages: .*\n", "languages: [en, zh-TW, sr-Latn-RS]\n", text), "utf-8"
    )
    diags = Diagnostics()
    assert load_config(config, "syndicate.yaml", diags) is not None
    assert [d.format_text() for d in diags if d.code == "config.terms-file"] == [
        "terms/ko.yaml: warning: 'ko' is not one of the site's languages (en, zh-TW,"
        " sr-Latn-RS): its phrases are not used [config.terms-file]"
    ]


def test_syndicate_terms_prints_a_file_to_translate(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _site_with_terms(site, {"sw.yaml": "by: Na {names}\nsection.local-news: Mtaa\n"})
    assert main(["terms", "--lang", "sw", "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    table = yaml.safe_load(printed)
    assert table["by"] == "Na {names}" and table["section.local-news"] == "Mtaa"
    assert table["updated"] == "Updated {date}"
    assert "updated: Updated {date}  # translate" in printed.splitlines()
    assert "by: Na {names}" in printed.splitlines()  # the site's own: nothing to mark
    (site / "terms" / "sw.yaml").write_text(printed, encoding="utf-8")  # usable as it is
    diags = Diagnostics()
    assert load_config(config, "syndicate.yaml", diags) is not None, list(diags)
    # saved, its English lines are still marked: the file no longer tells them apart
    assert main(["terms", "--lang", "sw", "--config", str(config)]) == 0
    again = capsys.readouterr().out.splitlines()
    assert "updated: Updated {date}  # translate" in again and "by: Na {names}" in again
    assert main(["terms", "--lang", "fr"]) == 0  # outside a site: syndicate's own
    assert yaml.safe_load(capsys.readouterr().out)["by"] == "Par {names}"
    # `syndicate terms --lang sw > terms/sw.yaml`: the shell makes the file, empty, first
    (site / "terms" / "sw.yaml").write_text("", encoding="utf-8")
    assert main(["terms", "--lang", "sw", "--config", str(config)]) == 0
    said = capsys.readouterr()
    assert yaml.safe_load(said.out)["by"] == "By {names}"
    assert "config.terms" not in said.err  # (what the command is run to mend)


def test_a_site_phrase_for_a_primary_language_wins_over_syndicates_regional_one() -> None:
    """terms/pt.yaml had no effect on a pt-BR site: syndicate's pt-BR file came first."""
    from syndicate.i18n.terms import use_site_terms

    try:
        use_site_terms({"pt": {"latest_news": "Manchetes do site"}})
        assert term("latest_news", "pt-BR") == "Manchetes do site"
        assert term("latest_news", "pt-PT") == "Manchetes do site"
    finally:
        use_site_terms({})


def test_names_and_places_are_isolated_in_bylines_and_datelines(
    sample_story: Story, site_config: object
) -> None:
    """Latin names inside an Arabic byline, a Latin place in an Arabic dateline: without
    isolation the bidi algorithm moves "Jr."'s full stop to the other end of the name and
    runs the day's digits into the place. Each value is a piece of its own (`<bdi>` in the
    HTML pages and the books); the plain text is what it was."""
    import dataclasses

    from conftest import export_stories
    from lxml import etree

    from syndicate.i18n.text import byline_parts, dateline_parts
    from syndicate.model import Byline, Person

    ar = dataclasses.replace(
        sample_story.variant("ar"),
        byline=Byline((Person("John Smith Jr."), Person("Anne-Marie O'Neil")), "YCPress"),
        dateline="Washington D.C.",
    )
    variants = tuple(ar if v.lang == "ar" else v for v in sample_story.variants)
    story = dataclasses.replace(sample_story, variants=variants)
    names = [text for text, value in byline_parts(ar) if value]
    assert names == ["John Smith Jr.", "Anne-Marie O'Neil", "YCPress"]
    assert byline_text(ar) == "بقلم John Smith Jr. وAnne-Marie O'Neil وYCPress"
    assert [text for text, value in dateline_parts(story, ar) if value] == ["Washington D.C."]
    assert dateline_text(story, ar).startswith("Washington D.C.، ")

    config: Any = site_config
    files, _ = export_stories([story], config, "html", "epub", languages=("ar",))
    page = files[f"html/{story.slug}.ar.html"].decode()
    byline = "بقلم <bdi>John Smith Jr.</bdi> و<bdi>Anne-Marie O'Neil</bdi> و<bdi>YCPress</bdi>"
    assert f'<p class="byline">{byline}</p>' in page
    assert '<p class="dateline"><bdi>Washington D.C.</bdi>، <time' in page
    with zipfile.ZipFile(io.BytesIO(files[f"epub/{story.slug}.ar.epub"])) as book:
        chapter = next(n for n in book.namelist() if n.endswith(f"story-{story.slug}.xhtml"))
        root = etree.fromstring(book.read(chapter))
    xhtml = "{http://www.w3.org/1999/xhtml}"
    bdis = [b.text for b in root.iter(f"{xhtml}bdi")]
    assert bdis == [
        "John Smith Jr.",
        "Anne-Marie O'Neil",
        "YCPress",
        "Washington D.C.",
        "YCPress graphic; source NATO",  # the figure's credit
    ]


def test_the_site_phrases_reach_every_worker_process(tmp_path: Path) -> None:
    """Pool workers never got the site's phrases (only the driver and Dask's did): a story
    read in a worker came out with syndicate's, and `--jobs 4` differed from `--jobs 1`."""
    from sites import generated_site

    site = generated_site(tmp_path / "site", 8)
    (site / "terms").mkdir()
    (site / "terms" / "fr.yaml").write_text('dateline: "{place} ### {date}"\n', "utf-8")
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        args = ["export", "-q", "-f", "html", "-f", "newsml", "-j", jobs, "--out", str(out)]
        assert main([*args, "--site", str(site), "--now", "2026-11-24T12:00:00Z"]) == 0
        outs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    french = [data for path, data in outs[1].items() if path.name.endswith(".fr.xml")]
    assert len(french) == 8 and all(b"###" in data for data in french)
    assert outs[0] == outs[1]


def test_a_thai_body_gives_no_word_count_rather_than_a_false_one(tmp_path: Path) -> None:
    """Thai spaces no words: each paragraph counted as one word gave partners a tenth of the
    truth in NewsML-G2, ninjs and JSON-LD. The count is left out; characters are counted."""
    import json

    from conftest import SAMPLE_SLUG

    from syndicate.cli import main

    site = _site_in(tmp_path, "th")
    story = site / "articles" / SAMPLE_SLUG
    for other in ("fr", "ar", "zh-Hans", "de", "es"):
        (story / f"{other}.md").unlink()
    (story / "th.md").write_text(
        "---\nheadline: นาโตจะเพิ่มกำลังทหารในอิรักอย่างมาก\nsummary: เลขาธิการนาโตกล่าว\n"
        "byline:\n  organisation: YCPress\ndateline: บรัสเซลส์\n---\n"
        "นาโตจะเพิ่มกำลังทหารในอิรักจากห้าร้อยนายเป็นสี่พันนาย\n",
        encoding="utf-8",
    )
    args = ["export", "-q", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    args += ["--articles", str(site / "articles"), "--out", str(site / "out")]
    assert main([*args, "-f", "newsml", "-f", "ninjs", "-f", "jsonld"]) == 0
    out = site / "out"
    item = (out / f"newsml/{SAMPLE_SLUG}.th.xml").read_text(encoding="utf-8")
    assert 'charcount="' in item and "wordcount=" not in item
    assert 'wordcount="' in (out / f"newsml/{SAMPLE_SLUG}.en.xml").read_text(encoding="utf-8")
    bodies = json.loads((out / f"ninjs/{SAMPLE_SLUG}.th.json").read_bytes())["bodies"]
    assert all("charCount" in b and "wordCount" not in b for b in bodies)
    graph = json.loads((out / f"jsonld/{SAMPLE_SLUG}.th.jsonld").read_bytes())
    assert '"wordCount"' not in json.dumps(graph)
    # the profile schemas take the files without a count (they required it: exit 1)
    assert main(["validate", "--config", str(site / "syndicate.yaml"), "--outputs", str(out)]) == 0


def test_the_sites_languages_get_the_same_help_as_init(tmp_path: Path) -> None:
    """A near miss in `languages:` names the tag to write, as `syndicate init --lang` does;
    an outdated code is a warning (a site that publishes under it keeps working) and gets
    the phrases of the language it stands for."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("languages: [en, fr, ar, zh-Hans, de, es]", "languages: [en, jp]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is None
    assert [d.message for d in diags] == ["unknown language tag 'jp'; did you mean 'ja'?"]
    config = config.replace("languages: [en, jp]", "languages: [en, ar_SA]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is None
    (error,) = diags
    assert error.message.endswith("; write it 'ar-SA' (BCP 47 joins subtags with hyphens)")
    config = config.replace("languages: [en, ar_SA]", "languages: [en, iw]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is not None
    assert [(d.severity, d.message) for d in diags] == [
        (
            "warning",
            "'iw' is an old code for 'he', which BCP 47 prefers: write 'he', the tag browsers,"
            " feed readers and partners expect",
        ),
    ]
    assert term("contents", "iw") == term("contents", "he") != term("contents", "en")
    assert term("contents", "per") == term("contents", "fa")


def test_one_language_under_two_tags_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`iw.md` on a site of `he` was a warning saying to add `iw` to the languages, the
    Hebrew text left unpublished; adding it, or listing `he` and `iw`, published every
    Hebrew text twice, under two tags of one language."""
    from conftest import SAMPLE_SLUG

    site = _site_in(tmp_path, "he")
    story = site / "articles" / SAMPLE_SLUG
    (story / "iw.md").write_text((story / "en.md").read_text(encoding="utf-8"), "utf-8")
    args = ["validate", "--config", str(site / "syndicate.yaml")]
    assert main(args) == 2
    assert (
        f"{SAMPLE_SLUG}/iw.md: error: name the file he.md: 'iw' and 'he' are one"
        " language, which the site's languages write 'he', and one language has one file"
        " [story.language]"
    ) in capsys.readouterr().err
    config = (site / "syndicate.yaml").read_text(encoding="utf-8")
    for tags, said in (("[en, he, iw]", "'iw' and 'he'"), ("[en, en-GB, en-UK]", "'en-UK'")):
        (site / "syndicate.yaml").write_text(
            config.replace("languages: [en, he]", f"languages: {tags}"), encoding="utf-8"
        )
        diags = Diagnostics()
        assert load_config(site / "syndicate.yaml", "syndicate.yaml", diags) is None
        assert [d.message for d in diags.errors if said in d.message], [*diags]
        assert "are one language under two tags" in diags.errors[-1].message


@pytest.mark.parametrize(
    ("lang", "same_as_english"),
    [
        ("fr", {"photo": "Photo", "pages": "Pages", "section.culture": "Culture"}),
        ("ar", {"feed_title": "{publisher}: {section}"}),
        ("fa", {"feed_title": "{publisher}: {section}"}),
        ("he", {"feed_title": "{publisher}: {section}"}),
        ("ko", {"feed_title": "{publisher}: {section}"}),
        ("en-GB", {"contents": "Contents"}),
    ],
)
def test_syndicate_terms_marks_only_what_the_language_lacks(
    capsys: pytest.CaptureFixture[str], lang: str, same_as_english: dict[str, str]
) -> None:
    """A phrase of syndicate's terms for the language is translated, whatever it says:
    French "Photo" is French."""
    import json

    assert main(["terms", "--lang", lang]) == 0
    printed = capsys.readouterr().out.splitlines()
    for key, text in same_as_english.items():
        line = yaml.safe_dump({key: text}, allow_unicode=True, width=10**6).rstrip("\n")
        assert line in printed, (line, printed)
    assert not [line for line in printed if line.endswith("# translate")]
    assert main(["--log-format", "json", "terms", "--lang", lang]) == 0
    assert json.loads(capsys.readouterr().out)["untranslated"] == []


def test_syndicate_terms_for_an_old_code_only_where_the_site_has_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["terms", "--lang", "iw"]) == 2  # outside a site: write the tag meant
    assert "write 'he'" in capsys.readouterr().err
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("languages: [en, fr, ar, zh-Hans, de, es]", "languages: [en, iw]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    assert main(["terms", "--lang", "iw", "--config", str(tmp_path / "syndicate.yaml")]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["contents"] == term("contents", "he")


@pytest.mark.parametrize(
    ("tag", "language"), [("en-CN", "en"), ("ar-US", "ar"), ("zh-Hans-US", "zh-Hans")]
)
def test_a_pairing_cldr_has_no_locale_for_is_valid_and_written_as_its_language(
    tag: str, language: str
) -> None:
    """English in China, Arabic in the United States: a language and a region CLDR each
    knows, without locale data of their own. They were refused as a region CLDR does not
    know; their dates and direction are the language's."""
    assert is_valid_tag(tag)
    zone = "Europe/Brussels"
    assert format_human_date(PUBLISHED, tag, zone) == format_human_date(PUBLISHED, language, zone)
    assert direction(tag) == direction(language)
    assert not is_valid_tag("xx-US") and not is_valid_tag("en-QQ")
    # only a country: not CLDR's pseudo-locales, a private-use code, a grouping or an area
    for made_up in ("en-XA", "en-XB", "fr-QO", "en-EU", "en-UN", "es-003"):
        assert not is_valid_tag(made_up), made_up
    assert is_valid_tag("es-419") and is_valid_tag("en-XK")  # CLDR's own; Kosovo
    # named with its region, as a locale CLDR has is: two "English" entries in a menu before
    assert display_name(tag, "en").endswith("United States)" if tag != "en-CN" else "(China)")


@pytest.mark.parametrize(
    ("word", "hint"),
    [
        ("japanes", "; did you mean 'ja'?"),
        ("frensh", "; did you mean 'fr'?"),
        ("deutsch", "; did you mean 'de'?"),  # was Dutch
        ("francais", "; did you mean 'fr'?"),
        ("thia", "; did you mean 'th'?"),  # two letters swapped
        ("engl", "; did you mean 'en'?"),  # the first letters of a name
        ("portu", "; did you mean 'pt'?"),
        ("notes", ""),  # was Teso ('teo')
        ("todo", ""),  # not Bodo
        ("body", ""),
        ("README", ""),
        ("draft", ""),
    ],
)
def test_a_word_for_a_language_is_offered_its_tag_and_an_editors_file_none(
    word: str, hint: str
) -> None:
    from syndicate.readers.languages import tag_hint

    assert tag_hint(word) == hint


def test_an_editors_notes_file_in_a_story_folder_is_told_where_notes_go(tmp_path: Path) -> None:
    """`notes.md` beside `en.md` was offered "did you mean 'teo'?" (Teso)."""
    from syndicate.readers.articles import read_articles

    articles = tmp_path / "articles"
    shutil.copytree(REPO / "articles", articles)
    story = next(p for p in articles.iterdir() if (p / "story.yaml").is_file())
    (story / "notes.md").write_text("call the minister back\n", encoding="utf-8")
    diags = Diagnostics()
    read_articles(articles, load_config(REPO / "syndicate.yaml", "syndicate.yaml", diags), diags)
    (problem,) = [d.message for d in diags if d.code == "story.language"]
    assert "'notes' is not a known BCP 47 language tag; name the file after" in problem
    assert problem.endswith("; an editor's notes or drafts go into a subfolder")
    assert "did you mean" not in problem


def test_a_date_in_another_scripts_digits_is_given_back_in_0_to_9() -> None:
    """`٢٠٢٦-٠٣-١٠T09:00:00+08:00` (Arabic-Indic digits, which `\\d` matches) was only "not a
    valid date-time", when every other almost-right date is told how to write it."""
    from syndicate.i18n.dates import parse_rfc3339

    for text, meant in [
        ("٢٠٢٦-٠٣-١٠T09:00:00+08:00", "2026-03-10T09:00:00+08:00"),
        ("२०२६-०३-१०T09:00:00Z", "2026-03-10T09:00:00Z"),
    ]:
        with pytest.raises(
            ValueError, match=f"digits other than 0-9.*write it '{re.escape(meant)}'"
        ):
            parse_rfc3339(text)


@pytest.mark.parametrize("tag", ["und", "mul", "zxx", "mis", "und-Latn"])
def test_a_code_that_names_no_language_is_refused_saying_so(tag: str) -> None:
    """`und` (undetermined) was accepted, every output tagged with no language and written
    with English phrases; `mul` was offered French (Mali's `ml`)."""
    from syndicate.readers.languages import tag_hint

    assert not is_valid_tag(tag)
    assert "is ISO 639's code for" in tag_hint(tag) and "name the language" in tag_hint(tag)


def test_a_short_code_is_offered_a_tag_only_as_it_is() -> None:
    from syndicate.readers.languages import tag_hint

    assert tag_hint("jp") == "; did you mean 'ja'?"  # Japan's code, as it is
    assert tag_hint("qaa") == ""  # not Qatar's `qa`


@pytest.mark.parametrize(
    ("tag", "meant"),
    [
        ("sh", "sr-Latn"),
        ("SH", "sr-Latn"),
        ("sh-RS", "sr-Latn-RS"),
        ("hbs", "sr-Latn"),
        ("prs", "fa-AF"),
    ],
)
def test_a_retired_code_is_offered_the_tag_cldr_reads_it_as(tag: str, meant: str) -> None:
    """`sh` (Serbo-Croatian) was offered English: it is also St Helena's country code."""
    from syndicate.readers.languages import tag_hint

    assert not is_valid_tag(tag)
    hint = tag_hint(tag)
    assert f"only as '{meant.split('-RS')[0]}': write '{meant}'" in hint, hint
    assert "'en" not in hint


@pytest.mark.parametrize("lang", ["dv", "mn-Mong", "ht", "jbo"])
def test_a_language_cldr_names_no_months_in_is_dated_in_numbers(lang: str) -> None:
    """babel's `dv`, `mn_Mong` (and some thirty other locales) have no month names of their
    own, only the root locale's placeholders: dates read "20 M03 2026", "2026 M03 20"."""
    assert format_human_date(PUBLISHED, lang, "Europe/Brussels") == "2021-02-18"
    assert format_human_datetime(PUBLISHED, lang, "Europe/Brussels") == (
        "2021-02-18 19:30 GMT+01:00"
    )
    assert date_pattern(lang).fullmatch("2021-02-18")
    assert rfc3339(PUBLISHED) == "2021-02-18T19:30:00+01:00"  # machine dates as they were


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "February 18, 2021, 7:30\u202fPM"), ("fr", "18 février 2021, 19:30"),
     ("ar", "18 فبراير 2021، 7:30 م"), ("fa", "۱۸ فوریه ۲۰۲۱")],
)  # fmt: skip
def test_languages_with_month_names_keep_their_words(lang: str, expected: str) -> None:
    assert format_human_datetime(PUBLISHED, lang, "Europe/Brussels").startswith(expected)


def test_a_language_cldr_names_no_months_in_is_a_warning(tmp_path: Path) -> None:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("languages: [en, fr, ar, zh-Hans, de, es]", "languages: [en, dv]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is not None
    dates = [d for d in diags if d.code == "config.dates"]
    assert [d.severity for d in dates] == ["warning"]
    assert "names no months in 'dv'" in dates[0].message
    assert "'2026-03-20', '19:30'" in dates[0].message
    # Said while the language is set up: once the site gives its phrases, nothing is left to
    # do, and a warning on every run would fail every --strict one (a dv newsroom's CI).
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "dv.yaml").write_text("by: ލިޔުނީ {names}\n", encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is not None
    assert not [d for d in diags if d.code in ("config.dates", "config.terms")], list(diags)
    (tmp_path / "terms" / "dv.yaml").unlink()
    config = config.replace("languages: [en, dv]", "languages: [en, fr, ar]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is not None
    assert not list(diags)


def test_pages_in_a_language_without_month_names_show_no_placeholders(tmp_path: Path) -> None:
    from conftest import SAMPLE_SLUG

    site = _site_in(tmp_path, "dv")
    story = site / "articles" / SAMPLE_SLUG
    text = (story / "en.md").read_text(encoding="utf-8")
    (story / "dv.md").write_text(text.replace("Brussels", "ބްރަސަލްސް"), encoding="utf-8")
    args = ["export", "-q", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    args += ["--articles", str(site / "articles"), "--out", str(site / "out")]
    assert main([*args, "-f", "html", "-f", "epub"]) == 0
    page = (site / "out" / f"html/{SAMPLE_SLUG}.dv.html").read_text(encoding="utf-8")
    times = re.findall(r"<time[^>]*>[^<]*</time>", page)
    assert times and all(re.search(r">\d{4}-\d\d-\d\d</time>", t) for t in times)
    assert not re.search(r"\bM\d\d\b", page)
    book = zipfile.ZipFile(site / "out" / f"epub/{SAMPLE_SLUG}.dv.epub")
    xhtml = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert not re.search(r"\bM\d\d\b", xhtml)
    # Dhivehi has no phrases of its own: the English "By" and "Published" that stand in are
    # marked as English, left to right, on the right-to-left page ("YCPress By" otherwise).
    # The names in it are the story's own text, marked back as Dhivehi (review), in a <bdi>
    # that takes the direction of its text (auto): a Latin name keeps its full stop.
    assert '<p class="byline"><span lang="en" dir="ltr">By <bdi lang="dv">' in page
    assert (
        '<p class="byline" lang="en" xml:lang="en" dir="ltr">By <bdi lang="dv" xml:lang="dv">'
        in xhtml
    )
    assert re.search(
        r'<p class="date" lang="en" xml:lang="en" dir="ltr">\s*<time[^>]*>Published', xhtml
    )
    english = (site / "out" / f"html/{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    assert '<p class="byline">By <bdi>' in english  # a language's own phrase is not marked


def test_english_phrases_standing_in_are_marked_on_every_page(tmp_path: Path) -> None:
    """A Dhivehi page with no phrases of its own showed "Latest news", the section's name,
    "Read more", "Also available in", "Subscribe" and the pager's links in English with no
    mark: read by a Dhivehi voice, laid out right to left. Each is marked where it stands (its
    tag, since a phrase reaches `aria-label` too), and a phrase the site translated inside a
    marked one is marked back as Dhivehi."""
    from conftest import SAMPLE_SLUG

    site = _site_in(tmp_path, "dv")
    articles = site / "articles"
    source = articles / SAMPLE_SLUG
    for name in ("ar", "de", "es", "fr", "zh-Hans"):
        (source / f"{name}.md").unlink()
    shutil.copy(source / "en.md", source / "dv.md")
    for day in (22, 23):  # two more stories, for a story list of three pages
        copy = articles / f"2021-02-{day}-story-{day}"
        shutil.copytree(source, copy)
        yaml_text = (copy / "story.yaml").read_text(encoding="utf-8")
        yaml_text = yaml_text.replace("nato-iraq-deployment", f"story-{day}")
        yaml_text = re.sub(r"^(published|updated): 2021-02-18", rf"\1: 2021-02-{day}",
                           yaml_text, flags=re.M)  # fmt: skip
        (copy / "story.yaml").write_text(yaml_text, encoding="utf-8")
    with (site / "syndicate.yaml").open("a", encoding="utf-8") as config:
        config.write("html:\n  page_size: 1\n")
    (site / "terms").mkdir()
    (site / "terms" / "dv.yaml").write_text("newer_stories: ފަހުގެ ޚަބަރުތައް\n", encoding="utf-8")
    args = ["export", "-q", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    assert main([*args, "-f", "html", "-f", "epub", "-f", "atom", "-f", "rss"]) == 0
    html = site / "out" / "html"
    english = ' lang="en" dir="ltr">'
    page = (html / f"{SAMPLE_SLUG}.dv.html").read_text(encoding="utf-8")
    for tag in (
        '<nav aria-label="Latest news"',
        '<p class="kicker"',
        "<h2",  # "Read more"
        '<h2 id="translations-title"',
        "<strong",  # "Subscribe"
    ):
        assert tag + english in page, tag
    assert re.search(r'<a type="application/epub\+zip" href="[^"]+" lang="en" dir="ltr">', page)
    second = (html / "index.dv.2.html").read_text(encoding="utf-8")
    assert '<h1 class="index-title"' + english + "Latest news" in second
    assert '<nav class="pager" aria-label="Pages"' + english in second
    # The site's own Dhivehi phrase, inside the English pager, is Dhivehi again; the page
    # number's phrase is English like the pager's, and needs no mark of its own.
    assert 'rel="prev" lang="dv" dir="rtl">ފަހުގެ ޚަބަރުތައް</a>' in second
    assert '<span aria-current="page">Page 2</span>' in second
    assert 'rel="next">Older stories</a>' in second
    book = zipfile.ZipFile(site / "out" / f"epub/{SAMPLE_SLUG}.dv.epub")
    xhtml = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert '<p class="kicker" lang="en" xml:lang="en" dir="ltr">Politics</p>' in xhtml
    assert '<h2 lang="en" xml:lang="en" dir="ltr">Also available in</h2>' in xhtml
    # A language's own phrases are not marked: English once, on the page's <html>.
    for name in (f"{SAMPLE_SLUG}.en.html", "index.en.2.html"):
        assert (html / name).read_text(encoding="utf-8").count(english) == 1, name
    # So are the shared body renderer's: a photo's credit, and a correction's heading.
    assert '<small class="credit"' + english + "Credit: <bdi>" in page
    meta = source / "story.yaml"
    text = meta.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    text = text.replace("updated: 2021-02-18T19:30:00+01:00", "updated: 2021-02-19T09:00:00+01:00")
    meta.write_text(text + "correction:\n  note: {en: Fixes a number.}\n", encoding="utf-8")
    assert main([*args, "-f", "html", "-f", "epub", "-f", "atom", "-f", "rss"]) == 0
    page = (html / f"{SAMPLE_SLUG}.dv.html").read_text(encoding="utf-8")
    assert '<aside class="correction" role="note"><h2' + english + "Correction</h2>" in page


def _urdu_site(tmp_path: Path) -> Path:
    """The sample site in English and Urdu (a right-to-left language syndicate has no terms
    for), its story in both, updated the next morning, exported as pages and books."""
    from conftest import SAMPLE_SLUG

    site = _site_in(tmp_path, "ur")
    source = site / "articles" / SAMPLE_SLUG
    shutil.copy(source / "en.md", source / "ur.md")
    story = (source / "story.yaml").read_text(encoding="utf-8")
    story = re.sub(r"^updated: .*$", "updated: 2021-02-19T09:00:00+01:00", story, flags=re.M)
    (source / "story.yaml").write_text(story, encoding="utf-8")
    args = ["export", "-q", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    assert main([*args, "-f", "html", "-f", "epub"]) == 0
    return site


def test_a_date_in_an_english_phrase_is_marked_as_the_page_language(tmp_path: Path) -> None:
    """An Urdu book's "Published 19 فروری، 2021 11:00 AM" was an English, left-to-right
    paragraph holding the Urdu date with no isolation: drawn "Published 19 11:00 2021 ،فروری",
    the month read in an English voice. The date in an English phrase standing in (the
    dateline, "Published", "Updated") is isolated and marked as Urdu, in the books and on the
    pages, whose dateline and "Updated" line are marked as English like the other phrases; so
    is the dateline's place, the story's own text (the review found it read as English)."""
    from conftest import SAMPLE_SLUG

    site = _urdu_site(tmp_path)
    urdu = ' lang="ur" xml:lang="ur" dir="rtl">'
    english = ' lang="en" xml:lang="en" dir="ltr">'
    for name in (f"{SAMPLE_SLUG}.ur.epub", "edition-ur.epub"):
        book = zipfile.ZipFile(site / "out" / "epub" / name)
        xhtml = book.read(f"EPUB/story-{SAMPLE_SLUG}.xhtml").decode()
        for key, word in (("date", "Published "), ("date", "Updated ")):
            assert re.search(
                rf'<p class="{key}"{english}\s*<time datetime="[^"]+">{word}<bdi{urdu}\d+ فروری',
                xhtml,
            ), (name, word)
        assert re.search(
            rf'<p class="dateline"{english}<bdi lang="ur" xml:lang="ur">Brussels</bdi>, '
            rf"<bdi{urdu}18 فروری، 2021</bdi>",
            xhtml,
        ), name
    page = (site / "out" / f"html/{SAMPLE_SLUG}.ur.html").read_text(encoding="utf-8")
    place = '<bdi lang="ur">Brussels</bdi>, '
    for cls, word in (("dateline", place), ("updated", "Updated ")):
        assert re.search(
            rf'<p class="{cls}" lang="en" dir="ltr">{word}<time [^>]*lang="ur" dir="rtl">\d+ فروری',
            page,
        ), cls
    # A language's own phrase and date are not marked: the same lines in English.
    book = zipfile.ZipFile(site / "out" / "epub" / f"{SAMPLE_SLUG}.en.epub")
    xhtml = book.read(f"EPUB/story-{SAMPLE_SLUG}.xhtml").decode()
    assert re.search(r'<p class="date">\s*<time datetime="[^"]+">Updated February 19', xhtml)
    assert '<p class="dateline"><bdi>Brussels</bdi>, February 18, 2021</p>' in xhtml
    page = (site / "out" / f"html/{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="updated">Updated <time [^>]*"2021-02-19[^>]*">', page)


def test_a_latin_name_in_an_english_phrase_keeps_its_own_direction(tmp_path: Path) -> None:
    """In an Urdu book and page, which English "By {names}" and "{place}, {date}" stand in for,
    the byline's names and the dateline's place were in `<bdi dir="rtl">`: "YCPress Ltd." and
    "Washington D.C." were drawn ".YCPress Ltd" and ".Washington D.C". They keep the language
    of the text they come from, and take their own direction (`<bdi>`'s auto), as in an
    Arabic book; the date, syndicate's own Urdu, stays right to left."""
    from conftest import SAMPLE_SLUG

    site = _site_in(tmp_path, "ur")
    source = site / "articles" / SAMPLE_SLUG
    text = (source / "en.md").read_text(encoding="utf-8")
    text = text.replace("organisation: YCPress", "organisation: YCPress Ltd.")
    text = re.sub(r"^dateline: .*$", "dateline: Washington D.C.", text, flags=re.M)
    (source / "ur.md").write_text(text, encoding="utf-8")
    args = ["export", "-q", "--jobs", "1", "--config", str(site / "syndicate.yaml")]
    assert main([*args, "-f", "html", "-f", "epub"]) == 0
    out = site / "out"
    story = zipfile.ZipFile(out / "epub" / f"{SAMPLE_SLUG}.ur.epub")
    edition = zipfile.ZipFile(out / "epub" / "edition-ur.epub")
    shown = {
        "chapter": story.read(f"EPUB/story-{SAMPLE_SLUG}.xhtml").decode(),
        "contents": edition.read("EPUB/contents.xhtml").decode(),
        "page": (out / f"html/{SAMPLE_SLUG}.ur.html").read_text(encoding="utf-8"),
    }
    for where, text in shown.items():
        names = re.findall(r"<bdi([^>]*)>(YCPress Ltd\.|Washington D\.C\.)</bdi>", text)
        assert names, where
        for attributes, name in names:
            assert 'lang="ur"' in attributes and "dir=" not in attributes, (where, name)
    assert re.search(r'<bdi lang="ur" xml:lang="ur" dir="rtl">\d+ فروری', shown["chapter"])
    assert re.search(r'<time [^>]*lang="ur" dir="rtl">\d+ فروری', shown["page"])


def test_english_phrases_standing_in_are_marked_in_the_books_navigation(tmp_path: Path) -> None:
    """An Urdu book's navigation document ("Contents", the section's name, "Landmarks",
    "Cover", "Stories"), the `<title>` of its cover and contents pages and its package's
    accessibility summary, all English standing in, were read as Urdu, right to left: each
    is marked as English (`xml:lang` alone in the package, which has no `lang`)."""
    from conftest import SAMPLE_SLUG
    from lxml import etree

    site = _urdu_site(tmp_path)
    english = {"lang": "en", "{http://www.w3.org/XML/1998/namespace}lang": "en", "dir": "ltr"}
    book = zipfile.ZipFile(site / "out" / "epub" / "edition-ur.epub")
    nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    marked = {
        "".join(el.itertext()).strip()
        for el in nav.iter()
        if isinstance(el.tag, str) and all(el.get(k) == v for k, v in english.items())
    }
    assert marked == {"Contents", "Politics", "Landmarks", "Cover", "Stories"}
    # The story's own (its headline, then its subheadings), not marked.
    headline = nav.xpath("//*[local-name()='a'][not(@lang)]")
    assert headline[0].get("href") == f"story-{SAMPLE_SLUG}.xhtml" and len(headline) > 1
    assert all(a.get("href").startswith(f"story-{SAMPLE_SLUG}.xhtml#") for a in headline[1:])
    for member in ("EPUB/nav.xhtml", "EPUB/cover.xhtml", "EPUB/contents.xhtml"):
        title = etree.fromstring(book.read(member)).find("{*}head/{*}title")
        assert dict(title.attrib) == english, member
    opf = etree.fromstring(book.read("EPUB/content.opf"))
    summary = opf.find("{*}metadata/{*}meta[@property='schema:accessibilitySummary']")
    assert dict(summary.attrib) == {
        "property": "schema:accessibilitySummary",
        "{http://www.w3.org/XML/1998/namespace}lang": "en",
        "dir": "ltr",
    }
    # A section named by its code (no term) is in no language: its nav entry is not marked.
    from syndicate.formats.epub.book import section_marks

    assert section_marks("local-news", "ur") == ()
    assert section_marks("politics", "ur") == (("lang", "en"), ("dir", "ltr"))
    # A language's own phrases are not marked: no lang below the root in the English nav.
    nav = etree.fromstring(
        zipfile.ZipFile(site / "out/epub/edition-en.epub").read("EPUB/nav.xhtml")
    )
    assert [el.tag for el in nav.iter() if isinstance(el.tag, str) and el.get("lang")] == [nav.tag]


def _refused_site_language(tmp_path: Path, tag: str) -> Diagnostic:
    """The one error of the sample's configuration with the languages `en` and `tag`."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("languages: [en, fr, ar, zh-Hans, de, es]", f"languages: [en, {tag}]")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    diags = Diagnostics()
    assert load_config(tmp_path / "syndicate.yaml", "syndicate.yaml", diags) is None
    (error,) = diags.errors
    return error


@pytest.mark.parametrize(
    ("tag", "said"),
    [
        ("x-klingon", "'x-klingon' is a private-use tag (RFC 5646, 2.2.7), which syndicate"),
        ("i-klingon", "'i-klingon' is a grandfathered tag (RFC 5646, 2.2.8), and the tag the"
         " registry prefers, 'tlh' (Klingon), syndicate does not support either: CLDR"),
        ("zh-yue", "'zh-yue' is a tag IANA's registry deprecates; write 'yue' instead"),
        ("art-lojban", "'art-lojban' is a grandfathered tag (RFC 5646, 2.2.8); write 'jbo'"),
        ("tlh", "'tlh' is the code of Klingon, a language syndicate does not support: CLDR,"),
        ("qaa", "'qaa' is in the range ISO 639 reserves for local use ('qaa' to 'qtz')"),
        ("sgn-BE-FR", "'sgn-BE-FR' is a grandfathered tag (RFC 5646, 2.2.8), and the tag the"
         " registry prefers, 'sfb', syndicate does not support either"),
        ("i-default", "the registry gives no tag to write instead; write the tag of the"),
    ],
)  # fmt: skip
def test_a_bcp_47_tag_syndicate_does_not_take_is_told_why(
    tmp_path: Path, tag: str, said: str
) -> None:
    """RFC 5646 2.2.7 and 2.2.8 make `x-klingon` and `i-klingon` BCP 47 tags: they were told
    "is not a BCP 47 language tag"; `zh-yue` and `art-lojban` were not told the IANA
    registry's Preferred-Value; `tlh`, `qaa`, `sgn-BE-FR` only "unknown language tag"."""
    error = _refused_site_language(tmp_path, tag)
    assert said in error.message
    assert "not a BCP 47" not in error.message and "unknown language tag" not in error.message


@pytest.mark.parametrize(
    ("tag", "said"),
    [("ug-Cyrl", "'Uyghur' in the Cyrillic script, which CLDR has no locale data for"),
     ("ckb-Latn", "would be dated and directed as 'Central Kurdish' in the Arabic script;"
      " write 'ckb'")],
)  # fmt: skip
def test_a_script_cldr_has_no_locale_for_in_the_language_is_refused(
    tmp_path: Path, tag: str, said: str
) -> None:
    """babel reads `ug-Cyrl` as Uyghur in Arabic script and `ckb-Latn` as Sorani in Arabic
    script, dropping the script it has no data for: Cyrillic and Latin pages were marked
    `dir="rtl"`, and books paged right to left."""
    error = _refused_site_language(tmp_path, tag)
    assert said in error.message


@pytest.mark.parametrize(
    ("tag", "script", "dir_", "month"),
    [("zh-Hant-CN", "Hant", "ltr", "2月"), ("pa-Arab-IN", "Arab", "rtl", "فروری"),
     ("uz-Arab-UZ", "Arab", "rtl", "فبروری"), ("ja-Kana", "Jpan", "ltr", "2月"),
     ("sr-Latn-BA", "Latn", "ltr", "februar")],
)  # fmt: skip
def test_a_tag_keeps_its_script_where_a_region_has_a_locale_in_another(
    tag: str, script: str, dir_: str, month: str
) -> None:
    """babel reads `zh-Hant-CN` as China's locale, in Simplified characters, `pa-Arab-IN`
    as Punjabi in Gurmukhi and `uz-Arab-UZ` in Latin letters: the language in the tag's
    script is meant (its dates, its direction, its covers' fonts)."""
    from syndicate.i18n.locales import script as script_of

    assert script_of(tag) == script
    assert direction(tag) == dir_
    assert month in format_human_date(datetime(2026, 2, 3, tzinfo=UTC), tag, "UTC")


def _site_in(tmp_path: Path, lang: str) -> Path:
    """A copy of the sample site whose languages are English and `lang` (the story's other
    language files stay, unpublished, until a test removes them)."""
    import shutil

    from conftest import REPO

    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (site / "syndicate.yaml").write_text(
        config.replace("languages: [en, fr, ar, zh-Hans, de, es]", f"languages: [en, {lang}]"),
        encoding="utf-8",
    )
    return site


def test_traditional_chinese_says_to_readers_what_the_english_says() -> None:
    """zh-Hant's phrases a reader sees call a story 報導, as its story lists do (稿件, the
    newsroom's word for copy, is kept for the notes to partners, `kill_note` and
    `withdrawal_note`); the notice at a taken-back story's address says who removed it
    without the adversative 被; "No stories yet" says "yet" (尚); the books' accessibility
    summaries say "logical" (邏輯, not 合理, "reasonable") reading order and "hazards"
    (危害, harm to a reader, not 危險, "danger")."""
    zh, en = _terms("zh-Hant"), _terms("en")
    assert "報導" in zh["stories"] and "報導" in zh["newer_stories"]
    for key in ("notice_title", "notice_killed", "notice_withdrawn"):
        assert "報導" in zh[key] and "稿件" not in zh[key] and "被" not in zh[key], key
        assert _placeholders(zh[key]) == _placeholders(en[key])
    assert "稿" in zh["kill_note"] and "稿" in zh["withdrawal_note"]
    assert "尚" in zh["no_stories"]
    for key in ("accessibility_summary", "accessibility_summary_animated"):
        assert "邏輯" in zh[key] and "合理" not in zh[key], key
        assert "危害" in zh[key] and "危險" not in zh[key], key


def test_simplified_chinese_says_to_readers_what_the_english_says() -> None:
    """zh-Hans's phrases a reader sees call a story 报道, as its story lists do (稿件, the
    newsroom's word for copy, stays in the notes to partners); the notice at a taken-back
    story's address says who removed it without the adversative 被; the books' accessibility
    summaries say "logical" (逻辑, not 合理, "reasonable") reading order and "hazards" (危害,
    not 危险, "danger"), as zh-Hant's do."""
    zh, en = _terms("zh-Hans"), _terms("en")
    assert "报道" in zh["stories"] and "报道" in zh["no_stories"]
    for key in ("notice_title", "notice_killed", "notice_withdrawn"):
        assert "报道" in zh[key] and "稿件" not in zh[key] and "被" not in zh[key], key
        assert _placeholders(zh[key]) == _placeholders(en[key])
    assert "稿" in zh["kill_note"] and "稿" in zh["withdrawal_note"]
    for key in ("accessibility_summary", "accessibility_summary_animated"):
        assert "逻辑" in zh[key] and "合理" not in zh[key], key
        assert "危害" in zh[key] and "危险" not in zh[key], key
