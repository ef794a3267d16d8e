"""``overview``: the overall judgment, its lead and grade-change sentences, the summary
table of every graded question and the overview narrative."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.diagnostics import Diagnostic
from peelgen.document import ChapterView, Fragment, GradeView, Heading, SummaryRow
from peelgen.framework import ChapterSpec, Framework
from peelgen.models import Overall
from peelgen.rules import RuleContext
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class OverviewView(ChapterView):
    grade: GradeView
    judgment_heading: Heading
    lead: str | None = None
    grade_change: str | None = None
    summary_table_heading: Heading
    summary_rows: list[SummaryRow] = field(default_factory=list)
    body: Fragment | None = None

    def contents_children(self) -> list[Heading]:
        return []


@chapter_kind
class Overview(ChapterComponent):
    kind = "overview"
    summary = ("The overall judgment (`overall.grade`, and the sentence comparing it with "
               "`overall.previous_grade`), a table of every graded question and `overall.summary`.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"overall": (Overall, Field(description="The overall judgment."))}

    def check(self, ctx: RuleContext, spec: ChapterSpec) -> list[Diagnostic]:
        fw, overall = ctx.fw, ctx.report.overall
        if overall is None:
            return []  # missing: reported by the model
        if fw.overall is None:
            return [ctx.framework_error("framework.overall", f"chapter '{spec.id}' needs 'overall' in the framework")]
        out = ctx.check_grade(("overall", "grade"), overall.grade, graded=True, label="the overall judgment")
        if overall.previous_grade is not None:
            if fw.overall.previous_grade == "none":
                out.append(ctx.error("overall.previous-grade", ("overall", "previous_grade"),
                                     f"{fw.id} does not compare grades with a previous year", at_key=True))
            else:
                out += ctx.check_grade(("overall", "previous_grade"), overall.previous_grade, graded=True,
                                       label="the previous overall judgment")
        elif fw.overall.previous_grade == "required":
            out.append(ctx.error("overall.previous-grade", ("overall",), "missing required key 'previous_grade'"))
        return out

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        if fw.overall is None:
            return []
        out = ["", f"# The overall judgment: {' '.join(fw.overall.heading.split())}", "overall:", "  grade: TODO"]
        if fw.overall.previous_grade == "required":
            out += ["  previous_grade: TODO  # last assessment's grade"]
        elif fw.overall.previous_grade == "optional":
            out += ["  # previous_grade: …  # last assessment's grade; the comparison sentence is derived"]
        return [*out, '  summary: "TODO: the overview narrative (markdown)"']

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[OverviewView]:
        fw, overall = state.fw, state.report.overall
        assert fw.overall is not None  # checked by the rules
        origin = Origin(None, "overall")
        heading = state.heading(fw.overall.chapter_heading, origin, "overview", 1)
        judgment_heading = state.heading(fw.overall.judgment_heading, origin, "overall-judgment", 2)
        table_heading = state.heading(fw.labels.overall_summary, origin, "overall-summary", 2)
        view = OverviewView(id="overview", kind=self.kind, heading=heading, grade=state.grade(overall.grade),
                            judgment_heading=judgment_heading, summary_table_heading=table_heading)
        framework_grade = fw.grade(overall.grade)
        if fw.overall_lead and framework_grade:
            view.lead = state.fill(fw.overall_lead, grade_phrase=framework_grade.phrase)
        view.grade_change = _grade_change(state, overall.grade, overall.previous_grade)
        grades = {q.id: q.grade for q in reversed(state.get("questions", []))}
        view.summary_rows = [
            SummaryRow(state.fill(q.label("table")), state.grade(grades[q.id]), state.unit_anchor[q.id])
            for q in fw.questions if grades.get(q.id) is not None]
        view.body = state.block(overall.summary, Origin(("overall", "summary")))
        yield view


def _grade_change(state: ResolveState, grade_id: str, previous_id: str | None) -> str | None:
    fw = state.fw
    change = fw.grade_change
    if previous_id is None or change is None:
        return None
    previous = fw.grade(previous_id)
    if previous is None or fw.grade(grade_id) is None:
        return None
    now, before = fw.rank(grade_id), fw.rank(previous_id)
    template = change.same if now == before else change.improved if now < before else change.declined
    return state.fill(template, previous_infinitive=previous.infinitive, previous_label=previous.label.lower())
