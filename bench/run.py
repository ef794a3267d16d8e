"""peelgen benchmarks: where the time goes, how it grows, and how much memory it takes.

Run from the repository root:

    .venv/bin/python bench/run.py            # a table on stdout, JSON in bench/results/latest.json
    .venv/bin/python bench/run.py --quick    # one repeat, no 10x report: a smoke test

bench/README.md explains every field. Nothing here asserts anything: the numbers are for
people comparing two versions on one machine.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "latest.json"
SCALED_FROM = "west-mercia-2016"  # the example the synthetic large report is made from


# -- timing helpers -------------------------------------------------------------------------

def timed(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time in milliseconds over ``repeats`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def run_timed(args: list[str], repeats: int, cwd: Path = ROOT) -> float:
    """Median wall time in milliseconds of a subprocess."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


# -- the synthetic large report ------------------------------------------------------------------

_CITE = re.compile(r"\[\^([A-Za-z0-9][A-Za-z0-9_-]*)\]")
_FIGURE = re.compile(r"\{(figure|fig):([A-Za-z0-9][A-Za-z0-9_.-]*)\}")


def _rename(text: str | None, suffix: str) -> str | None:
    if text is None:
        return None
    text = _CITE.sub(lambda m: f"[^{m.group(1)}-{suffix}]", text)
    return _FIGURE.sub(lambda m: f"{{{m.group(1)}:{m.group(2)}-{suffix}}}", text)


def _as_headings(finding: dict[str, Any], suffix: str, headings: dict[str, str]) -> dict[str, Any]:
    """A copy of a finding under an author's heading (framework ids may appear only once)."""
    label = finding.get("heading") or headings.get(finding.get("id", ""), finding.get("id", "Section"))
    out: dict[str, Any] = {"heading": f"{label} ({suffix})"}
    if finding.get("body"):
        out["body"] = _rename(finding["body"], suffix)
    children = [_as_headings(child, suffix, headings) for child in finding.get("findings", [])]
    if children:
        out["findings"] = children
    return out


def scaled_report(text: str, factor: float) -> tuple[str, float]:
    """The report with its findings, and the figures and footnotes they use, copied under
    unique ids until the YAML is ``factor`` times as large. Returns (text, actual factor)."""
    from peelgen.framework import load_framework
    from peelgen.load import dump_yaml, load_yaml

    base = load_yaml(Path("report.yaml"), text=text).data
    framework = load_framework(base["framework"])
    headings: dict[str, str] = {}

    def collect(sections: list[Any]) -> None:
        for section in sections:
            headings[section.id] = section.heading
            collect(section.sections)

    for question in framework.questions:
        collect(question.sections)

    def dump(data: dict[str, Any]) -> str:
        return dump_yaml(data, width=100)

    figures = {f["id"]: f for f in base.get("figures", [])}
    footnotes = base.get("footnotes", {})
    data = copy.deepcopy(base)
    target = len(text) * factor
    copies = 0
    while True:
        copies += 1
        suffix = f"copy{copies}"
        new_text: list[str] = []
        for question in data["questions"]:
            original = next(q for q in base["questions"] if q["id"] == question["id"])
            for finding in original.get("findings", []):
                copied = _as_headings(finding, suffix, headings)
                question.setdefault("findings", []).append(copied)
                new_text.append(json.dumps(copied))
        # Figures placed and footnotes cited by the copies, and footnotes those cite in turn.
        placed = {m.group(2) for t in new_text for m in _FIGURE.finditer(t) if m.group(1) == "figure"}
        for figure_id in sorted(placed):
            original_id = figure_id.removesuffix(f"-{suffix}")
            figure = copy.deepcopy(figures[original_id])
            figure["id"] = figure_id
            figure["title"] = _rename(figure["title"], suffix)
            # Notes may cite footnotes; they sit on the figure or on its table.
            for holder in (figure, figure.get("table") or {}):
                if holder.get("notes"):
                    holder["notes"] = [_rename(n, suffix) for n in holder["notes"]]
            data["figures"].append(figure)
            new_text.append(json.dumps(figure))
        pending = {m.group(1) for t in new_text for m in _CITE.finditer(t)}
        done: set[str] = set()
        while pending:
            footnote_id = pending.pop()
            done.add(footnote_id)
            original_id = footnote_id.removesuffix(f"-{suffix}")
            if original_id not in footnotes:
                continue  # a framework footnote: cited under its own id, nothing to copy
            body = _rename(footnotes[original_id], suffix) or ""
            data["footnotes"][footnote_id] = body
            pending |= {m.group(1) for m in _CITE.finditer(body)} - done
        result = dump(data)
        if len(result) >= target:
            return result, len(result) / len(text)


# -- measurements -------------------------------------------------------------------------------------

def pdf_pages(pdf: bytes) -> int | None:
    try:
        from pypdf import PdfReader  # a test dependency; the count is only informative
    except ImportError:
        return None
    return len(PdfReader(io.BytesIO(pdf)).pages)


def measure_report(path: Path, repeats: int, *, full: bool = True) -> dict[str, Any]:
    """Stage times for one report, plus the PDF build compared with WeasyPrint alone.
    ``full=False`` leaves out the two measurements that only repeat others (fresh fonts,
    HTML and PDF together), for the slow scaled report."""
    from weasyprint import HTML

    import peelgen.build as build
    import peelgen.render_pdf as render_pdf_module
    from peelgen.assets import builtin_dir
    from peelgen.build import compile_report, render_outputs
    from peelgen.render_html import render_html
    from peelgen.render_pdf import render_pdf

    compile_ms, compiled = timed(lambda: compile_report(path), repeats)
    doc = compiled.document
    # Charts are drawn once per build and shared by both HTML targets (older versions of
    # build.py, without _draw_charts, drew them inside each render_html call).
    draw_charts = getattr(build, "_draw_charts", None)
    charts_ms, charts = timed(lambda: draw_charts(doc), repeats) if draw_charts else (None, None)
    extra: dict[str, Any] = {"charts": charts} if charts is not None else {}
    html_web_ms, web = timed(lambda: render_html(doc, target="web", **extra), repeats)
    html_print_ms, print_html = timed(lambda: render_html(doc, target="print", **extra), repeats)
    report_dir = compiled.validated.base_dir
    pdf_ms, pdf = timed(lambda: render_pdf(print_html, report_dir=report_dir), repeats)
    # The same with a new font configuration for every document, as before fonts were
    # cached per process (release_fonts does not exist in older versions).
    release_fonts = getattr(render_pdf_module, "release_fonts", None)
    fresh_fonts_ms = None
    if release_fonts is not None and full:
        def cold() -> bytes:
            release_fonts()
            return render_pdf(print_html, report_dir=report_dir)

        fresh_fonts_ms, _ = timed(cold, repeats)
    # The whole PDF build as `peelgen build --format pdf` runs it, without writing the file.
    full_pdf_ms, _ = timed(lambda: render_outputs(compile_report(path), ("pdf",)), repeats)
    # Both outputs, as a plain `peelgen build` makes them.
    full_build_ms = timed(lambda: render_outputs(compile_report(path), ("html", "pdf")), repeats)[0] if full else None
    styles = builtin_dir("styles").as_uri() + "/"
    # WeasyPrint on the same final HTML, with the same PDF/UA tagging but none of peelgen's
    # wrapping (URL fetcher, cached fonts, reproducible ids, SOURCE_DATE_EPOCH).
    weasy_ms, _ = timed(lambda: HTML(string=print_html, base_url=styles).write_pdf(pdf_variant="pdf/ua-1"),
                        repeats)

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "report": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name,
        "yaml_bytes": path.stat().st_size,
        "html_bytes": len(web.encode()),
        "pdf_bytes": len(pdf),
        "pdf_pages": pdf_pages(pdf),
        "figures": len(doc.figures),
        "compile_ms": ms(compile_ms),
        "charts_ms": ms(charts_ms),
        "html_web_ms": ms(html_web_ms),
        "html_print_ms": ms(html_print_ms),
        "pdf_ms": ms(pdf_ms),
        "pdf_fresh_fonts_ms": ms(fresh_fonts_ms),
        "full_pdf_build_ms": ms(full_pdf_ms),
        "full_build_ms": ms(full_build_ms),
        "weasyprint_alone_ms": ms(weasy_ms),
        "pdf_build_vs_weasyprint": round(full_pdf_ms / weasy_ms, 3),
    }


_PEAK_PROBE = """
import resource, sys
from pathlib import Path


def peak_kb():
    # VmHWM is this process's own peak. ru_maxrss is not: Linux carries it over from the
    # parent at fork and keeps it across exec, so a child of a large process reports the
    # parent's size. ru_maxrss is the fallback where /proc is missing (kilobytes on Linux).
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


import peelgen.render_pdf, weasyprint
base = peak_kb()
from peelgen.build import compile_report, render_outputs
render_outputs(compile_report(Path(sys.argv[1])), ("html", "pdf"))
print(base, peak_kb())
"""


def peak_memory(path: Path) -> dict[str, float]:
    """Peak resident memory (MB) of a fresh interpreter building ``path`` to HTML and PDF."""
    done = subprocess.run([sys.executable, "-c", _PEAK_PROBE, str(path)], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    base_kb, peak_kb = (int(v) for v in done.stdout.split())
    return {"rss_after_imports_mb": round(base_kb / 1024, 1), "peak_rss_mb": round(peak_kb / 1024, 1)}


def measure_startup(example: Path, repeats: int) -> dict[str, float]:
    python = sys.executable
    return {
        "help_ms": round(run_timed([python, "-m", "peelgen", "--help"], repeats), 1),
        "validate_ms": round(run_timed([python, "-m", "peelgen", "validate", str(example)], repeats), 1),
        "import_weasyprint_ms": round(run_timed([python, "-c", "import weasyprint"], repeats), 1),
    }


def measure_batch(example: Path, count: int, jobs: int) -> dict[str, Any]:
    """`peelgen build` of ``count`` copies of a report, in-process and with ``-j jobs``."""
    with tempfile.TemporaryDirectory(prefix="peelgen-bench-") as temp:
        folder = Path(temp)
        text = example.read_text(encoding="utf-8")
        paths = []
        for n in range(count):
            copy_dir = folder / f"r{n}"
            shutil.copytree(example.parent, copy_dir)  # with its data files
            # A slug of its own for each copy, so that no two write the same file.
            if re.search(r"(?m)^  slug: ", text):
                report_text = re.sub(r"(?m)^  slug: .*$", f"  slug: copy-{n}", text)
            else:
                report_text = re.sub(r"(?m)^meta:\n", f"meta:\n  slug: copy-{n}\n", text, count=1)
            (copy_dir / "report.yaml").write_text(report_text, encoding="utf-8")
            paths.append(str(copy_dir / "report.yaml"))
        command = [sys.executable, "-m", "peelgen", "build", *paths, "-o", str(folder / "out")]
        serial = run_timed(command, 1)
        parallel = run_timed([*command, "-j", str(jobs)], 1)
    return {"report": example.parent.name, "reports": count, "jobs": jobs, "serial_ms": round(serial, 1),
            "parallel_ms": round(parallel, 1), "speed_up": round(serial / parallel, 2)}


# -- output -----------------------------------------------------------------------------------------

COLUMNS = [("compile_ms", "compile"), ("charts_ms", "charts"), ("html_web_ms", "html web"),
           ("html_print_ms", "html print"), ("pdf_ms", "pdf"), ("full_pdf_build_ms", "pdf build"),
           ("weasyprint_alone_ms", "weasyprint"), ("pdf_build_vs_weasyprint", "build/wp"),
           ("full_build_ms", "html+pdf"), ("peak_rss_mb", "peak MB")]


def print_table(rows: list[dict[str, Any]]) -> None:
    name_width = max(len(r["label"]) for r in rows)
    header = f"{'report':<{name_width}}  " + "  ".join(f"{title:>10}" for _, title in COLUMNS)
    print(header)
    print("-" * len(header))
    for row in rows:
        cells = "  ".join(f"{'' if row.get(key) is None else row[key]:>10}" for key, _ in COLUMNS)
        print(f"{row['label']:<{name_width}}  {cells}")


def git_commit() -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run([git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the median is kept")
    parser.add_argument("--scale", type=float, default=10.0, help="size of the synthetic report, times the example")
    parser.add_argument("--quick", action="store_true", help="one repeat and no scaled report or batch")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON results")
    args = parser.parse_args(argv)
    repeats = 1 if args.quick else args.repeats

    import weasyprint

    examples = sorted((ROOT / "examples").glob("*/report.yaml"))
    rows: list[dict[str, Any]] = []
    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "repeats": repeats,
        "examples": [],
    }
    for example in examples:
        print(f"measuring {example.parent.name} …", file=sys.stderr)
        row = {**measure_report(example, repeats), **peak_memory(example)}
        results["examples"].append(row)
        rows.append({"label": example.parent.name, **row})

    scaled_example = ROOT / "examples" / SCALED_FROM / "report.yaml"
    if not args.quick and scaled_example.is_file():
        print(f"measuring {SCALED_FROM} x{args.scale:g} …", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="peelgen-bench-") as temp:
            # A copy of the example's folder, so that its data files (CSV) are found.
            folder = Path(temp) / SCALED_FROM
            shutil.copytree(scaled_example.parent, folder)
            big = folder / "report.yaml"
            text, factor = scaled_report(scaled_example.read_text(encoding="utf-8"), args.scale)
            big.write_text(text, encoding="utf-8")
            scaled = {**measure_report(big, max(1, repeats // 2), full=False), **peak_memory(big)}
        one = next(r for r in results["examples"] if r["report"].endswith(f"{SCALED_FROM}/report.yaml"))
        growth = {key: round(scaled[key] / one[key], 2) for key in
                  ("compile_ms", "charts_ms", "html_web_ms", "html_print_ms", "pdf_ms", "full_pdf_build_ms",
                   "full_build_ms", "weasyprint_alone_ms", "peak_rss_mb")
                  if scaled.get(key) is not None and one.get(key)}
        results["scaled"] = {"from": SCALED_FROM, "size_factor": round(factor, 2), **scaled,
                             "growth": growth}
        rows.append({"label": f"{SCALED_FROM} x{factor:.1f}", **scaled})
        rows.append({"label": "  growth (x / 1x)", **growth})

    results["startup"] = measure_startup(examples[0], max(3, repeats))
    if not args.quick and examples:
        try:
            results["batch"] = measure_batch(examples[0], 4, max(2, min(4, os.cpu_count() or 1)))
        except subprocess.CalledProcessError as error:  # e.g. a peelgen without -j
            print(f"batch measurement failed: {error.stderr.decode(errors='replace').strip()}", file=sys.stderr)

    print_table(rows)
    startup = results["startup"]
    print(f"\nstart-up: --help {startup['help_ms']} ms, validate {startup['validate_ms']} ms "
          f"(import weasyprint alone: {startup['import_weasyprint_ms']} ms)")
    if "batch" in results:
        batch = results["batch"]
        print(f"batch of {batch['reports']}: -j 1 {batch['serial_ms']} ms, -j {batch['jobs']} "
              f"{batch['parallel_ms']} ms (x{batch['speed_up']})")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
