"""Charts drawn on the server as inline SVG, so that reading needs no JavaScript.

Each function returns markup that is safe to insert into a template
(:class:`markupsafe.Markup`); every label is escaped. A chart carries
``role="img"`` and a ``<title>`` for screen readers, and the page shows the
same figures as text or a table next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

RISK = "#b3261e"  # raises the risk
SAFE = "#1f6f43"  # lowers the risk
INK = "#1d2733"
MUTED = "#5b6673"
ACCENT = "#1f5fa8"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value and the text shown at its end."""

    label: str
    value: float
    text: str


def _shorten(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with an ellipsis (full text: title)."""
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _fmt_default(value: float) -> str:
    return f"{value:.2f}"


def hbar_chart(
    bars: Sequence[Bar],
    title: str,
    *,
    width: int = 560,
    row_height: int = 26,
    label_width: int | None = None,
) -> Markup:
    """Horizontal bars around a zero line; positive values right (risk, red).

    Negative values, where present, extend to the left in green. The label
    column is as wide as the longest label needs (about 7 px a character at
    13 px), at most 55 % of the chart.
    """
    if not bars:
        return Markup("")
    if label_width is None:
        longest = max(len(b.label) for b in bars)
        label_width = min(int(longest * 7.2) + 14, int(width * 0.55))
    value_room = max(int(max(len(b.text) for b in bars) * 6.6) + 12, 50)
    fits = max(int((label_width - 14) / 7.2), 8)
    top = 8
    height = top + row_height * len(bars) + 8
    extent = max(abs(b.value) for b in bars) or 1.0
    has_negative = any(b.value < 0 for b in bars)
    plot_left = label_width
    plot_width = max(width - label_width - value_room, 60)
    zero = plot_left + (plot_width / 2 if has_negative else 0)
    scale = (plot_width / 2 if has_negative else plot_width) / extent
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = top + i * row_height
        length = abs(bar.value) * scale
        x = zero if bar.value >= 0 else zero - length
        colour = RISK if bar.value >= 0 else SAFE
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row_height * 0.65:.1f}" '
            f'text-anchor="end" font-size="13" fill="{INK}">'
            f"<title>{escape(bar.label)}</title>"
            f"{escape(_shorten(bar.label, fits))}</text>"
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 4}" width="{max(length, 1):.1f}" '
            f'height="{row_height - 8}" fill="{colour}" rx="2"/>'
        )
        text_x = (x + length + 6) if bar.value >= 0 else (x - 6)
        anchor = "start" if bar.value >= 0 else "end"
        parts.append(
            f'<text x="{text_x:.1f}" y="{y + row_height * 0.65:.1f}" '
            f'text-anchor="{anchor}" font-size="12" fill="{MUTED}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append(
        f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{height - 8}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    title: str,
    *,
    width: int = 640,
    height: int = 200,
    fmt: Callable[[float], str] = _fmt_default,
    label_every: int = 1,
) -> Markup:
    """Vertical columns per label; several series side by side.

    ``series`` holds ``(name, values, colour)``; values align with ``labels``.
    """
    if not labels or not series:
        return Markup("")
    left, bottom, top, right = 44, 36, 10, 8
    plot_w = width - left - right
    plot_h = height - top - bottom
    peak = max((max(values, default=0.0) for _, values, _ in series), default=0.0)
    peak = peak if peak > 0 else 1.0
    slot = plot_w / len(labels)
    bar_w = max(slot * 0.8 / len(series), 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
        f'y2="{top + plot_h}" stroke="{MUTED}"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="11" '
        f'fill="{MUTED}">{escape(fmt(peak))}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11" '
        f'fill="{MUTED}">{escape(fmt(0.0))}</text>',
    ]
    for i, label in enumerate(labels):
        x0 = left + i * slot + slot * 0.1
        for j, (name, values, colour) in enumerate(series):
            value = values[i] if i < len(values) else 0.0
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)} · {escape(name)}: {escape(fmt(value))}"
                "</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - bottom + 16}"'
                f' text-anchor="middle" font-size="11" fill="{MUTED}">'
                f"{escape(label)}</text>"
            )
    legend_x = left
    for name, _, colour in series:
        parts.append(
            f'<rect x="{legend_x}" y="{height - 12}" width="10" height="10" '
            f'fill="{colour}"/><text x="{legend_x + 14}" y="{height - 3}" '
            f'font-size="11" fill="{INK}">{escape(name)}</text>'
        )
        legend_x += 14 + 8 * len(name) + 16
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = [
    "ACCENT",
    "INK",
    "MUTED",
    "RISK",
    "SAFE",
    "Bar",
    "column_chart",
    "hbar_chart",
]
