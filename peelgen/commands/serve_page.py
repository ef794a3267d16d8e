"""``peelgen serve``'s own page, shown while the report does not build: every message,
located, under words from the catalogue of the report's language."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape
from pydantic import ValidationError

from peelgen.diagnostics import BuildFailed, Diagnostic
from peelgen.labels import ErrorPageWords
from peelgen.language import BUILTIN_DIR, DEFAULT_LANGUAGE, load_language
from peelgen.load import load_yaml


def error_words(tag: str) -> tuple[str, ErrorPageWords]:
    """The error page's language and words: the catalogue of ``tag``, else the default
    one's, else (every catalogue on the search path broken: one may be what is being
    edited) the default one peelgen ships, so the page can always say what is wrong."""
    for candidate in dict.fromkeys((tag, DEFAULT_LANGUAGE)):
        try:
            words = ErrorPageWords.model_validate(load_language(candidate).labels.get("error_page"))
            words.title.format(name=""), words.heading.format(name="")  # a mistyped {placeholder}
        except (BuildFailed, ValidationError, OSError, KeyError, IndexError, ValueError):
            continue
        return candidate, words
    shipped = load_yaml(BUILTIN_DIR / f"{DEFAULT_LANGUAGE}.yaml").data
    return DEFAULT_LANGUAGE, ErrorPageWords.model_validate(shipped["labels"]["error_page"])


def error_page(name: str, diagnostics: Sequence[Diagnostic], language: str) -> str:
    """The page listing ``diagnostics`` (peelgen's messages, as in the terminal) for the
    report file ``name``, in ``language`` where it has a catalogue."""
    tag, words = error_words(language)
    items = "\n".join(f"<li><code>{escape(d.format())}</code></li>" for d in diagnostics)
    return f"""<!DOCTYPE html>
<html lang="{escape(tag)}">
<head><meta charset="utf-8"><title>{escape(words.title.format(name=name))}</title>
<style>body {{ font-family: sans-serif; margin: 2rem; }} li {{ margin: 0.5em 0; }}
h1 {{ color: #a11d21; }} code {{ white-space: pre-wrap; }}</style></head>
<body>
<h1>{escape(words.heading.format(name=name))}</h1>
<p>{escape(words.advice)}</p>
<ul class="diagnostics">
{items}
</ul>
</body>
</html>
"""


def error_page_csp(nonce: str) -> str:
    """The error page is serve's own: it needs its inline style, the reload script and
    the ``/version`` request, nothing else."""
    return f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; connect-src 'self'"
