"""The pieces every chapter is made of, as pandoc nodes: headings, grades, boxes,
sections, tiles, figures and data tables. Words come from the document and its labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from markdown_it.token import Token

from peelgen.document import Box, Document, FigureView, Fragment, GradeView, Heading, Item, Section, TableView, Tile
from peelgen.render_docx import pandoc as pd
from peelgen.render_docx.pandoc import Node

# Word styles from the reference document (see scripts/make-reference-docx).
BOX_STYLES = {
    "areas-for-improvement": "Area for Improvement",
    "causes-of-concern": "Cause of Concern",
    "innovative-practice": "Practice",
    "promising-practice": "Practice",
}


class Parts:
    """Builds pandoc nodes for one document; ``fmt`` is ``docx`` or ``odt``."""

    def __init__(self, doc: Document, fmt: str, charts: dict[str, str]) -> None:
        self.doc = doc
        self.fmt = fmt
        self.charts = charts  # PNG data URIs by figure id
        self.in_note = False
        self.pending_notes: list[int] = []
        self.converter = pd.Converter(
            {"footnote_ref": self._footnote_ref, "figure_ref": self._figure_ref},
            {"peel_figure": lambda token: self.figure(doc.figures[token.meta["id"]])},
        )

    # -- text --------------------------------------------------------------------------

    def blocks(self, fragment: Fragment | None, *, style: str | None = None) -> list[Node]:
        if fragment is None:
            return []
        if fragment.inline:
            nodes = [pd.para(self.converter.inlines(fragment.tokens))]
        else:
            nodes = self.converter.blocks(fragment.tokens)
        return [pd.styled(style, nodes)] if style and nodes else nodes

    def inlines(self, fragment: Fragment | None) -> list[Node]:
        if fragment is None:
            return []
        if fragment.inline:
            return self.converter.inlines(fragment.tokens)
        return [n for block in self.converter.blocks(fragment.tokens) for n in block.get("c", [])
                if block["t"] in ("Para", "Plain")]

    def _footnote_ref(self, token: Token) -> list[Node]:
        meta = token.meta
        if meta.get("missing"):
            return []
        number = meta["number"]
        if meta.get("first") and self.in_note:
            self.pending_notes.append(number)  # Word has no note in a note: it follows its parent
        if meta.get("first") and not self.in_note:
            return self._notes(number)
        # A note cited again (or inside another note) points at its number, as in print.
        return [pd.styled_text("Footnote Reference", pd.text(str(number)))]

    def _notes(self, number: int) -> list[Node]:
        """Native notes: this one, then any first cited inside it (numbered next by resolve)."""
        self.in_note = True
        queue, notes = [number], []
        try:
            while queue:
                self.pending_notes = []
                notes.append({"t": "Note", "c": self.blocks(self.doc.footnotes[queue.pop(0) - 1].body)})
                queue += self.pending_notes
        finally:
            self.in_note = False
        return notes

    def _figure_ref(self, token: Token) -> list[Node]:
        figure = self.doc.figures[token.meta["id"]]
        return [pd.link(pd.text(f"{figure.label} {figure.number}"), f"#{figure.anchor}")]

    # -- headings and grades -------------------------------------------------------------

    def heading(self, heading: Heading | None, level: int | None = None) -> list[Node]:
        if heading is None:
            return []
        inlines = self.inlines(heading.text)
        classes = () if heading.in_contents else ("unnumbered", "unlisted")
        return [pd.header(level or heading.level, heading.anchor, inlines, *classes)]

    def grade_run(self, grade: GradeView) -> list[Node]:
        """The grade in words, in the grade's colours (shaded, as the web page's badge)."""
        if self.fmt != "docx":
            return [pd.strong(pd.text(grade.label))]
        fill, ink = _hex(grade.colour, "4B5563"), _hex(grade.text_colour, "FFFFFF")
        return [pd.raw("openxml", f'<w:r><w:rPr><w:b/><w:color w:val="{escape(ink)}"/>'
                                  f'<w:shd w:val="clear" w:color="auto" w:fill="{escape(fill)}"/></w:rPr>'
                                  f'<w:t xml:space="preserve"> {escape(grade.label)} </w:t></w:r>')]

    def grade(self, grade: GradeView) -> list[Node]:
        inlines = [*pd.text(f"{self.doc.labels.grade}:"), {"t": "Space"}, *self.grade_run(grade)]
        return [pd.styled("Grade", [pd.para(inlines)])]

    # -- boxes ---------------------------------------------------------------------------

    def box(self, box: Box) -> list[Node]:
        """A shaded box in one named paragraph style; the style keeps it on one page."""
        return [self.boxed(BOX_STYLES.get(box.kind, "Recommendation Box"), lambda: self._box_content(box), box.anchor)]

    def _box_content(self, box: Box) -> list[Node]:
        inner: list[Node] = [pd.para([pd.strong(pd.text(box.title))])]
        if box.subtitle:
            inner.append(pd.para(pd.text(box.subtitle)))
        inner += self.blocks(box.body)
        for i, item in enumerate(box.items):
            if box.item_labels:
                inner.append(pd.para([pd.strong(pd.text(box.item_labels[i]))]))
            inner += self.item(item)
        for concern in box.concerns:
            inner += self.blocks(concern.statement)
            if concern.recommendations:
                inner.append(pd.para([pd.strong(pd.text(concern.recommendations_title))]))
                inner += [block for rec in concern.recommendations for block in self.item(rec)]
        return inner

    def boxed(self, style: str, build: Callable[[], list[Node]], ident: str = "") -> Node:
        """``build``'s blocks in a box style, lists included (so a box stays shaded and together)."""
        previous, self.converter.list_style = self.converter.list_style, style
        try:
            return pd.styled(style, build(), ident)
        finally:
            self.converter.list_style = previous

    def item(self, item: Item) -> list[Node]:
        out = self.blocks(item.text)
        if item.deadline_text:
            out.append(pd.para(pd.text(f"{self.doc.labels.deadline}: {item.deadline_text}")))
        return out

    # -- sections and tiles ----------------------------------------------------------------

    def section(self, section: Section) -> list[Node]:
        out = self.heading(section.heading)
        if section.number and out:
            out[0]["c"][2] = [*pd.text(section.number), {"t": "Space"}, *out[0]["c"][2]]
        out += self.blocks(section.intro) + self.blocks(section.body)
        for child in section.sections:
            out += self.section(child)
        return out

    def tiles(self, tiles: list[Tile]) -> list[Node]:
        labels = self.doc.labels
        head = [pd.text(labels.measure), pd.text(labels.force), pd.text(labels.england_and_wales), []]
        rows = [[pd.text(t.label), self.inlines(t.value), self.inlines(t.ew), pd.text(t.period or "")]
                for t in tiles]
        return [pd.table(head, rows, [False, True, True, False])]

    # -- figures and tables ------------------------------------------------------------------

    def figure(self, figure: FigureView) -> list[Node]:
        labels = self.doc.labels
        caption = [*pd.text(f"{figure.label} {figure.number}:"), {"t": "Space"}, *self.inlines(figure.title)]
        out: list[Node] = [pd.styled("Caption", [pd.para(caption)], figure.anchor)]
        if figure.chart is not None:
            out.append(pd.styled("Figure", [pd.para([pd.image(self.charts[figure.id], figure.chart.description)])]))
            if figure.chart.missing:
                out.append(pd.para(pd.text(f"{labels.no_data}: {labels.list_join.series(figure.chart.missing)}.")))
            if figure.chart.illustrative:
                out.append(pd.para(pd.text(labels.illustrative)))
        elif figure.image:
            out.append(pd.styled("Figure", [pd.para([pd.image(figure.image, figure.image_alt or "")])]))
        elif figure.table is not None:
            out.append(self.data_table(figure.table))
        for note in figure.notes:
            out += self.blocks(note)
        if figure.source:
            out.append(pd.styled("Figure Source", [pd.para(pd.text(f"{labels.source}: {figure.source}"))]))
        if figure.annex_pointer and self.doc.annex_anchor:
            target = figure.annex_anchor or self.doc.annex_anchor
            out.append(pd.para([pd.link(pd.text(labels.annex_pointer), f"#{target}")]))
        return out

    def data_table(self, table: TableView) -> Node:
        """Group and total rows are bold, as on the web page."""
        head = [pd.text(heading) for heading, _ in table.columns]
        rows: list[list[list[Node]]] = []
        for row in table.rows:
            cells = [pd.text(c.text) for c in row.cells]
            rows.append([[pd.strong(c)] if row.kind in ("group", "total") else c for c in cells])
        return pd.table(head, rows, [numeric for _, numeric in table.columns], [r.kind for r in table.rows])

    def simple_table(self, head: list[str], rows: list[list[list[Node]]], numeric: list[bool] | None = None) -> Node:
        return pd.table([pd.text(h) for h in head], rows, numeric or [False] * len(head))


def _hex(colour: str, default: str) -> str:
    """A colour as Word writes it (RRGGBB); anything else (never expected) the default."""
    value = colour.lstrip("#")
    return value.upper() if re.fullmatch(r"[0-9A-Fa-f]{6}", value) else default


def plain_text(nodes: list[Any]) -> str:
    """The words of some inlines, for metadata."""
    out = []
    for node in nodes:
        if node["t"] == "Str":
            out.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak"):
            out.append(" ")
        elif node["t"] in ("Strong", "Emph"):
            out.append(plain_text(node["c"]))
        elif node["t"] in ("Link", "Span"):
            out.append(plain_text(node["c"][1]))
    return "".join(out)
