"""``recommendations``: numbered national recommendations, each with its addressee
and deadline; left out when the report has none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, framework_block
from peelgen.diagnostics import Diagnostic
from peelgen.document import ChapterView, Fragment, RecommendationView
from peelgen.framework import ChapterSpec, Framework
from peelgen.language import Language
from peelgen.models import NationalRecommendation
from peelgen.rules import RuleContext
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class RecommendationsView(ChapterView):
    body: Fragment | None = None
    recommendations: list[RecommendationView] = field(default_factory=list)


@chapter_kind
class Recommendations(ChapterComponent):
    kind = "recommendations"
    summary = "The report's numbered `recommendations`, each with its topic, addressee and deadline."

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"recommendations": (list[NationalRecommendation], Field(
            default_factory=list, description="Numbered recommendations."))}

    def check(self, ctx: RuleContext, spec: ChapterSpec) -> list[Diagnostic]:
        seen: set[int] = set()
        out = []
        for i, rec in enumerate(ctx.report.recommendations):
            if rec.number in seen:
                out.append(ctx.error("recommendation.duplicate", ("recommendations", i, "number"),
                                     f"recommendation {rec.number} appears twice"))
            seen.add(rec.number)
        return out

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[RecommendationsView]:
        if not state.report.recommendations:
            return
        heading = chapter_heading(state, spec)
        view = RecommendationsView(id=spec.id, kind=self.kind, heading=heading,
                                   body=framework_block(state, spec, spec.body))
        for i, rec in enumerate(state.report.recommendations):
            deadline = _month_or_date(rec.deadline, state.fw.words) if rec.deadline else None
            text = state.block(rec.text, Origin(("recommendations", i, "text")),
                               {"deadline": deadline} if deadline else None) or Fragment([])
            view.recommendations.append(RecommendationView(
                rec.number, rec.topic, rec.addressee, deadline, text, state.anchor(f"recommendation-{rec.number}")))
        yield view


def _month_or_date(value: str, language: Language) -> str:
    """'2018-10' -> 'October 2018'; '2018-10-01' -> '1 October 2018' (in the report's language)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 2:
        return language.month_year(dt.date(parts[0], parts[1], 1))
    return language.long_date(dt.date(*parts))
