"""The progress bar of a batch build (``peelgen build`` with several reports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


class Progress:
    """A one-line progress bar on stderr: cleared before each message, redrawn as each
    report finishes. Shown only when stderr is a terminal; otherwise the messages alone
    are printed, as plain lines."""

    def __init__(self, total: int, *, enabled: bool, echo: Callable[..., None]) -> None:
        self._echo = echo  # the command line's own: control characters escaped
        self.total = total
        self.done = 0
        self.enabled = enabled
        self._shown = False
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        width = 24
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "." * (width - filled)
        click.echo(f"\r[{bar}] {self.done}/{self.total} reports", err=True, nl=False, color=True)
        self._shown = True

    def _clear(self) -> None:
        if self._shown:
            click.echo("\r\033[K", err=True, nl=False, color=True)  # keep the escape: this is a terminal
            self._shown = False

    def echo(self, text: str, *, err: bool = False) -> None:
        self._clear()  # redrawn by the next advance()
        self._echo(text, err=err)

    def emit(self, sink: Any, diagnostics: Any) -> None:
        if diagnostics:
            self._clear()
            sink.emit(diagnostics)

    def advance(self) -> None:
        self.done += 1
        self._draw()

    def close(self) -> None:
        self._clear()
