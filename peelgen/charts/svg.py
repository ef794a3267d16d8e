"""Tidy matplotlib's SVG: fewer nodes for the same picture, ids unique on the page.

matplotlib wraps every artist in an id'd ``<g>``, clips data to the axes, and writes
a metadata block and a page-wide ``*`` style rule. Here the SVG is rewritten so that:

* groups that only carry an id (and groups left empty) are dissolved into their parent;
* clip paths go: charts set their limits to include all data, so clipping hides
  nothing (only the halves of edge markers, which are better whole);
* consecutive paths with the same style become one path (bars of one colour, grid
  lines), and path data is written compactly, to two decimals;
* ids that nothing refers to are dropped, and the rest (markers, hatch patterns) are
  prefixed with the figure's anchor, so many charts on one page never share an id;
* the font stack and the line-join default sit once on the root element.

The picture is unchanged: none of these steps alters what is drawn.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from peelgen.charts.style import FONT_STACK

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

_G, _PATH, _DEFS = f"{{{SVG_NS}}}g", f"{{{SVG_NS}}}path", f"{{{SVG_NS}}}defs"
_DROPPED = {f"{{{SVG_NS}}}{name}" for name in ("metadata", "clipPath", "style")}
_HREFS = (f"{{{XLINK_NS}}}href", "href")
_REFERENCE = re.compile(r"url\(#([^)]+)\)")
_DECIMAL = re.compile(r"-?\d+\.\d{3,}")
_FONT_FAMILY = re.compile(r"font-family: [^;]*(; )?")
_NO_ROTATION = re.compile(r"^rotate\(-?0 [^)]*\)$")


def tidy(svg: str, ident: str, title: str, description: str) -> str:
    """The lean, accessible form of matplotlib's SVG ``svg`` for the figure ``ident``."""
    # matplotlib's own output, with every label escaped: no entities or DTD to defuse.
    root = ET.fromstring(svg)  # noqa: S314
    _strip(root)
    referenced = _references(root)
    _dissolve_groups(root, referenced)
    _merge_paths(root)
    _finish_elements(root, referenced, prefix=f"{ident}-")
    root.attrib = {"role": "img", "aria-labelledby": f"{ident}-title {ident}-desc", **root.attrib,
                   "font-family": FONT_STACK, "stroke-linejoin": "round"}
    root.attrib.pop("version", None)
    heading = ET.Element(f"{{{SVG_NS}}}title", id=f"{ident}-title")
    heading.text = title
    desc = ET.Element(f"{{{SVG_NS}}}desc", id=f"{ident}-desc")
    desc.text = description
    root[:0] = [heading, desc]
    _without_prefixes(root)
    return ET.tostring(root, encoding="unicode")


def _without_prefixes(root: ET.Element) -> None:
    """Plain tag names under one ``xmlns``, and SVG 2's ``href`` for ``xlink:href``.

    ElementTree's namespace prefixes come from a registry shared by the whole process,
    which other libraries change (WeasyPrint's metadata writer does): relying on it
    turned ``<svg>`` into ``<ns0:svg>``, an element no HTML parser draws."""
    xlink_href = f"{{{XLINK_NS}}}href"
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
        if xlink_href in element.attrib:
            element.set("href", element.attrib.pop(xlink_href))
    root.attrib = {"xmlns": SVG_NS, **root.attrib}


def _strip(element: ET.Element) -> None:
    """Remove metadata, clip paths, style rules and whitespace-only text, depth first."""
    element.attrib.pop("clip-path", None)
    if element.text is not None and not element.text.strip():
        element.text = None
    for child in list(element):
        if child.tag in _DROPPED:
            element.remove(child)
            continue
        child.tail = None
        _strip(child)


def _references(root: ET.Element) -> set[str]:
    found: set[str] = set()
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in _HREFS and value.startswith("#"):
                found.add(value[1:])
            else:
                found.update(_REFERENCE.findall(value))
    return found


def _dissolve_groups(element: ET.Element, referenced: set[str]) -> None:
    """Replace each group that has no effect (no attribute but an unused id) by its children."""
    children: list[ET.Element] = []
    for child in element:
        _dissolve_groups(child, referenced)
        plain = child.tag == _G and not (set(child.attrib) - {"id"}) and child.get("id") not in referenced
        empty = child.tag in (_G, _DEFS) and len(child) == 0
        if plain:
            children.extend(child)
        elif not empty:
            children.append(child)
    element[:] = children


def _merge_paths(element: ET.Element) -> None:
    """Join runs of sibling paths that differ only in their data into one path."""
    merged: list[ET.Element] = []
    for child in element:
        _merge_paths(child)
        previous = merged[-1] if merged else None
        if previous is not None and _mergeable(previous, child):
            previous.set("d", f"{previous.get('d', '')} {child.get('d', '')}")
        else:
            merged.append(child)
    element[:] = merged


def _mergeable(first: ET.Element, second: ET.Element) -> bool:
    if first.tag != _PATH or second.tag != _PATH or "id" in first.attrib or "id" in second.attrib:
        return False
    same = {k: v for k, v in first.attrib.items() if k != "d"} == {k: v for k, v in second.attrib.items() if k != "d"}
    # Overlapping translucent shapes would darken where they meet if joined; ours are opaque.
    return same and "opacity" not in first.get("style", "")


def _finish_elements(root: ET.Element, referenced: set[str], prefix: str) -> None:
    for element in root.iter():
        ident = element.attrib.pop("id", None)
        if ident is not None and ident in referenced:
            element.set("id", prefix + ident)
        for name, value in list(element.attrib.items()):
            if name in _HREFS and value.startswith("#"):
                element.set(name, f"#{prefix}{value[1:]}")
            elif "url(#" in value:
                element.set(name, _REFERENCE.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))
        if element.tag == _PATH and "d" in element.attrib:
            element.set("d", _DECIMAL.sub(_two_decimals, " ".join(element.attrib["d"].split())))
        if _NO_ROTATION.match(element.get("transform", "")):
            del element.attrib["transform"]
        style = element.get("style")
        if style is not None and "font-family" in style:
            element.set("style", _FONT_FAMILY.sub("", style).rstrip("; "))


def _two_decimals(match: re.Match[str]) -> str:
    text = f"{float(match.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
