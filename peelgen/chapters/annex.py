"""``annex``: an annex from the report's ``report_field`` (body and nested sections),
followed, when ``generated``, by the entries peelgen derives: the data sources behind
Force in numbers, then every figure under its force-neutral title."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, chapter_origin
from peelgen.diagnostics import DocPath
from peelgen.document import ChapterView, FigureView, Fragment, Section
from peelgen.framework import ChapterSpec, Framework
from peelgen.models import Annex, AnnexSection, DataSource
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class AnnexView(ChapterView):
    body: Fragment | None = None
    sections: list[Section] = field(default_factory=list)


@chapter_kind
class AnnexChapter(ChapterComponent):
    kind = "annex"
    summary = ("An annex: the report's `report_field` (body and nested sections) or the framework's body; "
               "with `generated`, the data sources behind Force in numbers and every figure's entry follow.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        if spec.report_field is None:
            return {}
        return {spec.report_field: (Annex | None, Field(
            None, description=f"{spec.heading or spec.id}: body and nested sections."))}

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[AnnexView]:
        annex = state.get(spec.report_field) if spec.report_field else None
        if annex is None and (not spec.generated or (not spec.body and not state.figures
                                                     and not state.get("force_in_numbers"))):
            return
        heading = chapter_heading(state, spec)
        if annex is None:
            yield AnnexView(id=spec.id, kind=self.kind, heading=heading,
                            body=state.block(spec.body, chapter_origin(spec)), sections=_generated(state, spec.id))
            return
        path: DocPath = (spec.report_field or spec.id,)
        body = state.block(annex.body, Origin((*path, "body")))
        sections = _annex_sections(state, annex.sections, (*path, "sections"), spec.id, 2)
        if spec.generated:
            sections.extend(_generated(state, spec.id))
        yield AnnexView(id=spec.id, kind=self.kind, heading=heading, body=body, sections=sections)


def _annex_sections(state: ResolveState, sections: list[AnnexSection], path: DocPath, parent: str,
                    level: int) -> list[Section]:
    out = []
    for index, section in enumerate(sections):
        here = (*path, index)
        heading = state.heading(section.heading, Origin((*here, "heading")), f"{parent}-{section.heading}",
                                level, in_contents=level == 2)
        out.append(Section(heading, body=state.block(section.body, Origin((*here, "body"))),
                           sections=_annex_sections(state, section.sections, (*here, "sections"),
                                                    heading.anchor, level + 1)))
    return out


def _generated(state: ResolveState, annex_id: str) -> list[Section]:
    described: dict[str, str] = {}  # data source id -> its title
    out = []
    tiles = _tile_sources(state, annex_id, described)
    if tiles is not None:
        out.append(tiles)
    figures = sorted(state.figures.values(), key=lambda f: f.number)
    if figures:
        heading = state.heading(state.fw.labels.annex_figures, Origin(None, "annex"), f"{annex_id}-figures", 2)
        out.append(Section(heading, sections=[_figure_entry(state, view, heading.anchor, described)
                                              for view in figures]))
    return out


def _tile_sources(state: ResolveState, annex_id: str, described: dict[str, str]) -> Section | None:
    metrics = [state.metric(m) for m in state.get("force_in_numbers", []) if m in state.metric_index]
    ordered = list(dict.fromkeys(m.data_source for m in metrics if m.data_source))
    if not ordered:
        return None
    heading = state.heading(state.fw.labels.annex_force_in_numbers, Origin(None, "annex"),
                            f"{annex_id}-force-in-numbers", 2)
    children = []
    for source_id in ordered:
        source = state.report.data_sources[state.source_index[source_id]]
        children.append(_data_source_section(state, source, heading.anchor, 3))
        described[source_id] = source.title
    return Section(heading, sections=children)


def _figure_entry(state: ResolveState, view: FigureView, parent: str, described: dict[str, str]) -> Section:
    labels = state.fw.labels
    if view.id not in state.figure_index:  # a figure peelgen drew itself (a control chart)
        sub = state.heading(f"{view.label} {view.number}: {view.plain_title}", Origin(None, "annex"),
                            f"{parent}-{view.key}", 3, in_contents=False)
        view.annex_anchor = sub.anchor
        return Section(sub)
    index = state.figure_index[view.id]
    figure = state.report.figures[index]
    title = figure.annex_title or neutral_title(figure.title, labels.annex_title_drops)
    sub = state.heading(f"{view.label} {view.number}: {title}", Origin(("figures", index, "title")),
                        f"{parent}-{view.key}", 3, in_contents=False)
    view.annex_anchor = sub.anchor
    parts = [f"{labels.source}: {figure.source}."] if figure.source else []
    source = (state.report.data_sources[state.source_index[figure.data_source]]
              if figure.data_source in state.source_index else None)
    if source is not None and source.id in described:
        # Described, caveats and all, in its own entry above: point to it.
        parts.append(labels.see_above.format(title=source.title))
    elif source is not None:
        parts.append(source.body or "")
        if source.caveats:
            parts.append(_caveats_markdown(state, source))
            described[source.id] = source.title
    if figure.annex_note:
        parts.append(figure.annex_note)
    text = "\n\n".join(p for p in parts if p)
    return Section(sub, body=state.block(text, Origin(("figures", index))) if text else None)


def _data_source_section(state: ResolveState, source: DataSource, parent: str, level: int) -> Section:
    index = state.source_index[source.id]
    heading = state.heading(source.title, Origin(("data_sources", index, "title")),
                            f"{parent}-{source.id}", level, in_contents=False)
    text = source.body or ""
    if source.caveats:
        text += "\n\n" + _caveats_markdown(state, source)
    return Section(heading, body=state.block(text, Origin(("data_sources", index, "body"))))


def _caveats_markdown(state: ResolveState, source: DataSource) -> str:
    labels = state.fw.labels
    lines = [labels.caveats_intro, ""]
    for caveat in source.caveats:
        forces = labels.list_join.join(caveat.forces)
        text = " ".join(caveat.text.split())
        # The caveat text continues a sentence whose subject is the forces named.
        lines.append(f"- **{forces}** {text}" if forces else f"- {text}")
    return "\n".join(lines)


def neutral_title(title: str, drops: list[str]) -> str:
    """'Crime rates in {area}, for 2016' -> 'Crime rates, for 2016' (the Annex A form):
    the phrases of the catalogue's ``annex_title_drops`` that name the force go."""
    title = re.sub(r"\[\^[^\]]+\]", "", title)  # the annex entry cites no footnotes
    return re.sub(_drops_pattern(tuple(drops)), "", title) if drops else title


@functools.lru_cache(maxsize=8)
def _drops_pattern(drops: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern of the phrases, longest first, each after a space; words may be
    separated by any white space, and {place} is {area}, {force} or {force_short}."""
    def phrase(drop: str) -> str:
        words = [re.escape(word) for word in drop.split()]
        return r"\s+".join(words).replace(re.escape("{place}"), r"\{(?:area|force|force_short)\}")

    return re.compile("|".join(r"\s+" + phrase(d) for d in sorted(drops, key=len, reverse=True)))
