"""Stage 3: turn a validated report into a final :class:`~peelgen.document.Document`.

A small orchestrator: it makes a :class:`~peelgen.state.ResolveState`, asks each of the
framework's chapters, in reading order, for its views (the chapter kinds live in
:mod:`peelgen.chapters`), then checks what was defined but never used and assembles
the document. Numbering is by first appearance: footnotes once across the whole report
(headings and figure titles included), figures in the order they are placed.
"""

from __future__ import annotations

import re

from peelgen.attachments import Attachments, read_attachments
from peelgen.chapters import component
from peelgen.diagnostics import BuildFailed, suggest
from peelgen.document import ChapterView, Document
from peelgen.editions import default_slug
from peelgen.state import Origin, ResolveState
from peelgen.validate import ValidatedReport

_FOOTER_PART = re.compile(r"\{(page|pages)\}|\{[^}]*\}|[^{]+|\{")


def resolve(validated: ValidatedReport, files: Attachments | None = None) -> Document:
    """Resolve ``validated``; ``files`` are the attachments the load stage read
    (:func:`~peelgen.attachments.read_attachments`, as the build does; read here when a
    caller gives none). Raises :class:`BuildFailed` with every problem found."""
    state = ResolveState(validated, files if files is not None else read_attachments(validated))
    chapters = _chapters(state)
    _check_unused(state)
    pattern = state.report.print.footer
    footer = _footer(state, state.fw.labels.page_footer if pattern is None else pattern)
    if state.diagnostics:
        raise BuildFailed(state.diagnostics)
    return _document(state, chapters, footer)


def _chapters(state: ResolveState) -> list[ChapterView]:
    chapters: list[ChapterView] = []
    for spec in state.fw.chapters:
        for view in component(spec.kind).resolve(state, spec):
            view.new_page = spec.new_page
            chapters.append(view)
    return chapters


def _document(state: ResolveState, chapters: list[ChapterView], footer: list[tuple[str, str]]) -> Document:
    report, fw = state.report, state.fw
    meta = report.meta
    annex_anchor = next((c.heading.anchor for c in chapters if c.kind == "annex"), None)
    masthead = getattr(report, "masthead", None)
    title = fw.report_title
    return Document(
        framework_id=fw.id,
        title=title,
        short_title=fw.short_title,
        cover_subtitle=state.fill(fw.cover_subtitle),
        force=meta.force,
        force_short=state.values["force_short"],
        inspectorate=state.fill(fw.publisher),
        inspectorate_short=fw.inspectorate.short,
        programme=fw.programme,
        programme_year=fw.programme_year,
        publication_date=meta.publication_date,
        publication_date_text=fw.words.long_date(meta.publication_date),
        inspection_period=meta.inspection_period,
        slug=meta.slug or default_slug(state.values["force_short"], fw.programme_year, fw.language, state.edition),
        template=fw.template,
        labels=fw.labels,
        lang=fw.language,
        hyphenate=fw.words.info.hyphenate,
        chapters=chapters,
        grades=[*[state.grade(g.id) for g in fw.grades.scale], state.grade(fw.grades.ungraded.id)],
        cycle=fw.cycle,
        figures=state.figures,
        footnotes=sorted(state.footnotes.values(), key=lambda f: f.number),
        annex_anchor=annex_anchor,
        footer=footer,
        marking=meta.marking,
        logo_data_uri=state.files.logo,
        logo_alt=meta.logo_alt or state.fill(fw.labels.logo_alt),
        cover=fw.cover,
        draft=report.status == "draft",
        masthead=(masthead.body, masthead.report_of, masthead.title) if masthead else None,
        author=state.fill(fw.author),
        description=state.fill(fw.page_description, title=title),
        keywords=state.fill(fw.keywords, programme=fw.programme),
        edition=state.edition,
    )


def _footer(state: ResolveState, pattern: str) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    for match in _FOOTER_PART.finditer(pattern):
        text = match.group(0)
        if match.group(1):
            parts.append((match.group(1), ""))
        elif text.startswith("{") and len(text) > 1:
            state.error("print.footer", Origin(("print", "footer")), f"unknown placeholder {text} in the footer",
                        hint="the footer may use {page} and {pages}")
        else:
            parts.append(("text", text))
    return parts


def _check_unused(state: ResolveState) -> None:
    for footnote_id in state.get("footnotes", {}):
        if footnote_id not in state.footnotes:
            state.error("footnote.unused", Origin(("footnotes",
                        footnote_id)), f"footnote '{footnote_id}' is defined but never cited",
                        hint=f"cite it with [^{footnote_id}] or remove it", at_key=True)
    for index, figure in enumerate(state.report.figures):
        if figure.id not in state.figures:
            state.error("figure.unplaced", Origin(("figures", index, "id")), f"figure '{figure.id}' is never placed",
                        hint=f"put {{figure:{figure.id}}} on its own line where it belongs")
    for figure_id, origin, line in state.figure_refs:
        if figure_id not in state.figures:
            state.error("figure.reference", origin, f"{{fig:{figure_id}}} refers to no placed figure", line_offset=line,
                        hint=suggest(figure_id, list(state.figures)))
