"""How each stage of a build grows with the size of the report.

Synthetic reports 1, 2, 4 and 8 times the size of examples/west-mercia-2016 (made by
bench/run.py's ``scaled_report``) are each built to HTML and PDF in a fresh process,
with every stage timed (CPU time of the process, so other work on the machine counts
less) and the process's peak memory read at the end:

    .venv/bin/python bench/growth.py                 # table on stdout
    .venv/bin/python bench/growth.py --profile DIR   # also a cProfile file per size

Stages: ``load`` (YAML), ``validate``, ``resolve``, ``charts`` (peelgen's chart writer), ``html``
(both targets), and inside WeasyPrint: ``style`` (the CSS cascade), ``box_tree``
(building the formatting structure), ``layout``, ``draw`` (painting pages into PDF
streams), ``tagging`` (the PDF/UA structure tree) and ``serialise`` (writing the PDF
objects). ``vs linear`` divides a stage's growth by the growth of what it should be
proportional to: pages for WeasyPrint's stages, figures for charts, YAML bytes for the
rest. 1.0 is linear; the aim is at most 1.5 at 8 times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCALES = (1, 2, 4, 8)
BY_PAGES = ("style", "box_tree", "layout", "draw", "tagging", "serialise", "pdf_post")
BY_FIGURES = ("charts",)
BY_BYTES = ("load", "validate", "resolve", "html")  # and "gc", counted apart from the stages

# Runs in a fresh interpreter: argv = report, gc mode ("default" or "tuned"), profile file or "".
PROBE = r'''
import gc, json, sys, time
from pathlib import Path

report, gc_mode, profile_to = sys.argv[1], sys.argv[2], sys.argv[3]
times = {}

def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0

rss_after = {}
gc_ms = [0.0, None]  # total, start of the collection in progress

def on_gc(phase, info):
    if phase == "start":
        gc_ms[1] = time.process_time()
    elif gc_ms[1] is not None:
        gc_ms[0] += (time.process_time() - gc_ms[1]) * 1000
        gc_ms[1] = None

gc.callbacks.append(on_gc)

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

def add(name, start, gc_before):
    # Garbage collection is counted apart: it runs whenever enough objects were made,
    # in whichever stage that happens to be, and would blur the stages' growth.
    times[name] = times.get(name, 0.0) + (time.process_time() - start) * 1000 - (gc_ms[0] - gc_before)
    rss_after[name] = max(rss_after.get(name, 0.0), rss_mb())

def timed_generator(name, generator):
    while True:
        start, gc_before = time.process_time(), gc_ms[0]
        try:
            item = next(generator)
        except StopIteration:
            add(name, start, gc_before)
            return
        add(name, start, gc_before)
        yield item

def timed(name, function):
    def wrapper(*args, **kwargs):
        start, gc_before = time.process_time(), gc_ms[0]
        try:
            result = function(*args, **kwargs)
        finally:
            add(name, start, gc_before)
        # layout_document yields pages as it lays them out: time each one.
        return timed_generator(name, result) if hasattr(result, "__next__") else result
    return wrapper

import weasyprint, weasyprint.document as wdoc, weasyprint.pdf as wpdf, pydyf
import peelgen.build as build, peelgen.render_pdf
from peelgen import load, validate, resolve, render_html

wdoc.get_all_computed_styles = timed("style", wdoc.get_all_computed_styles)
wdoc.build_formatting_structure = timed("box_tree", wdoc.build_formatting_structure)
wdoc.layout_document = timed("layout", wdoc.layout_document)
wdoc.draw_page = timed("draw", wdoc.draw_page)
wpdf.add_tags = timed("tagging", wpdf.add_tags)
pydyf.PDF.write = timed("serialise", pydyf.PDF.write)
try:
    import peelgen.pdf_tags as pdf_tags  # WeasyPrint 70: peelgen's post-processing of the tagged PDF
    _marker = pdf_tags.mark_artifacts
    if len(__import__("inspect").signature(_marker).parameters) == 1:  # a finisher, run before writing
        pdf_tags.mark_artifacts = lambda furniture: timed("pdf_post", _marker(furniture))
    else:  # older: read back and written again with pikepdf
        pdf_tags.mark_artifacts = timed("pdf_post", _marker)
except ImportError:
    pass
load.load_yaml = timed("load", load.load_yaml)
validate.validate = timed("validate", validate.validate)
resolve.resolve = timed("resolve", resolve.resolve)
for name, module in (("load_yaml", load), ("validate", validate), ("resolve", resolve)):
    if hasattr(build, name):  # older versions import the stages at the top of build.py
        setattr(build, name, getattr(module, name))
build._draw_charts = timed("charts", build._draw_charts)
render_html.render_html = timed("html", render_html.render_html)
if gc_mode == "tuned":
    if hasattr(build, "tune_gc"):  # as the command line does
        build.tune_gc()
        build._freeze_imports(True)
    else:  # an older version: the same by hand
        gc.set_threshold(700, 10, 100)
        gc.collect()
        gc.freeze()

profiler = None
if profile_to:
    import cProfile
    profiler = cProfile.Profile(time.process_time)  # CPU time: the machine may be busy
    profiler.enable()
start = time.process_time()
compiled = build.compile_report(Path(report))
outputs = build.render_outputs(compiled, ("html", "pdf"))
total = (time.process_time() - start) * 1000
if profiler:
    profiler.disable()
    profiler.dump_stats(profile_to)
pdf = next(data for name, data in outputs.items() if name.endswith(".pdf"))
from pypdf import PdfReader
import io
pages = len(PdfReader(io.BytesIO(pdf)).pages)
times["gc"] = gc_ms[0]
print(json.dumps({"times_ms": times, "total_ms": total,
                  "rss_after_mb": rss_after, "pages": pages, "figures": len(compiled.document.figures),
                  "yaml_bytes": Path(report).stat().st_size, "peak_mb": peak_mb(),
                  "weasyprint": weasyprint.__version__}))
'''


def make_reports(folder: Path, scales: tuple[int, ...] = SCALES) -> dict[int, Path]:
    """A copy of the example's folder per scale, with the report scaled."""
    sys.path.insert(0, str(ROOT / "bench"))
    from run import SCALED_FROM, scaled_report

    example = ROOT / "examples" / SCALED_FROM / "report.yaml"
    text = example.read_text(encoding="utf-8")
    reports = {}
    for scale in scales:
        target = folder / f"x{scale}"
        shutil.copytree(example.parent, target)
        if scale != 1:
            (target / "report.yaml").write_text(scaled_report(text, scale)[0], encoding="utf-8")
        reports[scale] = target / "report.yaml"
    return reports


def probe(report: Path, *, python: str = sys.executable, gc_mode: str = "default",
          profile: Path | None = None) -> dict[str, Any]:
    # Another interpreter (another venv) builds with the peelgen installed there.
    env = {**os.environ, "PYTHONPATH": str(ROOT)} if python == sys.executable else dict(os.environ)
    done = subprocess.run([python, "-c", PROBE, str(report), gc_mode, str(profile or "")], cwd=report.parent,
                          capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def growth_table(results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Each stage's growth against 1x, and that growth divided by the size's."""
    one = results[1]
    table: dict[str, Any] = {}
    for scale, result in results.items():
        sizes = {"pages": result["pages"] / one["pages"], "figures": result["figures"] / one["figures"],
                 "bytes": result["yaml_bytes"] / one["yaml_bytes"]}
        row: dict[str, Any] = {"pages": result["pages"], "figures": result["figures"],
                               "peak_mb": round(result["peak_mb"], 1), "total_ms": round(result["total_ms"]),
                               "growth": {}, "vs_linear": {}}
        for stage, ms in result["times_ms"].items():
            base = one["times_ms"].get(stage)
            if not base:
                continue
            growth = ms / base
            unit = sizes["pages"] if stage in BY_PAGES else sizes["figures"] if stage in BY_FIGURES else sizes["bytes"]
            row["growth"][stage] = round(growth, 2)
            row["vs_linear"][stage] = round(growth / unit, 2)
        row["growth"]["total"] = round(result["total_ms"] / one["total_ms"], 2)
        row["vs_linear"]["total"] = round(row["growth"]["total"] / sizes["pages"], 2)
        row["size_growth"] = {key: round(value, 2) for key, value in sizes.items()}
        table[f"x{scale}"] = {**row, "times_ms": {k: round(v) for k, v in result["times_ms"].items()},
                              "rss_after_mb": {k: round(v) for k, v in result.get("rss_after_mb", {}).items()}}
    return table


def measure_growth(*, python: str = sys.executable, gc_mode: str = "tuned", profile_dir: Path | None = None,
                   scales: tuple[int, ...] = SCALES) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="peelgen-growth-") as temp:
        reports = make_reports(Path(temp), scales)
        results = {}
        for scale, report in reports.items():
            print(f"growth: x{scale} …", file=sys.stderr)
            profile = profile_dir / f"x{scale}.prof" if profile_dir else None
            results[scale] = probe(report, python=python, gc_mode=gc_mode, profile=profile)
    return growth_table(results)


def print_growth(table: dict[str, Any]) -> None:
    stages = list(next(iter(table.values()))["times_ms"])
    print(f"{'size':>5} {'pages':>5} {'figs':>4} {'peakMB':>7} " + " ".join(f"{s[:9]:>9}" for s in [*stages, "total"]))
    for name, row in table.items():
        cells = " ".join(f"{row['vs_linear'].get(s, ''):>9}" for s in [*stages, "total"])
        print(f"{name:>5} {row['pages']:>5} {row['figures']:>4} {row['peak_mb']:>7} {cells}")
    print("(each stage: its growth divided by the growth of pages, figures or YAML bytes; 1.0 is linear)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter to build with (another venv)")
    parser.add_argument("--gc", choices=("default", "tuned"), default="tuned")
    parser.add_argument("--profile", type=Path, help="write a cProfile file per size into this folder")
    parser.add_argument("--scales", default=",".join(map(str, SCALES)))
    parser.add_argument("--json", type=Path, help="write the table as JSON too")
    args = parser.parse_args()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    table = measure_growth(python=args.python, gc_mode=args.gc, profile_dir=args.profile,
                           scales=tuple(int(s) for s in args.scales.split(",")))
    print_growth(table)
    if args.json:
        args.json.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
