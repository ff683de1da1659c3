"""Small server-side SVG charts: line, grouped bars and histogram.

Accessible (``role="img"`` labelled by a ``<title>`` and a ``<desc>``), no script and no
``style`` attributes (the CSP forbids inline styles): colours and fonts come from the classes in
``core/static/core/reports/charts.css``. Every chart on a page also has a table alternative.
Pure functions of their inputs, so they are tested without a database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

# The title sits on the first line, the legend on the second, the plot below; under the plot
# the tick labels, then the x axis's name. The y axis's name runs up the left edge.
WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 58, 12, 48, 44
TITLE_Y, LEGEND_Y = 16, 26
MAX_X_LABELS = 8
# Average width of a tick character at the ticks' 10 px font, with a gap between labels: what
# decides how many tick labels fit without running into each other.
TICK_CHAR_WIDTH, TICK_GAP = 6.2, 10

Number = int | float


def nice_max(value: Number) -> Number:
    """The axis top: 1, 2, 2.5 or 5 times a power of ten, at least ``value`` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            top = step * power
            return int(top) if float(top).is_integer() else top
    return 10 * power  # pragma: no cover


def count_max(value: Number) -> int:
    """The axis top for counts: four equal whole-number steps, so every tick is a count
    (0, 3, 6, 9, 12 rather than 0, 0.5, 1 ... or 0, 2.5, 5 ...)."""
    quarter = max(value, 1) / 4
    power = 10 ** math.floor(math.log10(quarter)) if quarter >= 1 else 1
    for multiple in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = multiple * power
        if step >= quarter and float(step).is_integer():
            return int(4 * step)
    return int(40 * power)  # pragma: no cover


def _fmt(value: Number) -> str:
    """Numbers as SVG wants them: short, with a dot."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _e(text) -> str:
    """Text for SVG content and attributes (labels, titles): escaped. Numbers need none."""
    return escape(str(text), quote=True)


def _frame(
    chart_id: str, title: str, desc: str, body: str, css: str, x_label: str = "", y_label: str = ""
) -> SafeString:
    """The SVG around ``body``: its accessible name, the visible title and the axes' names."""
    cid = _e(chart_id)
    x0, y0, w, h = _plot_box()
    names = f'<text class="sla-chart__title" x="{x0}" y="{TITLE_Y}">{_e(title)}</text>'
    if x_label:
        names += (
            f'<text class="sla-chart__axis-label" x="{_fmt(x0 + w / 2)}" y="{HEIGHT - 6}" '
            f'text-anchor="middle">{_e(x_label)}</text>'
        )
    if y_label:
        middle = _fmt(y0 + h / 2)
        names += (
            f'<text class="sla-chart__axis-label" x="12" y="{middle}" text-anchor="middle" '
            f'transform="rotate(-90 12 {middle})">{_e(y_label)}</text>'
        )
    return mark_safe(  # noqa: S308 -- every text in it went through _e(); the rest are numbers
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sla-chart {css}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'focusable="false"><title id="{cid}-title">{_e(title)}</title>'
        f'<desc id="{cid}-desc">{_e(desc)}</desc>{names}{body}</svg>'
    )


def _plot_box():
    return LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


def _y_axis(top: Number, suffix: str, bottom: Number = 0) -> str:
    """Five ticks, evenly spaced from ``bottom`` (the foot of the plot) to ``top``."""
    x0, y0, w, h = _plot_box()
    parts = []
    for i in range(5):
        y = _fmt(y0 + h - h * i / 4)
        parts.append(
            f'<line class="sla-chart__grid" x1="{x0}" y1="{y}" x2="{x0 + w}" y2="{y}"/>'
            f'<text class="sla-chart__tick" x="{x0 - 4}" y="{_fmt(float(y) + 3)}" '
            f'text-anchor="end">{_fmt(bottom + (top - bottom) * i / 4)}{_e(suffix)}</text>'
        )
    parts.append(
        f'<line class="sla-chart__axis" x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}"/>'
    )
    return "".join(parts)


def tick_every(labels: Sequence[str], most: int = MAX_X_LABELS, *, fit: bool = False) -> int:
    """Label every n-th slot: at most ``most`` labels and, with ``fit``, only as many as fit
    side by side at the ticks' font without touching."""
    every = max(1, math.ceil(len(labels) / max(1, most)))
    if fit and labels:
        slot = (WIDTH - LEFT - RIGHT) / len(labels)
        widest = max(len(label) for label in labels) * TICK_CHAR_WIDTH + TICK_GAP
        every = max(every, math.ceil(widest / slot))
    return every


def _x_labels(
    labels: Sequence[str], centres: Sequence[float], most: int = MAX_X_LABELS, fit: bool = False
) -> str:
    """At most ``most`` labels: every n-th one, starting with the first, when there are more."""
    _x0, y0, _w, h = _plot_box()
    every = tick_every(labels, most, fit=fit)
    return "".join(
        f'<text class="sla-chart__tick" x="{_fmt(x)}" y="{y0 + h + 14}" '
        f'text-anchor="middle">{_e(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, centres, strict=True))
        if i % every == 0
    )


def _legend(names: Sequence[str]) -> str:
    if len(names) < 2:
        return ""
    return "".join(
        f'<rect class="sla-chart__swatch sla-chart__series-{i}" x="{LEFT + i * 150}" '
        f'y="{LEGEND_Y}" width="10" height="10"/><text class="sla-chart__legend" '
        f'x="{LEFT + i * 150 + 14}" y="{LEGEND_Y + 9}">{_e(name)}</text>'
        for i, name in enumerate(names)
    )


def _markers(markers: Sequence[tuple[int, str]], centres: Sequence[float]) -> str:
    x0, y0, w, h = _plot_box()
    parts = []
    for index, label in markers:
        if not 0 <= index < len(centres):
            continue
        x = _fmt(centres[index])
        # A label to the right of a line in the right half would run off the chart (the
        # newest version is usually published near the end of the period): write it leftwards.
        if centres[index] > x0 + w / 2:
            label_x, anchor = centres[index] - 3, ' text-anchor="end"'
        else:
            label_x, anchor = centres[index] + 3, ""
        parts.append(
            f'<line class="sla-chart__marker" x1="{x}" y1="{y0}" x2="{x}" y2="{y0 + h}">'
            f"<title>{_e(label)}</title></line>"
            f'<text class="sla-chart__marker-label" x="{_fmt(label_x)}" '
            f'y="{y0 + 10}"{anchor}>{_e(label)}</text>'
        )
    return "".join(parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    y_max: Number | None = None,
    y_min: Number = 0,
    suffix: str = "",
    ticks: Sequence[str] | None = None,
    x_label: str = "",
    y_label: str = "",
    markers: Sequence[tuple[int, str]] = (),
) -> SafeString:
    """One polyline per series; a ``None`` value leaves a gap (a dot marks every point).

    ``markers`` are (slot index, label) pairs drawn as labelled dashed vertical lines: events
    the reader compares the figures before and after (a standard's version published).

    The y axis runs from ``y_min`` (0 unless given; NPS needs -100) to ``y_max``, or to a round
    number above the largest value; values outside are drawn at the nearest end. ``ticks`` are
    what the x axis shows for the slots (e.g. "6 Dec" for "2026-12-06"); with them, only as
    many are shown as fit without touching. ``x_label`` and ``y_label`` name the axes.
    """
    x0, y0, w, h = _plot_box()
    values = [v for _name, vs in series for v in vs if v is not None]
    top = y_max
    if top is None:  # y_min plus a round span; with y_min = 0, the nice top of the largest value
        top = y_min + nice_max(max(values, default=y_min) - y_min)
    if top <= y_min:
        raise ValueError(f"y_max ({top}) must lie above y_min ({y_min}).")
    span = top - y_min
    step = w / max(1, len(labels))
    centres = [x0 + step * (i + 0.5) for i in range(len(labels))]
    lines, dots = [], []
    for index, (_name, points) in enumerate(series):
        segment: list[str] = []
        segments = []
        for x, value in zip(centres, points, strict=True):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            y = _fmt(y0 + h - h * ((max(min(value, top), y_min) - y_min) / span))
            segment.append(f"{_fmt(x)},{y}")
            dots.append(
                f'<circle class="sla-chart__dot sla-chart__series-{index}" cx="{_fmt(x)}" '
                f'cy="{y}" r="2.5"/>'
            )
        if segment:
            segments.append(segment)
        lines.extend(
            f'<polyline class="sla-chart__line sla-chart__series-{index}" fill="none" '
            f'points="{" ".join(points_text)}"/>'
            for points_text in segments
            if len(points_text) > 1
        )
    body = (
        _y_axis(top, suffix, y_min)
        + _markers(markers, centres)
        + "".join(lines)
        + "".join(dots)
        + _x_labels(ticks or labels, centres, fit=ticks is not None)
        + _legend([n for n, _ in series])
    )
    return _frame(chart_id, title, desc, body, "sla-chart--line", x_label, y_label)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    histogram: bool = False,
    max_x_labels: int = MAX_X_LABELS,
    ticks: Sequence[str] | None = None,
    x_label: str = "",
    y_label: str = "",
) -> SafeString:
    """Grouped bars (one per series in each slot); ``histogram`` draws touching bins.

    Past ``max_x_labels`` slots only every n-th slot is labelled; short labels (scores) can
    afford more. ``ticks``, ``x_label`` and ``y_label`` as for :func:`line_chart`; a bar's
    tooltip names its slot by ``labels``.
    """
    x0, y0, w, h = _plot_box()
    top = count_max(max((v for _n, vs in series for v in vs), default=0))
    slot = w / max(1, len(labels))
    gap = 0 if histogram else slot * 0.2
    bar_w = (slot - gap) / max(1, len(series))
    width = _fmt(max(bar_w - (1 if histogram else 0), 0.5))
    parts = []
    for s_index, (_name, values) in enumerate(series):
        for i, value in enumerate(values):
            bar_h = h * value / top
            x = x0 + slot * i + gap / 2 + bar_w * s_index
            parts.append(
                f'<rect class="sla-chart__bar sla-chart__series-{s_index}" x="{_fmt(x)}" '
                f'y="{_fmt(y0 + h - bar_h)}" width="{width}" height="{_fmt(bar_h)}">'
                f"<title>{_e(labels[i])}: {_fmt(value)}</title></rect>"
            )
    centres = [x0 + slot * (i + 0.5) for i in range(len(labels))]
    body = (
        _y_axis(top, "")
        + "".join(parts)
        + _x_labels(ticks or labels, centres, max_x_labels, fit=ticks is not None)
        + _legend([n for n, _ in series])
    )
    css = "sla-chart--histogram" if histogram else "sla-chart--bars"
    return _frame(chart_id, title, desc, body, css, x_label, y_label)
