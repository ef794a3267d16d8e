"""Chapter kinds as components: the one list of what a framework's chapters can be.

Each kind is a module in this package holding one :class:`ChapterComponent` subclass,
registered with :func:`chapter_kind` (as WeasyPrint registers its handlers), and one
template, ``templates/chapters/<kind>.html.j2``. A component owns:

* the report keys it reads (:meth:`~ChapterComponent.report_fields`): the framework's
  report model is composed from the components its chapters list
  (:mod:`peelgen.report_model`), so ``peelgen schema`` and the validator agree;
* its rules (:meth:`~ChapterComponent.check`), run after typing;
* its part of a new report (:meth:`~ChapterComponent.scaffold`);
* its resolver (:meth:`~ChapterComponent.resolve`), which yields its own typed view.

:data:`REGISTRY` is read by ``peelgen new``, ``peelgen schema``, ``peelgen frameworks
show``, the report model and the chapter reference in docs/frameworks.md (a test
fails when that reference and the registry drift). Adding a kind means one module here
and one template.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from peelgen.diagnostics import Diagnostic
    from peelgen.document import ChapterView
    from peelgen.framework import ChapterSpec, Framework
    from peelgen.rules import RuleContext
    from peelgen.state import ResolveState

FieldDef = tuple[Any, FieldInfo]


class ChapterComponent:
    """One chapter kind. Subclasses set ``kind`` and ``summary`` and override what they need."""

    kind: ClassVar[str]
    summary: ClassVar[str]  # one sentence for docs/frameworks.md and `frameworks show`

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        """Top-level report keys this chapter reads: name -> (type, pydantic Field)."""
        return {}

    def check(self, ctx: RuleContext, spec: ChapterSpec) -> list[Diagnostic]:
        """Rules on the typed report that need this chapter's framework data."""
        return []

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        """Lines of YAML for ``peelgen new`` (each value a TODO placeholder)."""
        return []

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[ChapterView]:
        raise NotImplementedError

    @property
    def template(self) -> str:
        return f"chapters/{self.kind}.html.j2"


REGISTRY: dict[str, ChapterComponent] = {}


def chapter_kind(cls: type[ChapterComponent]) -> type[ChapterComponent]:
    """Class decorator: register a chapter kind under ``cls.kind``."""
    if cls.kind in REGISTRY:
        raise ValueError(f"chapter kind '{cls.kind}' is registered twice")
    REGISTRY[cls.kind] = cls()
    return cls


def component(kind: str) -> ChapterComponent:
    return REGISTRY[kind]


# Importing a kind's module registers it; the order here is the order in the docs.
from peelgen.chapters import (  # noqa: E402, F401
    annex,
    annex_b,
    appendix,
    areas,
    covering,
    distribution,
    force_in_numbers,
    glossary,
    inspection_approach,
    judgments,
    leadership,
    observations,
    overview,
    pillars,
    questions,
    recommendations,
    summary_tables,
    text,
    topics,
    victim_service,
)
