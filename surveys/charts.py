"""Server-side SVG line charts: coordinates computed here, drawn by the template (no JS)."""

from __future__ import annotations

WIDTH, HEIGHT, PAD = 600, 200, 30


def line_chart(rows: list[dict], key: str, *, lo: float, hi: float) -> dict:
    points = [(i, row[key]) for i, row in enumerate(rows) if row[key] is not None]
    n = max(len(rows) - 1, 1)

    def x(i):
        return round(PAD + (WIDTH - 2 * PAD) * i / n, 1)

    def y(v):
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - lo) / (hi - lo), 1)

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": " ".join(f"{x(i)},{y(v)}" for i, v in points),
        "dots": [{"x": x(i), "y": y(v), "value": v} for i, v in points],
        "axis": [
            {"y": y(v), "label": v} for v in (lo, (lo + hi) / 2 if lo < 0 else (lo + hi) // 2, hi)
        ],
        "x0": PAD,
        "x1": WIDTH - PAD,
        "empty": not points,
    }
