"""Write the bad-input corpus and its manifest, ``expected.yaml``.

Run from the repository root after changing a case: ``.venv/bin/python tests/bad_inputs/generate.py``.
The generated files are committed: tests/test_bad_inputs.py reads the files, not this
script, so a case keeps testing the same bytes even if MINIMAL changes later.

Most cases are MINIMAL (tests/conftest.py) with one thing broken. Each expectation is a
substring of stderr; where it starts with ``:LINE:COL:`` it pins the location too.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.conftest import MINIMAL, line_of  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    expected: str


@dataclass(frozen=True)
class SafeCase:
    name: str
    content: bytes
    contains: tuple[str, ...]
    absent: tuple[str, ...]


CASES: list[Case] = []
SAFE: list[SafeCase] = []


def sub(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def case(name: str, content: str | bytes, expected: str) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    CASES.append(Case(f"{name}.yaml", data, expected))


def at(text: str, needle: str, column: int, rest: str, occurrence: int = 1) -> str:
    """Expectation ':LINE:COL: rest', the line found by ``needle`` in ``text``."""
    return f":{line_of(text, needle, occurrence)}:{column}: {rest}"


def located(name: str, text: str, needle: str, column: int, rest: str, occurrence: int = 1) -> None:
    case(name, text, at(text, needle, column, rest, occurrence))


BODY = "Crime in {area} is low."


def in_body(markdown: str) -> str:
    return sub(BODY, markdown)


# -- the file itself ---------------------------------------------------------------------

case("file-empty", b"", ":1:1: the file is empty")
case("file-only-comments", b"# nothing here\n# or here\n", ":1:1: the file is empty")
case("file-only-document-markers", b"---\n...\n", ":1:1: the file is empty")
case("file-binary-junk", bytes(range(256)) * 4, ":1:1: the file is binary, not YAML text")
case("file-utf16", "framework: x\n".encode("utf-16"), ":1:1: the file is binary, not YAML text")
case("file-invalid-utf8", sub("Testshire Police", "Testshire Poli").encode() .replace(b"Poli", b"Poli\xe9"),
     ":3:24: the file is not valid UTF-8 text (save it as UTF-8)")
case("file-latin1-smart-quote", sub("Prevention requires improvement.", "Prevention \u201crequires\u201d.")
     .encode("cp1252"), ":20:25: the file is not valid UTF-8 text")
case("file-control-character", sub("force: Testshire Police", "force: Test\x07shire Police"),
     ":3:14: the character U+0007 is not allowed in YAML")
case("doc-a-list", "- framework: peel-2016-effectiveness\n- meta: {}\n",
     ":1:1: the document must be a mapping of keys, not a list")
case("doc-a-string", "just some text\n", ":1:1: the document must be a mapping of keys, not text")
case("doc-two-documents", MINIMAL + "---\nframework: peel-2016-effectiveness\n",
     f":{MINIMAL.count(chr(10)) + 1}:1: YAML syntax error: expected a single document in the stream, "
     "but found another document")

# -- YAML syntax ----------------------------------------------------------------------------

located("yaml-unclosed-flow-sequence", sub("force_short: Testshire", "force_short: [Testshire"),
        "publication_date", 19, "YAML syntax error")
located("yaml-unclosed-quote", sub("force: Testshire Police", 'force: "Testshire Police'),
        "force: \"Testshire", 10, "YAML syntax error: found unexpected end of stream while scanning a "
                              "quoted scalar (the quote that opens here is never closed)")
located("yaml-mapping-in-plain-value", sub("force: Testshire Police", "force: Testshire: Police"),
        "force: Testshire: Police", 19, "YAML syntax error: mapping values are not allowed here "
        "(put text that contains ': ' in quotes)")
located("yaml-bad-indentation", sub("  force_short: Testshire", " force_short: Testshire"),
        "force_short", 2, "YAML syntax error: expected <block end>, but found '<block mapping start>' "
        "(check the indentation of this line and the lines above it)")
located("yaml-unknown-escape", sub("force: Testshire Police", 'force: "Test\\qshire"'),
        "force:", 16, "YAML syntax error: found unknown escape character 'q'")
located("yaml-bad-block-scalar-indicator", sub("summary: |\n    The force", "summary: |x\n    The force"),
        "summary: |x", 13, "YAML syntax error: expected chomping or indentation indicators, but found 'x'")
located("yaml-undefined-alias", sub("  grade: good\n  previous", "  grade: *best\n  previous"),
        "grade: *best", 10, "YAML syntax error: found undefined alias 'best'")
located("yaml-tab-indentation", sub("  force_short: Testshire", "\tforce_short: Testshire"),
        "force_short", 1, "YAML syntax error: found character '\\t' that cannot start any token "
                          "(indent with spaces, not tabs)")
located("yaml-tab-before-value", sub("force: Testshire Police", "force:\tTestshire Police"),
        "Testshire Police", 9, "YAML syntax error: found character '\\t' that cannot start any token "
                                "(indent with spaces, not tabs)")
located("yaml-duplicate-key-top", MINIMAL + "framework: peel-2016-effectiveness\n",
        "framework:", 1, 'YAML syntax error: duplicate key "framework"', occurrence=2)
located("yaml-duplicate-key-meta", sub("  force_short: Testshire\n", "  force_short: Testshire\n  force: Again\n"),
        "force: Again", 3, 'YAML syntax error: duplicate key "force" with value "Again"')
located("yaml-duplicate-key-question", sub("  - id: investigating\n    grade: good",
                                           "  - id: investigating\n    grade: good\n    grade: good"),
        "grade: good", 5, 'YAML syntax error: duplicate key "grade"', occurrence=3)
located("yaml-duplicate-key-flow-mapping", sub("{heading: Testshire, type", "{heading: Testshire, heading: X, type"),
        "heading: X", 32, 'YAML syntax error: duplicate key "heading" with value "X" (original value: "Testshire") '
                          "(each key may appear once in a mapping)")
located("yaml-duplicate-footnote", MINIMAL + "  period: Again.\n",
        "period: Again", 3, 'YAML syntax error: duplicate key "period"')
located("yaml-reused-anchor", sub("force: Testshire Police\n  force_short: Testshire",
                                  "force: &name Testshire Police\n  force_short: &name Testshire"),
        "force_short", 16, "the anchor '&name' is defined more than once")
located("yaml-merge-key", sub("  force: Testshire Police\n", "  <<: {force: Testshire Police}\n"),
        "<<:", 3, "meta: YAML merge keys ('<<') are not supported")
located("yaml-non-text-key", sub("footnotes:\n  period", "footnotes:\n  2016: A year.\n  period"),
        "2016: A year", 3, "footnotes: keys must be text, not a number 2016 (quote the key to make it text)")
located("yaml-complex-key", "? [a, b]\n: value\n" + MINIMAL, "? [a, b]", 3, "keys must be text, not a list or mapping")
located("yaml-bad-int-tag", sub("decimals: 1}", "decimals: !!int one}"),
        "decimals", 56, "'one' is not a whole number")
located("yaml-number-too-long", sub("58.8]", "9" * 5000 + "]"), "Recorded crime", 28,
        "the number is too long (5,000 digits)")
located("yaml-unsupported-directive", "%YAML 9.9\n---\n" + MINIMAL, "%YAML", 1,
        "YAML syntax error: found incompatible YAML document")

# -- hostile YAML -----------------------------------------------------------------------------

case("hostile-python-object-apply", sub("force: Testshire Police",
                                        "force: !!python/object/apply:os.system ['echo pwned > /tmp/pwned']"),
     ":3:10: meta.force: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed "
     "(remove the tag; plain values only)")
case("hostile-python-name", "framework: !!python/name:os.system\n",
     ":1:12: framework: YAML tag 'tag:yaml.org,2002:python/name:os.system' is not allowed")
case("hostile-python-module-top", "!!python/module:os\n" + "x: 1\n", "YAML tag 'tag:yaml.org,2002:python/module:os'")
case("hostile-custom-tag", sub("  grade: good\n  previous", "  grade: !grade good\n  previous"),
     ":7:10: overall.grade: YAML tag '!grade' is not allowed")
case("hostile-binary-tag", sub("force: Testshire Police", "force: !!binary aGVsbG8="),
     ":3:10: meta.force: YAML values of this kind are not supported: binary data (!!binary)")
_bomb = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
for _i, (_prev, _name) in enumerate(zip("abcdefgh", "bcdefghi", strict=True)):
    _bomb.append(f"{_name}: &{_name} [{', '.join(['*' + _prev] * 9)}]")
case("hostile-billion-laughs", "\n".join(_bomb) + "\n",
     ":1:1: the document has too many values (is it an alias bomb?)")
case("hostile-deep-flow-nesting", "framework: " + "[" * 5000 + "]" * 5000 + "\n",
     ":1:77: the document is nested more than 64 levels deep")
case("hostile-deep-block-nesting", "".join("  " * i + f"level{i}:\n" for i in range(100)) + "  " * 100 + "end\n",
     "the document is nested more than 64 levels deep")
case("hostile-recursive-alias", sub("  force: Testshire Police\n", "  force: &me [*me]\n"),
     ":3:15: meta.force[0]: the alias '*me' is used inside the value it names (a recursive alias)")
case("hostile-bool-tag-grade", sub("  grade: good\n  previous", "  grade: !!bool good\n  previous"),
     ":7:10: overall.grade: 'good' is not true or false (remove the '!!bool' tag")
case("hostile-escape-sequence", sub("force: Testshire Police", 'force: "Testshire\\e[2J\\e[31m Police"'),
     ":3:10: meta.force: the text contains the control character U+001B")
case("hostile-escape-in-tag", sub("  grade: good\n  previous", "  grade: !x%1B%5D0%3Bpwned%07 good\n  previous"),
     ":7:10: overall.grade: YAML tag '!x\\x1b]0;pwned\\x07' is not allowed")
case("yaml-tab-in-plain-text", sub("force: Testshire Police", "force: Testshire\tPolice"),
     ":3:19: YAML syntax error: found character '\\t' that cannot start any token")
case("yaml-yes-no-are-text", sub("  grade: good\n  previous", "  grade: no\n  previous"),
     ":7:10: overall.grade: 'no' is not a grade")

# -- top level and framework ------------------------------------------------------------------

case("top-unknown-framework", sub("framework: peel-2016-effectiveness", "framework: peel-2016-efectiveness"),
     ":1:12: framework: unknown framework 'peel-2016-efectiveness' (did you mean 'peel-2016-effectiveness'?)")
case("top-framework-path", sub("framework: peel-2016-effectiveness", "framework: ../../../etc/passwd"),
     ":1:12: framework: unknown framework '../../../etc/passwd' (installed frameworks: ")
case("top-framework-list", sub("framework: peel-2016-effectiveness", "framework: [peel-2016-effectiveness]"),
     ":1:12: framework: expected text, got a list")
case("top-framework-missing", sub("framework: peel-2016-effectiveness\n", ""),
     ":1:1: framework: missing required key 'framework'")
case("top-unknown-key", MINIMAL + "footnote:\n  x: y\n",
     at(MINIMAL + "footnote:", "footnote:", 1, "footnote: unknown key 'footnote' (did you mean 'footnotes'?)"))
case("top-missing-meta", sub("meta:\n  force: Testshire Police\n  force_short: Testshire\n"
                             "  publication_date: 2017-03-02\n", ""),
     ":1:1: meta: missing required key 'meta'")
case("top-missing-questions", MINIMAL[:MINIMAL.index("questions:")] + MINIMAL[MINIMAL.index("figures:"):],
     ":1:1: questions: missing required question 'preventing'")
case("top-next-steps-list", MINIMAL + "next_steps: [one, two]\n",
     f":{MINIMAL.count(chr(10)) + 1}:13: next_steps: expected text, got a list")

# -- meta ---------------------------------------------------------------------------------------

located("meta-not-a-mapping", sub("meta:\n  force: Testshire Police\n  force_short: Testshire\n"
                                  "  publication_date: 2017-03-02\n", "meta: Testshire Police\n"),
        "meta:", 7, "meta: expected a mapping of keys, got 'Testshire Police'")
located("meta-force-a-list", sub("force: Testshire Police", "force: [Testshire, Police]"),
        "force:", 10, "meta.force: expected text, got a list")
located("meta-force-empty", sub("force: Testshire Police", "force: ''"),
        "force:", 10, "meta.force: must not be empty")
located("meta-force-too-long", sub("force: Testshire Police", "force: " + "Testshire " * 21),
        "force:", 10, "meta.force: is too long: at most 200 characters, got 209")
located("meta-unknown-key", sub("  force_short: Testshire", "  force_shrot: Testshire"),
        "force_shrot", 3, "meta.force_shrot: unknown key 'force_shrot' (did you mean 'force_short'?)")
located("meta-date-impossible-day", sub("2017-03-02", "2017-02-30"), "publication_date", 21,
        "meta.publication_date: expected a date (YYYY-MM-DD), got '2017-02-30' (day value is outside expected "
        "range)")
located("meta-date-impossible-month", sub("2017-03-02", "2017-13-01"), "publication_date", 21,
        "meta.publication_date: expected a date (YYYY-MM-DD), got '2017-13-01' (month value is outside expected "
        "range of 1-12)")
located("meta-date-words", sub("2017-03-02", "2 March 2017"), "publication_date", 21,
        "meta.publication_date: expected a date (YYYY-MM-DD), got '2 March 2017'")
located("meta-date-missing", sub("  publication_date: 2017-03-02\n", ""), "force:", 3,
        "meta.publication_date: missing required key 'publication_date'")
located("meta-slug-invalid", sub("  force_short: Testshire\n", "  force_short: Testshire\n  slug: Test Shire/../x\n"),
        "slug:", 9, "meta.slug: 'Test Shire/../x' is not a valid slug: use lower-case letters, digits and hyphens")

# -- overall --------------------------------------------------------------------------------------

located("overall-invalid-grade", sub("  grade: good\n  previous", "  grade: excellent\n  previous"),
        "excellent", 10, "overall.grade: 'excellent' is not a grade in peel-2016-effectiveness")
located("overall-grade-a-number", sub("  grade: good\n  previous", "  grade: 3\n  previous"),
        "grade: 3", 10, "overall.grade: expected text, got 3")
located("overall-ungraded", sub("  grade: good\n  previous", "  grade: ungraded\n  previous"),
        "grade: ungraded", 10, "overall.grade: the overall judgment is graded; 'ungraded' is not allowed here")
located("overall-missing-grade", sub("  grade: good\n  previous", "  previous"),
        "previous_grade", 3, "overall.grade: missing required key 'grade'")
located("overall-unknown-key", sub("  previous_grade:", "  previous_grde:"), "previous_grde", 3,
        "overall.previous_grde: unknown key 'previous_grde' (did you mean 'previous_grade'?)")
located("overall-summary-a-mapping", sub("  summary: |\n    The force is good.[^period]",
                                         "  summary:\n    text: The force is good.[^period]"),
        "text: The force", 5, "overall.summary: expected text, got a mapping")

# -- questions ------------------------------------------------------------------------------------

_questions = MINIMAL[MINIMAL.index("questions:"):MINIMAL.index("figures:")]
located("questions-a-mapping", sub(_questions, "questions:\n  preventing: good\n"), "preventing: good", 3,
        "questions: expected a list, got a mapping")
located("questions-empty", sub(_questions, "questions: []\n"), "questions:", 1,
        "questions: missing required question 'preventing'")
located("question-a-string", sub("  - id: vulnerability\n    grade: good\n", "  - vulnerability\n"),
        "- vulnerability", 5, "questions[2]: expected a mapping of keys, got 'vulnerability'")
located("question-unknown-id", sub("- id: vulnerability", "- id: vulnerabilty"), "vulnerabilty", 9,
        "questions[2].id: unknown question 'vulnerabilty' (did you mean 'vulnerability'?)")
located("question-id-not-an-id", sub("- id: vulnerability", "- id: Vulnerability Question"),
        "Vulnerability Question", 9, "questions[2].id: 'Vulnerability Question' is not a valid id")
located("question-missing-required", sub("  - id: vulnerability\n    grade: good\n", ""), "questions:", 1,
        "questions: missing required question 'vulnerability' (add an entry with id: vulnerability)")
located("question-duplicate", sub("  - id: vulnerability\n", "  - id: investigating\n"),
        "id: investigating", 9, "questions[2].id: duplicate question id 'investigating'", occurrence=2)
located("question-invalid-grade", sub("  - id: investigating\n    grade: good",
                                      "  - id: investigating\n    grade: gud"),
        "grade: gud", 12, "questions[1].grade: 'gud' is not a grade in peel-2016-effectiveness (did you mean 'good'?)")
located("question-ungraded-given-grade", sub("grade: ungraded", "grade: good"), "grade: good", 12,
        "questions[4].grade: question 'specialist-capabilities' is not graded in peel-2016-effectiveness "
        "(write grade: ungraded)", occurrence=5)
located("question-graded-left-ungraded", sub("  - id: investigating\n    grade: good",
                                             "  - id: investigating\n    grade: ungraded"),
        "grade: ungraded", 12, "questions[1].grade: question 'investigating' is graded; 'ungraded' is not allowed")
located("question-unknown-key", sub("    summary: Prevention", "    sumary: Prevention"), "sumary", 5,
        "questions[0].sumary: unknown key 'sumary' (did you mean 'summary'?)")
located("question-missing-grade", sub("  - id: investigating\n    grade: good\n", "  - id: investigating\n"),
        "id: investigating", 5, "questions[1].grade: missing required key 'grade'")

# -- findings -------------------------------------------------------------------------------------

located("findings-a-string", sub("    findings:\n      - id: crime-and-asb\n        body: |\n"
                                 "          Crime in {area} is low.\n\n          {figure:rates}\n",
                                 "    findings: Crime is low.\n"),
        "findings:", 15, "questions[0].findings: expected a list, got 'Crime is low.'")
located("finding-unknown-section", sub("- id: crime-and-asb", "- id: crime-and-abs"), "crime-and-abs", 13,
        "questions[0].findings[0].id: unknown section 'crime-and-abs' (did you mean 'crime-and-asb'?)")
located("finding-id-and-heading", sub("      - id: crime-and-asb\n",
                                      "      - id: crime-and-asb\n        heading: Crime\n"),
        "- id: crime-and-asb", 9, "questions[0].findings[0]: give 'id' or 'heading', not both")
located("finding-neither-id-nor-heading", sub("      - id: crime-and-asb\n        body", "      - body"),
        "- body", 9, "questions[0].findings[0]: give either 'id' (a framework sub-question) or 'heading'")
located("finding-unknown-key", sub("        body: |\n          Crime", "        text: |\n          Crime"),
        "text: |", 9, "questions[0].findings[0].text: unknown key 'text'")
located("finding-body-a-list", sub("        body: |\n          Crime in {area} is low.\n\n          {figure:rates}\n",
                                   "        body: [Crime is low.]\n"),
        "body: [Crime", 15, "questions[0].findings[0].body: expected text, got a list")
located("finding-heading-too-long", sub("      - id: crime-and-asb\n", "      - heading: " + "Long " * 70 + "\n"),
        "- heading: Long", 18, "questions[0].findings[0].heading: is too long: at most 300 characters, got 349")
located("finding-nested-unknown-section", sub("  - id: investigating\n    grade: good",
                                              "  - id: investigating\n    grade: good\n    findings:\n"
                                              "      - id: reducing-reoffending\n        findings:\n"
                                              "          - id: pursuing-suspect\n            body: Text."),
        "pursuing-suspect", 17, "questions[1].findings[0].findings[0].id: unknown section 'pursuing-suspect' "
                                "(did you mean 'pursuing-suspects'?)")

# -- areas for improvement and causes of concern --------------------------------------------------------

located("afi-a-string", sub("    areas_for_improvement:\n      - The force should improve.",
                            "    areas_for_improvement: The force should improve."),
        "areas_for_improvement", 28, "questions[0].areas_for_improvement: expected a list, got 'The force should")
located("afi-a-number", sub("      - The force should improve.", "      - 42"), "- 42", 9,
        "questions[0].areas_for_improvement[0]: expected a mapping of keys, got 42")
located("afi-unknown-key", sub("      - The force should improve.", "      - text: Improve.\n        due: 2017-05-01"),
        "due:", 9, "questions[0].areas_for_improvement[0].due: unknown key 'due'")
located("afi-impossible-deadline", sub("      - The force should improve.",
                                       "      - text: By {deadline}, improve.\n        deadline: 2017-02-29"),
        "deadline: 2017", 19, "questions[0].areas_for_improvement[0].deadline: expected a date (YYYY-MM-DD), "
                              "got '2017-02-29'")
located("afi-deadline-placeholder-without-date", sub("      - The force should improve.",
                                                     "      - By {deadline}, the force should improve."),
        "By {deadline}", 1, "questions[0].areas_for_improvement[0].text: {deadline} is used but no deadline is given")
located("coc-missing-statement", sub("    areas_for_improvement:",
                                     "    causes_of_concern:\n      - recommendations: []\n    areas_for_improvement:"),
        "- recommendations", 9, "questions[0].causes_of_concern[0].statement: missing required key 'statement'")
located("coc-statement-a-list", sub("    areas_for_improvement:", "    causes_of_concern:\n      - statement: [a, b]\n"
                                                                    "    areas_for_improvement:"),
        "statement:", 20, "questions[0].causes_of_concern[0].statement: expected text, got a list")
located("coc-recommendations-a-string", sub("    areas_for_improvement:",
                                            "    causes_of_concern:\n      - statement: Concern.\n"
                                            "        recommendations: Do better.\n    areas_for_improvement:"),
        "recommendations: Do", 26, "questions[0].causes_of_concern[0].recommendations: expected a list")
located("coc-unknown-key", sub("    areas_for_improvement:", "    causes_of_concern:\n      - statement: Concern.\n"
                                                              "        severity: high\n    areas_for_improvement:"),
        "severity", 9, "questions[0].causes_of_concern[0].severity: unknown key 'severity'")
located("coc-recommendation-unknown-key", sub("    areas_for_improvement:",
                                              "    causes_of_concern:\n      - statement: Concern.\n"
                                              "        recommendations:\n          - txt: Do better.\n"
                                              "    areas_for_improvement:"),
        "txt:", 13, "questions[0].causes_of_concern[0].recommendations[0].txt: unknown key 'txt' "
                    "(did you mean 'text'?)")

# -- figures and tables -------------------------------------------------------------------------------

located("figures-a-mapping", sub("figures:\n  - id: rates", "figures:\n  rates:\n    id: rates"), "rates:", 3,
        "figures: expected a list, got a mapping")
located("figure-unknown-key", sub("    source: Home Office data", "    sauce: Home Office data"), "sauce", 5,
        "figures[0].sauce: unknown key 'sauce' (did you mean 'source'?)")
located("figure-missing-table", sub(MINIMAL[MINIMAL.index("    table:"):MINIMAL.index("footnotes:")], ""),
        "- id: rates", 5, "figures[0]: a figure has one of 'table', 'chart' or 'image'")
located("figure-id-not-an-id", sub("  - id: rates", "  - id: Rates!").replace("{figure:rates}", "{figure:Rates!}"),
        "- id: Rates!", 9, "figures[0].id: 'Rates!' is not a valid id")
located("figure-title-too-long", sub("title: Crime rates in {area}", "title: " + "Crime rates " * 45),
        "title: Crime", 12, "figures[0].title: is too long: at most 500 characters, got 539")
located("figure-annex-pointer-not-bool", sub("    source: Home Office data", "    source: Home Office data\n"
                                                                             "    annex_pointer: maybe"),
        "annex_pointer", 20, "figures[0].annex_pointer: expected true or false, got 'maybe'")
located("figure-never-placed", in_body("Crime is low.").replace("\n\n          {figure:rates}", ""), "- id: rates", 9,
        "figures[0].id: figure 'rates' is never placed")
located("figure-unknown-placed", sub("{figure:rates}", "{figure:rate}"), "{figure:rate}", 1,
        "questions[0].findings[0].body: unknown figure 'rate' (did you mean 'rates'?)")
located("figure-placed-twice", in_body("{figure:rates}"), "{figure:rates}", 1,
        "questions[0].findings[0].body: figure 'rates' is placed more than once", occurrence=2)
located("figure-unknown-reference", in_body("See {fig:rats}."), "{fig:rats}", 1,
        "questions[0].findings[0].body: {fig:rats} refers to no placed figure (did you mean 'rates'?)")
located("table-columns-empty", sub("      columns:\n        - heading: Crime type\n"
                                   "        - {heading: Testshire, type: number, decimals: 1}", "      columns: []"),
        "columns: []", 16, "figures[0].table.columns: must not be empty")
located("table-column-unknown-type", sub("type: number", "type: percent"), "percent", 38,
        "figures[0].table.columns[1].type: expected one of 'text' or 'number', got 'percent'")
located("table-column-decimals-too-many", sub("decimals: 1}", "decimals: 9}"), "decimals: 9", 56,
        "figures[0].table.columns[1].decimals: must be at most 6, got 9")
located("table-column-decimals-a-word", sub("decimals: 1}", "decimals: one}"), "decimals: one", 56,
        "figures[0].table.columns[1].decimals: expected a whole number, got 'one'")
located("table-column-missing-heading", sub("        - heading: Crime type", "        - type: text"),
        "- type: text", 11, "figures[0].table.columns[0].heading: missing required key 'heading'")
located("table-rows-a-string", sub("      rows:\n        - [Recorded crime, 58.8]", "      rows: Recorded crime, 58.8"),
        "rows:", 13, "figures[0].table.rows: expected a list, got 'Recorded crime, 58.8'")
located("table-row-a-string", sub("- [Recorded crime, 58.8]", "- Recorded crime, 58.8"), "- Recorded crime", 11,
        "figures[0].table.rows[0]: expected a mapping of keys, got 'Recorded crime, 58.8'")
located("table-row-too-many-cells", sub("- [Recorded crime, 58.8]", "- [Recorded crime, 58.8, 60.1]"),
        "[Recorded crime", 11, "figures[0].table.rows[0]: row has 3 cells but the table has 2 columns")
located("table-row-too-few-cells", sub("- [Recorded crime, 58.8]", "- [Recorded crime]"), "[Recorded crime", 11,
        "figures[0].table.rows[0]: row has 1 cell but the table has 2 columns")
located("table-row-unknown-kind", sub("- [Recorded crime, 58.8]", "- {cells: [Recorded crime, 58.8], kind: subtotal}"),
        "[Recorded crime", 49, "figures[0].table.rows[0].kind: expected one of 'row', 'group' or 'total', "
                               "got 'subtotal'")
located("table-row-unknown-key", sub("- [Recorded crime, 58.8]", "- {cels: [Recorded crime, 58.8]}"),
        "cels", 12, "figures[0].table.rows[0].cels: unknown key 'cels' (did you mean 'cells'?)")
located("table-cell-a-list", sub("- [Recorded crime, 58.8]", "- [Recorded crime, [58.8]]"), "[Recorded crime", 11,
        "figures[0].table.rows[0].cells[1]: expected text or a number, got a list")
located("table-cell-a-mapping", sub("- [Recorded crime, 58.8]", "- [Recorded crime, {value: 58.8}]"),
        "[Recorded crime", 11, "figures[0].table.rows[0].cells[1]: expected text or a number, got a mapping")
located("table-cell-text-in-number-column", sub("- [Recorded crime, 58.8]", "- [Recorded crime, fifty]"),
        "[Recorded crime", 28, "figures[0].table.rows[0][1]: column 'Testshire' holds numbers, got 'fifty'")
located("table-cell-boolean", sub("- [Recorded crime, 58.8]", "- [Recorded crime, true]"), "[Recorded crime", 28,
        "figures[0].table.rows[0][1]: a table cell cannot be true")
located("table-cell-not-a-number", sub("- [Recorded crime, 58.8]", "- [Recorded crime, .nan]"), "[Recorded crime", 28,
        "figures[0].table.rows[0][1]: a table cell must be a finite number, got nan")
located("table-cell-too-large", sub("- [Recorded crime, 58.8]", "- [Recorded crime, 1" + "0" * 400 + "]"),
        "[Recorded crime", 28, "figures[0].table.rows[0][1]: the number is too large for a table")
located("table-unknown-key", sub("      rows:\n", "      footer: Total\n      rows:\n"), "footer:", 7,
        "figures[0].table.footer: unknown key 'footer'")
located("table-column-unknown-key", sub("decimals: 1}", "decimals: 1, align: right}"), "align", 59,
        "figures[0].table.columns[1].align: unknown key 'align'")
located("figure-table-a-list", sub(MINIMAL[MINIMAL.index("    table:"):MINIMAL.index("footnotes:")],
                                   "    table: [[Recorded crime, 58.8]]\n"),
        "table:", 12, "figures[0].table: expected a mapping of keys, got a list")
located("table-notes-a-string", sub("        - [Recorded crime, 58.8]\n", "        - [Recorded crime, 58.8]\n"
                                                                          "      notes: A note.\n"),
        "notes:", 14, "figures[0].table.notes: expected a list, got 'A note.'")

# -- footnotes --------------------------------------------------------------------------------------

located("footnotes-a-list", sub("footnotes:\n  period: Fieldwork took place in autumn 2016.",
                                "footnotes:\n  - Fieldwork took place in autumn 2016."),
        "- Fieldwork", 3, "footnotes: expected a mapping of keys, got a list")
located("footnote-id-invalid", sub("  period: Fieldwork", "  Period!: Fieldwork"), "Period!", 3,
        "footnotes.Period!: footnote id 'Period!' must be letters, digits, '-' and '_'")
located("footnote-text-a-number", sub("  period: Fieldwork took place in autumn 2016.", "  period: 2016"),
        "period: 2016", 11, "footnotes.period: expected text, got 2016")
located("footnote-cited-not-defined", in_body("Crime is low.[^missing]"), "[^missing]", 1,
        "questions[0].findings[0].body: footnote [^missing] is cited but not defined")
located("footnote-defined-not-cited", MINIMAL + "  spare: Never cited.\n", "spare:", 3,
        "footnotes.spare: footnote 'spare' is defined but never cited (cite it with [^spare] or remove it)")

# -- annex A --------------------------------------------------------------------------------------------

_END = MINIMAL.count("\n") + 1
case("annex-a-string", MINIMAL + "annex_a: About the data.\n", f":{_END}:10: annex_a: expected a mapping of keys")
case("annex-section-missing-heading", MINIMAL + "annex_a:\n  sections:\n    - body: Text.\n",
     f":{_END + 2}:7: annex_a.sections[0].heading: missing required key 'heading'")
case("annex-section-unknown-key", MINIMAL + "annex_a:\n  sections:\n    - heading: Data\n      text: Text.\n",
     f":{_END + 3}:7: annex_a.sections[0].text: unknown key 'text'")
case("annex-a-unknown-key", MINIMAL + "annex_a:\n  intro: Text.\n",
     f":{_END + 1}:3: annex_a.intro: unknown key 'intro' (allowed keys: ")
case("annex-body-a-list", MINIMAL + "annex_a:\n  body: [one]\n",
     f":{_END + 1}:9: annex_a.body: expected text, got a list")
case("annex-nested-section-heading-empty", MINIMAL + "annex_a:\n  sections:\n    - heading: Data\n      sections:\n"
                                                     "        - heading: ''\n",
     f":{_END + 4}:20: annex_a.sections[0].sections[0].heading: must not be empty")

# -- markdown ------------------------------------------------------------------------------------------

_LINK_HINT = "is not allowed (links may use http, https, mailto or #anchor)"
_BODY = "questions[0].findings[0].body: "
located("md-javascript-link", in_body("[Click](javascript:alert(1))"), "javascript", 1,
        f"questions[0].findings[0].body: link target 'javascript:alert(1)' {_LINK_HINT}")
located("md-javascript-link-mixed-case", in_body("[Click](JaVaScRiPt:alert(1))"), "JaVaScRiPt", 1,
        f"{_BODY}link target 'JaVaScRiPt:alert(1)' {_LINK_HINT}")
located("md-javascript-autolink", in_body("<javascript:alert(1)>"), "javascript", 1,
        f"{_BODY}link target 'javascript:alert(1)' {_LINK_HINT}")
located("md-javascript-reference-link", in_body("[Click][x]\n\n          [x]: javascript:alert(1)"), "[Click]", 1,
        f"{_BODY}link target 'javascript:alert(1)' {_LINK_HINT}")
located("md-data-link", in_body("[Click](data:text/html;base64,PHNjcmlwdD4=)"), "data:", 1,
        f"{_BODY}link target 'data:text/html;base64,PHNjcmlwdD4=' {_LINK_HINT}")
located("md-file-link", in_body("[Passwords](file:///etc/passwd)"), "file:", 1,
        f"{_BODY}link target 'file:///etc/passwd' {_LINK_HINT}")
located("md-javascript-link-in-footnote", sub("Fieldwork took place in autumn 2016.", '"[x](javascript:void(0))"'),
        "period:", 1, "footnotes.period: link target 'javascript:void(0)'")
_IMAGE = "images are not allowed in text (add the picture as a figure)"
located("md-image-parent-folders", in_body("![x](../../etc/passwd)"), "![x]", 1,
        f"questions[0].findings[0].body: {_IMAGE}")
located("md-image-absolute-path", in_body("![x](/etc/passwd)"), "![x]", 1, _BODY + _IMAGE)
located("md-image-file-url", in_body("![x](file:///etc/passwd)"), "![x]", 1, _BODY + _IMAGE)
located("md-image-http-url", in_body("![tracker](http://example.com/pixel.png)"), "![tracker]", 1, _BODY + _IMAGE)
located("md-image-in-summary", sub("summary: Prevention requires improvement.",
                                   "summary: See ![chart](chart.png)."), "![chart]", 1,
        f"questions[0].summary: {_IMAGE}")
located("md-unknown-placeholder", in_body("Crime in {aera} is low."), "{aera}", 1,
        f"{_BODY}unknown placeholder {{aera}} (did you mean 'area'?)")
located("md-figure-placeholder-inline", in_body("See {figure:rates} here."), "See {figure:rates}", 1,
        f"{_BODY}{{figure:rates}} must stand alone in its own paragraph to place a figure")

# -- must build safely (exit 0) -------------------------------------------------------------------------


def safe(name: str, content: str | bytes, contains: tuple[str, ...], absent: tuple[str, ...] = ()) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    SAFE.append(SafeCase(f"{name}.yaml", data, contains, absent))


safe("safe-byte-order-mark", b"\xef\xbb\xbf" + MINIMAL.encode(), ("Testshire Police",), ("\ufeff",))
safe("safe-markdown-script", in_body("Crime is low.<script>alert(1)</script>"),
     ("&lt;script&gt;alert(1)&lt;/script&gt;",), ("<script>alert",))
safe("safe-markdown-raw-html", in_body('<img src="x" onerror="alert(1)">\n\n          <iframe src="https://example.com">'),
     ("&lt;img src=", "&lt;iframe"), ("<img src=\"x\"", "<iframe"))
safe("safe-html-in-names", sub("force: Testshire Police", 'force: "<b onmouseover=alert(1)>Testshire</b> & Co"'),
     ("&lt;b onmouseover=alert(1)&gt;Testshire&lt;/b&gt; &amp; Co",), ("<b onmouseover",))
safe("safe-literal-braces", in_body(r"Use \{force} for the name, and `{force}` in code."),
     ("Use {force} for the name", "<code>{force}</code>"), ("{area}",))


def main() -> None:
    names = [c.name for c in CASES] + [c.name for c in SAFE]
    assert len(names) == len(set(names)), "duplicate case names"
    for old in HERE.glob("*.yaml"):
        if old.name != "expected.yaml":
            old.unlink()
    for item in [*CASES, *SAFE]:
        (HERE / item.name).write_bytes(item.content)
    lines = [
        "# Generated by tests/bad_inputs/generate.py; edit the script, not this file.",
        "# errors: file -> a substring of stderr (':LINE:COL: ...' pins the location as well).",
        "# must_build_safely: files that build, with text the HTML must and must not contain.",
        "errors:",
    ]
    lines += [f"  {c.name}: {json.dumps(c.expected, ensure_ascii=False)}" for c in CASES]
    lines.append("must_build_safely:")
    for s in SAFE:
        lines.append(f"  {s.name}:")
        lines.append(f"    contains: {json.dumps(list(s.contains), ensure_ascii=False)}")
        lines.append(f"    absent: {json.dumps(list(s.absent), ensure_ascii=False)}")
    (HERE / "expected.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(CASES)} error cases and {len(SAFE)} safe cases to {HERE}")


if __name__ == "__main__":
    main()
