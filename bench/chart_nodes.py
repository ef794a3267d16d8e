"""Nodes per chart, and WeasyPrint's time to draw each chart, for every example.

Run from the repository root:

    .venv/bin/python bench/chart_nodes.py                 # nodes and bytes, web and print
    .venv/bin/python bench/chart_nodes.py --weasyprint    # and WeasyPrint's drawing time

To compare with another version, run the same script with that version first on the
path, e.g. an older commit unpacked into /tmp/base:

    git archive COMMIT | tar -x -C /tmp/base
    PYTHONPATH=/tmp/base .venv/bin/python bench/chart_nodes.py

Nodes are XML elements in the SVG. WeasyPrint time is the median of --repeats runs of a
one-chart page (the chart as an <img>, as in the PDF) less the same page without it.
Nothing here asserts anything: the numbers are for people comparing two versions.
"""

from __future__ import annotations

import argparse
import base64
import inspect
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after PYTHONPATH, so another version can be measured

PAGE = '<!doctype html><html lang="en"><head><style>@page {{ size: A4; margin: 20mm }} img {{ width: 100% }}' \
       '</style></head><body>{}</body></html>'


def draw_all(target: str) -> dict[str, str]:
    from peelgen.build import compile_report
    from peelgen.render_charts import render_charts

    takes_target = "target" in inspect.signature(render_charts).parameters
    charts = {}
    for path in sorted((ROOT / "examples").glob("*/report.yaml")):
        doc = compile_report(path).document
        drawn = render_charts(doc, target=target) if takes_target else render_charts(doc)
        charts.update({f"{path.parent.name}/{figure_id}": svg for figure_id, svg in drawn.items()})
    return charts


def weasyprint_ms(svg: str, repeats: int) -> float:
    from weasyprint import HTML

    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

    def median_ms(body: str) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            HTML(string=PAGE.format(body)).write_pdf()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    return median_ms(f'<img src="{uri}" alt="chart">') - median_ms("<p>x</p>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weasyprint", action="store_true", help="also time WeasyPrint drawing each chart")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--targets", default="web,print")
    args = parser.parse_args()
    import peelgen

    print(f"peelgen from {Path(peelgen.__file__).parent}")
    header = f"{'target':6} {'chart':42} {'nodes':>6} {'bytes':>8}" + (f" {'weasy ms':>9}" if args.weasyprint else "")
    print(header)
    print("-" * len(header))
    for target in args.targets.split(","):
        charts = draw_all(target)
        totals = [0, 0, 0.0]
        for name, svg in charts.items():
            nodes = sum(1 for _ in ET.fromstring(svg).iter())  # noqa: S314 - our own output
            row = f"{target:6} {name:42} {nodes:6d} {len(svg.encode()):8d}"
            totals[0] += nodes
            totals[1] += len(svg.encode())
            if args.weasyprint:
                ms = weasyprint_ms(svg, args.repeats)
                totals[2] += ms
                row += f" {ms:9.1f}"
            print(row)
        total = f"{target:6} {'total (' + str(len(charts)) + ' charts)':42} {totals[0]:6d} {totals[1]:8d}"
        print(total + (f" {totals[2]:9.1f}" if args.weasyprint else ""))


if __name__ == "__main__":
    main()
