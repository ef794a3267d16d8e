"""Colours and sizes for charts, per output target.

Sizes are chosen by arithmetic, not by eye:

* **web**: the inline SVG is scaled to the text column. At a 390 px wide phone
  screen the column is about 350 px (390 px less the page's 1 rem side padding, with
  room to spare), so a chart drawn :data:`WEB.width_pt` wide is shown at
  ``350 / 360 = 0.97`` of its size and text of :data:`WEB.font_pt` (9.5) user units
  renders at 9.2 px, above the 9 px floor. ``tests/test_charts_readable.py`` repeats
  this sum from the SVG itself.
* **print**: the SVG fills the 160 mm (453.6 pt) A4 column at its own size, so user
  units are points; 7.5 pt is the smallest chart text.

Colours pass WCAG 1.4.11 (3:1 for graphics) against white, against the shaded band
behind ranked bars, and between "this force" and other forces; ``tests/test_charts_
contrast.py`` computes every ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Target = Literal["web", "print"]

BACKGROUND = "#ffffff"
DARK = "#1d3f6e"  # this force; series one
OTHER = "#7a8ca5"  # other forces: 3.4:1 on white, 3.1:1 on the band and against DARK
MID = "#5b7290"
INK = "#1b1b1b"
GREY = "#6b6b6b"
BAND = "#f5f5f5"  # one standard deviation either side of the mean: a pale, dotted area
GRID = "#dddddd"  # grid lines guide the eye; they carry no data of their own
NOTE = "#4a4a4a"  # the note along the bottom (illustrative data): text, so 4.5:1 on white

# Every colour that draws data (bars, lines, markers, reference lines), for the contrast test.
DATA_COLOURS = (DARK, OTHER, MID, INK, GREY)

# Browsers without the bundled font still draw chart text in a sans-serif face.
FONT_STACK = "'Noto Sans', 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class Geometry:
    """The size of a chart and of its text, for one output target (units: points)."""

    target: Target
    width_pt: float
    height_pt: float  # trend, comparison and control charts; bar lists grow with their rows
    plot_pt: float  # the least height of a plot's axes: a tall legend makes the figure taller
    font_pt: float  # every text: ticks, legends, annotations, notes
    label_pt: float  # axis labels
    row_pt: float  # one bar of a ranked or shares chart, with its gap
    legend_columns: int
    wrap: int  # characters per line of a category label under a column
    max_labels: int  # category labels along a horizontal axis before some are skipped


WEB = Geometry("web", width_pt=360, height_pt=270, plot_pt=170, font_pt=9.5, label_pt=10, row_pt=13,
               legend_columns=1, wrap=12, max_labels=6)
PRINT = Geometry("print", width_pt=453.6, height_pt=216, plot_pt=130, font_pt=7.5, label_pt=8, row_pt=9.5,
                 legend_columns=3, wrap=18, max_labels=12)
GEOMETRY: dict[str, Geometry] = {"web": WEB, "print": PRINT}

# The phone arithmetic above, as numbers the readability test checks.
PHONE_COLUMN_PX = 350
MIN_PHONE_TEXT_PX = 9.0
