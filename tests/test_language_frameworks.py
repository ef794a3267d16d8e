"""Welsh: the catalogue, framework translations (overlays) and their errors."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from peelgen import framework as frameworks
from peelgen.diagnostics import BuildFailed
from peelgen.framework import Labels, load_framework
from peelgen.framework_translations import DATA_KEYS
from peelgen.language import PLURAL_CATEGORIES, load_language
from tests.conftest import EXAMPLES, ROOT

TRANSLATED = ["peel-2016-effectiveness", "peel-2018-19-ipa", "peel-2023-25", "pcp-performance",
              "peel-2023-25-self-assessment", "peel-2017-national"]
# The same in both languages: names, acronyms and words Welsh shares with English.
SAME_IN_BOTH = {"PEEL", "HMIC", "HMICFRS", "Data"}
_PLACEHOLDER = re.compile(r"\{\w+\}")


def _texts(value: Any, key: str = "") -> list[str]:
    """Every reader-facing string in a dumped framework (ids, colours and flags left out)."""
    if isinstance(value, dict):
        return [text for k, item in value.items() if k not in DATA_KEYS for text in _texts(item, k)]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item, key)]
    return [value] if isinstance(value, str) else []


def _words(text: str) -> bool:
    """Whether a string has any words once its placeholders and shared names are taken out."""
    text = _PLACEHOLDER.sub("", text)
    for name in sorted(SAME_IN_BOTH, key=len, reverse=True):
        text = text.replace(name, "")
    return bool(re.search(r"[^\W\d_]", text))


@pytest.mark.parametrize("framework_id", TRANSLATED)
def test_welsh_framework_has_no_english_left(framework_id: str) -> None:
    welsh = load_framework(framework_id, "cy")
    english = load_framework(framework_id)
    assert welsh.language == "cy" and english.language == "en-GB"
    english_texts = set(_texts(english.model_dump()))
    left = sorted({text for text in _texts(welsh.model_dump())
                   if text in english_texts and _words(text)})
    assert left == []
    # and the structure is the English framework's
    assert [q.id for q in welsh.questions] == [q.id for q in english.questions]
    assert [c.kind for c in welsh.chapters] == [c.kind for c in english.chapters]
    assert [(g.id, g.colour) for g in welsh.grades.scale] == [(g.id, g.colour) for g in english.grades.scale]


def test_welsh_grades_are_the_inspectorates_words() -> None:
    fw = load_framework("peel-2023-25", "cy")
    assert [g.label for g in fw.grades.scale] == ["Rhagorol", "Da", "Digonol", "Angen gwella", "Annigonol"]
    assert fw.grades.ungraded.label == "Heb ei raddio"
    assert fw.labels.judgments == "Ein dyfarniadau"


def test_framework_labels_do_not_leak_into_welsh() -> None:
    """The English framework's own labels give way to the overlay's, then the catalogue's."""
    english, welsh = load_framework("peel-2018-19-ipa"), load_framework("peel-2018-19-ipa", "cy")
    assert english.labels.inspected_area == "IPA area"
    assert welsh.labels.inspected_area != "IPA area"
    assert welsh.labels.contents == load_language("cy").labels["contents"]


# -- the catalogue -------------------------------------------------------------------


def test_welsh_catalogue_is_complete_and_every_plural_has_other() -> None:
    cy, en = load_language("cy"), load_language("en-GB")
    Labels.model_validate(cy.labels)  # raises if a key is missing or unknown
    assert set(cy.labels) == set(en.labels)

    def plurals(labels: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for value in labels.values():
            if isinstance(value, dict) and set(value) <= set(PLURAL_CATEGORIES):
                found.append(value)
            elif isinstance(value, dict):
                found += plurals(value)
        return found

    assert plurals(cy.labels)
    assert all("other" in plural for plural in plurals(cy.labels))
    assert cy.info.review_note and "Welsh-speaking reviewer" in cy.info.review_note
    assert cy.info.hyphenate is False


def test_welsh_plural_categories_and_ordinals() -> None:
    cy = load_language("cy")
    assert [cy.plural_category(n) for n in (0, 1, 2, 3, 6, 7)] == ["zero", "one", "two", "few", "many", "other"]
    expected = {1: "1af", 2: "2il", 3: "3ydd", 4: "4ydd", 5: "5ed", 6: "6ed", 7: "7fed", 9: "9fed",
                10: "10fed", 11: "11eg", 12: "12fed", 13: "13eg", 15: "15fed", 18: "18fed", 19: "19eg",
                20: "20fed", 21: "21ain", 31: "31ain", 40: "40fed", 43: "43ain"}
    assert {n: cy.ordinal(n) for n in expected} == expected
    assert load_language("en-GB").ordinal(12) == "12th"


def test_welsh_dates() -> None:
    import datetime as dt

    assert load_language("cy").long_date(dt.date(2017, 3, 2)) == "2 Mawrth 2017"


# -- overlay errors --------------------------------------------------------------------


@pytest.fixture
def framework_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A frameworks folder on PEELGEN_FRAMEWORKS_PATH with a copy of peel-2023-25 as 'trial'
    and its Welsh overlay in trial's cy/ subfolder."""
    builtin = Path(frameworks.__file__).with_name("frameworks")
    data = yaml.safe_load((builtin / "peel-2023-25.yaml").read_text(encoding="utf-8"))
    data["id"] = "trial"
    (tmp_path / "trial.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "cy").mkdir()
    shutil.copy(builtin / "cy" / "peel-2023-25.yaml", tmp_path / "cy" / "trial.yaml")
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(tmp_path))
    return tmp_path


def _edit_overlay(folder: Path, change: Any) -> Path:
    path = folder / "cy" / "trial.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _errors(folder: Path) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load_framework("trial", "cy")
    for d in failure.value.diagnostics:
        assert d.file.endswith(str(Path("cy") / "trial.yaml")) and d.line is not None, d.format()
    return [d.message for d in failure.value.diagnostics]


def test_a_framework_folder_overlay_loads(framework_folder: Path) -> None:
    assert load_framework("trial", "cy").question("investigating").heading == "Ymchwilio i droseddau"


def test_overlay_cannot_change_an_id(framework_folder: Path) -> None:
    _edit_overlay(framework_folder, lambda d: d["questions"][2].update(id="powers"))
    messages = _errors(framework_folder)
    assert any("cannot add 'powers'" in m for m in messages)
    assert any("questions.police-powers is not translated" in m for m in messages)


def test_overlay_cannot_change_a_colour(framework_folder: Path) -> None:
    _edit_overlay(framework_folder, lambda d: d["grades"]["scale"][0].update(colour="#000000"))
    (message,) = _errors(framework_folder)
    assert message.startswith("a translation cannot change grades.scale.outstanding.colour")


def test_overlay_cannot_change_a_flag_or_kind(framework_folder: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["questions"][1]["graded"] = False
        data["chapters"][0]["kind"] = "text"

    messages = _errors(_edit_overlay(framework_folder, change).parent.parent)
    assert len(messages) == 2 and all("a translation cannot change" in m for m in messages)


def test_overlay_cannot_add_a_key(framework_folder: Path) -> None:
    _edit_overlay(framework_folder, lambda d: d["questions"][1].update(intro="Testun newydd"))
    (message,) = _errors(framework_folder)
    assert "cannot add 'questions.recording-data.intro'" in message


def test_overlay_must_translate_every_text(framework_folder: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del data["questions"][4]["heading"]
        del data["hmi_closing"]

    messages = _errors(_edit_overlay(framework_folder, change).parent.parent)
    assert sorted(messages) == ["hmi_closing is not translated", "questions.responding.heading is not translated"]


def test_overlay_text_sections_match_by_position(framework_folder: Path) -> None:
    builtin = Path(frameworks.__file__).with_name("frameworks")
    shutil.copy(builtin / "peel-2016-effectiveness.yaml", framework_folder / "trial.yaml")
    data = yaml.safe_load((framework_folder / "trial.yaml").read_text(encoding="utf-8"))
    data["id"] = "trial"
    (framework_folder / "trial.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    shutil.copy(builtin / "cy" / "peel-2016-effectiveness.yaml", framework_folder / "cy" / "trial.yaml")
    english_heading = data["chapters"][0]["sections"][0]["heading"]
    assert load_framework("trial", "cy").chapters[0].sections[0].heading != english_heading
    _edit_overlay(framework_folder, lambda d: d["chapters"][0]["sections"].append(
        {"heading": "Ychwanegol", "body": "Testun"}))
    (message,) = _errors(framework_folder)
    assert message == "chapters.introduction.sections has 2 entries in the translation but 1 in the framework"


def test_overlay_placeholders_and_footnotes_are_checked(framework_folder: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["questions"][1]["lead"] = "Mae {forse} {grade_phrase} cofnodi troseddau."

    (message,) = _errors(_edit_overlay(framework_folder, change).parent.parent)
    assert "uses {forse}, which the framework never fills in" in message


def test_missing_overlay_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = Path(frameworks.__file__).with_name("frameworks")
    data = yaml.safe_load((builtin / "peel-2023-25.yaml").read_text(encoding="utf-8"))
    data["id"] = "untranslated"
    (tmp_path / "untranslated.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(tmp_path))
    assert load_framework("untranslated").language == "en-GB"
    with pytest.raises(BuildFailed) as failure:
        load_framework("untranslated", "cy")
    (diagnostic,) = failure.value.diagnostics
    assert diagnostic.message == ("framework untranslated has no Welsh (cy) translation: "
                                  "add frameworks/cy/untranslated.yaml (docs/languages.md)")


def test_a_framework_in_its_own_language_needs_no_overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A framework written in Welsh (source_language: cy) loads in Welsh as it is."""
    builtin = Path(frameworks.__file__).with_name("frameworks")
    data = yaml.safe_load((builtin / "peel-2023-25.yaml").read_text(encoding="utf-8"))
    data.update(id="cymraeg", source_language="cy", title="Fframwaith Cymraeg")
    (tmp_path / "cymraeg.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(tmp_path))
    assert load_framework("cymraeg", "cy").title == "Fframwaith Cymraeg"


# -- peelgen frameworks --------------------------------------------------------------


def test_frameworks_command_shows_welsh_words_and_languages(cli) -> None:
    run = cli("frameworks", "show", "peel-2023-25", "--language", "cy")
    assert run.code == 0, run.err
    assert "  - requires-improvement: Angen gwella" in run.out.splitlines()
    listing = cli("frameworks")
    assert listing.code == 0, listing.err
    assert "  languages:   en-GB, cy" in listing.out.splitlines()
    before = cli("frameworks", "--language", "cy", "show", "peel-2023-25")  # the group's option counts too
    assert before.code == 0 and before.out == run.out
    assert "  - requires-improvement: Requires improvement" in cli("frameworks", "show", "peel-2023-25").out
    unknown = cli("frameworks", "show", "peel-2023-25", "--language", "cyy")
    assert unknown.code == 2 and "no catalogue for language 'cyy' (did you mean 'cy'?)" in unknown.err


def test_overlay_labels_are_checked_where_they_are(framework_folder: Path) -> None:
    _edit_overlay(framework_folder, lambda d: d["labels"].update(judgement="Ein dyfarniadau"))
    (message,) = _errors(framework_folder)
    assert message == "unknown label 'judgement'"


# -- a whole report ------------------------------------------------------------------


@pytest.mark.parametrize("example", sorted({p.parent.name for p in EXAMPLES}))
def test_every_example_builds_in_welsh(example: str, tmp_path: Path) -> None:
    """Each example (English findings) built with meta.language: cy: the page is Welsh,
    and its framework's words are the Welsh ones."""
    from peelgen.build import compile_report, render_outputs

    folder = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, folder)
    report = folder / "report.yaml"
    text = report.read_text(encoding="utf-8")
    text = re.sub(r"^  (language|translation): .*$", "", text, flags=re.M)  # one edition, in Welsh
    report.write_text(re.sub(r"^meta:\n", "meta:\n  language: cy\n", text, count=1, flags=re.M), encoding="utf-8")
    compiled = compile_report(report)
    outputs = render_outputs(compiled, ("html",))
    page = next(data for name, data in outputs.items() if name.endswith(".html")).decode("utf-8")
    data = yaml.safe_load(text)
    welsh, english = load_framework(data["framework"], "cy"), load_framework(data["framework"])
    assert '<html lang="cy"' in page
    if "title" not in data["meta"] and "masthead" not in data:  # a report's own title wins
        assert html.escape(welsh.report_title) in page
        assert html.escape(english.report_title) not in page
    headings = [heading for chapter in welsh.chapters
                for heading in (chapter.heading, *(part.heading for part in chapter.parts))
                if heading and "{" not in heading]
    assert headings
    assert [heading for heading in headings if html.escape(heading, quote=False) not in page] == []
    assert f">{english.labels.contents}<" not in page


def test_a_translation_belongs_to_the_file_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed copy of a built-in framework on the search path does not take on the
    built-in framework's translation (it translates other text)."""
    builtin = Path(frameworks.__file__).with_name("frameworks")
    shutil.copy(builtin / "peel-2023-25.yaml", tmp_path / "peel-2023-25.yaml")
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(tmp_path))
    with pytest.raises(BuildFailed) as failure:
        load_framework("peel-2023-25", "cy")
    assert "has no Welsh (cy) translation" in failure.value.diagnostics[0].message
    assert frameworks.languages_of("peel-2023-25") == ["en-GB"]
