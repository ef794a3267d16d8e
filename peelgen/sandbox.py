"""Render stage: the Jinja sandbox every template runs in, peelgen's own and a report's.

A report folder is untrusted, and so are the templates in it. Every template is
therefore rendered by Jinja's immutable sandbox (no attribute starting with ``_``, no
Python internals, no mutating lists or dicts), with less to work with than plain Jinja:

- globals are ``range`` (at most 100,000 numbers), ``dict`` and ``namespace``; using
  ``cycler``, ``joiner`` or ``lipsum`` is a sandbox error;
- on pydantic models only fields and peelgen's own methods are visible;
- the filters are a fixed list (:data:`_ALLOWED_FILTERS`); those that take a width or a count
  are capped, so a short template cannot ask for a gigabyte;
- a page has a budget (:class:`Budget`): every loop turn and every call costs an
  operation, and the text a template prints, its loops repeat and its calls return is
  counted; ``*``, ``**``, ``%``, ``+`` and ``~`` refuse results over a size limit.

Templates are found by :class:`FolderLoader`, through the one path policy
(:mod:`peelgen.folder`): a template that is a symlink out of its folder, a FIFO, too
large or not UTF-8 is refused with the file's name (and the line of a bad byte).
Errors while rendering are turned into located diagnostics by :func:`locate_error`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import jinja2
import pydantic
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused
from peelgen.folder import Folder, decode_utf8, read_regular_file

MAX_TEMPLATE_BYTES = 1024 * 1024
# Per page. peelgen's own templates use well under a tenth of each for the largest
# example (tests/test_security_templates.py checks the margin).
MAX_OPERATIONS = 5_000_000
MAX_OUTPUT_CHARS = 200_000_000
# Any one string or list a template makes, and any number it passes to a call.
MAX_VALUE = 20_000_000
_MAX_INT_BITS = 100_000


class TemplateLimit(SecurityError):
    """A template went over one of the page's limits."""


class TemplateProblem(Exception):
    """A template that cannot be used at all (refused by the path policy, not UTF-8)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(diagnostic.format())


class Budget:
    """What one page may still spend: operations (loop turns, calls) and characters."""

    __slots__ = ("chars", "operations")

    def __init__(self) -> None:
        self.operations = MAX_OPERATIONS
        self.chars = MAX_OUTPUT_CHARS

    def spend(self, operations: int = 1) -> None:
        self.operations -= operations
        if self.operations < 0:
            raise TemplateLimit(f"the templates took more than {MAX_OPERATIONS:,} steps (loop turns and calls)")

    def emit(self, chars: int) -> None:
        self.chars -= chars
        if self.chars < 0:
            raise TemplateLimit(f"the templates produced more than {MAX_OUTPUT_CHARS:,} characters")


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("peelgen_template_budget", default=None)


def current_budget() -> Budget:
    budget = _BUDGET.get()
    if budget is None:  # a template rendered outside render_html still gets a budget
        budget = Budget()
        _BUDGET.set(budget)
    return budget


@contextlib.contextmanager
def page_budget() -> Iterator[Budget]:
    """A fresh budget for everything rendered inside the block (one page)."""
    budget = Budget()
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def shown(path: Path | str) -> str:
    """A file's name for messages: relative to the working directory when inside it, and
    never with symlinks resolved (a link's target is not the file the author named)."""
    try:
        absolute = Path(path).absolute()
        return str(absolute.relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the working directory, or it was deleted
        return str(path)


# -- size checks ----------------------------------------------------------------------


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set | frozenset) else 0


def _check_size(value: Any) -> Any:
    if _size(value) > MAX_VALUE:
        raise TemplateLimit(f"a value of more than {MAX_VALUE:,} characters or items")
    return value


def _check_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
        raise TemplateLimit(f"the number {value if value.bit_length() < 200 else 'given'} is too large here "
                            f"(the limit is {MAX_VALUE:,})")


# A width or precision of seven or more digits, or one taken from the arguments (*, {}).
_WIDE_FORMAT = re.compile(r"%[^a-zA-Z%]*?(\*|\d{7,})|\{[^{}]*:[^{}]*(\{|\d{7,})")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise TemplateLimit("a format with a very large or computed width")


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if _size(seq) and isinstance(count, int) and _size(seq) * count > MAX_VALUE:
                raise TemplateLimit(f"repeating a value makes more than {MAX_VALUE:,} characters or items")
        if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise TemplateLimit("a number too large to compute")
    elif operator == "**":
        if (isinstance(left, int) and isinstance(right, int) and abs(left) > 1
                and left.bit_length() * right > _MAX_INT_BITS):
            raise TemplateLimit("a number too large to compute")
    elif operator == "%":
        _check_format(left)


# -- filters: a fixed list, capped where an argument sets the size ----------------------

_ALLOWED_FILTERS = (
    "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat",
    "first", "float", "forceescape", "groupby", "int", "items", "last", "length", "list", "lower",
    "map", "max", "min", "reject", "rejectattr", "reverse", "round", "safe", "select", "selectattr",
    "sort", "string", "striptags", "sum", "title", "tojson", "trim", "truncate", "unique", "upper",
    "urlencode", "wordcount", "wordwrap", "xmlattr",
    # capped below
    "batch", "center", "format", "indent", "join", "replace", "slice",
)


def _check_indent(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    width = args[1] if len(args) > 1 else kwargs.get("width", 4)
    lines = str(args[0]).count("\n") + 1 if args else 1
    if lines * (len(width) if isinstance(width, str) else int(width)) > MAX_VALUE:
        raise TemplateLimit("indenting makes too much text")


def _check_join(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    items = args[0] if args and isinstance(args[0], list | tuple) else ()
    if sum(len(item) for item in items if isinstance(item, str)) > MAX_VALUE:
        raise TemplateLimit(f"joining makes more than {MAX_VALUE:,} characters")


def _check_parts(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if len(args) > 1 and isinstance(args[1], int) and args[1] > 100_000:
        raise TemplateLimit("batch or slice into more than 100,000 parts")


_FILTER_CHECKS: dict[str, Callable[[tuple[Any, ...], dict[str, Any]], None]] = {
    "format": lambda args, kwargs: _check_format(args[0] if args else None),
    "indent": _check_indent,
    "join": _check_join,
    "replace": lambda args, kwargs: _check_replace(*map(str, args[:3])) if len(args) >= 3 else None,
    "batch": _check_parts,
    "slice": _check_parts,
}


def _precheck_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args[1:], *kwargs.values()):  # the arguments, not the value filtered
        _check_number(value)
    check = _FILTER_CHECKS.get(name)
    if check is not None:
        check(args, kwargs)


def _check_replace(text: str, old: str, new: str) -> None:
    grows = len(new) - len(old)
    if grows > 0 and len(text) + (text.count(old) if old else len(text) + 1) * grows > MAX_VALUE:
        raise TemplateLimit(f"replacing makes more than {MAX_VALUE:,} characters")


def _capped_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    pass_arg = getattr(function, "jinja_pass_arg", None)

    @functools.wraps(function)
    def capped(*args: Any, **kwargs: Any) -> Any:
        user_args = args[1:] if pass_arg is not None else args  # without the context/environment
        _precheck_filter(name, user_args, kwargs)
        return _check_size(function(*args, **kwargs))

    return capped


def _loop_budget(iterable: Iterable[Any], weight: int) -> Iterator[Any]:
    """Every turn of a ``for`` loop: one operation, and the fixed text of its body."""
    budget = current_budget()
    for item in iterable:
        budget.spend()
        budget.emit(weight)
        yield item


def _charge_output(value: Any) -> Any:
    """``finalize``: each printed value costs its length."""
    current_budget().emit(len(value) if isinstance(value, str) else len(str(value)))
    return value


class _Metered(NodeTransformer):
    """Route every loop through :func:`_loop_budget` and check the size of every ``~``."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        weight = sum(len(data.data) for data in node.find_all(nodes.TemplateData))
        node.iter = nodes.Filter(node.iter, "peelgen_loop_budget", [nodes.Const(weight)], [], None, None,
                                 lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, "peelgen_sized", [], [], None, None, lineno=node.lineno)


def _precheck_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        _check_number(value)
    owner = getattr(obj, "__self__", None)
    if isinstance(owner, str) and isinstance(obj, types.BuiltinMethodType | types.MethodType):
        name = getattr(obj, "__name__", "")
        if name == "join" and args and isinstance(args[0], list | tuple):
            _check_join((args[0],), {})
        elif name == "replace" and len(args) >= 2:
            _check_replace(owner, str(args[0]), str(args[1]))


def _defined_by_peelgen(cls: type, attr: str) -> bool:
    return any(klass.__module__.startswith("peelgen.") and attr in vars(klass) for klass in cls.__mro__)


class Sandbox(ImmutableSandboxedEnvironment):
    """The environment for every template (see the module's documentation)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, loader: jinja2.BaseLoader) -> None:
        super().__init__(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                         finalize=_charge_output)
        for name in ("cycler", "joiner", "lipsum"):  # their internals were the usual way out
            self.globals[name] = jinja2.StrictUndefined(
                hint=f"'{name}' is not available in peelgen's template sandbox", name=name, exc=SecurityError)
        self.filters = {name: _capped_filter(name, self.filters[name]) for name in _ALLOWED_FILTERS}
        self.filters["peelgen_loop_budget"] = _loop_budget
        self.filters["peelgen_sized"] = _check_size

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # pydantic models carry methods that read files (parse_file) or build new models;
        # on a model a template may read its fields and what peelgen's own classes define.
        if isinstance(obj, pydantic.BaseModel) and not (attr in type(obj).model_fields
                                                        or _defined_by_peelgen(type(obj), attr)):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return _Metered().visit(tree)

    def _load_template(self, name: Any, globals: Any) -> jinja2.Template:
        # Each include, import and extends costs the template's size: a template
        # included in a loop repeats its text as surely as a printed value would.
        template = super()._load_template(name, globals)
        budget = current_budget()
        budget.spend()
        size = getattr(self.loader, "sizes", {}).get(template.filename, 0)
        budget.emit(size)
        return template

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:  # checked when the method is taken: '{:>999999999}'.format
            _check_format(value.__self__)
        return wrapper

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return _check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        budget.spend()
        _precheck_call(__obj, args, kwargs)
        result = _check_size(super().call(__context, __obj, *args, **kwargs))
        if isinstance(result, str):
            budget.emit(len(result))
        return result


# -- finding templates ---------------------------------------------------------------------


class FolderLoader(jinja2.BaseLoader):
    """Templates from ``dirs`` in order, each read through the path policy of ``roots``."""

    def __init__(self, dirs: Sequence[Path], roots: Sequence[Path]) -> None:
        self.dirs = tuple(Path(d).absolute() for d in dirs)
        self.folder = Folder.of(roots)
        self.sizes: dict[str, int] = {}  # by file name, for the budget
        self.served: dict[str, str] = {}  # template name -> the file it was read from
        self.sources: dict[str, str] = {}  # file -> its text, to locate what a page check finds

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # TemplateNotFound for '..'
        name = "/".join(pieces)
        for folder in self.dirs:
            candidate = folder.joinpath(*pieces)
            if not os.path.lexists(candidate):
                continue
            shown_name = shown(candidate)
            try:
                real = self.folder.locate(name, root=folder, what="template")
                data = read_regular_file(real, limit=MAX_TEMPLATE_BYTES, what="template")
            except FileRefused as refused:
                raise TemplateProblem(Diagnostic(shown_name, refused.message, hint=refused.hint)) from None
            try:
                source = decode_utf8(data, shown_name, what="template")
            except BuildFailed as failure:
                raise TemplateProblem(failure.diagnostics[0]) from None
            self.sizes[str(candidate)] = len(source)
            self.served[name] = str(candidate)
            self.sources[str(candidate)] = source
            return source, str(candidate), functools.partial(_unchanged, candidate, real, _mtime(real))
        raise jinja2.TemplateNotFound(template)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _unchanged(candidate: Path, real: Path, mtime: int) -> bool:
    """Still the same file (a link may have been pointed elsewhere) with the same time."""
    return os.path.realpath(candidate) == str(real) and _mtime(real) == mtime


# -- where an error happened --------------------------------------------------------------


def _template_frames(error: BaseException, filenames: Iterable[str]) -> list[tuple[str, int]]:
    known = set(filenames)
    frames = []
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in known:
            frames.append((filename, tb.tb_lineno))
        tb = tb.tb_next
    return frames


def _raised_by_peelgen(error: BaseException) -> bool:
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    where = Path(tb.tb_frame.f_code.co_filename)
    # This module is the templates' own machinery: a filter called with wrong arguments
    # fails here, and that is the template's fault.
    return where.is_relative_to(Path(__file__).parent) and where != Path(__file__)


def _message(error: BaseException) -> str:
    if isinstance(error, jinja2.TemplateNotFound):
        return f"template '{error.name}' not found"
    if isinstance(error, jinja2.UndefinedError):
        return f"undefined: {error.message}"
    if isinstance(error, RecursionError):
        return "a template includes, extends or calls itself without end"
    if isinstance(error, SecurityError):
        return f"not allowed in a template: {error}"
    text = getattr(error, "message", None) or str(error)
    return f"{type(error).__name__}: {text}" if not isinstance(error, jinja2.TemplateError) else text


def locate_error(error: BaseException, loader: FolderLoader, fallback_file: str) -> Diagnostic | None:
    """A located diagnostic for an error raised while compiling or rendering templates;
    None if the error did not come from a template (a bug in peelgen, to be re-raised)."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        file = shown(error.filename) if error.filename else fallback_file
        return Diagnostic(file, f"template syntax error: {error.message}", error.lineno, None)
    frames = _template_frames(error, loader.sizes)
    if not isinstance(error, jinja2.TemplateError | RecursionError) and _raised_by_peelgen(error):
        return None  # a bug in peelgen's own code, even if a template called it
    if not frames:
        if isinstance(error, jinja2.TemplateError | RecursionError):
            return Diagnostic(fallback_file, f"template error: {_message(error)}")
        return None
    filename, line = frames[-1]  # the innermost: for a RecursionError, the template that recurses
    hint = None
    if isinstance(error, jinja2.UndefinedError):
        hint = "everything a template can use is on doc (see docs/customising.md)"
    return Diagnostic(shown(filename), _message(error), line, None, hint=hint)
