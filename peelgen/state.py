"""Stage 3's working state: what every chapter component shares while it resolves.

A :class:`ResolveState` holds the validated report, its framework and the files the
load stage read for it, and owns everything that must be numbered or checked once
across the whole document: anchors, footnotes, figures and placeholders. Chapter
components (:mod:`peelgen.chapters`) read the report through it and write their views;
the orchestrator in :mod:`peelgen.resolve` walks the framework's chapters in reading
order, so numbering is by first appearance.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markdown_it.token import Token

from peelgen.attachments import Attachments
from peelgen.diagnostics import Diagnostic, DocPath, suggest
from peelgen.document import Cell, FigureView, FootnoteView, Fragment, GradeView, Heading, TableRow, TableView
from peelgen.formatting import Formats, slugify
from peelgen.framework import Framework
from peelgen.markdown import parse_block, parse_inline
from peelgen.models import Metric, Table
from peelgen.rules import RULES

_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")

if TYPE_CHECKING:
    from peelgen.validate import ValidatedReport


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of text came from, for error messages."""

    path: DocPath | None  # a path in the report, or None for framework text
    what: str = ""  # for framework text: which part


def text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def plain_text(fragment: Fragment) -> str:
    """The words of an inline fragment, without footnote markers."""
    parts = []
    for token in fragment.tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


class ResolveState:
    """Shared, numbered-once state of one resolution."""

    def __init__(self, validated: ValidatedReport, files: Attachments) -> None:
        self.report: Any = validated.report  # the framework's own report model
        self.fw: Framework = validated.framework
        self.source = validated.source
        self.files = files
        self.edition = validated.edition  # the other-language edition's link, for the document
        self.diagnostics: list[Diagnostic] = list(files.diagnostics)
        self.footnotes: dict[str, FootnoteView] = {}
        self.figures: dict[str, FigureView] = {}
        self.figure_refs: list[tuple[str, Origin, int | None]] = []
        self.used_anchors: set[str] = set()
        self.figure_index = {f.id: i for i, f in enumerate(self.report.figures)}
        self.metric_index = {m.id: i for i, m in enumerate(self.report.metrics)}
        self.dataset_index = {d.id: i for i, d in enumerate(self.report.datasets)}
        self.source_index = {d.id: i for i, d in enumerate(self.report.data_sources)}
        # Footnotes peelgen writes itself: why a metric's value is missing.
        self.generated_footnotes: dict[str, tuple[str, Origin]] = {
            f"missing-{m.id}": (m.missing, Origin(("metrics", i, "missing")))
            for i, m in enumerate(self.report.metrics) if m.value is None and m.missing
        }
        self.formats = Formats(self.fw.words, self.fw.labels.units)  # numbers and units in the report's language
        self.values = _placeholder_values(self.report, self.fw)
        # Anchors of every graded unit and pillar, reserved first so that tables printed
        # before a unit's chapter (summary tables, "Our judgments") can link to it.
        self.unit_anchor = {q.id: self.anchor(q.id) for q in self.fw.questions}
        self.unit_anchor |= {p.id: self.anchor(p.id) for p in self.fw.pillars}

    def get(self, key: str, default: Any = None) -> Any:
        """A top-level report key, or ``default`` where this framework's model has none."""
        return getattr(self.report, key, default)

    # -- diagnostics ---------------------------------------------------------------

    def error(self, rule: str, origin: Origin, message: str, *, hint: str | None = None,
              line_offset: int | None = None, at_key: bool = False) -> None:
        """Report a broken rule of the catalogue (:data:`peelgen.rules.RULES`)."""
        assert rule in RULES, f"rule '{rule}' is not in the catalogue"
        if origin.path is None:
            found = Diagnostic(f"framework {self.fw.id}", f"{origin.what}: {message}", hint=hint)
        else:
            found = self.source.diagnostic(origin.path, message, hint=hint, line_offset=line_offset, at_key=at_key)
        self.diagnostics.append(dataclasses.replace(found, rule=rule))

    # -- anchors and headings ------------------------------------------------------

    def anchor(self, wanted: str) -> str:
        base = slugify(wanted)
        candidate, n = base, 2
        while candidate in self.used_anchors:
            candidate, n = f"{base}-{n}", n + 1
        self.used_anchors.add(candidate)
        return candidate

    def heading(self, text: str, origin: Origin, anchor: str, level: int, *, in_contents: bool = True) -> Heading:
        return Heading(self.inline(text, origin), self.anchor(anchor), level, in_contents)

    def reserved_heading(self, text: str, origin: Origin, unit_id: str, level: int) -> Heading:
        """The heading of a question, component, area or pillar, at its reserved anchor."""
        return Heading(self.inline(text, origin), self.unit_anchor[unit_id], level, True)

    def plain_heading(self, text: str, anchor: str, level: int) -> Heading:
        """A heading whose text is printed as is, not parsed as markdown."""
        return Heading(Fragment([text_token(text)], inline=True), self.anchor(anchor), level)

    def grade(self, grade_id: str) -> GradeView:
        grade = self.fw.grade(grade_id)
        if grade is None:
            ungraded = self.fw.grades.ungraded
            return GradeView(ungraded.id, ungraded.label, False, None, ungraded.colour, ungraded.text_colour)
        return GradeView(grade.id, grade.label, True, self.fw.rank(grade.id), grade.colour, grade.text_colour)

    # -- text ------------------------------------------------------------------------

    def block(self, text: str | None, origin: Origin, extra: dict[str, str] | None = None) -> Fragment | None:
        if text is None or not text.strip():
            return None
        tokens = self._process(parse_block(text), origin, extra or {})
        return Fragment(tokens)

    def inline(self, text: str, origin: Origin, extra: dict[str, str] | None = None) -> Fragment:
        children = parse_inline(text)
        return Fragment(self._process_inline(children, origin, extra or {}, None), inline=True)

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
            figure_id = _lone_figure(tokens, i)
            if figure_id is not None:
                placed = self._place_figure(figure_id, origin, line)
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
                self.cite(token, origin, line)
            elif token.type == "link_open":
                self._check_link(token, origin, line)
            elif token.type == "image":
                self.error("text.image", origin, "images are not allowed in text", line_offset=line,
                           hint="add the picture as a figure")
                continue
            out.append(token)
        return out

    def _check_link(self, token: Token, origin: Origin, line: int | None) -> None:
        href = token.attrGet("href") or ""
        if not (href.startswith("#") or href.lower().startswith(_ALLOWED_SCHEMES)):
            self.error("text.link", origin, f"link target '{href}' is not allowed", line_offset=line,
                       hint="links may use http, https, mailto or #anchor")
            token.attrSet("href", "#")

    def _placeholder(self, token: Token, origin: Origin, extra: dict[str, str], line: int | None) -> list[Token]:
        name, arg = token.meta["name"], token.meta["arg"]
        values = {**self.values, **extra}
        if arg is None and name in values:
            return [text_token(values[name])]
        handler = _ARGUMENT_PLACEHOLDERS.get(name) if arg is not None else None
        if handler is not None:
            return handler(self, arg, origin, line)
        self._bad_placeholder(token, name, arg, origin, line, values)
        return []

    def _bad_placeholder(self, token: Token, name: str, arg: str | None, origin: Origin, line: int | None,
                         values: dict[str, str]) -> None:
        if name == "figure":
            self.error("text.figure-inline", origin,
                       f"{token.content} must stand alone in its own paragraph to place a figure",
                       line_offset=line, hint=f"to refer to it in a sentence write {{fig:{arg}}}")
        elif name == "deadline":
            self.error("text.deadline", origin, "{deadline} is used but no deadline is given", line_offset=line,
                       hint="add 'deadline: YYYY-MM-DD' to this recommendation")
        else:
            known = [*values, "fig:ID", "figure:ID", "metric:ID"]
            self.error("text.placeholder", origin, f"unknown placeholder {token.content}", line_offset=line,
                       hint=suggest(name, list(values)) or f"known: {', '.join('{' + k + '}' for k in known)}")

    def _figure_ref(self, arg: str, origin: Origin, line: int | None) -> list[Token]:
        ref = Token("figure_ref", "", 0)
        ref.meta = {"id": arg}
        self.figure_refs.append((arg, origin, line))
        return [ref]

    # -- footnotes -------------------------------------------------------------------

    def _footnote_text(self, footnote_id: str) -> tuple[str, Origin] | None:
        footnotes = self.get("footnotes", {})
        if footnote_id in footnotes:
            return footnotes[footnote_id], Origin(("footnotes", footnote_id))
        if footnote_id in self.generated_footnotes:
            return self.generated_footnotes[footnote_id]
        if footnote_id in self.fw.footnotes:
            return self.fw.footnotes[footnote_id], Origin(None, f"footnote '{footnote_id}'")
        return None

    def cite(self, token: Token, origin: Origin, line: int | None) -> None:
        footnote_id = token.meta["id"]
        existing = self.footnotes.get(footnote_id)
        if existing is not None:
            token.meta.update(number=existing.number, anchor=existing.anchor, first=False)
            return
        found = self._footnote_text(footnote_id)
        if found is None:
            self.error("footnote.undefined", origin,
                       f"footnote [^{footnote_id}] is cited but not defined", line_offset=line,
                       hint=suggest(footnote_id, list(self.get("footnotes", {})))
                       or "define it under 'footnotes:'")
            token.meta.update(number=0, anchor="", first=False, missing=True)
            return
        text, where = found
        view = FootnoteView(footnote_id, len(self.footnotes) + 1, f"fn-{len(self.footnotes) + 1}",
                            Fragment([]))
        self.footnotes[footnote_id] = view
        token.meta.update(number=view.number, anchor=view.anchor, first=True)
        # Parsed after numbering, so a footnote citing another numbers it next.
        view.body = self.block(text, where) or Fragment([])

    # -- figures ---------------------------------------------------------------------

    def _place_figure(self, figure_id: str, origin: Origin, line: int | None) -> Token | None:
        from peelgen.figures import build_figure  # figures need the state's text tools

        index = self.figure_index.get(figure_id)
        if index is None:
            self.error("figure.unknown", origin, f"unknown figure '{figure_id}'", line_offset=line,
                       hint=suggest(figure_id, list(self.figure_index)) or "define it under 'figures:'")
            return None
        if figure_id in self.figures:
            self.error("figure.placed-twice", origin,
                       f"figure '{figure_id}' is placed more than once", line_offset=line)
            return None
        build_figure(self, index)
        token = Token("peel_figure", "", 0)
        token.meta = {"id": figure_id}
        return token

    def next_figure_number(self, label: str) -> int:
        """The next number in the sequence of figures labelled ``label``."""
        return max((f.number for f in self.figures.values() if f.label == label), default=0) + 1

    # -- metrics ---------------------------------------------------------------------

    def metric(self, metric_id: str) -> Metric:
        return self.report.metrics[self.metric_index[metric_id]]

    def format_metric(self, metric: Metric, value: float) -> str:
        return self.formats.measure(value, unit=metric.unit, decimals=metric.decimals,
                                    percent_style=self.report.style.percent, scale=metric.scale)

    def _metric_tokens(self, reference: str, origin: Origin, line: int | None) -> list[Token]:
        metric_id, _, field = reference.partition(".")
        if metric_id not in self.metric_index:
            self.error("text.metric", origin,
                       f"unknown metric '{metric_id}' in {{metric:{reference}}}", line_offset=line,
                       hint=suggest(metric_id, list(self.metric_index)) or "define it under 'metrics:'")
            return []
        metric = self.metric(metric_id)
        fields = {"": "value", "value": "value", "ew": "ew", "period": "period", "label": "label", "source": "source"}
        if field not in fields:
            self.error("text.metric", origin, f"unknown field '.{field}' in {{metric:{reference}}}", line_offset=line,
                       hint="use .ew, .period, .label or .source, or nothing for the force's value")
            return []
        attribute = fields[field]
        value = getattr(metric, attribute)
        if attribute in ("period", "label", "source"):
            if value is None:
                self.error("text.metric", origin, f"metric '{metric_id}' has no {attribute}", line_offset=line)
                return []
            return [text_token(value)]
        if value is not None:
            return [text_token(self.format_metric(metric, value))]
        if attribute == "ew":
            self.error("text.metric", origin, f"metric '{metric_id}' has no England and Wales value", line_offset=line,
                       hint="add 'ew:' to the metric")
            return []
        # A missing value prints as a dash with a footnote saying why, as the reports do.
        ref = Token("footnote_ref", "", 0)
        ref.meta = {"id": f"missing-{metric_id}"}
        self.cite(ref, origin, line)
        return [text_token("–"), ref]

    def _count_tokens(self, reference: str, origin: Origin, line: int | None) -> list[Token]:
        """{count:prevention.good} -> the number of forces, derived from force_grades."""
        question, _, what = reference.partition(".")
        counts = self.files.counts
        if not counts:
            if self.get("force_grades") is None:
                self.error("text.count", origin, f"{{count:{reference}}} needs force_grades", line_offset=line,
                           hint="name the per-force grades CSV under 'force_grades:'")
            return []
        if question not in counts:
            self.error("text.count", origin,
                       f"unknown question '{question}' in {{count:{reference}}}", line_offset=line,
                       hint=suggest(question, list(counts)) or f"questions: {', '.join(counts)}")
            return []
        tally = counts[question]
        if what not in tally:
            self.error("text.count", origin, f"unknown count '{what}' in {{count:{reference}}}", line_offset=line,
                       hint=suggest(what, list(tally)) or f"use one of: {', '.join(tally)}")
            return []
        return [text_token(self.formats.number(tally[what]))]


_ARGUMENT_PLACEHOLDERS = {
    "metric": ResolveState._metric_tokens,
    "count": ResolveState._count_tokens,
    "fig": ResolveState._figure_ref,
}


def _lone_figure(tokens: list[Token], i: int) -> str | None:
    """The id of a ``{figure:ID}`` standing alone in the paragraph that opens at ``i``."""
    if tokens[i].type != "paragraph_open" or i + 2 >= len(tokens):
        return None
    children = tokens[i + 1].children or []
    if len(children) == 1 and children[0].type == "placeholder" and children[0].meta["name"] == "figure":
        return str(children[0].meta["arg"])
    return None


def _placeholder_values(report: Any, fw: Framework) -> dict[str, str]:
    meta = report.meta
    force_short = meta.force_short or meta.force
    return {
        "force": meta.force,
        "force_short": force_short,
        "area": meta.area or force_short,
        "inspectorate": meta.inspectorate or fw.inspectorate.name,
        "inspectorate_short": fw.inspectorate.short,
        "programme_year": fw.programme_year,
        "cycle": fw.cycle or "",
    }


def table_view(table: Table, formats: Formats) -> TableView:
    rows = []
    for row in table.rows:
        cells = []
        for value, column in zip(row.cells, table.columns, strict=False):
            decimals = row.decimals if row.decimals is not None else column.decimals
            numeric = column.type == "number"
            if value is None:
                cells.append(Cell("", numeric))
            elif isinstance(value, int | float) and not isinstance(value, bool) and numeric:
                cells.append(Cell(formats.number(value, decimals), True))
            else:
                cells.append(Cell(str(value), numeric))
        rows.append(TableRow(row.kind, cells))
    return TableView([(c.heading, c.type == "number") for c in table.columns], rows)
