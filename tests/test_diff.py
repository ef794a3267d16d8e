"""peelgen diff: changes between two drafts of one report, by meaning (issue 15)."""

from __future__ import annotations

import html
import html.parser
import json
import re
import shutil
from pathlib import Path

import pytest

from peelgen.commands.diff import match_items, word_diff
from tests.conftest import ROOT, example_params

PREVENTING = "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?"
NEW_AFI = "The force should check whether its neighbourhood problem-solving work succeeds."


def _drafts(tmp_path: Path, example: str = "west-mercia-2016") -> tuple[Path, Path]:
    old = tmp_path / "old"
    shutil.copytree(ROOT / "examples" / example, old)
    new = tmp_path / "new"
    shutil.copytree(old, new)
    return old / "report.yaml", new / "report.yaml"


def _edit(path: Path, *replacements: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for before, after in replacements:
        assert text.count(before) >= 1, before
        text = text.replace(before, after, 1)
    path.write_text(text, encoding="utf-8")


THREE_CHANGES = (
    ("  - id: preventing\n    grade: requires-improvement", "  - id: preventing\n    grade: good"),
    ("    areas_for_improvement:\n", f"    areas_for_improvement:\n      - {NEW_AFI}\n"),
    ("    value: 58.8\n", "    value: 59.1\n"),
)


class _Parsed(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.items = 0
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.items += tag == "li"

    def handle_data(self, data):
        self.text += data


def test_done_when_three_changes_in_all_three_formats(cli, tmp_path):
    old, new = _drafts(tmp_path)
    _edit(new, *THREE_CHANGES)

    text = cli("diff", old, new, "--html", "redline.html")
    assert text.code == 1, text.err
    bullets = [line for line in text.out.splitlines() if line.startswith("* ")]
    assert bullets == [
        f"* grade changed: {PREVENTING} (questions[preventing].grade)",
        f"* added: Area for improvement ({PREVENTING}) (questions[preventing].areas_for_improvement[0])",
        "* metric changed: Recorded crime (excluding fraud) (metrics[crime-rate])",
    ]
    assert "Requires improvement → Good" in text.out
    assert "value: 58.8 → value: 59.1" in text.out

    data = cli("diff", "--format", "json", old, new)
    assert data.code == 1
    changes = json.loads(data.out)["changes"]
    assert [(c["kind"], c["old"], c["new"]) for c in changes] == [
        ("grade", "Requires improvement", "Good"),
        ("added", None, NEW_AFI),
        ("metric", {"value": 58.8}, {"value": 59.1}),
    ]

    page = (tmp_path / "redline.html").read_text(encoding="utf-8")
    parsed = _Parsed()
    parsed.feed(page)
    assert parsed.items == 3
    assert ("html", {"lang": "en-GB"}) in parsed.tags
    assert any(tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy" for tag, attrs in parsed.tags)
    assert page.count("<ins>") == 3 and page.count("<del>") == 2  # added AFI: an insertion only
    assert "[inserted: " + NEW_AFI in parsed.text  # said in words, not by colour alone
    assert "[deleted: Requires improvement" in parsed.text


@pytest.mark.parametrize("report", example_params())
def test_every_example_against_itself_has_no_changes(cli, report):
    result = cli("diff", report, report, "--format", "json")
    assert result.code == 0, result.out + result.err
    assert json.loads(result.out)["changes"] == []


def test_moved_items_are_no_change_and_reworded_items_are_matched(cli, tmp_path):
    old, new = _drafts(tmp_path)
    text = new.read_text(encoding="utf-8")
    # Move the first metric to the end of the list (matched by id: no change) ...
    start = text.index("  - id: crime-rate\n")
    block = text[start:text.index("  - id: victim-based-crime-rate\n")]
    text = text.replace(block, "", 1).replace("\ndatasets:", f"\n{block}datasets:", 1)
    new.write_text(text, encoding="utf-8")
    assert cli("diff", old, new).code == 0
    # ... and reword one area for improvement (matched by similarity: reworded, not added).
    _edit(new, ("picture of the communities it serves", "picture of the many communities it serves"))
    result = cli("diff", "--format", "json", old, new)
    [change] = json.loads(result.out)["changes"]
    assert change["kind"] == "reworded"
    assert ["insert", "many "] in change["words"]


def test_findings_word_level_footnotes_and_csv_figure_values(cli, tmp_path):
    old, new = _drafts(tmp_path)
    _edit(new, ("Part of that rise may come", "Some of that rise may come"),
          ("  spr: ", "  new-note: A new note.\n  spr: "))
    csv = new.parent / "data" / "crime-trend.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("53.6", "54.0"), encoding="utf-8")
    result = cli("diff", "--format", "json", old, new)
    assert result.code == 1
    changes = json.loads(result.out)["changes"]
    kinds = {c["kind"]: c for c in changes}
    assert set(kinds) == {"text", "footnote-added", "figure"}
    assert kinds["text"]["where"] == "questions[preventing].findings[crime-and-asb].body"
    assert ["delete", "Part "] in kinds["text"]["words"] and ["insert", "Some "] in kinds["text"]["words"]
    assert kinds["footnote-added"]["new"] == "A new note."
    assert (kinds["figure"]["old"], kinds["figure"]["new"]) == (53.6, 54.0)
    assert kinds["figure"]["where"] == "datasets[crime-trend][12 months to 30 June 2012][West Mercia]"


def test_panel_report_inspection_grade(cli, tmp_path):
    old, new = _drafts(tmp_path, "west-mercia-pcp-2016")
    text = old.read_text(encoding="utf-8")
    start = text.index("inspections:")
    grade_line = next(line for line in text[start:].splitlines() if line.strip().startswith("grade:"))
    _edit(new, (grade_line, grade_line.replace(grade_line.split(":", 1)[1], " inadequate")))
    result = cli("diff", "--format", "json", old, new)
    [change] = json.loads(result.out)["changes"]
    assert change["kind"] == "grade" and change["new"] == "Inadequate"
    assert change["where"].startswith("inspections[")


def test_html_escapes_report_text(cli, tmp_path):
    old, new = _drafts(tmp_path)
    _edit(new, ("Part of that rise may come", "<script>alert(1)</script> rise may come"))
    cli("diff", old, new, "--html", "page.html")
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_trouble_exits_2(cli, tmp_path, write):
    old, _new = _drafts(tmp_path)
    assert cli("diff", old, tmp_path / "missing.yaml").code == 2
    write("a: [1\n", "broken.yaml")
    broken = cli("diff", old, "broken.yaml")
    assert broken.code == 2 and "broken.yaml:" in broken.err
    write("meta: {}\n", "plain.yaml")
    assert cli("diff", old, "plain.yaml").code == 2
    other = ROOT / "examples" / "national-2017" / "report.yaml"
    different = cli("diff", old, other)
    assert different.code == 2 and "different frameworks" in different.err


def test_word_diff_and_matching_units():
    assert word_diff("a b c", "a x c") == (("equal", "a "), ("delete", "b "), ("insert", "x "), ("equal", "c"))
    pairs, removed, added = match_items(["The force should train staff.", "Gone entirely now."],
                                        ["Something unrelated here.", "The force should train its staff."])
    assert pairs == [(0, 1)] and removed == [1] and added == [0]


def test_json_stays_valid_with_unusual_characters(cli, tmp_path):
    old, new = _drafts(tmp_path)
    _edit(new, ("Part of that rise may come", "Part of that café\u202e rise may come"))
    result = cli("diff", "--format", "json", old, new)
    assert result.code == 1, result.err
    [change] = json.loads(result.out)["changes"]
    assert ["insert", "café\u202e "] in change["words"]


CONCERN = """\
    causes_of_concern:
      - statement: The force does not understand demand.
        recommendations:
          - text: By {deadline}, the force should review its demand analysis.
            deadline: 2017-06-01
"""


def test_cause_of_concern_recommendation_reworded(cli, write):
    from tests.conftest import MINIMAL

    base = MINIMAL.replace("    areas_for_improvement:\n", CONCERN + "    areas_for_improvement:\n")
    write(base, "old.yaml")
    write(base.replace("review its demand analysis", "review and publish its demand analysis"), "new.yaml")
    result = cli("diff", "--format", "json", "old.yaml", "new.yaml")
    [change] = json.loads(result.out)["changes"]
    assert change["kind"] == "reworded"
    assert change["what"].startswith("Recommendation (")
    assert change["where"] == "questions[preventing].causes_of_concern[0].recommendations[0]"


def test_pillar_grade_is_named_by_the_framework(cli, tmp_path):
    from peelgen.commands.frameworks import get

    old, new = _drafts(tmp_path, "west-midlands-2018-19")
    text = old.read_text(encoding="utf-8")
    start = text.index("\npillars:")
    grade_line = next(line for line in text[start:].splitlines() if line.strip().startswith("grade:"))
    replacement = "inadequate" if "inadequate" not in grade_line else "good"
    _edit(new, (grade_line, grade_line.split(":", 1)[0] + ": " + replacement))
    [change] = json.loads(cli("diff", "--format", "json", old, new).out)["changes"]
    pillar = get("peel-2018-19-ipa").pillars[0]
    assert (change["kind"], change["what"], change["where"]) == ("grade", pillar.heading, f"pillars[{pillar.id}].grade")


def test_the_page_is_in_the_newer_drafts_language(cli, tmp_path):
    """A Welsh edition's redline page is in Welsh: lang, title, summary, headings, the
    hidden insertion words and the framework's own names (the terminal stays peelgen's)."""
    from peelgen.framework import load_framework

    old, new = (path.with_name("report.cy.yaml") for path in _drafts(tmp_path, "illustrative-welsh-force-2023-25"))
    _edit(new, ("    grade: good\n", "    grade: outstanding\n"),
          ("footnotes:\n", "footnotes:\n  nodyn-newydd: Nodyn newydd.\n"))
    result = cli("diff", old, new, "--html", "redline.html")
    assert result.code == 1, result.err
    page = (tmp_path / "redline.html").read_text(encoding="utf-8")
    parsed = _Parsed()
    parsed.feed(page)
    assert ("html", {"lang": "cy"}) in parsed.tags
    welsh = load_framework("peel-2023-25", "cy")
    question = welsh.question("recording-data")  # the first grade: good
    assert "<title>Newidiadau o old/report.cy.yaml i new/report.cy.yaml</title>" in page
    assert "<p>2 newid. Mae llinell o dan destun a ychwanegwyd" in page
    assert f"<h2>Gradd wedi newid: {html.escape(question.heading)}</h2>" in page
    assert "<h2>Troednodyn wedi’i ychwanegu: troednodyn nodyn-newydd</h2>" in page
    assert "[dilëwyd: Da]" in parsed.text and "[ychwanegwyd: Rhagorol]" in parsed.text
    assert not {"Changes", "change", "inserted", "deleted", "footnote"} & set(re.findall(r"\w+", parsed.text))
    assert "* grade changed: " in result.out  # peelgen's own messages, as elsewhere in the terminal
