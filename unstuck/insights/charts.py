"""Server-rendered, accessible SVG charts (no JavaScript, no CDN).

Every chart has a <title> and a <desc> that say what it shows in words, is marked
role="img" and labelled by them, and sits next to a table with the same numbers
(the table is the accessible and printable fallback).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)
COLORS = ["#0b5cad", "#c2410c", "#15803d", "#7c3aed", "#b91c1c"]
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 240, 56, 16, 16, 40


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}".rstrip("0").rstrip(".")


def _frame(title: str, desc: str, body: str, height: int = H) -> SafeString:
    n = next(_ids)
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {W} {height}" role="img" aria-labelledby="ct{n} cd{n}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        f'<title id="ct{n}">{escape(title)}</title><desc id="cd{n}">{escape(desc)}</desc>{body}</svg>'
    )


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "",
) -> SafeString:
    values = [v for _, vs in series for v in vs if v is not None]
    if not labels or not values:
        return _frame(
            title,
            "No data in this period.",
            '<text x="20" y="40">No data in this period.</text>',
            60,
        )
    top = max(values) * 1.1 or 1
    y = _scale(0, top, H - PAD_B, PAD_T)
    x = _scale(0, max(len(labels) - 1, 1), PAD_L, W - PAD_R)
    parts = [
        f'<line x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}" stroke="#999"/>'
    ]
    for tick in (0, top / 2, top):
        parts.append(
            f'<text x="{PAD_L - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{_fmt(tick)}</text>"
        )
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{H - PAD_B + 16}" text-anchor="middle" font-size="11">'
                f"{escape(label)}</text>"
            )
    legend = []
    for si, (name, vs) in enumerate(series):
        color = COLORS[si % len(COLORS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs) if v is not None)
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}"/>')
        for i, v in enumerate(vs):
            if v is not None:
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                    f"<title>{escape(name)} {escape(labels[i])}: {_fmt(v)}{escape(unit)}</title></circle>"
                )
        legend.append(
            f'<rect x="{PAD_L + si * 160}" y="{H - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{PAD_L + si * 160 + 14}" y="{H - 5}" font-size="11">{escape(name)}</text>'
        )
    desc = "; ".join(
        f"{name}: from {_fmt(first)} in the week of {labels[0]} to {_fmt(last)} in the week of {labels[-1]}"
        for name, vs in series
        for first, last in [
            ([v for v in vs if v is not None] or [0])[0:1]
            + ([v for v in vs if v is not None] or [0])[-1:]
        ]
    )
    return _frame(title, f"Weekly trend. {desc}.", "".join(parts + legend))


def bar_chart(title: str, rows: Sequence[tuple[str, float]], unit: str = "") -> SafeString:
    rows = [(label, float(v or 0)) for label, v in rows]
    if not rows:
        return _frame(
            title,
            "No data in this period.",
            '<text x="20" y="40">No data in this period.</text>',
            60,
        )
    bar_h, gap, label_w = 18, 6, 230
    height = PAD_T + len(rows) * (bar_h + gap) + 10
    top = max(v for _, v in rows) or 1
    x = _scale(0, top, label_w, W - 70)
    parts = []
    for i, (label, v) in enumerate(rows):
        y0 = PAD_T + i * (bar_h + gap)
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y0 + 13}" text-anchor="end" font-size="11">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y0}" width="{max(x(v) - label_w, 1):.1f}" height="{bar_h}" '
            f'fill="{COLORS[0]}"><title>{escape(label)}: {_fmt(v)}{escape(unit)}</title></rect>'
            f'<text x="{x(v) + 4:.1f}" y="{y0 + 13}" font-size="11">{_fmt(v)}{escape(unit)}</text>'
        )
    desc = "; ".join(f"{label}: {_fmt(v)}{unit}" for label, v in rows[:10])
    return _frame(title, f"Bars, largest first. {desc}.", "".join(parts), height)


def interval_chart(
    title: str,
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    unit: str = " s",
    zero_line: bool = False,
) -> SafeString:
    """Estimates with 95% interval whiskers, one row each (e.g. pilot/control × before/after)."""
    usable = [r for r in rows if r[1] is not None]
    if not usable:
        return _frame(
            title,
            "Not enough data for intervals yet.",
            '<text x="20" y="40">Not enough data for intervals yet.</text>',
            60,
        )
    lows: list[float] = [float(r[2] if r[2] is not None else r[1] or 0) for r in usable]
    highs: list[float] = [float(r[3] if r[3] is not None else r[1] or 0) for r in usable]
    lo, hi = min(lows + ([0.0] if zero_line else [])), max(highs + ([0.0] if zero_line else []))
    pad = (hi - lo) * 0.1 or 1
    label_w, row_h = 200, 30
    height = PAD_T + len(rows) * row_h + 30
    x = _scale(lo - pad, hi + pad, label_w, W - 60)
    parts = []
    if zero_line:
        parts.append(
            f'<line x1="{x(0):.1f}" y1="{PAD_T - 4}" x2="{x(0):.1f}" y2="{height - 26}" stroke="#999" '
            f'stroke-dasharray="4 3"/><text x="{x(0):.1f}" y="{height - 12}" font-size="11" '
            f'text-anchor="middle">no change</text>'
        )
    described = []
    for i, (label, est, low, high) in enumerate(rows):
        yc = PAD_T + i * row_h + 12
        parts.append(
            f'<text x="{label_w - 8}" y="{yc + 4}" text-anchor="end" font-size="12">{escape(label)}</text>'
        )
        if est is None:
            parts.append(f'<text x="{label_w}" y="{yc + 4}" font-size="11">too few data</text>')
            described.append(f"{label}: too few data")
            continue
        color = COLORS[i % 2] if not zero_line else COLORS[2]
        if low is not None and high is not None:
            parts.append(
                f'<line x1="{x(low):.1f}" y1="{yc}" x2="{x(high):.1f}" y2="{yc}" stroke="{color}" '
                f'stroke-width="2"/><line x1="{x(low):.1f}" y1="{yc - 6}" x2="{x(low):.1f}" y2="{yc + 6}" '
                f'stroke="{color}"/><line x1="{x(high):.1f}" y1="{yc - 6}" x2="{x(high):.1f}" '
                f'y2="{yc + 6}" stroke="{color}"/>'
            )
            described.append(
                f"{label}: {_fmt(est)}{unit} (95% interval {_fmt(low)} to {_fmt(high)})"
            )
        else:
            described.append(f"{label}: {_fmt(est)}{unit}")
        parts.append(
            f'<circle cx="{x(est):.1f}" cy="{yc}" r="5" fill="{color}"><title>{escape(described[-1])}'
            f'</title></circle><text x="{x(est):.1f}" y="{yc - 8}" font-size="11" text-anchor="middle">'
            f"{_fmt(est)}{escape(unit)}</text>"
        )
    return _frame(
        title,
        "Dots are estimates, whiskers their 95% bootstrap intervals. " + "; ".join(described) + ".",
        "".join(parts),
        height,
    )
