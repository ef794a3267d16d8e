"""``covering``: a Police and Crime Panel covering report: numbered parts, numbered by
what is present (an announced part that is missing leaves no gap), the plan's
objectives and the inspections referred to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.diagnostics import Diagnostic, suggest
from peelgen.document import ChapterView, InspectionView, Section
from peelgen.framework import ChapterSpec, Framework, PartSpec
from peelgen.models import Identifier, InspectionReference, Markdown, Masthead, Objective
from peelgen.rules import RuleContext
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class CoveringView(ChapterView):
    sections: list[Section] = field(default_factory=list)
    inspections: list[InspectionView] = field(default_factory=list)


@chapter_kind
class Covering(ChapterComponent):
    kind = "covering"
    summary = ("A covering report under `masthead`: the framework's `parts`, numbered as present, filled from "
               "`covering`, `objectives` and `inspections`.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {
            "masthead": (Masthead, Field(description="The masthead.")),
            "covering": (dict[Identifier, Markdown], Field(default_factory=dict,
                                                           description="Covering report sections by id.")),
            "objectives": (list[Objective], Field(default_factory=list,
                                                  description="The police and crime plan objectives.")),
            "inspections": (list[InspectionReference], Field(default_factory=list,
                                                             description="Inspections referred to.")),
        }

    def check(self, ctx: RuleContext, spec: ChapterSpec) -> list[Diagnostic]:
        known = [p.id for p in spec.parts]
        return [ctx.error("covering.unknown", ("covering", key), f"unknown section '{key}'", at_key=True,
                          hint=suggest(key, known) or f"sections: {', '.join(known)}")
                for key in ctx.report.covering if key not in known]

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        return ["", "# The covering report's masthead.", "masthead:", '  body: "TODO: e.g. a panel"',
                '  report_of: "TODO: whose report it is"', '  title: "TODO: the title"']

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[CoveringView]:
        report = state.report
        view = CoveringView(id=spec.id, kind=self.kind, heading=state.plain_heading(report.masthead.title, spec.id, 1))
        number = 0
        for part in spec.parts:
            text = report.covering.get(part.id)
            if text is None and not _has_content(report, part):
                continue
            number += 1
            view.sections.append(_part(state, part, text, f"{number}.", spec.id))
        view.inspections = [
            InspectionView(ref.title, ref.graded, state.grade(ref.grade) if ref.grade else None, ref.question,
                           ref.recommendations, ref.areas_for_improvement,
                           state.block(ref.response, Origin(("inspections", i, "response"))))
            for i, ref in enumerate(report.inspections)]
        yield view


def _has_content(report: object, part: PartSpec) -> bool:
    return bool((part.kind == "objectives" and report.objectives)
                or (part.kind == "inspections" and report.inspections))


def _part(state: ResolveState, part: PartSpec, text: str | None, number: str, chapter_id: str) -> Section:
    report = state.report
    origin = Origin(("covering", part.id)) if text is not None else Origin(None, f"part '{part.id}'")
    heading = state.heading(part.heading, Origin(None, f"part '{part.id}'"), f"{chapter_id}-{part.id}", 2)
    section = Section(heading, body=state.block(text, origin), kind=part.kind, number=number)
    if part.kind == "objectives":
        for objective in sorted(report.objectives, key=lambda o: o.number):
            index = report.objectives.index(objective)
            title = state.fw.labels.objective.format(number=objective.number, title=objective.title)
            sub = state.heading(title, Origin(("objectives", index, "title")), f"objective-{objective.number}", 3,
                                in_contents=False)
            body = state.block(objective.body, Origin(("objectives", index, "body")))
            section.sections.append(Section(sub, body=body))
    return section
