"""Geometry for the server-drawn SVG bar charts (no script): one horizontal bar per row, split into segments.

A chart is drawn by ``web/_bars.html`` from the dict :func:`stacked_bars` returns. Each chart also has a table
beside it with the same numbers, for screen readers and for anyone who wants the figures.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH, BAR_WIDTH, BAR_HEIGHT, ROW = 170, 420, 22, 30


@dataclass(frozen=True)
class Segment:
    count: int
    fill: str
    title: str  # the tooltip: what the segment counts, never a user


def stacked_bars(rows: list[tuple[str, list[Segment]] | None], legend: list[tuple[str, str]], *, title: str,
                 description: str, scale: int | None = None) -> dict:
    """Rows of (label, segments) and a legend of (label, fill); a row of None is a gap between sections. Bars are
    drawn to ``scale`` (default: the largest row's total, so bars compare across rows; 0: each row to its own
    total, so every bar is full width); each segment ends where the running total does."""
    bars = [row for row in rows if row is not None]
    top = scale or max((sum(s.count for s in segments) for _label, segments in bars), default=0) or 1
    # Room for the longest label (about 7.5 px a character at 13 px), so none is cut off on the left.
    label_width = max(LABEL_WIDTH, round(7.5 * max((len(str(label)) for label, _s in bars), default=0)) + 16)
    drawn, y = [], 0
    for row in rows:
        if row is None:
            y += ROW // 2
            continue
        label, segments = row
        if scale == 0:
            top = sum(s.count for s in segments) or 1
        parts, counted = [], 0
        for segment in segments:
            begin = round(BAR_WIDTH * counted / top)
            counted += segment.count
            end = round(BAR_WIDTH * counted / top)
            if end > begin:
                parts.append({"x": label_width + begin, "width": end - begin, "fill": segment.fill,
                              "title": segment.title})
        drawn.append({"label": label, "y": y, "text_y": y + BAR_HEIGHT - 6, "segments": parts})
        y += ROW
    # The legend: each key as wide as its label, wrapping onto a new line at the bars' right edge.
    keys, x, line = [], label_width, 0
    for label, fill in legend:
        width = 20 + round(7.5 * len(str(label))) + 16
        if x > label_width and x + width > label_width + BAR_WIDTH:
            x, line = label_width, line + 1
        keys.append({"x": x, "text_x": x + 20, "fill": fill, "label": label, "y": y + 4 + line * 20,
                     "text_y": y + 16 + line * 20})
        x += width
    lines = line + 1 if keys else 0
    return {"rows": drawn, "legend": keys, "bar_height": BAR_HEIGHT, "label_x": label_width - 8,
            "width": label_width + BAR_WIDTH + 10, "height": y + 8 + 20 * lines, "title": title,
            "description": description}
