"""``peelgen frameworks``: list the installed frameworks, or show one's structure."""

from __future__ import annotations

from peelgen import framework as frameworks
from peelgen.chapters import REGISTRY, component
from peelgen.diagnostics import BuildFailed, suggest
from peelgen.framework import Framework, SubQuestion
from peelgen.language import DEFAULT_LANGUAGE


class UnknownFramework(Exception):
    """An id that names no installed framework; the message is one line."""


def get(framework_id: str, language: str = DEFAULT_LANGUAGE) -> Framework:
    """Load an installed framework (in ``language``), or raise :class:`UnknownFramework`
    with a 'did you mean'."""
    installed = list(frameworks.available())
    if framework_id not in installed:
        hint = suggest(framework_id, installed) or f"installed: {', '.join(installed) or 'none'}"
        raise UnknownFramework(f"unknown framework '{framework_id}' ({hint})")
    try:
        return frameworks.load_framework(framework_id, language)
    except BuildFailed as failure:
        raise UnknownFramework(f"framework '{framework_id}' cannot be loaded in {language}: "
                               + "; ".join(d.format() for d in failure.diagnostics)) from None


def _grade_labels(fw: Framework) -> str:
    return ", ".join(g.label for g in fw.grades.scale)


def list_text(language: str = DEFAULT_LANGUAGE) -> str:
    """One block per installed framework: id, title, grade scale, document kind, description
    and the languages it can be built in, its words in ``language``."""
    blocks = []
    for framework_id in frameworks.available():
        try:
            fw = frameworks.load_framework(framework_id, language)
        except BuildFailed as failure:
            blocks.append(f"{framework_id}\n  (cannot be loaded: {failure.diagnostics[0].format()})")
            continue
        blocks.append("\n".join([
            fw.id,
            f"  title:       {fw.title}",
            f"  grades:      {_grade_labels(fw)} (or {fw.grades.ungraded.label})",
            f"  document:    {fw.document_kind}",
            f"  description: {' '.join(fw.description.split())}",
            f"  languages:   {', '.join(frameworks.languages_of(framework_id))}",
        ]))
    return "\n\n".join(blocks) + "\n"


def _sub_questions(sections: list[SubQuestion], depth: int) -> list[str]:
    lines = []
    for section in sections:
        lines.append(f"{'  ' * depth}- {section.id}: {section.heading}")
        lines += _sub_questions(section.sections, depth + 1)
    return lines


def show_text(fw: Framework) -> str:
    """The framework's structure: grades, pillars, questions with their sections, chapters."""
    lines = [f"{fw.id}: {fw.title}", f"document: {fw.document_kind} ({fw.template})", ""]
    lines.append("grades (best first):")
    lines += [f"  - {g.id}: {g.label}" for g in fw.grades.scale]
    lines.append(f"  - {fw.grades.ungraded.id}: {fw.grades.ungraded.label}")
    if fw.overall is not None:
        lines += ["", f"overall: {fw.overall.heading} (previous grade: {fw.overall.previous_grade})"]
    if fw.pillars:
        lines += ["", "pillars:"]
        lines += [f"  - {p.id}: {p.heading}{'' if p.graded else ' (ungraded)'}" for p in fw.pillars]
    lines += ["", "questions:" if fw.question_grades else "questions (not graded in the report):"]
    for q in fw.questions:
        notes = [n for n, on in (("ungraded", not q.graded), ("optional", not q.required),
                                 ("mandatory", q.mandatory)) if on]
        pillar = f" [{q.pillar}]" if q.pillar else ""
        extra = f" ({', '.join(notes)})" if notes else ""
        lines.append(f"  - {q.id}: {q.heading}{pillar}{extra}")
        lines += _sub_questions(q.sections, 2)
    lines += ["", "chapters:"]
    for c in fw.chapters:
        keys = ", ".join(component(c.kind).report_fields(fw, c))
        lines.append(f"  - {c.id} ({c.kind}){': ' + c.heading if c.heading else ''}"
                     + (f" [reads: {keys}]" if keys else ""))
    return "\n".join(lines) + "\n"


def chapter_reference() -> str:
    """The chapter kinds table of docs/frameworks.md, from the registry."""
    rows = ["| kind | module and template | renders |", "|---|---|---|"]
    for kind, part in REGISTRY.items():
        module = type(part).__module__.replace(".", "/") + ".py"
        rows.append(f"| `{kind}` | `{module}`, `templates/{part.template}` | {part.summary} |")
    return "\n".join(rows) + "\n"


def rule_reference() -> str:
    """The validation rules table of docs/report-yaml.md, from the catalogue."""
    from peelgen.rules import RULES

    return "\n".join(["| rule | what it checks |", "|---|---|",
                      *[f"| `{rule}` | {text} |" for rule, text in RULES.items()]]) + "\n"
