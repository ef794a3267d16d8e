"""Stage 3: turn a validated report into a final :class:`~peelgen.document.Document`.

Resolution walks the document in reading order, so numbering is by first appearance:
footnotes are numbered once across the whole report (headings and figure titles
included), figures in the order they are placed. Placeholders are filled, derived
sentences and tables written, and every cross-reference checked, with located errors.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markdown_it.token import Token

from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, suggest
from peelgen.document import (
    Box,
    Cell,
    Chapter,
    Concern,
    Document,
    FigureView,
    FootnoteView,
    Fragment,
    GradeView,
    Heading,
    Item,
    Labels,
    Section,
    SummaryRow,
    TableRow,
    TableView,
)
from peelgen.formatting import long_date, number, slugify
from peelgen.framework import ChapterSpec, Framework, QuestionSpec, SubQuestion
from peelgen.markdown import parse_block, parse_inline
from peelgen.models import AnnexSection, Finding, Question, Recommendation, Report
from peelgen.validate import ValidatedReport

_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
_FOOTER_PART = re.compile(r"\{(page|pages)\}|\{[^}]*\}|[^{]+|\{")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of text came from, for error messages."""

    path: DocPath | None  # a path in the report, or None for framework text
    what: str = ""  # for framework text: which part


class Resolver:
    def __init__(self, validated: ValidatedReport) -> None:
        self.report: Report = validated.report
        self.base_dir: Path = validated.base_dir
        self.fw: Framework = validated.framework
        self.source = validated.source
        self.diagnostics: list[Diagnostic] = []
        self.footnotes: dict[str, FootnoteView] = {}
        self.figures: dict[str, FigureView] = {}
        self.figure_refs: list[tuple[str, Origin, int | None]] = []
        self.used_anchors: set[str] = set()
        self.figure_index = {f.id: i for i, f in enumerate(self.report.figures)}
        meta = self.report.meta
        force_short = meta.force_short or meta.force
        self.values = {
            "force": meta.force,
            "force_short": force_short,
            "area": meta.area or force_short,
            "inspectorate": meta.inspectorate or self.fw.inspectorate.name,
            "inspectorate_short": self.fw.inspectorate.short,
            "programme_year": self.fw.programme_year,
        }

    # -- diagnostics ---------------------------------------------------------------

    def error(self, origin: Origin, message: str, *, hint: str | None = None,
              line_offset: int | None = None, at_key: bool = False) -> None:
        if origin.path is None:
            self.diagnostics.append(Diagnostic(
                f"framework {self.fw.id}", f"{origin.what}: {message}", hint=hint))
        else:
            self.diagnostics.append(self.source.diagnostic(
                origin.path, message, hint=hint, line_offset=line_offset, at_key=at_key))

    # -- anchors ---------------------------------------------------------------------

    def anchor(self, wanted: str) -> str:
        base = slugify(wanted)
        candidate, n = base, 2
        while candidate in self.used_anchors:
            candidate, n = f"{base}-{n}", n + 1
        self.used_anchors.add(candidate)
        return candidate

    # -- text ------------------------------------------------------------------------

    def block(self, text: str | None, origin: Origin, extra: dict[str, str] | None = None) -> Fragment | None:
        if text is None or not text.strip():
            return None
        tokens = self._process(parse_block(text), origin, extra or {})
        return Fragment(tokens)

    def inline(self, text: str, origin: Origin, extra: dict[str, str] | None = None) -> Fragment:
        children = parse_inline(text)
        return Fragment(self._process_inline(children, origin, extra or {}, None), inline=True)

    def heading(self, text: str, origin: Origin, anchor: str, level: int, *, in_contents: bool = True) -> Heading:
        return Heading(self.inline(text, origin), self.anchor(anchor), level, in_contents)

    def fill(self, template: str, **values: str) -> str:
        """Fill {placeholders} in a plain framework sentence (not markdown)."""
        merged = {**self.values, **values}
        try:
            return template.format_map(merged)
        except (KeyError, ValueError, IndexError) as error:
            self.diagnostics.append(Diagnostic(
                f"framework {self.fw.id}", f"bad placeholder in '{template}': {error}"))
            return template

    def _process(self, tokens: list[Token], origin: Origin, extra: dict[str, str]) -> list[Token]:
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            line = token.map[0] if token.map else None
            if token.type == "paragraph_open" and i + 2 < len(tokens):
                children = tokens[i + 1].children or []
                if len(children) == 1 and children[0].type == "placeholder" and children[0].meta["name"] == "figure":
                    placed = self._place_figure(children[0].meta["arg"], origin, line)
                    if placed is not None:
                        out.append(placed)
                    i += 3
                    continue
            if token.type == "inline":
                token.children = self._process_inline(token.children or [], origin, extra, line)
            out.append(token)
            i += 1
        return out

    def _process_inline(self, children: list[Token], origin: Origin, extra: dict[str, str],
                        line: int | None) -> list[Token]:
        out: list[Token] = []
        for token in children:
            if token.type == "placeholder":
                out.extend(self._placeholder(token, origin, extra, line))
                continue
            if token.type == "footnote_ref":
                self._cite(token, origin, line)
            elif token.type == "link_open":
                href = token.attrGet("href") or ""
                if not (href.startswith("#") or href.lower().startswith(_ALLOWED_SCHEMES)):
                    self.error(origin, f"link target '{href}' is not allowed", line_offset=line,
                               hint="links may use http, https, mailto or #anchor")
                    token.attrSet("href", "#")
            elif token.type == "image":
                self.error(origin, "images are not allowed in text", line_offset=line,
                           hint="add the picture as a figure")
                continue
            out.append(token)
        return out

    def _placeholder(self, token: Token, origin: Origin, extra: dict[str, str], line: int | None) -> list[Token]:
        name, arg = token.meta["name"], token.meta["arg"]
        values = {**self.values, **extra}
        if arg is None and name in values:
            text = Token("text", "", 0)
            text.content = values[name]
            return [text]
        if name == "fig" and arg is not None:
            ref = Token("figure_ref", "", 0)
            ref.meta = {"id": arg}
            self.figure_refs.append((arg, origin, line))
            return [ref]
        if name == "figure":
            self.error(origin, f"{token.content} must stand alone in its own paragraph to place a figure",
                       line_offset=line, hint=f"to refer to it in a sentence write {{fig:{arg}}}")
            return []
        if name == "deadline":
            self.error(origin, "{deadline} is used but no deadline is given", line_offset=line,
                       hint="add 'deadline: YYYY-MM-DD' to this recommendation")
            return []
        known = [*values, "fig:ID", "figure:ID"]
        self.error(origin, f"unknown placeholder {token.content}", line_offset=line,
                   hint=suggest(name, list(values)) or f"known: {', '.join('{' + k + '}' for k in known)}")
        return []

    def _cite(self, token: Token, origin: Origin, line: int | None) -> None:
        footnote_id = token.meta["id"]
        existing = self.footnotes.get(footnote_id)
        if existing is not None:
            token.meta.update(number=existing.number, anchor=existing.anchor, first=False)
            return
        if footnote_id in self.report.footnotes:
            text, where = self.report.footnotes[footnote_id], Origin(("footnotes", footnote_id))
        elif footnote_id in self.fw.footnotes:
            text, where = self.fw.footnotes[footnote_id], Origin(None, f"footnote '{footnote_id}'")
        else:
            self.error(origin, f"footnote [^{footnote_id}] is cited but not defined", line_offset=line,
                       hint=suggest(footnote_id, list(self.report.footnotes))
                       or "define it under 'footnotes:'")
            token.meta.update(number=0, anchor="", first=False, missing=True)
            return
        view = FootnoteView(footnote_id, len(self.footnotes) + 1, f"fn-{len(self.footnotes) + 1}",
                            Fragment([]))
        self.footnotes[footnote_id] = view
        token.meta.update(number=view.number, anchor=view.anchor, first=True)
        # Parsed after numbering, so a footnote citing another numbers it next.
        body = self.block(text, where)
        view.body = body or Fragment([])

    def _place_figure(self, figure_id: str, origin: Origin, line: int | None) -> Token | None:
        index = self.figure_index.get(figure_id)
        if index is None:
            self.error(origin, f"unknown figure '{figure_id}'", line_offset=line,
                       hint=suggest(figure_id, list(self.figure_index)) or "define it under 'figures:'")
            return None
        if figure_id in self.figures:
            self.error(origin, f"figure '{figure_id}' is placed more than once", line_offset=line)
            return None
        figure = self.report.figures[index]
        path: DocPath = ("figures", index)
        numbered = len(self.figures) + 1
        view = FigureView(figure_id, numbered, self.anchor(f"figure-{numbered}"), Fragment([]),
                          figure.source, figure.annex_pointer, self._table(figure.table), [])
        self.figures[figure_id] = view
        view.title = self.inline(figure.title, Origin((*path, "title")))
        view.notes = [n for i, note in enumerate(figure.table.notes)
                      if (n := self.block(note, Origin((*path, "table", "notes", i)))) is not None]
        token = Token("peel_figure", "", 0)
        token.meta = {"id": figure_id}
        return token

    @staticmethod
    def _table(table: object) -> TableView:
        from peelgen.models import Table

        assert isinstance(table, Table)
        rows = []
        for row in table.rows:
            cells = []
            for value, column in zip(row.cells, table.columns, strict=False):
                decimals = row.decimals if row.decimals is not None else column.decimals
                if value is None:
                    cells.append(Cell("", column.type == "number"))
                elif isinstance(value, int | float) and not isinstance(value, bool) and column.type == "number":
                    cells.append(Cell(number(value, decimals), True))
                else:
                    cells.append(Cell(str(value), column.type == "number"))
            rows.append(TableRow(row.kind, cells))
        return TableView([(c.heading, c.type == "number") for c in table.columns], rows)

    # -- grades ----------------------------------------------------------------------

    def grade(self, grade_id: str) -> GradeView:
        grade = self.fw.grade(grade_id)
        if grade is None:
            ungraded = self.fw.grades.ungraded
            return GradeView(ungraded.id, ungraded.label, False, None)
        return GradeView(grade.id, grade.label, True, self.fw.rank(grade.id))

    # -- chapters --------------------------------------------------------------------

    def resolve(self) -> Document:
        chapters: list[Chapter] = []
        annex_anchor = None
        for spec in self.fw.chapters:
            for chapter in self._chapter(spec):
                chapters.append(chapter)
                if chapter.kind == "annex" and annex_anchor is None:
                    annex_anchor = chapter.heading.anchor
        self._check_unused()
        footer = self._footer(self.report.print.footer)
        logo = self._image(self.report.meta.logo, ("meta", "logo")) if self.report.meta.logo else None
        if self.diagnostics:
            raise BuildFailed(self.diagnostics)
        meta = self.report.meta
        fw = self.fw
        labels = fw.labels
        slug = meta.slug or slugify(f"{self.values['force_short']} {fw.programme_year}")
        return Document(
            framework_id=fw.id,
            title=fw.report_title,
            short_title=fw.short_title,
            force=meta.force,
            force_short=self.values["force_short"],
            inspectorate=self.values["inspectorate"],
            inspectorate_short=fw.inspectorate.short,
            programme=fw.programme,
            programme_year=fw.programme_year,
            publication_date=meta.publication_date,
            publication_date_text=long_date(meta.publication_date),
            inspection_period=meta.inspection_period,
            slug=slug,
            template=fw.template,
            labels=Labels(labels.figure, labels.source, labels.annex_pointer, labels.contents, labels.footnotes),
            chapters=chapters,
            figures=self.figures,
            footnotes=sorted(self.footnotes.values(), key=lambda f: f.number),
            annex_anchor=annex_anchor,
            footer=footer,
            marking=meta.marking,
            logo_data_uri=logo,
            logo_alt=meta.logo_alt or f"{meta.force} logo",
        )

    def _chapter(self, spec: ChapterSpec) -> Iterator[Chapter]:
        if spec.kind == "text":
            yield from self._text_chapter(spec)
        elif spec.kind == "overview":
            yield self._overview()
        elif spec.kind == "questions":
            by_id = {q.id: q for q in self.report.questions}
            for question_spec in self.fw.questions:
                question = by_id.get(question_spec.id)
                if question is not None:
                    index = self.report.questions.index(question)
                    yield self._question(question_spec, question, ("questions", index))
        elif spec.kind == "annex":
            yield from self._annex(spec)
        # "force-in-numbers" needs metrics, which this report format does not have yet.

    def _text_chapter(self, spec: ChapterSpec) -> Iterator[Chapter]:
        override = getattr(self.report, spec.report_field, None) if spec.report_field else None
        body = (self.block(override, Origin((spec.report_field,))) if override
                else self.block(spec.body, Origin(None, f"chapter '{spec.id}'")))
        if body is None and not spec.sections:
            return
        heading = self.heading(spec.heading or spec.id, Origin(None, f"chapter '{spec.id}'"), spec.id, 1)
        sections = [
            Section(self.heading(s.heading, Origin(None, f"chapter '{spec.id}'"), f"{spec.id}-{s.heading}", 2),
                    body=self.block(s.body, Origin(None, f"chapter '{spec.id}'")))
            for s in spec.sections
        ]
        yield Chapter(spec.id, "text", heading, body=body, sections=sections)

    def _overview(self) -> Chapter:
        fw, overall = self.fw, self.report.overall
        origin = Origin(None, "overall")
        grade = self.grade(overall.grade)
        chapter = Chapter("overview", "overview", self.heading(fw.overall.chapter_heading, origin, "overview", 1),
                          grade=grade)
        chapter.judgment_heading = self.heading(fw.overall.judgment_heading, origin, "overall-judgment", 2)
        framework_grade = fw.grade(overall.grade)
        if fw.overall_lead and framework_grade:
            chapter.lead = self.fill(fw.overall_lead, grade_phrase=framework_grade.phrase)
        chapter.grade_change = self._grade_change(overall.grade, overall.previous_grade)
        chapter.summary_table_heading = self.heading(fw.labels.overall_summary, origin, "overall-summary", 2)
        chapter.summary_rows = [
            SummaryRow(self.fill(q.table_label), self.grade(self._question_grade(q.id)), slugify(q.id))
            for q in fw.questions if self._question_grade(q.id) is not None
        ]
        chapter.body = self.block(overall.summary, Origin(("overall", "summary")))
        return chapter

    def _question_grade(self, question_id: str) -> str | None:
        return next((q.grade for q in self.report.questions if q.id == question_id), None)

    def _grade_change(self, grade_id: str, previous_id: str | None) -> str | None:
        change = self.fw.grade_change
        if previous_id is None or change is None:
            return None
        previous = self.fw.grade(previous_id)
        if previous is None or self.fw.grade(grade_id) is None:
            return None
        now, before = self.fw.rank(grade_id), self.fw.rank(previous_id)
        template = change.same if now == before else change.improved if now < before else change.declined
        return self.fill(template, previous_infinitive=previous.infinitive, previous_label=previous.label.lower())

    def _question(self, spec: QuestionSpec, question: Question, path: DocPath) -> Chapter:
        origin = Origin(None, f"question '{spec.id}'")
        chapter = Chapter(spec.id, "question", self.heading(spec.heading, origin, spec.id, 1),
                          grade=self.grade(question.grade))
        chapter.intro = self.block(spec.intro, origin)
        chapter.sections = self._sections(question.findings, spec.sections, (*path, "findings"), spec.id, 2)
        labels = self.fw.labels
        chapter.summary_heading = self.heading(labels.summary_of_findings, origin, f"{spec.id}-summary", 2)
        chapter.summary = self.block(question.summary, Origin((*path, "summary")))
        if question.areas_for_improvement:
            items = [self._item(a, (*path, "areas_for_improvement", i))
                     for i, a in enumerate(question.areas_for_improvement)]
            chapter.boxes.append(Box("areas-for-improvement",
                                     labels.areas_for_improvement.for_count(len(items)),
                                     self.anchor(f"{spec.id}-areas-for-improvement"), items=items))
        if question.causes_of_concern:
            concerns = []
            for i, cause in enumerate(question.causes_of_concern):
                here = (*path, "causes_of_concern", i)
                statement = self.block(cause.statement, Origin((*here, "statement"))) or Fragment([])
                recs = [self._item(r, (*here, "recommendations", j)) for j, r in enumerate(cause.recommendations)]
                concerns.append(Concern(statement, recs, labels.recommendations.for_count(len(recs))))
            chapter.boxes.append(Box("causes-of-concern", labels.causes_of_concern.for_count(len(concerns)),
                                     self.anchor(f"{spec.id}-causes-of-concern"), concerns=concerns))
        return chapter

    def _item(self, item: Recommendation, path: DocPath) -> Item:
        extra = {"deadline": long_date(item.deadline)} if item.deadline else {}
        text = self.block(item.text, Origin((*path, "text")), extra) or Fragment([])
        quoted = "{deadline}" in item.text
        return Item(text, item.deadline, extra["deadline"] if extra and not quoted else None)

    def _sections(self, findings: list[Finding], specs: Iterable[SubQuestion], path: DocPath,
                  parent_anchor: str, level: int) -> list[Section]:
        by_id = {s.id: s for s in specs}
        sections = []
        for index, finding in enumerate(findings):
            here = (*path, index)
            spec = by_id.get(finding.id) if finding.id else None
            if spec is not None:
                origin = Origin(None, f"section '{spec.id}'")
                heading = self.heading(spec.heading, origin, f"{parent_anchor}-{spec.id}", level)
                intro = self.block(spec.intro, origin)
                children = spec.sections
            else:
                heading = self.heading(finding.heading or "", Origin((*here, "heading")),
                                       f"{parent_anchor}-{finding.heading}", level)
                intro, children = None, []
            body = self.block(finding.body, Origin((*here, "body")))
            sub = self._sections(finding.findings, children, (*here, "findings"), heading.anchor, level + 1)
            sections.append(Section(heading, intro, body, sub))
        return sections

    def _annex(self, spec: ChapterSpec) -> Iterator[Chapter]:
        annex = getattr(self.report, spec.report_field, None) if spec.report_field else None
        origin = Origin(None, f"chapter '{spec.id}'")
        if annex is None and not spec.body:
            return
        heading = self.heading(spec.heading or spec.id, origin, spec.id, 1)
        if annex is None:
            yield Chapter(spec.id, "annex", heading, body=self.block(spec.body, origin))
            return
        path: DocPath = (spec.report_field or spec.id,)
        body = self.block(annex.body, Origin((*path, "body")))
        yield Chapter(spec.id, "annex", heading, body=body,
                      sections=self._annex_sections(annex.sections, (*path, "sections"), spec.id, 2))

    def _annex_sections(self, sections: list[AnnexSection], path: DocPath, parent: str, level: int) -> list[Section]:
        out = []
        for index, section in enumerate(sections):
            here = (*path, index)
            heading = self.heading(section.heading, Origin((*here, "heading")), f"{parent}-{section.heading}",
                                   level, in_contents=level == 2)
            out.append(Section(heading, body=self.block(section.body, Origin((*here, "body"))),
                               sections=self._annex_sections(section.sections, (*here, "sections"),
                                                             heading.anchor, level + 1)))
        return out

    # -- print furniture ---------------------------------------------------------------

    def _footer(self, pattern: str) -> list[tuple[str, str]]:
        parts: list[tuple[str, str]] = []
        for match in _FOOTER_PART.finditer(pattern):
            text = match.group(0)
            if match.group(1):
                parts.append((match.group(1), ""))
            elif text.startswith("{") and len(text) > 1:
                self.error(Origin(("print", "footer")), f"unknown placeholder {text} in the footer",
                           hint="the footer may use {page} and {pages}")
            else:
                parts.append(("text", text))
        return parts

    def _image(self, relative: str, path: DocPath) -> str | None:
        """A data: URI for an image inside the report's folder, or None with an error."""
        origin = Origin(path)
        pure = PurePosixPath(relative.replace("\\", "/"))
        if ":" in relative or pure.is_absolute() or ".." in pure.parts:
            self.error(origin, f"'{relative}' must be a relative path inside the report's folder",
                       hint="copy the image next to the report and give its file name")
            return None
        suffix = pure.suffix.lower()
        if suffix not in _IMAGE_TYPES:
            self.error(origin, f"'{relative}' is not a PNG, JPEG or SVG image")
            return None
        file = (self.base_dir / pure).resolve()
        if not file.is_relative_to(self.base_dir) or not file.is_file():
            self.error(origin, f"image '{relative}' not found in the report's folder")
            return None
        data = file.read_bytes()
        if len(data) > MAX_IMAGE_BYTES:
            self.error(origin, f"image '{relative}' is larger than {MAX_IMAGE_BYTES // 1024 // 1024} MB")
            return None
        return f"data:{_IMAGE_TYPES[suffix]};base64,{base64.b64encode(data).decode('ascii')}"

    # -- final checks ------------------------------------------------------------------

    def _check_unused(self) -> None:
        for footnote_id in self.report.footnotes:
            if footnote_id not in self.footnotes:
                self.error(Origin(("footnotes", footnote_id)), f"footnote '{footnote_id}' is defined but never cited",
                           hint=f"cite it with [^{footnote_id}] or remove it", at_key=True)
        for index, figure in enumerate(self.report.figures):
            if figure.id not in self.figures:
                self.error(Origin(("figures", index, "id")), f"figure '{figure.id}' is never placed",
                           hint=f"put {{figure:{figure.id}}} on its own line where it belongs")
        for figure_id, origin, line in self.figure_refs:
            if figure_id not in self.figures:
                self.error(origin, f"{{fig:{figure_id}}} refers to no placed figure", line_offset=line,
                           hint=suggest(figure_id, list(self.figures)))


def resolve(validated: ValidatedReport) -> Document:
    return Resolver(validated).resolve()
