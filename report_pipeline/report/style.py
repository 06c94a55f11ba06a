"""The look of every report's charts: colours, line widths, type sizes and spacing.

The one place they are set: the `all` report and a customer's draw the same
charts (report/vector_charts.py, report/type_trends.py), so a colour changed
here changes both, and nothing copies a value by hand.
"""

from __future__ import annotations

from report_pipeline.report.fonts import FONT

__all__ = ["FONT"]

Colour = tuple[int, int, int]

COLOR: Colour = (59, 110, 168)  # bars, lines and their points
WARN: Colour = (181, 70, 47)  # this week's point, the review threshold
AXIS, GRID, MUTED = 150, 225, 110  # greys: axes, gridlines, "no data"
# One line per document type, in order of volume; "other" is grey. Distinct in hue and
# lightness so the lines still tell apart printed in greyscale.
SERIES: tuple[Colour, ...] = (
    (59, 110, 168),
    (222, 128, 34),
    (46, 139, 87),
    (148, 80, 160),
    (196, 60, 90),
)
OTHER: Colour = (150, 150, 150)

TITLE_SIZE = 9.5  # a chart's title (bold)
PANEL_TITLE_SIZE = 8.5  # a trend panel's title (bold)
LABEL_SIZE = 7.5  # bar labels, legend entries
VALUE_SIZE = 7  # counts above or after bars
TICK_SIZE = 6.5  # axis ticks, this week's value on a line
NO_DATA_SIZE = 10
TITLE_H = 6.0  # mm from a chart's top to its plot area
BAR_ROW = 5.0  # mm per horizontal bar
LINE_W = 0.5  # mm, trend lines
LABEL_MAX = 32  # characters of a label before it is cut with an ellipsis
