"""Each chapter kind as pandoc blocks, in the order its HTML template lays it out.

Most kinds are their fields in a fixed order, each field drawn by its type
(:data:`ORDER` and :meth:`ChapterWriter.field`); kinds with tables of their own have a
method here. A kind missing from :data:`ORDER` is drawn from its fields as declared, so
a new kind is never dropped (tests check every example's headings against this).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from peelgen.document import Box, ChapterView, Fragment, GradeView, Heading, Section, Signature, Tile
from peelgen.render_docx import pandoc as pd
from peelgen.render_docx.pandoc import Node
from peelgen.render_docx.parts import Parts

# Fields of each kind in template order (the heading comes first in every kind).
ORDER: dict[str, tuple[str, ...]] = {
    "areas": ("grade", "lead", "summary", "boxes", "main_findings_heading", "main_findings_intro",
              "crime_recording", "sections"),
    "questions": ("intro", "sections", "summary_heading", "grade", "summary", "boxes"),
    "victim-service": ("question_heading", "intro", "sections"),
    "overview": ("judgment_heading", "grade", "lead", "grade_change", "summary_table_heading", "summary_rows",
                 "body"),
    "judgments": ("summary_table_heading", "columns", "not_graded", "body", "narrative"),
    "pillars": ("tiles", "question_heading", "grade", "summary_heading", "summary", "components"),
    "component": ("grade", "carried_over", "intro", "summary", "findings_intro", "boxes", "sections"),
    "observations": ("intro", "body", "closing", "signature"),
    "leadership": ("intro", "body", "closing"),
    "text": ("body", "sections"),
    "topics": ("intro", "summary", "sections"),
    "annex": ("body", "sections"),
    "glossary": ("body", "glossary"),
    "force-in-numbers": ("tiles", "note"),
    "recommendations": ("body", "recommendations"),
    "distribution": ("body", "distribution", "note"),
    "annex-b": ("body", "force_rows"),
    "inspection-approach": ("body", "inspected_rows"),
    "summary-tables": ("body", "pillar_tables"),
    "covering": ("sections",),
    "appendix": ("sections", "summary_groups", "aims"),
}


class ChapterWriter:
    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.labels = parts.doc.labels

    def chapter(self, chapter: ChapterView) -> list[Node]:
        out = self.parts.heading(chapter.heading)
        if chapter.new_page and chapter.heading.level == 1:
            out.insert(0, pd.page_break(self.parts.fmt))
        names = ORDER.get(chapter.kind) or tuple(f.name for f in dataclasses.fields(chapter)  # type: ignore[arg-type]
                                         if f.name not in ("id", "kind", "heading", "new_page"))
        for name in names:
            out += self.field(chapter, name, getattr(chapter, name, None))
        return out

    def field(self, chapter: ChapterView, name: str, value: Any) -> list[Node]:
        special = getattr(self, f"_{name}", None)
        if special is not None and value:
            return special(chapter, value)
        return self.by_type(value)

    def by_type(self, value: Any) -> list[Node]:
        """A field drawn by its type: one value, or a list drawn item by item (tiles as one table)."""
        if value is None or value == []:
            return []
        if isinstance(value, list):
            if isinstance(value[0], Tile):
                return self.parts.tiles(value)
            return [block for item in value for block in self.by_type(item)]
        for kind, draw in self._drawers():
            if isinstance(value, kind):
                return draw(value)
        return []

    def _drawers(self) -> list[tuple[type, Any]]:
        parts = self.parts
        return [
            (Heading, parts.heading),
            (Fragment, parts.blocks),
            (str, lambda text: [pd.para(pd.text(text))]),
            (GradeView, lambda grade: parts.grade(grade) if grade.graded else []),
            (Signature, lambda s: [pd.para([pd.strong(pd.text(s.name)), {"t": "LineBreak"}, *pd.text(s.title)])]),
            (Section, parts.section),
            (Box, parts.box),
            (ChapterView, self.chapter),
        ]

    # -- kinds with tables of their own ---------------------------------------------------

    def _lead(self, chapter: Any, lead: Fragment | str) -> list[Node]:
        if isinstance(lead, str):  # the overview's judgment sentence, with any change of grade
            change = getattr(chapter, "grade_change", None)
            return [pd.para(pd.text(f"{lead} {change}" if change else lead))]
        return self.parts.blocks(lead)

    def _grade_change(self, chapter: Any, change: str) -> list[Node]:
        return []  # printed with the lead sentence

    def _tiles(self, chapter: Any, tiles: list[Tile]) -> list[Node]:
        title = [pd.para([pd.strong(pd.text(self.labels.force_in_context))])] if chapter.kind == "pillars" else []
        return title + self.parts.tiles(tiles)

    def _summary_rows(self, chapter: Any, rows: list[Any]) -> list[Node]:
        cells = [[[pd.link(pd.text(r.label), f"#{r.anchor}")], self.parts.grade_run(r.grade)] for r in rows]
        return [self.parts.simple_table([self.labels.question, self.labels.grade], cells)]

    def _columns(self, chapter: Any, columns: list[Any]) -> list[Node]:
        rows = []
        for column in columns:
            entries: list[Node] = []
            for label, anchor in column.entries:
                entries += [*([{"t": "LineBreak"}] if entries else []), pd.link(pd.text(label), f"#{anchor}")]
            rows.append([self.parts.grade_run(column.grade), entries])
        return [self.parts.simple_table([self.labels.grade, self.labels.question], rows)]

    def _recommendations(self, chapter: Any, recs: list[Any]) -> list[Node]:
        out: list[Node] = []
        for rec in recs:
            out.append(pd.header(3, f"{rec.anchor}-topic", pd.text(rec.topic)))
            out.append(self.parts.boxed("Recommendation Box", lambda rec=rec: self._recommendation(rec), rec.anchor))
        return out

    def _recommendation(self, rec: Any) -> list[Node]:
        meta = f"{self.labels.addressee}: {rec.addressee}"
        if rec.deadline:
            meta += f" · {self.labels.deadline}: {rec.deadline}"
        return [pd.para([pd.strong(pd.text(f"{self.labels.recommendations.one} {rec.number}"))]),
                *self.parts.blocks(rec.text), pd.para(pd.text(meta))]

    def _distribution(self, chapter: Any, rows: list[Any]) -> list[Node]:
        headings = chapter.table_headings
        cells = [[pd.text(r.label), *[pd.text(str(n)) for n in r.counts]] for r in rows]
        return [self.parts.simple_table(headings, cells, [False] + [True] * (len(headings) - 1))]

    def _force_rows(self, chapter: Any, rows: list[Any]) -> list[Node]:
        cells = [[pd.text(r.name), *[self.parts.grade_run(g) for g in r.grades]] for r in rows]
        return [self.parts.simple_table(chapter.table_headings, cells)]

    def _inspected_rows(self, chapter: Any, rows: list[Any]) -> list[Node]:
        cells = [[pd.text(r.label), pd.text(self.labels.yes if r.inspected else self.labels.no)] for r in rows]
        return [self.parts.simple_table([self.labels.inspected_area, chapter.inspected_heading], cells)]

    def _pillar_tables(self, chapter: Any, tables: list[Any]) -> list[Node]:
        out = []
        for table in tables:
            rows = [[[pd.link(pd.text(r.label), f"#{r.anchor}")], self.parts.grade_run(r.grade),
                     pd.text(r.last_inspected or "")] for r in table.rows]
            head = [[pd.link(pd.text(table.label), f"#{table.anchor}")], self.parts.grade_run(table.grade),
                    pd.text(self.labels.last_inspected)]
            out.append(pd.table(head, rows, [False, False, False]))
        return out

    def _glossary(self, chapter: Any, entries: list[tuple[str, Fragment]]) -> list[Node]:
        items = [[[pd.strong(pd.text(term))], [self.parts.blocks(definition)]] for term, definition in entries]
        return [{"t": "DefinitionList", "c": items}]

    def _signature(self, chapter: Any, signature: Signature) -> list[Node]:
        return self.by_type(signature)

    def _summary_groups(self, chapter: Any, groups: list[Any]) -> list[Node]:
        rows, kinds = [], []
        for aim, entries in groups:
            rows.append([[pd.strong(pd.text(aim))], [], []])
            kinds.append("group")
            for topic, data, activity in entries:
                rows.append([pd.text(topic), pd.text(data), pd.text(activity)])
                kinds.append("row")
        head = [pd.text(self.labels.topic), pd.text(self.labels.data), pd.text(self.labels.activity)]
        return [pd.table(head, rows, [False] * 3, kinds)]

    def _aims(self, chapter: Any, aims: list[Any]) -> list[Node]:
        out: list[Node] = []
        for aim in aims:
            out += self._numbered(aim.heading, aim.number)
            if aim.aim:
                out.append(pd.para(pd.text(f"{self.labels.aim}: {aim.aim}")))
            if aim.signs:
                signs = [[pd.para(pd.text(sign))] for sign in aim.signs]
                out.append(pd.styled("Practice", [pd.para([pd.strong(pd.text(aim.signs_title or ""))]),
                                                  pd.bullets(signs, None)]))
            for topic in aim.topics:
                out += self._topic(topic)
        return out

    def _topic(self, topic: Any) -> list[Node]:
        out = self._numbered(topic.heading, topic.number) + self.parts.blocks(topic.body)
        if topic.measures:
            labels = self.labels
            head = [labels.measure, labels.current, labels.previous, labels.change, labels.direction, labels.peer]
            rows = [[pd.text(" ".join(filter(None, (m.label, m.period)))), pd.text(m.current), pd.text(m.previous),
                     pd.text(m.change), pd.text(m.direction), pd.text(m.peer or "")] for m in topic.measures]
            out.append(self.parts.simple_table(head, rows, [False, True, True, True, False, False]))
        if topic.figure_id:
            out += self.parts.figure(self.parts.doc.figures[topic.figure_id])
        return out

    def _numbered(self, heading: Heading, number: str) -> list[Node]:
        out = self.parts.heading(heading)
        out[0]["c"][2] = [*pd.text(number), {"t": "Space"}, *out[0]["c"][2]]
        return out

    def _sections(self, chapter: Any, sections: list[Section]) -> list[Node]:
        if chapter.kind == "covering":
            return [block for part in sections for block in self._part(chapter, part)]
        if chapter.kind == "appendix":  # its two numbered sections; their children follow as tables
            return [block for s in sections[:2] for block in self._numbered(s.heading, s.number or "")
                    + self.parts.blocks(s.body)]
        return self.by_type(sections)

    def _part(self, chapter: Any, part: Section) -> list[Node]:
        out = self._numbered(part.heading, part.number or "") if part.heading else []
        out += self.parts.blocks(part.body)
        for objective in part.sections:
            out += self.parts.heading(objective.heading) + self.parts.blocks(objective.body)
        if part.kind == "inspections" and chapter.inspections:
            out += self._inspections(chapter.inspections)
        return out

    def _inspections(self, inspections: list[Any]) -> list[Node]:
        labels = self.labels
        rows = []
        for ref in inspections:
            title = pd.text(ref.title) + ([{"t": "LineBreak"}, *pd.text(ref.question)] if ref.question else [])
            grade = self.parts.grade_run(ref.grade) if ref.graded and ref.grade else pd.text(labels.not_graded)
            rows.append([title, grade, pd.text(str(ref.recommendations)), pd.text(str(ref.areas_for_improvement))])
        head = [labels.inspection, labels.grade, labels.recommendations.other, labels.areas_for_improvement.other]
        out: list[Node] = [self.parts.simple_table(head, rows, [False, False, True, True])]
        for ref in inspections:
            if ref.response:
                out += [pd.para([pd.strong(pd.text(ref.title))]), *self.parts.blocks(ref.response)]
        return out
