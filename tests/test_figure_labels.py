"""A figure published with a label of its own ('Table 3'): numbered in its own sequence,
captioned, cross-referenced, listed in Annex A and written to Word with that label."""

from __future__ import annotations

import io
import re

from docx import Document as WordDocument

from peelgen.build import compile_report, render_outputs
from peelgen.render_html import render_html
from tests.conftest import MINIMAL, line_of


def _table_figure(figure_id: str, title: str, row: str) -> str:
    """A one-row table figure, shaped as MINIMAL's own."""
    return f"""\
  - id: {figure_id}
    title: {title}
    source: Home Office data
    table:
      columns:
        - heading: Crime type
        - {{heading: Testshire, type: number, decimals: 1}}
      rows:
        - {row}
"""


# Three figures in reading order: a table labelled "Table", then two without a label.
THREE_FIGURES = MINIMAL.replace("          {figure:rates}\n", """\
          {figure:rates}

          {figure:more}

          {figure:most}

          As {fig:rates} shows, crime is low.
""").replace("        - [Recorded crime, 58.8]\n", "        - [Recorded crime, 58.8]\n"
             + _table_figure("more", "More rates in {area}", "[Burglary, 5.1]")
             + _table_figure("most", "Most rates in {area}", "[Robbery, 1.2]")
             ).replace("  - id: rates\n", "  - id: rates\n    label: Table\n")


def test_each_label_has_its_own_sequence(write):
    doc = compile_report(write(THREE_FIGURES)).document
    shown = {f.id: (f.label, f.number, f.anchor) for f in doc.figures.values()}
    assert shown == {"rates": ("Table", 1, "table-1"), "more": ("Figure", 1, "figure-1"),
                     "most": ("Figure", 2, "figure-2")}
    page = render_html(doc, target="web")
    captions = re.findall(r'<span class="figure-number">([^<]*)</span>', page)
    assert captions == ["Table 1:", "Figure 1:", "Figure 2:"]
    assert '<a href="#table-1">Table 1</a>' in page  # the cross-reference uses the label too
    assert "Figure 3" not in page
    annex = re.findall(r'<h\d[^>]*id="(annex-[^"]*)"[^>]*>([^<]*)<', page)
    assert [entry for entry in annex if entry[0].startswith("annex-a-figures-")] == [
        ("annex-a-figures-table-1", "Table 1: Crime rates"), ("annex-a-figures-figure-1", "Figure 1: More rates"),
        ("annex-a-figures-figure-2", "Figure 2: Most rates")]


def test_a_published_number_counts_on_within_its_label(write, cli):
    text = THREE_FIGURES.replace("    label: Table\n", "    label: Table\n    number: 4\n")
    doc = compile_report(write(text)).document
    assert [(f.label, f.number) for f in doc.figures.values()] == [("Table", 4), ("Figure", 1), ("Figure", 2)]
    # A number going backwards within its label is an error naming the label.
    text = THREE_FIGURES.replace("  - id: most\n", "  - id: most\n    number: 1\n")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    line = line_of(text, "    number: 1")
    assert result.err_lines[0].startswith(f"report.yaml:{line}:13: figures[2].number: Figure number 1 does not "
                                          "follow Figure 1")


def test_word_uses_the_label(write):
    compiled = compile_report(write(THREE_FIGURES))
    outputs = render_outputs(compiled, ("docx",))
    word = WordDocument(io.BytesIO(outputs[f"{compiled.document.slug}.docx"]))
    text = "\n".join(paragraph.text for paragraph in word.paragraphs)
    assert "Table 1: Crime rates in Testshire" in text and "Figure 2: Most rates in Testshire" in text
