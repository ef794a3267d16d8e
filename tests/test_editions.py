"""Paired editions (meta.translation): two languages of one report, in one folder.

The pair is the fictional example and a copy of it marked as the Welsh edition. Until
the Welsh catalogue is complete, the Welsh edition uses a test catalogue on
PEELGEN_LANGUAGES_PATH: the English words under the tag ``cy`` (its own link words in
Welsh), which is all the comparison needs.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import MINIMAL, ROOT, line_of

from peelgen.diagnostics import BuildFailed
from peelgen.editions import default_slug

EXAMPLE = ROOT / "examples" / "fictional-2023-25"


@pytest.fixture
def welsh_catalogue(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("languages")
    text = (ROOT / "peelgen" / "languages" / "en-GB.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  tag: en-GB$", "  tag: cy", text)
    text = re.sub(r"(?m)^  name: .*$", "  name: Cymraeg", text)
    text = re.sub(r"(?m)^  english_name: .*$", "  english_name: Welsh", text)
    text = re.sub(r"(?m)^  babel_locale: .*$", "  babel_locale: cy", text)
    text = text.replace("    cy: Read the Welsh version", "    en-GB: Darllenwch y fersiwn Saesneg")
    assert "en-GB: Darllenwch" in text and "tag: cy" in text
    (folder / "cy.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("PEELGEN_LANGUAGES_PATH", str(folder))
    return folder


@pytest.fixture
def pair(tmp_path: Path, welsh_catalogue: Path) -> Path:
    """tmp_path/pair: report.yaml (English, slug ravensmoor-2023-25) and report.cy.yaml
    (Welsh, default slug), naming each other."""
    folder = tmp_path / "pair"
    shutil.copytree(EXAMPLE, folder)
    english = (folder / "report.yaml").read_text(encoding="utf-8")
    assert "  slug: ravensmoor-2023-25\n" in english
    welsh = english.replace("  slug: ravensmoor-2023-25\n", "  language: cy\n  translation: report.yaml\n")
    english = english.replace("  slug: ravensmoor-2023-25\n",
                              "  slug: ravensmoor-2023-25\n  translation: report.cy.yaml\n")
    # Words may differ between editions: translate a heading and a paragraph's start.
    welsh = welsh.replace("Prevention is where {force} is at its best.", "Atal yw lle mae {force} ar ei orau.")
    welsh = welsh.replace("title: HM Inspector of Constabulary", "title: Arolygydd Cwnstabliaeth EF")
    (folder / "report.yaml").write_text(english, encoding="utf-8")
    (folder / "report.cy.yaml").write_text(welsh, encoding="utf-8")
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, count)
    path.write_text(text, encoding="utf-8")
    return text


def _regrade(path: Path, grade: str) -> str:
    """The 'investigating' question (adequate in the example) graded ``grade``."""
    return _edit(path, "  - id: investigating\n    grade: adequate", f"  - id: investigating\n    grade: {grade}")


def _errors(cli, path: Path) -> list[str]:
    run = cli("validate", path)
    assert run.code != 0, run.out + run.err
    return run.err_lines


def test_a_faithful_pair_validates_from_either_side(cli, pair: Path):
    for name in ("report.yaml", "report.cy.yaml"):
        run = cli("validate", pair / name)
        assert run.code == 0, run.err


def test_a_grade_changed_in_one_edition_is_an_error_located_in_each(cli, pair: Path):
    welsh = _regrade(pair / "report.cy.yaml", "good")
    english = (pair / "report.yaml").read_text(encoding="utf-8")
    errors = _errors(cli, pair / "report.cy.yaml")
    line = line_of(welsh, "grade: good", 2)  # police-powers is good in both
    assert errors == [
        f"pair/report.cy.yaml:{line}:12: questions[4].grade: grade of 'investigating' is 'good' here but "
        "'adequate' in report.yaml (the English edition): a translation cannot change a judgment "
        "(correct whichever edition is wrong, then validate both) [edition.grade]"]
    line = line_of(english, "    grade: adequate", 2)
    assert _errors(cli, pair / "report.yaml") == [
        f"pair/report.yaml:{line}:12: questions[4].grade: grade of 'investigating' is 'adequate' here but "
        "'good' in report.cy.yaml (the Welsh edition): a translation cannot change a judgment "
        "(correct whichever edition is wrong, then validate both) [edition.grade]"]


def test_a_changed_metric_value_marking_or_date_is_an_error(cli, pair: Path):
    _edit(pair / "report.cy.yaml", "    value: 61.8", "    value: 61.9")
    _edit(pair / "report.cy.yaml", "  publication_date: 2024-11-12", "  publication_date: 2024-11-13\n"
          "  marking: OFFICIAL")
    errors = {error.rsplit("[", 1)[1].rstrip("]"): error for error in _errors(cli, pair / "report.cy.yaml")}
    assert sorted(errors) == ["edition.date", "edition.marking", "edition.value"], errors
    assert "metrics[0].value: value of 'emergency-calls-10s' is 61.9 here but 61.8 in report.yaml" in \
        errors["edition.value"]
    assert "meta.publication_date: publication_date is '2024-11-13' here but '2024-11-12'" in \
        errors["edition.date"]
    assert "meta.marking: marking is 'OFFICIAL' here but missing in report.yaml" in errors["edition.marking"]


def test_the_same_number_written_differently_is_the_same_value(cli, pair: Path):
    _edit(pair / "report.cy.yaml", "    value: 1184", "    value: 1184.0")
    assert cli("validate", pair / "report.cy.yaml").code == 0


def test_a_data_file_with_a_different_number_is_an_error(cli, pair: Path):
    data = pair / "data"
    text = (data / "emergency-calls-by-force.csv").read_text(encoding="utf-8")
    (data / "emergency-calls-by-force.cy.csv").write_text(text.replace(",83.6", ",83.7"), encoding="utf-8")
    welsh = _edit(pair / "report.cy.yaml", "file: data/emergency-calls-by-force.csv",
                  "file: data/emergency-calls-by-force.cy.csv")
    errors = _errors(cli, pair / "report.cy.yaml")
    line = line_of(welsh, "file: data/emergency-calls-by-force.cy.csv")
    assert len(errors) == 1 and errors[0].startswith(f"pair/report.cy.yaml:{line}:")
    assert "data/emergency-calls-by-force.cy.csv differs from data/emergency-calls-by-force.csv" in errors[0]
    assert "83.7 against 83.6 (line 3, column 2 of data/emergency-calls-by-force.cy.csv)" in errors[0]
    assert errors[0].endswith("[edition.value]")
    # The same numbers under translated headings and names: allowed.
    translated = text.replace("force,value", "heddlu,gwerth").replace("Avon and Somerset Constabulary,",
                                                                       "Heddlu Avon a Gwlad yr Haf,")
    (data / "emergency-calls-by-force.cy.csv").write_text(translated, encoding="utf-8")
    run = cli("validate", pair / "report.cy.yaml")
    assert run.code == 0, run.err


def test_a_missing_id_or_item_is_an_error(cli, pair: Path):
    # The Welsh edition renames a metric and has one more area for improvement.
    _edit(pair / "report.cy.yaml", "  - id: oh-wait-weeks\n", "  - id: oh-wait-week\n")
    _edit(pair / "report.cy.yaml", "    areas_for_improvement:\n      - >-\n", "    areas_for_improvement:\n"
          "      - >-\n        Dylai'r heddlu.\n      - >-\n")
    english = (pair / "report.yaml").read_text(encoding="utf-8")
    errors = _errors(cli, pair / "report.yaml")
    assert f"pair/report.yaml:{line_of(english, '  - id: oh-wait-weeks')}:9: metrics[9].id: 'oh-wait-weeks' is " \
        "here but not in report.cy.yaml (the Welsh edition) (both editions have the same items, with the same " \
        "ids) [edition.id]" in errors
    assert any("'oh-wait-week' is in report.cy.yaml (the Welsh edition) but not here" in e for e in errors)
    count = [e for e in errors if e.endswith("[edition.count]")]
    assert len(count) == 1 and "questions[0].areas_for_improvement: areas_for_improvement of 'recording-data' " \
        "has 2 items here but 3 in report.cy.yaml" in count[0]


def test_a_partner_with_errors_of_its_own_is_one_diagnostic(cli, pair: Path):
    _regrade(pair / "report.cy.yaml", "adequat")
    _edit(pair / "report.cy.yaml", "tone: mixed", "tone: mixd")
    english = (pair / "report.yaml").read_text(encoding="utf-8")
    errors = _errors(cli, pair / "report.yaml")
    assert errors[0] == (f"pair/report.yaml:{line_of(english, 'translation:')}:16: meta.translation: the other "
                         "edition, report.cy.yaml, has 2 errors of its own (run: peelgen validate report.cy.yaml) "
                         "[edition.invalid]")
    # The comparison still runs: the grade differs whatever the partner's own errors.
    assert [e.rsplit(" ", 1)[1] for e in errors[1:]] == ["[edition.id]", "[edition.grade]"]
    assert not any("report.cy.yaml:" in e for e in errors)  # the partner's own errors are its own


def test_the_other_edition_must_name_this_one_back(cli, pair: Path):
    _edit(pair / "report.cy.yaml", "  translation: report.yaml\n", "")
    errors = _errors(cli, pair / "report.yaml")
    assert [e.split(": ", 1)[1] for e in errors] == [
        "meta.translation: report.cy.yaml (the Welsh edition) does not name this file back "
        "(add 'translation: report.yaml' to its meta) [edition.mutual]"]
    shutil.copy(pair / "report.yaml", pair / "other.yaml")
    _edit(pair / "report.cy.yaml", "  language: cy\n", "  language: cy\n  translation: other.yaml\n")
    errors = _errors(cli, pair / "report.yaml")
    assert len(errors) == 1 and "names 'other.yaml' as its other edition, not this file" in errors[0]


def test_same_language_or_framework_is_an_error(cli, pair: Path):
    _edit(pair / "report.cy.yaml", "  language: cy\n", "")
    errors = _errors(cli, pair / "report.yaml")
    assert len(errors) == 1 and "both editions are in 'en-GB'" in errors[0] and errors[0].endswith(
        "[edition.language]")


@pytest.mark.parametrize("name", ["../outside.yaml", "/etc/passwd.yaml", "missing.cy.yaml", "report.yaml",
                                  "data/emergency-calls-by-force.csv"])
def test_a_partner_outside_the_folder_missing_or_itself_is_refused(cli, pair: Path, name: str):
    (pair.parent / "outside.yaml").write_text((pair / "report.cy.yaml").read_text(encoding="utf-8"))
    _edit(pair / "report.yaml", "  translation: report.cy.yaml", f"  translation: {name}")
    errors = _errors(cli, pair / "report.yaml")
    assert len(errors) == 1 and "meta.translation:" in errors[0] and errors[0].endswith("[edition.partner]")


def test_a_symlink_out_of_the_folder_is_refused(cli, pair: Path):
    outside = pair.parent / "outside.cy.yaml"
    outside.write_text((pair / "report.cy.yaml").read_text(encoding="utf-8"))
    (pair / "report.cy.yaml").unlink()
    os.symlink(outside, pair / "report.cy.yaml")
    errors = _errors(cli, pair / "report.yaml")
    assert len(errors) == 1 and "leads outside the report's folder (through a symlink)" in errors[0]
    assert errors[0].endswith("[edition.partner]")


def test_a_partner_over_the_size_limit_is_not_parsed(cli, pair: Path):
    from peelgen.load import MAX_FILE_BYTES

    with (pair / "report.cy.yaml").open("a", encoding="utf-8") as stream:
        stream.write("# " + "x" * MAX_FILE_BYTES + "\n")
    errors = _errors(cli, pair / "report.yaml")
    assert len(errors) == 1 and errors[0].endswith(
        "the other edition, report.cy.yaml, has errors of its own (run: peelgen validate report.cy.yaml) "
        "[edition.invalid]")
    assert "too large" in " ".join(_errors(cli, pair / "report.cy.yaml"))


def test_links_to_each_other_in_html_and_pdf(cli, pair: Path, tmp_path: Path):
    out = tmp_path / "out"
    run = cli("build", pair / "report.yaml", pair / "report.cy.yaml", "-o", out, "--format", "html")
    assert run.code == 0, run.err
    welsh_slug = default_slug("Ravensmoor", "2023–2025", "cy")
    assert welsh_slug.endswith("-cy")
    english = (out / "ravensmoor-2023-25.html").read_text(encoding="utf-8")
    welsh = (out / f"{welsh_slug}.html").read_text(encoding="utf-8")
    assert f'<link rel="alternate" hreflang="cy" href="{welsh_slug}.html">' in english
    assert (f'<a class="edition-link" href="{welsh_slug}.html" hreflang="cy" lang="en-GB">'
            "Read the Welsh version</a>") in english
    assert '<link rel="alternate" hreflang="en-GB" href="ravensmoor-2023-25.html">' in welsh
    assert ('<a class="edition-link" href="ravensmoor-2023-25.html" hreflang="en-GB" lang="cy">'
            "Darllenwch y fersiwn Saesneg</a>") in welsh
    assert '<html lang="cy">' in welsh
    run = cli("build", pair / "report.yaml", "-o", out, "--format", "pdf")
    assert run.code == 0, run.err
    with pikepdf.open(out / "ravensmoor-2023-25.pdf") as pdf:
        uris = [str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if "/A" in annot and "/URI" in annot.A]
    assert f"{welsh_slug}.pdf" in uris  # relative: the file beside the PDF, no path of the build machine
    assert not [uri for uri in uris if uri.startswith("file:")]


def test_a_report_without_translation_has_no_link(cli, tmp_path: Path):
    shutil.copytree(EXAMPLE, tmp_path / "one")
    run = cli("build", tmp_path / "one" / "report.yaml", "-o", tmp_path / "out", "--format", "html")
    assert run.code == 0, run.err
    html = (tmp_path / "out" / "ravensmoor-2023-25.html").read_text(encoding="utf-8")
    assert "edition-link" not in html and 'rel="alternate"' not in html


def test_a_change_to_the_partner_makes_a_cached_build_run_again(cli, pair: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert cli("build", pair / "report.yaml", "-o", out, "--format", "html").code == 0
    again = cli("build", pair / "report.yaml", "-o", out, "--format", "html")
    assert again.code == 0 and "up to date" in again.out + again.err
    _regrade(pair / "report.cy.yaml", "good")
    run = cli("build", pair / "report.yaml", "-o", out, "--format", "html")
    assert run.code != 0 and "up to date" not in run.out + run.err
    assert any(e.endswith("[edition.grade]") for e in run.err_lines)


def test_default_slug_adds_the_language_for_other_editions():
    assert default_slug("West Mercia", "2016", "en-GB") == "west-mercia-2016"
    assert default_slug("Gogledd Cymru", "2023 to 25", "cy") == "gogledd-cymru-2023-to-25-cy"


def test_validate_api_carries_the_link(pair: Path):
    from peelgen.load import load_yaml
    from peelgen.validate import validate

    validated = validate(load_yaml(pair / "report.cy.yaml"))
    assert validated.edition is not None
    assert (validated.edition.slug, validated.edition.lang, validated.edition.text) == (
        "ravensmoor-2023-25", "en-GB", "Darllenwch y fersiwn Saesneg")
    _regrade(pair / "report.cy.yaml", "good")
    with pytest.raises(BuildFailed) as failure:
        validate(load_yaml(pair / "report.yaml"))
    assert [d.rule for d in failure.value.diagnostics] == ["edition.grade"]


def _minimal_pair(write, english: str = MINIMAL, welsh: str = MINIMAL) -> tuple[Path, Path]:
    """The conftest's small report as an English/Welsh pair (the Welsh changed by the caller)."""
    def paired(text: str, own: str, other: str, language: str) -> str:
        return text.replace("  force_short: Testshire\n",
                            f"  force_short: Testshire\n  translation: {other}\n  language: {language}\n")
    return (write(paired(english, "report.yaml", "report.cy.yaml", "en-GB"), "report.yaml"),
            write(paired(welsh, "report.cy.yaml", "report.yaml", "cy"), "report.cy.yaml"))


def test_minimal_pair_translated_words_only_is_valid(cli, write, welsh_catalogue: Path):
    welsh = MINIMAL.replace("The force is good.", "Mae'r heddlu'n dda.").replace(
        "Recorded crime", "Troseddau a gofnodwyd").replace("heading: Testshire", "heading: Swydd Test").replace(
        "Fieldwork took place in autumn 2016.", "Cynhaliwyd y gwaith maes yn hydref 2016.")
    english, cymraeg = _minimal_pair(write, welsh=welsh)
    assert cli("validate", english).code == 0
    assert cli("validate", cymraeg).code == 0


def test_table_cells_previous_grades_and_footnote_ids_must_agree(cli, write, welsh_catalogue: Path):
    welsh = MINIMAL.replace("- [Recorded crime, 58.8]", "- [Troseddau, 58.9]").replace(
        "previous_grade: requires-improvement", "previous_grade: inadequate").replace(
        "[^period]", "[^cyfnod]").replace("  period: Fieldwork", "  cyfnod: Fieldwork")
    english, _ = _minimal_pair(write, welsh=welsh)
    errors = {e.rsplit("[", 1)[1].rstrip("]"): e for e in _errors(cli, english)}
    assert sorted(errors) == ["edition.grade", "edition.id", "edition.value"], errors
    text = english.read_text(encoding="utf-8")
    assert errors["edition.grade"].startswith(f"report.yaml:{line_of(text, 'previous_grade')}:")
    assert "overall.previous_grade: previous_grade is 'requires-improvement' here but 'inadequate'" in \
        errors["edition.grade"]
    assert errors["edition.value"].startswith(f"report.yaml:{line_of(text, '[Recorded crime, 58.8]')}:")
    assert "table.rows[0][1] of 'rates' is 58.8 here but 58.9" in errors["edition.value"]
    # Both directions are one message each: 'period' only here, 'cyfnod' only there.
    ids = [e for e in _errors(cli, english) if e.endswith("[edition.id]")]
    assert len(ids) == 2 and any("footnotes.period: period is here but not in report.cy.yaml" in e for e in ids)
    assert any("'cyfnod' is in report.cy.yaml (the Welsh edition) but not here" in e for e in ids)


def test_a_recommendation_or_area_for_improvement_count_must_agree(cli, write, welsh_catalogue: Path):
    welsh = MINIMAL.replace("      - The force should improve.\n",
                            "      - Dylai'r heddlu wella.\n      - Dylai'r heddlu wella eto.\n")
    _, cymraeg = _minimal_pair(write, welsh=welsh)
    errors = _errors(cli, cymraeg)
    assert len(errors) == 1 and errors[0].endswith("[edition.count]")
    assert "questions[0].areas_for_improvement: areas_for_improvement of 'preventing' has 2 items here but 1 in " \
        "report.yaml (the English edition)" in errors[0]


def test_national_grades_in_a_translated_data_file_must_agree(cli, tmp_path: Path, welsh_catalogue: Path):
    folder = tmp_path / "national"
    shutil.copytree(ROOT / "examples" / "national-2017", folder)
    english = (folder / "report.yaml").read_text(encoding="utf-8")
    grades = (folder / "data" / "force-grades.csv").read_text(encoding="utf-8")
    first = "Avon and Somerset Constabulary,Avon & Somerset,prevention,good,good,good,yes"
    assert first in grades
    (folder / "data" / "force-grades.cy.csv").write_text(grades.replace(
        first, "Heddlu Avon a Gwlad yr Haf,Avon a Gwlad yr Haf,prevention,good,good,outstanding,yes"))
    (folder / "report.yaml").write_text(english.replace("  slug: national-2017\n",
                                                        "  slug: national-2017\n  translation: report.cy.yaml\n"))
    welsh = english.replace("  slug: national-2017\n", "  slug: national-2017-cy\n  language: cy\n"
                            "  translation: report.yaml\n").replace("force_grades: data/force-grades.csv",
                                                                     "force_grades: data/force-grades.cy.csv")
    (folder / "report.cy.yaml").write_text(welsh)
    errors = [e for e in _errors(cli, folder / "report.cy.yaml") if "[edition." in e]
    assert len(errors) == 1 and errors[0].endswith("[edition.grade]"), errors
    assert "'outstanding' against 'good' (line 3, column 6 of data/force-grades.cy.csv)" in errors[0]


def test_serve_watches_the_other_edition(pair: Path):
    from peelgen.commands.serve import Watched
    from peelgen.load import load_yaml
    from peelgen.validate import validate

    report = pair / "report.yaml"
    watched = Watched.of(report, validate(load_yaml(report)), ())
    assert pair / "report.cy.yaml" in watched.inputs


def test_cache_key_covers_the_other_edition_and_language_catalogues(pair: Path, welsh_catalogue: Path):
    from peelgen.cache import BuildInputs, build_key

    inputs = BuildInputs(("html",))
    before = build_key(pair / "report.yaml", inputs)
    assert before is not None and build_key(pair / "report.yaml", inputs) == before
    _regrade(pair / "report.cy.yaml", "good")
    changed = build_key(pair / "report.yaml", inputs)
    assert changed != before
    catalogue = welsh_catalogue / "cy.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("Darllenwch y fersiwn Saesneg",
                                                                      "Darllenwch y fersiwn Saesneg yma"))
    assert build_key(pair / "report.yaml", inputs) != changed


def test_own_templates_keep_the_alternate_link_and_no_other(cli, pair: Path, tmp_path: Path):
    """With a report's own templates, every page is checked for anything that loads: the
    edition's <link rel="alternate"> (which loads nothing) passes, a stylesheet link does not."""
    own = pair / "templates" / "partials"
    own.mkdir(parents=True)
    cover = (ROOT / "templates" / "partials" / "cover.html.j2").read_text(encoding="utf-8")
    (own / "cover.html.j2").write_text(cover.replace('<header class="cover">', '<header class="cover own">'))
    text = (pair / "report.yaml").read_text(encoding="utf-8")
    (pair / "report.yaml").write_text(text.replace("framework: peel-2023-25\n", "framework: peel-2023-25\n"
                                                   "templates: templates\n"))
    out = tmp_path / "out"
    run = cli("build", pair / "report.yaml", "-o", out, "--format", "html")
    assert run.code == 0, run.err
    html = (out / "ravensmoor-2023-25.html").read_text(encoding="utf-8")
    assert 'class="cover own"' in html and '<link rel="alternate" hreflang="cy"' in html
    (own / "cover.html.j2").write_text(cover.replace('<header class="cover">',
                                                     '<link rel="alternate stylesheet" href="x.css"><header>'))
    run = cli("build", pair / "report.yaml", "-o", out, "--format", "html", "--no-cache")
    assert run.code != 0 and "the page would have a <link> element" in run.err


def test_default_names_follow_the_english_edition_when_the_force_name_is_translated(cli, pair: Path, tmp_path: Path):
    _edit(pair / "report.yaml", "  slug: ravensmoor-2023-25\n", "")
    _edit(pair / "report.cy.yaml", "  force_short: Ravensmoor\n", "  force_short: Rhosfawr\n")
    out = tmp_path / "out"
    run = cli("build", pair / "report.yaml", pair / "report.cy.yaml", "-o", out, "--format", "html")
    assert run.code == 0, run.err
    english, welsh = default_slug("Ravensmoor", "2023–2025", "en-GB"), default_slug("Ravensmoor", "2023–2025", "cy")
    assert {p.name for p in out.iterdir()} == {f"{english}.html", f"{welsh}.html"}
    assert f'href="{welsh}.html" hreflang="cy"' in (out / f"{english}.html").read_text(encoding="utf-8")
    assert f'href="{english}.html" hreflang="en-GB"' in (out / f"{welsh}.html").read_text(encoding="utf-8")
