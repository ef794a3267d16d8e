"""``victim-service``: the ungraded victim service assessment (2023–25): an intro that
carries the review's numbers, then findings in the order of the victim's journey."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import get_args

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, chapter_origin
from peelgen.document import ChapterView, Fragment, Heading, Section
from peelgen.formatting import Formats
from peelgen.framework import ChapterSpec, Framework
from peelgen.models import Stage, VictimService
from peelgen.state import Origin, ResolveState

_JOURNEY = list(get_args(Stage))
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(slots=True, kw_only=True)
class VictimServiceView(ChapterView):
    question_heading: Heading
    intro: Fragment | None = None
    sections: list[Section] = field(default_factory=list)

    def contents_children(self) -> list[Heading]:
        return [self.question_heading, *ChapterView.contents_children(self)]


@chapter_kind
class VictimServiceChapter(ChapterComponent):
    kind = "victim-service"
    summary = ("The victim service assessment from `victim_service`: the framework's intro with the review's "
               "numbers (or the report's own `introduction`), then its findings in journey order.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"victim_service": (VictimService, Field(description="The victim service assessment."))}

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        return ["", "# The victim service assessment.", "victim_service:",
                "  case_files: TODO  # how many case files were reviewed",
                "  # closed_files: …  # with closed_outcome: how many were closed, and why", "  findings:",
                "    - stage: contact  # contact, response, recording, investigation or outcome",
                '      heading: "TODO: a full-sentence heading"', '      body: "TODO: the finding (markdown)"']

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[VictimServiceView]:
        service: VictimService = state.report.victim_service
        heading = chapter_heading(state, spec)
        question_heading = state.heading(state.fw.labels.victim_service_assessment, chapter_origin(spec),
                                         f"{spec.id}-assessment", 2)
        view = VictimServiceView(id=spec.id, kind=self.kind, heading=heading, question_heading=question_heading)
        if "introduction" in service.model_fields_set:
            view.intro = state.block(service.introduction, Origin(("victim_service", "introduction")))
        else:
            text, values = _intro(spec, service, state.formats)
            view.intro = state.block(text, chapter_origin(spec), values)
        ordered = sorted(enumerate(service.findings), key=lambda item: _JOURNEY.index(item[1].stage))
        for i, finding in ordered:
            here = ("victim_service", "findings", i)
            found = state.heading(finding.heading, Origin((*here, "heading")), f"victims-{finding.heading}", 3,
                                  in_contents=False)
            view.sections.append(Section(found, body=state.block(finding.body, Origin((*here, "body")))))
        yield view


def _intro(spec: ChapterSpec, service: VictimService, formats: Formats) -> tuple[str | None, dict[str, str]]:
    """The framework's intro and the review's numbers for its placeholders. A sentence
    of ``spec.sentences`` is put in only when every value it needs was given, so no
    sentence prints with a gap."""
    values = {"case_files": formats.number(service.case_files)}
    if service.closed_files is not None and service.closed_outcome is not None:
        values |= {"closed_files": formats.number(service.closed_files), "closed_outcome": service.closed_outcome}
    if spec.body is None:
        return None, values
    text = spec.body
    for name, sentence in spec.sentences.items():
        complete = set(_PLACEHOLDER.findall(sentence)) <= set(values)
        text = text.replace("{" + name + "}", sentence if complete else "")
    return re.sub(r"(?<=\S) {2,}(?=\S)", " ", text), values
