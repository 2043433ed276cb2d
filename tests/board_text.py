"""Cut text on the pipeline board: each text it painted against the box it gave it.

The board lists what it drew (`PipelineBoard.drawn`: text, box, font, wrapped or not);
this measures each with QFontMetrics: a line must fit its box's width, a wrapped text
its box's height, and texts sharing one box (amount left, probability right) its width
together. Nothing here asks the board whether its text fits.
"""

from __future__ import annotations

from collections import defaultdict

from clipped_text import SLACK, Cut
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

# Room kept between two texts on one row.
GAP = 6


def board_cuts(board: object) -> list[Cut]:
    drawn = getattr(board, "drawn", [])
    cuts: list[Cut] = []
    rows: dict[tuple[float, float, float, float], list[int]] = defaultdict(list)
    for item in drawn:
        metrics = QFontMetrics(item.font)
        box = item.box
        if item.wrap:
            bounds = QRect(0, 0, int(box.width()), 100_000)
            needed = metrics.boundingRect(bounds, Qt.TextFlag.TextWordWrap, item.text)
            if needed.width() > box.width() + SLACK or needed.height() > box.height() + SLACK:
                cuts.append(
                    Cut("board text", "wrapped", item.text, needed.height(), int(box.height()))
                )
            continue
        width = metrics.horizontalAdvance(item.text)
        rows[(box.x(), box.y(), box.width(), box.height())].append(width)
        if width > box.width() + SLACK:
            cuts.append(Cut("board text", "line", item.text, width, int(box.width())))
    for (_, _, room, _), widths in rows.items():
        together = sum(widths) + GAP * (len(widths) - 1)
        if len(widths) > 1 and together > room + SLACK:
            cuts.append(Cut("board texts", "one row", f"{len(widths)} texts", together, int(room)))
    return cuts
