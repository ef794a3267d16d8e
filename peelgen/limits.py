"""Limits on what a chart can draw, shared by the stages that check them.

The load stage refuses a CSV number beyond :data:`MAX_MAGNITUDE` at its line and column,
resolve refuses a chart with more bars or points than it can draw at the figure's entry
in the YAML, and the chart renderer checks both again as a last line of defence. They
live here, not in the renderer, so that no earlier stage imports a later one.
"""

from __future__ import annotations

MAX_BARS = 200  # bars in a ranked, shares or comparison chart: four times the forces of England and Wales
MAX_POINTS = 1_000  # periods in a trend or control chart
# Beyond this a value is surely a slip (a police force's budget is about 1e9 pounds), and
# statistics' and the chart scales' arithmetic overflows on values near 1e308.
MAX_MAGNITUDE = 1e12
