"""Stage 4: render a resolved document to one self-contained HTML page.

Templates are Jinja, looked up first in the author's override folders and then in
peelgen's own ``templates/`` (as MkDocs' ``custom_dir`` works). Autoescaping is on
everywhere; markdown arrives as tokens and is rendered here with raw HTML disabled.

Two targets share the templates: ``web`` (a page to read on screen, footnotes as a
notes list) and ``print`` (the input to WeasyPrint, footnotes at the page foot).
"""

from __future__ import annotations

import base64
import copy
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import jinja2
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup, escape

from peelgen.assets import builtin_dir
from peelgen.document import Document, Fragment
from peelgen.markdown import parser

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
        return (f'<sup class="fn-ref"><a href="#{anchor}"{ref_id} role="doc-noteref" '
                f'aria-label="Note {number}">{number}</a></sup>')

    def figure_ref(self, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        figure = env["doc"].figures[tokens[idx].meta["id"]]
        label = escape(f"{env['doc'].labels.figure} {figure.number}")
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
def environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*template_dirs, builtin_dir("templates")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_filter
    env.filters["md_plain"] = _md_plain_filter
    return env


@jinja2.pass_context
def _md_filter(context: jinja2.runtime.Context, fragment: Fragment | None) -> Markup:
    return render_fragment(fragment, context["_md_env"])


@jinja2.pass_context
def _md_plain_filter(context: jinja2.runtime.Context, fragment: Fragment | None) -> Markup:
    """A heading's text without footnote markers, for contents lists and titles."""
    return render_fragment(fragment, {**context["_md_env"], "plain": True})


def stylesheet(names: Sequence[str], style_dirs: Sequence[Path] = ()) -> str:
    """CSS text of ``names``, each looked up in the override folders first."""
    parts = []
    for name in names:
        for folder in (*style_dirs, builtin_dir("styles")):
            path = folder / name
            if path.is_file():
                parts.append(path.read_text(encoding="utf-8"))
                break
        else:
            raise FileNotFoundError(f"stylesheet {name} not found")
    return "\n".join(parts)


def css_string(text: str) -> str:
    """A CSS string literal; escapes quotes, backslashes and '<' (so no '</style>')."""
    escaped = "".join(c if c.isprintable() and c not in '"\\<' else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


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


def render_html(doc: Document, *, target: Target = "web", template_dirs: Sequence[Path] = (),
                style_dirs: Sequence[Path] = (), charts: dict[str, str] | None = None, draft: bool = False) -> str:
    """``charts`` is the SVG of each chart by figure id (see render_charts); it is drawn
    here when not given, so callers rendering both targets can draw charts once.
    ``draft`` marks the output as a draft, as the report's ``status: draft`` does."""
    env = environment(tuple(template_dirs))
    figure_template = env.get_template("partials/figure.html.j2")
    md_env: dict[str, Any] = {"doc": doc, "target": target}
    if charts is None:
        charts = {}
        if any(f.chart for f in doc.figures.values()):
            from peelgen.render_charts import render_charts

            charts = render_charts(doc, target=target)

    def render_figure(figure_id: str) -> Markup:
        svg = charts.get(figure_id, "")
        data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return Markup(figure_template.render(  # noqa: S704 - a rendered, autoescaped template
            figure=doc.figures[figure_id], doc=doc, target=target, _md_env=md_env,
            chart_svg=Markup(svg), chart_uri=data_uri))  # noqa: S704 - SVG drawn by peelgen, text escaped

    md_env["render_figure"] = render_figure
    css_names = ["report.css", "print.css"] if target == "print" else ["report.css", "screen.css"]
    draft = draft or doc.draft
    if draft:
        css_names.append("draft.css")
    css = stylesheet(css_names, style_dirs)
    # The hook for a force's own additions: custom.css, if an override folder has one, last.
    custom = next((d / "custom.css" for d in style_dirs if (d / "custom.css").is_file()), None)
    if custom is not None:
        css += "\n" + custom.read_text(encoding="utf-8")
    if target == "print":
        css += "\n" + page_css(doc)
    template = env.get_template(doc.template)
    return template.render(doc=doc, target=target, css=Markup(css), _md_env=md_env,  # noqa: S704
                           render_figure=render_figure, draft=draft)
