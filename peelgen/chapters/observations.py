"""``observations``: HM Inspector's observations or summary: a stock opening chosen by
``tone``, the report's text (its ``report_field``), a stock closing and a signature."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, framework_block, text_field
from peelgen.document import ChapterView, Fragment, Signature
from peelgen.framework import ChapterSpec, Framework
from peelgen.models import Signature as SignatureModel
from peelgen.state import Origin, ResolveState

Tone = Literal["positive", "mixed", "concerning"]


@dataclass(slots=True, kw_only=True)
class ObservationsView(ChapterView):
    intro: Fragment | None = None
    body: Fragment | None = None
    closing: Fragment | None = None
    signature: Signature | None = None


def _field(spec: ChapterSpec) -> str:
    return spec.report_field or "observations"


@chapter_kind
class Observations(ChapterComponent):
    kind = "observations"
    summary = ("HM Inspector's text from the report's `report_field` (default `observations`), after the stock "
               "opening that `tone` chooses and before the framework's closing; `hmi` signs it.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        fields: dict[str, FieldDef] = {
            _field(spec): text_field("HM Inspector's text (markdown).", required=True),
            "hmi": (SignatureModel, Field(description="HM Inspector's signature block.")),
        }
        if fw.hmi_openings:
            fields["tone"] = (Tone | None, Field(
                None, description="Chooses the stock opening sentence of HM Inspector's text; "
                                  "leave it out for no stock opening."))
        return fields

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        key = _field(spec)
        heading = " ".join((spec.heading or spec.id).split())
        out = ["", f"# The signature under '{heading}'.", "hmi:", '  name: "TODO: who signs it"',
               '  title: "TODO: their title"',
               "", f"# The text of '{heading}' (markdown).", f'{key}: "TODO: the {key}"']
        if fw.hmi_openings:
            out += ["", f"# Optional: chooses a stock opening sentence ({', '.join(fw.hmi_openings)}).",
                    "# tone: …"]
        return out

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[ObservationsView]:
        heading = chapter_heading(state, spec)
        view = ObservationsView(id=spec.id, kind=self.kind, heading=heading,
                                intro=framework_block(state, spec, spec.body))
        tone = state.get("tone")
        if tone and tone in state.fw.hmi_openings:
            view.intro = framework_block(state, spec, state.fw.hmi_openings[tone])
        view.body = state.block(state.get(_field(spec)), Origin((_field(spec),)))
        view.closing = framework_block(state, spec, spec.closing if spec.closing is not None else state.fw.hmi_closing)
        hmi = state.get("hmi")
        if hmi:
            view.signature = Signature(hmi.name, hmi.title)
        yield view
