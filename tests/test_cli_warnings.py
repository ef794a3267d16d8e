"""Warnings from libraries (WeasyPrint, Pillow) reach the terminal as one line each."""

from __future__ import annotations

import warnings

import peelgen.build
from tests.conftest import MINIMAL


def test_library_warning_is_one_line(cli, write, monkeypatch):
    write(MINIMAL)
    real = peelgen.build.compile_report

    def noisy(path):
        warnings.warn("invalid value encountered in dot\n  return Affine2D(...)", RuntimeWarning, stacklevel=1)
        return real(path)

    monkeypatch.setattr(peelgen.build, "compile_report", noisy)
    result = cli("build", "report.yaml", "-o", "site", "--format", "html")
    assert result.code == 0, result.err
    assert result.err_lines == [
        "peelgen: warning: RuntimeWarning: invalid value encountered in dot return Affine2D(...)"]


def test_warning_filters_still_apply(cli, write, monkeypatch):
    # Only the display changes: a warning the filters ignore is still not shown.
    write(MINIMAL)
    real = peelgen.build.compile_report

    def quiet(path):
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
        return real(path)

    monkeypatch.setattr(peelgen.build, "compile_report", quiet)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = cli("build", "report.yaml", "-o", "site", "--format", "html")
    assert result.code == 0
    assert result.err == ""
