"""One report model per framework, composed from the chapter components it lists.

A framework's model is :class:`~peelgen.models.ReportBase` (the keys every report
has) plus the keys its chapters read, each declared by its chapter kind
(:meth:`peelgen.chapters.ChapterComponent.report_fields`), and a question model with
only the keys this framework uses. So a key no chapter of the framework reads is an
error, and ``peelgen schema`` is this model's schema.

The report's ``wording`` (its own text in place of the framework's) is applied here
too: :func:`apply_wording` returns the framework the rest of the pipeline sees.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, create_model

from peelgen import framework as frameworks
from peelgen.chapters import FieldDef, component
from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath
from peelgen.framework import Framework, Labels
from peelgen.load import SourceMap
from peelgen.models import GradeId, Question, ReportBase, Strict, Wording

_MODELS: dict[tuple[int, bool], tuple[Framework, type[ReportBase]]] = {}


def report_model(fw: Framework, *, lenient: bool = False) -> type[ReportBase]:
    """The pydantic model of a report written for ``fw`` (cached per framework object).

    ``lenient``: the same model with the chapters' required keys optional. When a report
    lacks one, the validator still types the rest with it and runs every rule, so that
    an author sees all errors at once."""
    cached = _MODELS.get((id(fw), lenient))
    if cached is not None and cached[0] is fw:
        return cached[1]
    fields: dict[str, FieldDef] = {}
    for spec in fw.chapters:
        for name, definition in component(spec.kind).report_fields(fw, spec).items():
            fields.setdefault(name, definition)
    if "questions" in fields:
        fields["questions"] = (list[question_model(fw)], fields["questions"][1])  # type: ignore[misc]
    if lenient:
        fields = {key: _optional(definition) for key, definition in fields.items()}
    name = "Report_" + "".join(part.capitalize() for part in fw.id.replace("-", "_").split("_"))
    model = create_model(name, __base__=ReportBase, __doc__=f"A {fw.title} report.", **fields)  # type: ignore[call-overload]
    _MODELS[(id(fw), lenient)] = (fw, model)
    return model


def _optional(definition: FieldDef) -> FieldDef:
    annotation, info = definition
    if not info.is_required():
        return definition
    return (annotation | None, Field(None, description=info.description))


def question_model(fw: Framework) -> type[Question]:
    """The keys of a ``questions`` entry that this framework uses."""
    kinds = {c.kind for c in fw.chapters}
    unused: set[str] = set()
    if fw.cycle is None:
        unused |= {"inspected", "last_inspected", "carried_over"}
    if "areas" not in kinds:
        unused |= {"practice", "lead", "main_findings_intro"}
    if "areas" not in kinds or not fw.crime_recording:
        unused.add("crime_recording")
    if not fw.question_grades:
        unused |= {"grade", "areas_for_improvement", "causes_of_concern"}
    fields: dict[str, Any] = {}
    for key, info in Question.model_fields.items():
        if key in unused:
            continue
        fields[key] = (info.annotation, info)
    if fw.question_grades:
        fields["grade"] = (GradeId, Field(description="The grade: a grade id or label of the framework's scale."))
    if fw.cycle is not None:
        fields["inspected"] = (bool, Field(description=f"Inspected in {fw.cycle}?"))
        fields["last_inspected"] = (str, Field(max_length=20, description="When the judgment was made, e.g. '2017'."))
    return create_model("Question", __base__=_QuestionBase, __doc__=Question.__doc__, **fields)  # type: ignore[call-overload]


class _QuestionBase(Strict):
    """The common base of every framework's question model (forbids unknown keys).

    A key this framework does not use reads as its default, so code shared by several
    frameworks (rules, lint, boxes) need not ask which keys the model has."""

    def __getattr__(self, name: str) -> Any:
        info = Question.model_fields.get(name)
        if info is None:
            return super().__getattr__(name)  # type: ignore[misc]
        return info.get_default(call_default_factory=True)


def frameworks_using(key: str) -> list[str]:
    """Installed frameworks whose reports have the top-level key ``key``."""
    using = []
    for framework_id in frameworks.available():
        try:
            fw = frameworks.load_framework(framework_id)
        except BuildFailed:  # a broken framework file is reported when a report uses it
            continue
        if key in report_model(fw).model_fields:
            using.append(framework_id)
    return using


def apply_wording(fw: Framework, wording: Wording, source: SourceMap) -> tuple[Framework, list[Diagnostic]]:
    """``fw`` with the report's own text in place of the framework's."""
    given = wording.model_fields_set
    update: dict[str, Any] = {}
    for key in ("report_title", "short_title", "cover_subtitle", "author", "publisher", "page_description",
                "keywords"):
        if key in given:
            update[key] = getattr(wording, key) or ""  # null: printed as nothing
    for key in ("overall_lead", "hmi_closing", "findings_intro", "carried_over", "crime_recording"):
        if key in given:
            update[key] = getattr(wording, key)  # null: the sentence is left out
    if wording.hmi_openings:
        openings = {**fw.hmi_openings, **wording.hmi_openings}
        update["hmi_openings"] = {tone: text for tone, text in openings.items() if text}
    problems: list[Diagnostic] = []
    if wording.labels:
        labels = _labels(fw, wording, source, problems)
        if labels is not None:
            update["labels"] = labels
    if wording.chapters:
        update["chapters"] = _chapters(fw, wording, source, problems)
    return (fw.model_copy(update=update) if update else fw), problems


def _labels(fw: Framework, wording: Wording, source: SourceMap, problems: list[Diagnostic]) -> Labels | None:
    merged = {**fw.labels.model_dump(), **wording.labels}
    try:
        return Labels.model_validate(merged)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            key = item["loc"][0] if item["loc"] else ""
            path: DocPath = ("wording", "labels", key)
            hint = "labels: " + ", ".join(Labels.model_fields) if item["type"] == "extra_forbidden" else None
            message = f"unknown label '{key}'" if item["type"] == "extra_forbidden" else item["msg"]
            problems.append(source.diagnostic(path, message, hint=hint, at_key=True))
        return None


def _chapters(fw: Framework, wording: Wording, source: SourceMap, problems: list[Diagnostic]) -> list[Any]:
    known = {c.id for c in fw.chapters}
    for chapter_id in wording.chapters:
        if chapter_id not in known:
            found = source.diagnostic(("wording", "chapters", chapter_id), f"{fw.id} has no chapter '{chapter_id}'",
                                      hint="chapters: " + ", ".join(known), at_key=True)
            problems.append(Diagnostic(found.file, found.message, found.line, found.column, found.path, found.hint,
                                       rule="wording.chapter"))
    chapters = []
    for spec in fw.chapters:
        if spec.id not in wording.chapters:
            chapters.append(spec)
            continue
        own = wording.chapters[spec.id]
        if own is None:
            continue  # removed
        chapters.append(spec.model_copy(update={key: getattr(own, key) for key in own.model_fields_set}))
    return chapters
