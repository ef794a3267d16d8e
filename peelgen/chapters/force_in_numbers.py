"""``force-in-numbers``: tiles of the report's key metrics."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, framework_block, tiles
from peelgen.diagnostics import Diagnostic
from peelgen.document import ChapterView, Fragment, Tile
from peelgen.framework import ChapterSpec, Framework
from peelgen.models import Identifier
from peelgen.rules import RuleContext, check_metric_ids
from peelgen.state import ResolveState


@dataclass(slots=True, kw_only=True)
class ForceInNumbersView(ChapterView):
    tiles: list[Tile] = field(default_factory=list)
    note: Fragment | None = None


@chapter_kind
class ForceInNumbers(ChapterComponent):
    kind = "force-in-numbers"
    summary = "Tiles of single values from `metrics`, listed by id under `force_in_numbers`; left out when empty."

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"force_in_numbers": (list[Identifier], Field(default_factory=list,
                                                             description="Metric ids shown as tiles."))}

    def check(self, ctx: RuleContext, spec: ChapterSpec) -> list[Diagnostic]:
        return check_metric_ids(ctx, ctx.report.force_in_numbers, ("force_in_numbers",))

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[ForceInNumbersView]:
        if not state.report.force_in_numbers:
            return
        heading = chapter_heading(state, spec)
        view = ForceInNumbersView(id=spec.id, kind=self.kind, heading=heading)
        view.tiles = tiles(state, state.report.force_in_numbers, ("force_in_numbers",))
        view.note = framework_block(state, spec, state.fw.labels.force_in_numbers_pointer)
        yield view
