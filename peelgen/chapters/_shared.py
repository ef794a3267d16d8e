"""Pieces several chapter kinds share: the report's graded units in framework order,
boxes, findings sections, tiles, and the report keys more than one kind reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from peelgen.chapters import FieldDef
from peelgen.diagnostics import DocPath, suggest
from peelgen.document import Box, Concern, Fragment, Heading, Item, Section, Tile
from peelgen.framework import ChapterSpec, QuestionSpec, SubQuestion
from peelgen.models import Finding, Markdown, Question, Recommendation
from peelgen.state import Origin, ResolveState


def questions_field() -> FieldDef:
    return (list[Question], Field(
        default_factory=list,
        description="One entry per question, component or area of the framework, each with its id."))


def text_field(description: str, *, required: bool = False) -> FieldDef:
    if required:
        return (Markdown, Field(description=description))
    return (Markdown | None, Field(None, description=description))


def entries(state: ResolveState) -> list[tuple[QuestionSpec, Question, DocPath]]:
    """The report's graded units in framework order, with their paths."""
    questions = state.get("questions", [])
    by_id = {q.id: (q, i) for i, q in reversed(list(enumerate(questions)))}
    return [(spec, by_id[spec.id][0], ("questions", by_id[spec.id][1]))
            for spec in state.fw.questions if spec.id in by_id]


def chapter_origin(spec: ChapterSpec) -> Origin:
    return Origin(None, f"chapter '{spec.id}'")


def chapter_heading(state: ResolveState, spec: ChapterSpec) -> Heading:
    return state.heading(spec.heading or spec.id, chapter_origin(spec), spec.id, 1)


def framework_block(state: ResolveState, spec: ChapterSpec, text: str | None,
                    extra: dict[str, str] | None = None) -> Fragment | None:
    return state.block(text, chapter_origin(spec), extra)


def boxes(state: ResolveState, question: Question, path: DocPath, anchor: str, *, numbered: bool = False) -> list[Box]:
    """Causes of concern and areas for improvement (2016 order: improvement first),
    then practice boxes; 2023–25 numbers its areas for improvement."""
    out: list[Box] = []
    if question.areas_for_improvement:
        out.append(_afi_box(state, question, path, anchor, numbered))
    if question.causes_of_concern:
        # A cause of concern comes first where boxes are numbered (2023–25).
        out.insert(0 if numbered else len(out), _concern_box(state, question, path, anchor))
    labels = state.fw.labels
    for i, practice in enumerate(question.practice):
        title = labels.innovative_practice if practice.kind == "innovative" else labels.promising_practice
        out.append(Box(f"{practice.kind}-practice", title, state.anchor(f"{anchor}-{practice.kind}-practice"),
                       subtitle=practice.title,
                       body=state.block(practice.body, Origin((*path, "practice", i, "body")))))
    return out


def _afi_box(state: ResolveState, question: Question, path: DocPath, anchor: str, numbered: bool) -> Box:
    labels = state.fw.labels
    items = [item(state, a, (*path, "areas_for_improvement", i)) for i, a in enumerate(question.areas_for_improvement)]
    box = Box("areas-for-improvement", labels.areas_for_improvement.for_count(len(items), state.fw.words),
              state.anchor(f"{anchor}-areas-for-improvement"), items=items)
    if numbered:
        box.item_labels = [labels.area_for_improvement_numbered.format(n=n) for n in range(1, len(items) + 1)]
    return box


def _concern_box(state: ResolveState, question: Question, path: DocPath, anchor: str) -> Box:
    labels = state.fw.labels
    concerns = []
    for i, cause in enumerate(question.causes_of_concern):
        here = (*path, "causes_of_concern", i)
        statement = state.block(cause.statement, Origin((*here, "statement"))) or Fragment([])
        recs = [item(state, r, (*here, "recommendations", j)) for j, r in enumerate(cause.recommendations)]
        concerns.append(Concern(statement, recs, labels.recommendations.for_count(len(recs), state.fw.words)))
    return Box("causes-of-concern", labels.causes_of_concern.for_count(len(concerns), state.fw.words),
               state.anchor(f"{anchor}-causes-of-concern"), concerns=concerns)


def item(state: ResolveState, recommendation: Recommendation, path: DocPath) -> Item:
    extra = {"deadline": state.fw.words.long_date(recommendation.deadline)} if recommendation.deadline else {}
    text = state.block(recommendation.text, Origin((*path, "text")), extra) or Fragment([])
    quoted = "{deadline}" in recommendation.text
    return Item(text, recommendation.deadline, extra["deadline"] if extra and not quoted else None)


def sections(state: ResolveState, findings: list[Finding], specs: Iterable[SubQuestion], path: DocPath,
             parent_anchor: str, level: int, *, in_contents: bool = True) -> list[Section]:
    by_id = {s.id: s for s in specs}
    out = []
    for index, finding in enumerate(findings):
        here = (*path, index)
        spec = by_id.get(finding.id) if finding.id else None
        if spec is not None:
            origin = Origin(None, f"section '{spec.id}'")
            heading = state.heading(spec.heading, origin, f"{parent_anchor}-{spec.id}", level)
            intro = state.block(spec.intro, origin)
            children: list[SubQuestion] = spec.sections
        else:
            heading = state.heading(finding.heading or "", Origin((*here, "heading")),
                                    f"{parent_anchor}-{finding.heading}", level, in_contents=in_contents)
            intro, children = None, []
        body = state.block(finding.body, Origin((*here, "body")))
        sub = sections(state, finding.findings, children, (*here, "findings"), heading.anchor, level + 1,
                       in_contents=in_contents)
        out.append(Section(heading, intro, body, sub))
    return out


def tiles(state: ResolveState, metric_ids: list[str], path: DocPath) -> list[Tile]:
    """Tiles (value, label, England and Wales comparator, period) from metrics."""
    out = []
    for i, metric_id in enumerate(metric_ids):
        if metric_id not in state.metric_index:
            state.error("reference.metric", Origin((*path, i)), f"unknown metric '{metric_id}'",
                        hint=suggest(metric_id, list(state.metric_index)) or "define it under 'metrics:'")
            continue
        metric = state.metric(metric_id)
        where = Origin((*path, i))
        ew = state.inline(f"{{metric:{metric_id}.ew}}", where) if metric.ew is not None else None
        out.append(Tile(metric.label, state.inline(f"{{metric:{metric_id}}}", where), ew, metric.period))
    return out


def replaced(model: Any, key: str, default: str | None) -> str | None:
    """The report's own text for ``key`` where it gives one (null removes the default),
    else the framework's default."""
    if key in model.model_fields_set:
        return getattr(model, key)
    return default
