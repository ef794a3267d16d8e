"""Stage 4: render a resolved document to one self-contained HTML page.

Templates are Jinja, looked up first in the author's override folders and then in
peelgen's own ``templates/`` (as MkDocs' ``custom_dir`` works). Every template, peelgen's
own included, runs in the sandbox of :mod:`peelgen.sandbox` and is read through the path
policy of :mod:`peelgen.folder`; an author's stylesheets are filtered by
:mod:`peelgen.css_filter`, and a page written with the author's templates is checked by
:mod:`peelgen.page_check`. Each page starts with a Content-Security-Policy that forbids
scripts and remote loads. Autoescaping is on everywhere; markdown arrives as tokens and is
rendered here with raw HTML disabled.

Two targets share the templates: ``web`` (a page to read on screen, footnotes as a
notes list) and ``print`` (the input to WeasyPrint, footnotes at the page foot).
"""

from __future__ import annotations

import base64
import copy
import functools
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import jinja2
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup, escape

from peelgen.assets import builtin_dir
from peelgen.css_filter import MAX_STYLESHEET_BYTES, css_string, filter_stylesheet
from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused
from peelgen.document import Document, Fragment
from peelgen.folder import Folder, decode_utf8, read_regular_file
from peelgen.markdown import parser
from peelgen.page_check import check_page
from peelgen.sandbox import (
    MAX_OUTPUT_CHARS,
    FolderLoader,
    Sandbox,
    TemplateLimit,
    TemplateProblem,
    locate_error,
    page_budget,
    shown,
)

Target = Literal["web", "print"]

# In a footnote printed inside a sentence only phrasing content is valid HTML, so
# block elements are rendered as spans that the stylesheet displays as blocks.
_BLOCK_TO_SPAN = {"p": "fn-p", "ul": "fn-ul", "ol": "fn-ol", "li": "fn-li", "blockquote": "fn-quote"}


class _Renderer(RendererHTML):
    """markdown-it renderer with rules for peelgen's own tokens."""

    def footnote_ref(self, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        meta = tokens[idx].meta
        if meta.get("missing") or env.get("plain"):
            return ""
        number, anchor = meta["number"], meta["anchor"]
        if env["target"] == "print" and meta.get("first"):
            footnote = env["doc"].footnotes[number - 1]
            body = render_fragment(footnote.body, env, phrasing=True)
            return f'<span class="footnote" id="{anchor}">{body}</span>'
        ref_id = f' id="ref-{anchor}"' if meta.get("first") else ""
        name = escape(env["doc"].labels.note_label.format(number=number))
        return (f'<sup class="fn-ref"><a href="#{anchor}"{ref_id} role="doc-noteref" '
                f'aria-label="{name}">{number}</a></sup>')

    def figure_ref(self, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        figure = env["doc"].figures[tokens[idx].meta["id"]]
        label = escape(f"{figure.label} {figure.number}")
        return label if env.get("plain") else f'<a href="#{figure.anchor}">{label}</a>'

    def peel_figure(self, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        return str(env["render_figure"](tokens[idx].meta["id"]))


@functools.cache
def _renderer() -> _Renderer:
    return _Renderer(parser())


def _as_phrasing(tokens: list[Token]) -> list[Token]:
    out = []
    for token in tokens:
        if token.tag in _BLOCK_TO_SPAN and token.type.endswith(("_open", "_close")):
            token = copy.copy(token)
            if token.type.endswith("_open"):
                token.attrs = {"class": _BLOCK_TO_SPAN[token.tag]}
            token.tag = "span"
        out.append(token)
    return out


def render_fragment(fragment: Fragment | None, env: dict[str, Any], *, phrasing: bool = False) -> Markup:
    if fragment is None:
        return Markup("")
    renderer = _renderer()
    options = parser().options
    if fragment.inline:
        html = renderer.renderInline(fragment.tokens, options, env)
    else:
        tokens = _as_phrasing(fragment.tokens) if phrasing else fragment.tokens
        html = renderer.render(tokens, options, env)
    return Markup(html.strip())  # noqa: S704 - tokens come from markdown-it with html disabled


@functools.lru_cache(maxsize=16)
def environment(template_dirs: tuple[Path, ...]) -> Sandbox:
    """The sandbox for one set of override folders (each template folder is its own
    root: a template may not reach beyond it, even through a symlink)."""
    builtin = builtin_dir("templates")
    env = Sandbox(FolderLoader([*template_dirs, builtin], [*template_dirs, builtin]))
    env.filters["md"] = _md_filter
    env.filters["md_plain"] = _md_plain_filter
    return env


def _fragment(value: Any, name: str) -> Fragment | None:
    if value is None or isinstance(value, Fragment):
        return value
    raise jinja2.TemplateRuntimeError(f"the {name} filter takes a markdown field of doc, not {type(value).__name__}")


@jinja2.pass_context
def _md_filter(context: jinja2.runtime.Context, fragment: Any) -> Markup:
    return render_fragment(_fragment(fragment, "md"), context["_md_env"])


@jinja2.pass_context
def _md_plain_filter(context: jinja2.runtime.Context, fragment: Any) -> Markup:
    """A heading's text without footnote markers, for contents lists and titles."""
    return render_fragment(_fragment(fragment, "md_plain"), {**context["_md_env"], "plain": True})


def _style_roots(template_dirs: Sequence[Path], style_dirs: Sequence[Path]) -> Folder:
    """Where stylesheets and the files they name may be read from: the template folders
    (a ``styles/`` folder inside one may not lead out of it), and any style folder given
    on its own."""
    roots = [Path(d).absolute() for d in template_dirs]
    loose = [d for d in map(Path.absolute, map(Path, style_dirs)) if not any(d.is_relative_to(r) for r in roots)]
    return Folder.of([*roots, *loose])


def _user_stylesheet(path: Path, folder: Folder) -> str:
    """A stylesheet from an override folder, read through the path policy and filtered."""
    name = shown(path)
    try:
        real = folder.locate(path.name, root=path.parent, what="stylesheet")
        data = read_regular_file(real, limit=MAX_STYLESHEET_BYTES, what="stylesheet")
    except FileRefused as refused:
        raise BuildFailed([Diagnostic(name, refused.message, hint=refused.hint)]) from None
    text = decode_utf8(data, name, what="stylesheet")
    return filter_stylesheet(text, file=name, folder=folder, base=path.parent, fallback=builtin_dir("styles"))


def stylesheet(names: Sequence[str], style_dirs: Sequence[Path] = (), *, folder: Folder | None = None) -> str:
    """CSS text of ``names``, each looked up in the override folders first; an override
    is read through ``folder``'s path policy and filtered (see :mod:`peelgen.css_filter`)."""
    folder = folder or _style_roots((), style_dirs)
    parts = []
    for name in names:
        override = next((Path(d) / name for d in style_dirs if os.path.lexists(Path(d) / name)), None)
        if override is not None:
            parts.append(_user_stylesheet(override, folder))
        else:  # peelgen's own stylesheets are trusted, and used as they are
            parts.append((builtin_dir("styles") / name).read_text(encoding="utf-8"))
    return "\n".join(parts)


def custom_stylesheet(style_dirs: Sequence[Path], folder: Folder) -> str:
    """The hook for a force's own additions: the first override folder's custom.css, filtered."""
    custom = next((Path(d) / "custom.css" for d in style_dirs if os.path.lexists(Path(d) / "custom.css")), None)
    return "" if custom is None else _user_stylesheet(custom, folder)


def page_css(doc: Document) -> str:
    """Margin boxes for every page but the cover: running head, footer, marking."""
    footer = " ".join(css_string(text) if kind == "text" else f"counter({kind})" for kind, text in doc.footer)
    boxes = {
        "top-left": css_string(doc.short_title),
        "top-right": css_string(doc.force),
        "bottom-right" if doc.marking else "bottom-center": footer or "none",
    }
    if doc.marking:
        boxes["top-center"] = boxes["bottom-center"] = css_string(doc.marking)
    rules = " ".join(f"@{name} {{ content: {value}; }}" for name, value in boxes.items())
    css = f"@page {{ {rules} }}\n"
    if doc.cover:  # the cover page carries no running head or page number
        css += f"@page :first {{ margin: 0; {' '.join(f'@{n} {{ content: none; }}' for n in boxes)} }}\n"
    return css


# For a language with no hyphenation patterns: nothing is hyphenated automatically, even
# where a stylesheet (the screen's table cells, an author's custom.css) asks for it.
NO_HYPHENATION = ":root, :root * { hyphens: manual !important; }"


def language_css(doc: Document) -> str:
    return "" if doc.hyphenate else f"\n/* {doc.lang}: no automatic hyphenation */\n{NO_HYPHENATION}\n"


# The page may run no script and load nothing: styles are inline, images and fonts are
# data: URIs, charts are inline SVG. serve's live reload adds a nonce for its one script.
CSP_DIRECTIVES = ("default-src 'none'", "style-src 'unsafe-inline'", "img-src data:", "font-src data:",
                  "base-uri 'none'", "form-action 'none'")


def csp_policy(script_nonce: str | None = None) -> str:
    directives = list(CSP_DIRECTIVES)
    if script_nonce is not None:
        directives += [f"script-src 'nonce-{script_nonce}'", "connect-src 'self'"]
    return "; ".join(directives)


_NONCE = re.compile(r"[A-Za-z0-9+/_=-]{16,}")


def csp_meta(script_nonce: str | None = None) -> Markup:
    if script_nonce is not None and not _NONCE.fullmatch(script_nonce):
        raise ValueError("a CSP nonce is at least 16 base64 characters")
    # The policy is peelgen's own text (quotes, no '"', '<' or '&'), written as it is for readability.
    return Markup(f'<meta http-equiv="Content-Security-Policy" content="{csp_policy(script_nonce)}">')  # noqa: S704


def with_script_nonce(html: str, nonce: str) -> str:
    """``html`` with its policy allowing scripts carrying ``nonce`` (and fetches from the
    page's own server): for serve's live-reload script, never for a built page."""
    return html.replace(str(csp_meta()), str(csp_meta(nonce)), 1)


# A page must begin with its policy: nothing a browser would act on may come before it.
_PAGE_START = re.compile(r'\s*<!DOCTYPE html>\s*<html(\s+lang="[^"<>]*")?>\s*<head>\s*'
                         r'(<meta charset="utf-8">\s*)?', re.IGNORECASE)


def _check_policy_first(html: str, csp: Markup, page_file: str) -> None:
    start = _PAGE_START.match(html)
    if start is None or not html.startswith(str(csp), start.end()):
        raise BuildFailed([Diagnostic(
            page_file, "the page must start with <!DOCTYPE html>, <html lang=\"...\">, <head>, <meta charset="
            "\"utf-8\"> and then {{ csp_meta }} (the policy that forbids scripts and remote loads)",
            hint="keep the start of peelgen's base.html.j2 in your own")])


def _page_file(env: Sandbox, page_template: str) -> str:
    """The file that wrote the page's head: the first override of base.html.j2 or of the
    page's template, else the page's template (a loader keeps where each came from)."""
    builtin = str(builtin_dir("templates"))
    served = env.loader.served if isinstance(env.loader, FolderLoader) else {}
    for name in ("base.html.j2", page_template):
        if name in served and not served[name].startswith(builtin):
            return shown(served[name])
    return shown(served.get(page_template, page_template))


def _render(template: Any, **context: Any) -> str:
    """Render with the page's output cap checked as the text streams out."""
    parts, total = [], 0
    for part in template.generate(**context):
        total += len(part)
        if total > MAX_OUTPUT_CHARS:
            raise TemplateLimit(f"the page is longer than {MAX_OUTPUT_CHARS:,} characters")
        parts.append(part)
    return "".join(parts)


def render_html(doc: Document, *, target: Target = "web", template_dirs: Sequence[Path] = (),
                style_dirs: Sequence[Path] = (), charts: dict[str, str] | None = None, draft: bool = False,
                csp_script_nonce: str | None = None) -> str:
    """``charts`` is the SVG of each chart by figure id (see render_charts); it is drawn
    here when not given, so callers rendering both targets can draw charts once.
    ``draft`` marks the output as a draft, as the report's ``status: draft`` does.
    ``csp_script_nonce`` lets scripts with that nonce run (serve's preview only).

    Every problem with a template or stylesheet raises :class:`BuildFailed`, located."""
    for folder in template_dirs:  # a mistyped --templates would otherwise be ignored
        if not Path(folder).is_dir():
            what = "is not a folder" if Path(folder).exists() else "does not exist"
            raise BuildFailed([Diagnostic(shown(Path(folder)), f"the templates folder {what}")])
    env = environment(tuple(Path(d).absolute() for d in template_dirs))
    try:
        with page_budget():
            return _render_page(env, doc, target=target, template_dirs=template_dirs, style_dirs=style_dirs,
                                charts=charts, draft=draft, csp=csp_meta(csp_script_nonce))
    except TemplateProblem as problem:
        raise BuildFailed([problem.diagnostic]) from None
    except BuildFailed:
        raise
    except Exception as error:
        diagnostic = locate_error(error, env.loader, shown(Path(doc.template)))
        if diagnostic is None:
            raise
        raise BuildFailed([diagnostic]) from None


def _render_page(env: Sandbox, doc: Document, *, target: Target, template_dirs: Sequence[Path],
                 style_dirs: Sequence[Path], charts: dict[str, str] | None, draft: bool, csp: Markup) -> str:
    figure_template = env.get_template("partials/figure.html.j2")
    md_env: dict[str, Any] = {"doc": doc, "target": target}
    if charts is None:
        charts = {}
        if any(f.chart for f in doc.figures.values()):
            from peelgen.render_charts import render_charts

            charts = render_charts(doc, target=target)

    def render_figure(figure_id: str) -> Markup:
        if figure_id not in doc.figures:  # called by a template with an id of its own
            raise jinja2.TemplateRuntimeError(f"render_figure: the report has no figure '{figure_id}'")
        svg = charts.get(figure_id, "")
        data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return Markup(_render(  # noqa: S704 - a rendered, autoescaped template
            figure_template, figure=doc.figures[figure_id], doc=doc, target=target, _md_env=md_env,
            chart_svg=Markup(svg), chart_uri=data_uri))  # noqa: S704 - SVG drawn by peelgen, text escaped

    md_env["render_figure"] = render_figure
    css_names = ["report.css", "print.css"] if target == "print" else ["report.css", "screen.css"]
    draft = draft or doc.draft
    if draft:
        css_names.append("draft.css")
    folder = _style_roots(template_dirs, style_dirs)
    css = stylesheet(css_names, style_dirs, folder=folder)
    custom = custom_stylesheet(style_dirs, folder)
    if custom:
        css += "\n" + custom
    if target == "print":
        css += "\n" + page_css(doc)
    css += language_css(doc)
    template = env.get_template(doc.template)
    html = _render(template, doc=doc, target=target, css=Markup(css), _md_env=md_env,  # noqa: S704
                   render_figure=render_figure, draft=draft, csp_meta=csp)
    page_file = _page_file(env, doc.template)
    _check_policy_first(html, csp, page_file)
    own = _own_templates(env)
    if own:  # peelgen's own templates write no script or remote address; the author's might
        problems = check_page(html, page_file, own)
        if problems:
            raise BuildFailed(problems)
    return html


def _own_templates(env: Sandbox) -> dict[str, str]:
    """The author's templates this page used (shown name -> source)."""
    builtin = str(builtin_dir("templates"))
    loader = env.loader
    if not isinstance(loader, FolderLoader):
        return {}
    return {shown(file): loader.sources[file] for file in loader.served.values() if not file.startswith(builtin)}
