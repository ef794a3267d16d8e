"""Words peelgen's Python composes come from the language catalogue: dates, ordinals,
numbers, plural phrases, list joining, unit words, chart legends and descriptions.

Two kinds of test: a Welsh edition (cy.yaml's keys merged over the English catalogue in
a temporary catalogue folder, so a whole report builds in Welsh while the rest of cy.yaml
is written elsewhere), and a pseudo-language build of every example, whose catalogue
marks every word «like this»: any word in a derived sentence, chart legend or chart
text that is neither marked nor report data was written by Python, in English."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from peelgen.build import compile_report
from peelgen.document import Document
from peelgen.formatting import Formats, number
from peelgen.framework import Labels
from peelgen.language import BUILTIN_DIR, ListWords, load_language
from peelgen.render_charts import render_charts
from tests.conftest import EXAMPLES, MINIMAL
from tests.test_metrics import DATA_REPORT, write_data

# The English edition of each example: each is built here in a pseudo-language of English.
ENGLISH_EDITIONS = [path for path in EXAMPLES if path.name == "report.yaml"]
ENGLISH = yaml.safe_load((BUILTIN_DIR / "en-GB.yaml").read_text(encoding="utf-8"))
WELSH = yaml.safe_load((BUILTIN_DIR / "cy.yaml").read_text(encoding="utf-8"))


def _over_english(own: dict[str, Any], base: dict[str, Any] = ENGLISH["labels"]) -> dict[str, Any]:
    """``own`` labels over the English ones; a plural phrase (with ``other``) replaces
    the English one whole, never mixing categories of two languages."""
    out = dict(base)
    for key, value in own.items():
        nested = isinstance(value, dict) and "other" not in value and isinstance(base.get(key), dict)
        out[key] = _over_english(value, base[key]) if nested else value
    return out


def _catalogue(folder: Path, tag: str, info: dict[str, Any], labels: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({"language": {**info, "tag": tag}, "labels": labels}, allow_unicode=True, sort_keys=False)
    (folder / f"{tag}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def welsh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A complete Welsh catalogue: cy.yaml's keys over the English labels."""
    folder = tmp_path / "languages"
    _catalogue(folder, "cy", WELSH["language"], _over_english(WELSH["labels"]))
    monkeypatch.setenv("PEELGEN_LANGUAGES_PATH", str(folder))
    return folder


def _in_welsh(text: str) -> str:
    return text.replace("meta:\n", "meta:\n  language: cy\n", 1)


# -- Welsh: the language's formats ---------------------------------------------------------


def test_welsh_dates_and_month_years():
    cy = load_language("cy")
    assert cy.long_date(dt.date(2017, 3, 2)) == "2 Mawrth 2017"
    assert cy.month_year(dt.date(2018, 10, 1)) == "Hydref 2018"
    assert load_language().long_date(dt.date(2017, 3, 2)) == "2 March 2017"


def test_welsh_ordinals_follow_cldr():
    cy = load_language("cy")
    assert [cy.ordinal(n) for n in range(1, 11)] == [
        "1af", "2il", "3ydd", "4ydd", "5ed", "6ed", "7fed", "8fed", "9fed", "10fed"]
    assert [load_language().ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd"]


def test_welsh_plural_phrases_by_category(welsh):
    labels = Labels.model_validate(_over_english(WELSH["labels"]))
    cy = load_language("cy")
    periods = {n: labels.charts.periods.for_count(n, cy).format(n=n) for n in (0, 1, 2, 3, 6, 7)}
    assert [cy.plural_category(n) for n in periods] == ["zero", "one", "two", "few", "many", "other"]
    assert periods == {0: "0 cyfnod", 1: "1 cyfnod", 2: "2 gyfnod", 3: "3 chyfnod", 6: "6 chyfnod", 7: "7 cyfnod"}
    assert labels.charts.months.for_count(2, cy).format(n=2) == "2 fis"
    english = Labels.model_validate(ENGLISH["labels"])
    assert [english.charts.periods.for_count(n, load_language()).format(n=n) for n in (1, 2)] == [
        "1 period", "2 periods"]


@pytest.mark.parametrize(("names", "english", "welsh"), [
    ([], "", ""),
    (["Gwent"], "Gwent", "Gwent"),
    (["Gwent", "Dyfed-Powys"], "Gwent and Dyfed-Powys", "Gwent a Dyfed-Powys"),
    (["Gwent", "De Cymru", "Dyfed-Powys"], "Gwent, De Cymru and Dyfed-Powys", "Gwent, De Cymru a Dyfed-Powys"),
    (["Gwynedd", "Ynys Môn"], "Gwynedd and Ynys Môn", "Gwynedd ac Ynys Môn"),
    (["Conwy", "Abertawe"], "Conwy and Abertawe", "Conwy ac Abertawe"),
    (["Fflint", "Wrecsam"], "Fflint and Wrecsam", "Fflint a Wrecsam"),
])
def test_lists_join_by_the_catalogue(names, english, welsh):
    assert ListWords.model_validate(ENGLISH["labels"]["list_join"]).join(names) == english
    assert ListWords.model_validate(WELSH["labels"]["list_join"]).join(names) == welsh


def test_numbers_and_unit_words_in_welsh(welsh):
    labels = Labels.model_validate(_over_english(WELSH["labels"]))
    formats = Formats(load_language("cy"), labels.units)
    assert formats.number(1234567.891, 2) == "1,234,567.89"  # CLDR: Welsh groups and decimals as English
    assert formats.measure(20.25, unit="percent", decimals=1) == "20.2 y cant"
    assert formats.measure(20.25, unit="percent", decimals=1, percent_style="%") == "20.2%"
    assert formats.measure(143e6, unit="gbp", decimals=0, scale="million") == "£143 miliwn"
    assert formats.unit_label("rate", "1,000 o'r boblogaeth") == "Cyfradd fesul 1,000 o'r boblogaeth"
    assert formats.unit_label("percent", None) == "Canran"
    assert formats.unit_label("count", None) == "Nifer"


def test_number_symbols_come_from_the_locale(tmp_path, monkeypatch):
    """A language with other symbols (German: 1.234,5) gets them from CLDR, not Python."""
    folder = tmp_path / "languages"
    _catalogue(folder, "de", {**ENGLISH["language"], "babel_locale": "de"}, ENGLISH["labels"])
    monkeypatch.setenv("PEELGEN_LANGUAGES_PATH", str(folder))
    german = load_language("de")
    assert german.number_symbols == (".", ",")
    assert german.number(-1234567.5, 1) == "-1.234.567,5"
    assert number(-1234567.5, 1) == "-1,234,567.5"


# -- Welsh: a whole report -----------------------------------------------------------------


@pytest.fixture
def welsh_data_report(welsh, write, tmp_path: Path) -> Document:
    write_data(tmp_path)
    text = _in_welsh(DATA_REPORT).replace(
        "    areas_for_improvement:\n      - The force should improve.\n",
        "    areas_for_improvement:\n      - The force should improve.\n"
        "    causes_of_concern:\n      - statement: A concern.\n        recommendations:\n"
        "          - {text: 'By {deadline}, act.', deadline: 2017-03-02}\n"
        "          - {text: 'Also act.', deadline: 2018-10-01}\n")
    return compile_report(write(text)).document


def _figure(doc: Document, figure_id: str):
    chart = doc.figures[figure_id].chart
    assert chart is not None
    return chart


def test_welsh_report_derives_welsh_sentences(welsh_data_report):
    doc = welsh_data_report
    assert doc.lang == "cy" and doc.publication_date_text == "2 Mawrth 2017"
    assert "".join(text for kind, text in doc.footer if kind == "text") == "Tudalen  o "
    assert doc.logo_alt == "Logo Testshire Police"
    ranked = _figure(doc, "ranked")
    assert "Testshire Police: 15.2 y cant, 2il" in ranked.description  # Welsh ordinal and unit word
    assert "yn dangos 5 heddlu" in ranked.description  # a count phrase by plural category
    assert ranked.text.illustrative == "Data enghreifftiol"
    assert ranked.text.band == "Un gwyriad safonol bob ochr i'r cymedr"
    trend = _figure(doc, "trend")
    assert "2 gyfnod" in trend.description and trend.unit_label == "Cyfradd fesul 1,000 population"
    assert _figure(doc, "shares").unit_label == "Canran"
    boxes = [box for chapter in doc.chapters for box in getattr(chapter, "boxes", [])]
    deadlines = [item.deadline_text for box in boxes for concern in box.concerns for item in concern.recommendations]
    assert deadlines == [None, "1 Hydref 2018"]  # the first quotes its deadline in its text


def test_welsh_charts_draw_welsh_legends(welsh_data_report):
    svg = render_charts(welsh_data_report, target="print")["ranked"]
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL)
    assert "Data enghreifftiol" in texts
    assert any("gwyriad safonol" in text for text in texts)
    assert not any("Illustrative" in text or "standard deviation" in text for text in texts)


@pytest.fixture
def welsh_panel_report(welsh, tmp_path: Path) -> Path:
    example = next(path for path in EXAMPLES if path.parent.name == "west-mercia-pcp-2016")
    folder = tmp_path / "pcp"
    shutil.copytree(example.parent, folder)
    report = folder / "report.yaml"
    report.write_text(_in_welsh(report.read_text(encoding="utf-8")), encoding="utf-8")
    return report


def test_welsh_control_chart_and_performance_tables(welsh_panel_report):
    doc = compile_report(welsh_panel_report).document
    controls = [figure for figure in doc.figures.values() if figure.id.startswith("control-")]
    assert controls
    chart = controls[0].chart
    assert chart.text.mean.startswith("Cymedr (") and chart.text.limits.startswith("Terfynau rheoli (")
    assert " i " in chart.text.limits and chart.text.outside == "Y tu allan i'r terfynau"
    assert re.search(r"\d+ mis ", chart.description)
    svg = render_charts(doc)[controls[0].id]
    assert chart.text.mean in svg and "Y tu allan i" in svg
    assert "Mean (" not in svg and "Control limits" not in svg


# -- No English outside the catalogue: a pseudo-language build of every example -------------

OPEN, CLOSE = "«", "»"
_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")
_MARKED = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _mark(value: Any) -> Any:
    """Every run of words in a catalogue value marked, placeholders kept as they are."""
    if isinstance(value, dict):
        return {key: _mark(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark(item) for item in value]
    if not isinstance(value, str):
        return value
    return "".join(part if _PLACEHOLDER.fullmatch(part) or not _WORD.search(part) else f"{OPEN}{part}{CLOSE}"
                   for part in _PLACEHOLDER.split(value))


@pytest.fixture
def pseudo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    info = copy.deepcopy(ENGLISH["language"])
    info["ordinals"] = _mark(info["ordinals"])
    info["framework_language"] = "en-GB"  # the frameworks' own (English) text, as data
    _catalogue(tmp_path / "languages", "zz", info, _mark(ENGLISH["labels"]))
    monkeypatch.setenv("PEELGEN_LANGUAGES_PATH", str(tmp_path / "languages"))
    return "zz"


def _build(example: Path, tmp_path: Path, tag: str) -> tuple[Document, Any]:
    folder = tmp_path / example.parent.name
    shutil.copytree(example.parent, folder)
    report = folder / example.name
    report.write_text(report.read_text(encoding="utf-8").replace("meta:\n", f"meta:\n  language: {tag}\n", 1),
                      encoding="utf-8")
    compiled = compile_report(report)
    return compiled.document, compiled.validated.report


def _data_words(doc: Document, report: Any) -> set[str]:
    """Words a derived sentence may quote from the report: titles, names, categories, units."""
    language = load_language(doc.lang)
    texts = [doc.force, doc.force_short, *language.locale.months["format"]["wide"].values(),
             *language.locale.months["format"]["abbreviated"].values()]
    for figure in doc.figures.values():
        texts.append(figure.plain_title)
        chart = figure.chart
        if chart is not None:
            texts += [*chart.categories, *(name for name, _ in chart.series), *chart.missing]
            texts += [chart.highlight or "", chart.reference[0] if chart.reference else ""]
    for item in [*getattr(report, "datasets", []), *getattr(report, "metrics", []), *getattr(report, "measures", [])]:
        texts += [getattr(item, "per", None) or "", getattr(item, "label", None) or ""]
    for figure in getattr(report, "figures", []):
        texts.append((figure.chart.y_label or "") if figure.chart else "")
    return {word.lower() for text in texts for word in _WORD.findall(_MARKED.sub(" ", text))}


def _derived_texts(doc: Document) -> dict[str, str]:
    """The sentences and words peelgen composes, by where they are."""
    out = {"footer": "".join(text for kind, text in doc.footer if kind == "text"), "logo_alt": doc.logo_alt or ""}
    for figure in doc.figures.values():
        chart = figure.chart
        if chart is None:
            continue
        where = f"figure {figure.id}"
        out[f"{where} description"] = chart.description
        out[f"{where} unit"] = chart.unit_label
        out[f"{where} table"] = " ".join(heading for heading, _ in chart.data_table.columns)
        for name in ("illustrative", "band", "mean", "limits", "outside"):
            out[f"{where} {name}"] = getattr(chart.text, name)
    for chapter in doc.chapters:
        for aim in getattr(chapter, "aims", []):
            for topic in aim.topics:
                for m in topic.measures:
                    out[f"measure {m.label}"] = " ".join([m.current, m.previous, m.change, m.direction, m.peer or ""])
        for rec in getattr(chapter, "recommendations", []):
            if hasattr(rec, "deadline") and isinstance(rec.deadline, str):
                out[f"recommendation {rec.number}"] = rec.deadline
    return out


def _english(texts: dict[str, str], allowed: set[str]) -> dict[str, list[str]]:
    """Words outside the catalogue's marks that are not report data, by where they are."""
    found = {}
    for where, text in texts.items():
        words = [w for w in _WORD.findall(_MARKED.sub(" ", text)) if w.lower() not in allowed]
        if words:
            found[where] = words
    return found


def _svg_texts(svg: str) -> str:
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", text) for text in texts)


@pytest.mark.parametrize("example", ENGLISH_EDITIONS, ids=[p.parent.name for p in ENGLISH_EDITIONS])
def test_derived_words_all_come_from_the_catalogue(example, pseudo, tmp_path):
    doc, report = _build(example, tmp_path, pseudo)
    allowed = _data_words(doc, report)
    texts = _derived_texts(doc)
    assert any(OPEN in text for text in texts.values())
    for figure_id, svg in render_charts(doc, target="print").items():
        texts[f"chart {figure_id} (drawn)"] = _svg_texts(svg)
    assert _english(texts, allowed) == {}


def test_the_check_catches_english_written_in_python(pseudo, tmp_path, monkeypatch):
    """English planted in a derived sentence and on a drawn chart is found."""
    import peelgen.charts.kinds
    import peelgen.figures
    from peelgen.charts.scene import Text

    example = next(path for path in EXAMPLES if path.parent.name == "west-mercia-pcp-2016")
    monkeypatch.setattr(peelgen.figures, "_count", lambda state, phrase, count: f"{count} planted months")
    doc, report = _build(example, tmp_path, pseudo)
    allowed = _data_words(doc, report)
    texts = _derived_texts(doc)
    assert any("planted" in words for words in _english(texts, allowed).values())

    original = peelgen.charts.kinds._control

    def planted(chart, geometry):
        scene = original(chart, geometry)
        scene.add(Text(10, 10, "Monthly cases", geometry.font_pt, "#1b1b1b"))
        return scene

    monkeypatch.setattr(peelgen.charts.kinds, "_control", planted)
    drawn = {figure_id: _svg_texts(svg) for figure_id, svg in render_charts(doc, target="print").items()}
    found = _english(drawn, allowed)
    assert found and all("cases" in words for words in found.values())


# -- Word: words it used to leave out, and its header's draft mark -------------------------


def _pandoc_words(doc: Document) -> str:
    from peelgen.render_docx import pandoc_document
    from peelgen.render_docx.parts import plain_text

    charts = {figure_id: "data:image/png;base64," for figure_id in doc.figures}
    blocks = pandoc_document(doc, "docx", charts)["blocks"]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict) and node.get("t") == "Para":
            found.append(plain_text(node["c"]))
        elif isinstance(node, dict | list):
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(blocks)
    return "\n".join(found)


def test_word_prints_the_aim_and_the_inspections_heading(welsh_panel_report, tmp_path):
    english = compile_report(EXAMPLES[[p.parent.name for p in EXAMPLES].index("west-mercia-pcp-2016")]).document
    assert "Aim: To protect communities from harm" in _pandoc_words(english)
    welsh = compile_report(welsh_panel_report).document
    words = _pandoc_words(welsh)
    assert "Nod: To protect communities from harm" in words and "Aim:" not in words
    from peelgen.render_docx import pandoc_document

    table = json.dumps(pandoc_document(welsh, "docx", {f: "data:," for f in welsh.figures}), ensure_ascii=False)
    assert '"Arolygiad"' in table and '"Inspection"' not in table


def test_word_marks_a_welsh_draft_in_welsh(welsh, write):
    import io
    import zipfile

    from peelgen.render_docx import render_word

    doc = compile_report(write(_in_welsh(MINIMAL))).document
    package = zipfile.ZipFile(io.BytesIO(render_word(doc, "docx", draft=True)))
    headers = " ".join(package.read(name).decode("utf-8") for name in package.namelist()
                       if name.startswith("word/header"))
    assert "DRAFFT" in headers and "DRAFT<" not in headers


# -- Annex A's force-neutral titles and {grade_verb}: data in the catalogue, not English regexes ----


@pytest.mark.parametrize(("title", "english"), [
    ("Crime rates in {area}, for 2016", "Crime rates, for 2016"),
    ("Crime rates in {area} Police[^note]", "Crime rates"),
    ("Victims for  {force_short} over time", "Victims over time"),
    ("Crime rates in Wales", "Crime rates in Wales"),
])
def test_neutral_titles_drop_the_catalogue_phrases(title, english):
    from peelgen.chapters.annex import neutral_title

    assert neutral_title(title, ENGLISH["labels"]["annex_title_drops"]) == english


def test_welsh_neutral_titles_and_grade_verbs():
    from peelgen.chapters.annex import neutral_title
    from peelgen.chapters.areas import _without_ends

    drops = WELSH["labels"]["annex_title_drops"]
    assert neutral_title("Cyfraddau troseddu yn {area}, 2016", drops) == "Cyfraddau troseddu, 2016"
    assert neutral_title("Dioddefwyr ar gyfer Heddlu {area}", drops) == "Dioddefwyr"
    ends = WELSH["labels"]["grade_phrase_ends"]
    assert _without_ends("yn dda o ran", ends) == "yn dda"
    assert _without_ends("yn rhagorol am", ends) == "yn rhagorol"
    assert _without_ends("is good at", ENGLISH["labels"]["grade_phrase_ends"]) == "is good"
    assert _without_ends("requires improvement", ENGLISH["labels"]["grade_phrase_ends"]) == "requires improvement"


def test_national_deadlines_in_the_reports_language():
    from peelgen.chapters.recommendations import _month_or_date

    cy, english = load_language("cy"), load_language()
    assert [_month_or_date(value, cy) for value in ("2018-10", "2018-10-01")] == ["Hydref 2018", "1 Hydref 2018"]
    assert [_month_or_date(value, english) for value in ("2018-10", "2018-10-01")] == [
        "October 2018", "1 October 2018"]
