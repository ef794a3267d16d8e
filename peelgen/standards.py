"""Run the standards checkers on built outputs: the Nu HTML Checker and axe-core on web
pages, ``pdf_checks`` on PDFs. Used by ``tests/test_conformance.py`` and
``scripts/check-standards``; not part of the build pipeline.

The web checkers come from npm (``npm ci`` in a peelgen checkout installs the versions
pinned in package-lock.json) and need Java (Nu) and Chromium (axe). Each runs once over
all files: one JVM, one browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_SCRIPT = ROOT / "scripts" / "axe-check.mjs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTHS = (320, 390, 1280)
TIMEOUT_S = 900


@dataclass(frozen=True)
class Finding:
    tool: str  # "nu", "axe", "reflow" or "pdf"
    file: str  # file name
    message: str
    width: int | None = None  # viewport width, for axe and reflow

    def __str__(self) -> str:
        where = f"{self.file} at {self.width} px" if self.width else self.file
        return f"{self.tool}: {where}: {self.message}"


def missing_tools() -> list[str]:
    """What the web checks need and this machine lacks, each with how to get it."""
    missing = []
    if shutil.which("java") is None:
        missing.append("java (Debian: apt-get install default-jre-headless)")
    if shutil.which("node") is None:
        missing.append("node (Debian: apt-get install nodejs npm)")
    if not Path(CHROMIUM).exists():
        missing.append(f"chromium at {CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM)")
    if not VNU_JAR.is_file() or not all((NODE_MODULES / name).is_dir() for name in ("axe-core", "puppeteer-core")):
        missing.append(f"npm packages (run `npm ci --ignore-scripts` in {ROOT})")
    return missing


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)


def tool_versions() -> dict[str, str]:
    """Versions of the checkers, for reports and the accessibility statement."""
    versions = {}
    for name in ("vnu-jar", "axe-core", "puppeteer-core"):
        package = NODE_MODULES / name / "package.json"
        if package.is_file():
            versions[name] = json.loads(package.read_text(encoding="utf-8"))["version"]
    if Path(CHROMIUM).exists():
        versions["chromium"] = _run([CHROMIUM, "--version"]).stdout.strip()
    return versions


def run_nu(files: Iterable[Path]) -> list[dict[str, Any]]:
    """Every error and warning the Nu HTML Checker reports (its JSON messages, with
    ``file`` added), all files in one run."""
    paths = [str(Path(f).resolve()) for f in files]
    if not paths:
        return []
    result = _run(["java", "-jar", str(VNU_JAR), "--format", "json", "--also-check-svg", *paths])
    try:
        messages = json.loads(result.stderr)["messages"]
    except (json.JSONDecodeError, KeyError) as error:
        raise RuntimeError(f"the Nu HTML Checker failed: {result.stderr[-2000:]}") from error
    found = []
    for message in messages:
        if message["type"] == "info" and message.get("subType") != "warning":
            continue  # plain information, neither error nor warning
        found.append({**message, "file": Path(message.get("url", "").removeprefix("file:")).name})
    return found


def run_axe(files: Iterable[Path], widths: Sequence[int] = WIDTHS) -> list[dict[str, Any]]:
    """axe-core's result for each file at each width (see scripts/axe-check.mjs)."""
    paths = [str(Path(f).resolve()) for f in files]
    if not paths:
        return []
    result = _run(["node", str(AXE_SCRIPT), "--widths", ",".join(map(str, widths)), *paths])
    if result.returncode != 0:
        raise RuntimeError(f"axe-check failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout)["results"]


def nu_findings(messages: Iterable[dict[str, Any]]) -> list[Finding]:
    return [Finding("nu", m["file"], f"{m['type'] if m['type'] != 'info' else 'warning'}: line "
                    f"{m.get('lastLine', '?')}: {m['message']}") for m in messages]


def axe_findings(results: Iterable[dict[str, Any]]) -> list[Finding]:
    found = []
    for result in results:
        name = Path(result["file"]).name
        for violation in result["violations"]:
            found.append(Finding("axe", name, f"{violation['id']} ({violation['impact']}, {violation['count']} "
                                 f"node(s), e.g. {', '.join(violation['nodes'][:2])}): {violation['help']}",
                                 result["width"]))
        if result["scrollWidth"] > result["clientWidth"]:
            found.append(Finding("reflow", name, f"the page scrolls sideways ({result['scrollWidth']} px wide); "
                                 f"too wide: {', '.join(result['wide']) or 'unknown'}", result["width"]))
    return found


def pdf_findings(files: Iterable[Path]) -> list[Finding]:
    from peelgen.pdf_checks import check_pdf

    return [Finding("pdf", Path(f).name, problem) for f in files for problem in check_pdf(Path(f))]


_ID_MESSAGE = re.compile(r"(?:Duplicate ID|The first occurrence of ID) “(.+?)”")
_SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')


def ids_inside_svg(html: str) -> set[str]:
    """Every id used inside an inline <svg> of a page."""
    return {found for svg in _SVG.findall(html) for found in _ID.findall(svg)}


def is_duplicate_svg_id(message: dict[str, Any], svg_ids: set[str]) -> bool:
    """Whether a Nu message is about an id repeated between inline SVG charts."""
    match = _ID_MESSAGE.match(message["message"])
    return bool(match) and match.group(1) in svg_ids


def _summary_lines(findings: list[Finding], files: list[Path], limit: int) -> list[str]:
    lines = []
    for path in files:
        own = [f for f in findings if f.file == path.name]
        if not own:
            lines.append(f"  ok    {path.name}")
            continue
        lines.append(f"  FAIL  {path.name}: {len(own)} problem(s)")
        counted: dict[str, int] = {}
        for finding in own:
            key = re.sub(r"line \d+: ", "", str(finding))
            counted[key] = counted.get(key, 0) + 1
        for shown, (text, count) in enumerate(counted.items()):
            if shown == limit:
                lines.append(f"        … and {len(counted) - limit} more kinds of problem")
                break
            lines.append(f"        {text}" + (f" (×{count})" if count > 1 else ""))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/check-standards DIR``: every check on the HTML and PDF files in DIR."""
    import argparse

    parser = argparse.ArgumentParser(prog="check-standards", description=(
        "Check web pages with the Nu HTML Checker and axe-core (WCAG 2.2 A/AA, at several widths, "
        "plus page reflow) and PDFs against PDF/UA-1 structure checks."))
    parser.add_argument("folder", type=Path, help="a folder of peelgen output (HTML and PDF files)")
    parser.add_argument("--widths", default=",".join(map(str, WIDTHS)), help="viewport widths for axe (px)")
    parser.add_argument("--pdf-only", action="store_true", help="check only the PDFs (needs no Java, Node or Chromium)")
    parser.add_argument("--limit", type=int, default=15, help="kinds of problem shown per file (default 15)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    pages = sorted(args.folder.rglob("*.html"))
    pdfs = sorted(args.folder.rglob("*.pdf"))
    if not pages and not pdfs:
        parser.error(f"no .html or .pdf files in {args.folder}")
    findings = pdf_findings(pdfs)
    if not args.pdf_only and pages:
        missing = missing_tools()
        if missing:
            print("check-standards: cannot check web pages; missing:\n  " + "\n  ".join(missing)
                  + "\n(use --pdf-only to check only the PDFs)")
            return 2
        widths = [int(w) for w in args.widths.split(",")]
        findings += nu_findings(run_nu(pages)) + axe_findings(run_axe(pages, widths))
        versions = tool_versions()
        print(f"Web pages: Nu HTML Checker {versions.get('vnu-jar', '?')}, axe-core {versions.get('axe-core', '?')} "
              f"(WCAG 2.2 A and AA rules) in {versions.get('chromium', 'Chromium')} at {args.widths} px, "
              "with every <details> open; no sideways page scrolling.")
    print("PDFs: PDF/UA-1 structure checks after the Matterhorn Protocol (peelgen.pdf_checks).\n")
    checked = pdfs + ([] if args.pdf_only else pages)
    print("\n".join(_summary_lines(findings, sorted(checked), args.limit)))
    failed = {f.file for f in findings}
    if findings:
        print(f"\nFAILED: {len(findings)} problem(s) in {len(failed)} of {len(checked)} file(s)")
        return 1
    print(f"\nPASSED: {len(checked)} file(s), no problems found")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
