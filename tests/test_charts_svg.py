"""Lean chart SVG: tidying matplotlib's output keeps the picture and drops the rest."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from peelgen.build import compile_report
from peelgen.charts.svg import tidy
from peelgen.render_charts import render_charts
from tests.test_metrics import DATA_REPORT, write_data

RAW = """<?xml version="1.0" encoding="utf-8" standalone="no"?>
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="100pt" height="50pt" viewBox="0 0 100 50"
     xmlns="http://www.w3.org/2000/svg" version="1.1">
 <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
 <defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>
 <g id="figure_1">
  <g id="patch_1"><path d="M 0 50 L 100 50 L 100 0 L 0 0 z" style="fill: #ffffff"/></g>
  <g id="axes_1">
   <g id="patch_2"><path d="M 10.123456 40 &#10;L 20 40 L 20 10 z" clip-path="url(#p1)" style="fill: #7a8ca5"/></g>
   <g id="patch_3"><path d="M 30 40 L 40 40 L 40 20 z" clip-path="url(#p1)" style="fill: #7a8ca5"/></g>
   <g id="patch_4"><path d="M 50 40 L 60 40 L 60 30 z" clip-path="url(#p1)" style="fill: url(#h1)"/></g>
   <g id="line2d_1">
    <defs><path id="m1" d="M 0 1 L 1 0"/></defs>
    <g clip-path="url(#p1)"><use xlink:href="#m1" x="5" y="5" style="fill: #1b1b1b"/></g>
   </g>
   <g id="text_1"><text style="font-size: 9.5px; font-family: 'Noto Sans'; fill: #1b1b1b" x="1" y="2"
      transform="rotate(-0 1 2)">$\\frac{1}{ &amp; Kent</text></g>
   <g id="empty"></g>
  </g>
 </g>
 <defs>
  <clipPath id="p1"><rect x="10" y="10" width="80" height="30"/></clipPath>
  <pattern id="h1" patternUnits="userSpaceOnUse" width="72" height="72"><rect width="73" height="73"/></pattern>
 </defs>
</svg>
"""


def elements(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter())


def test_tidy_keeps_every_drawing_and_drops_the_wrapping():
    svg = tidy(RAW, "figure-3", "Figure 3: Crime", "A bar chart.")
    tags = [e.tag.split("}")[1] for e in elements(svg)]
    assert tags == ["svg", "title", "desc", "path", "path", "path", "defs", "path", "use", "text", "defs", "pattern",
                    "rect"]
    assert len(elements(svg)) < len(elements(RAW)) / 2
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "figure-3-title figure-3-desc"
    assert root.get("stroke-linejoin") == "round"  # what the dropped '*' style rule said


def test_tidy_merges_same_style_paths_and_writes_compact_data():
    svg = tidy(RAW, "figure-3", "t", "d")
    assert '<path d="M 10.12 40 L 20 40 L 20 10 z M 30 40 L 40 40 L 40 20 z" style="fill: #7a8ca5" />' in svg


def test_tidy_prefixes_ids_and_references_and_drops_the_rest():
    svg = tidy(RAW, "figure-3", "t", "d")
    assert re.findall(r'\sid="([^"]+)"', svg) == ["figure-3-title", "figure-3-desc", "figure-3-m1", "figure-3-h1"]
    assert ' href="#figure-3-m1"' in svg and "url(#figure-3-h1)" in svg
    assert "clip" not in svg and "metadata" not in svg and "<style" not in svg and "<g" not in svg


def test_tidy_keeps_text_as_typed_and_escaped():
    svg = tidy(RAW, "figure-3", "Crime & <disorder>", "d")
    assert '<text style="font-size: 9.5px; fill: #1b1b1b" x="1" y="2">$\\frac{1}{ &amp; Kent</text>' in svg
    assert "<title id=\"figure-3-title\">Crime &amp; &lt;disorder&gt;</title>" in svg


def test_real_charts_are_lean(write, tmp_path):
    write_data(tmp_path)
    doc = compile_report(write(DATA_REPORT)).document
    for target in ("web", "print"):
        for figure_id, svg in render_charts(doc, target=target).items():
            nodes = elements(svg)
            groups = [e for e in nodes if e.tag.endswith("}g")]
            assert groups == [], figure_id
            assert len(nodes) < 60, (figure_id, len(nodes))
            assert "clip-path" not in svg and "<metadata" not in svg


def test_tidy_output_does_not_depend_on_elementtree_s_shared_prefixes(monkeypatch):
    """WeasyPrint's metadata writer changes ElementTree's process-wide prefix registry;
    charts drawn after a PDF once came out as <ns0:svg>, which no HTML parser draws."""
    registry = dict(ET._namespace_map)
    monkeypatch.setattr(ET, "_namespace_map", registry)
    for uri in ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"):
        registry.pop(uri, None)
    svg = tidy(RAW, "figure-9", "Title", "Description")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" ')
    assert "ns0" not in svg and "xlink" not in svg
    assert 'href="#figure-9-m1"' in svg
