"""PNG charts for chat (pulse trends, distributions; announcements reach reports).

Matplotlib's object API with the Agg canvas: no pyplot, so no global figure state and no GUI
backend; each call builds and drops its own Figure. Rendering takes tens of milliseconds of
CPU, so async callers use ``render_trend``, which runs it in a worker thread.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, Unpack

if TYPE_CHECKING:  # matplotlib takes 0.5-2 s to import: loaded by the first chart, not at start-up
    from matplotlib.figure import Figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOURS = ("#01689b", "#e17000", "#39870c", "#a90061", "#673327", "#8fcae7")  # Rijkshuisstijl


@dataclass(frozen=True)
class Line:
    """One line of a trend chart; ``None`` values leave a gap (a hidden round)."""

    label: str
    values: Sequence[float | None]


def _figure(width: float, height: float, dpi: float | None = None) -> Figure:
    """A new Figure; matplotlib is imported here, on first use (see the import above)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi)


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


class TrendOptions(TypedDict, total=False):
    """The keyword options of ``trend_figure``, which the PNG and async wrappers pass on."""

    title: str
    y_range: tuple[float, float] | None
    y_label: str
    x_label: str


def trend_png(x_labels: Sequence[str], lines: Sequence[Line],
              **options: Unpack[TrendOptions]) -> bytes:
    """A line per series over the rounds in ``x_labels``, as PNG."""
    return _png(trend_figure(x_labels, lines, **options))


def trend_figure(
    x_labels: Sequence[str],
    lines: Sequence[Line],
    *,
    title: str = "",
    y_range: tuple[float, float] | None = None,
    y_label: str = "",
    x_label: str = "",
) -> Figure:
    """The trend chart; every line is named in the legend (one line too: a chart read on its
    own must say which question it shows)."""
    figure = _figure(6.4, 3.6)
    axes = figure.add_subplot()
    positions = list(range(len(x_labels)))
    for i, line in enumerate(lines):
        values = [float("nan") if v is None else v for v in line.values]
        axes.plot(positions, values, marker="o", label=line.label, color=_COLOURS[i % len(_COLOURS)])
    axes.set_xticks(positions, list(x_labels))
    if y_range is not None:
        axes.set_ylim(*y_range)
    if y_label:
        axes.set_ylabel(y_label)
    if x_label:
        axes.set_xlabel(x_label)
    if title:
        axes.set_title(title)
    axes.grid(True, alpha=0.3)
    if lines:
        axes.legend(fontsize="small", loc="best")
    return figure


def bars_png(counts: Mapping[str, float], *, title: str = "", horizontal: bool = True) -> bytes:
    """A bar per label (a distribution, a delivery report)."""
    figure = _figure(6.4, max(2.0, 0.45 * len(counts) + 1.0))
    axes = figure.add_subplot()
    labels, values = list(counts), list(counts.values())
    if horizontal:
        axes.barh(labels[::-1], values[::-1], color=_COLOURS[0])
    else:
        axes.bar(labels, values, color=_COLOURS[0])
    if title:
        axes.set_title(title)
    axes.grid(True, axis="x" if horizontal else "y", alpha=0.3)
    return _png(figure)


async def render_trend(x_labels: Sequence[str], lines: Sequence[Line],
                       **options: Unpack[TrendOptions]) -> bytes:
    return await asyncio.to_thread(trend_png, x_labels, lines, **options)


# -- the reach chart of an announcement: two stacked series per target ---------------------
_READ, _UNREAD = "#39870c", "#b4b4b4"  # Rijkshuisstijl green, a neutral grey


@dataclass(frozen=True)
class Bar:
    """One target of a reach chart: who read it of how many members."""

    label: str
    acknowledged: int
    members: int | None  # None: the platform gives no member list
    failed: bool = False


def reach_png(bars: Sequence[Bar], *, title: str, labels: tuple[str, str, str]) -> bytes:
    """Per target a horizontal bar of members who read it and members who have not (yet),
    stacked; where the platform lists no members, only the readers. ``labels``: (read, not
    read, failed suffix)."""
    from matplotlib.ticker import MaxNLocator

    figure = _figure(6.4, max(2.0, 0.5 * len(bars) + 1.2), dpi=100)
    axes = figure.add_subplot()
    names = [b.label[:32] + (f" ({labels[2]})" if b.failed else "") for b in bars][::-1]
    read = [b.acknowledged for b in bars][::-1]
    unread = [max(0, (b.members or 0) - b.acknowledged) for b in bars][::-1]
    axes.barh(names, read, color=_READ, label=labels[0])
    axes.barh(names, unread, left=read, color=_UNREAD, label=labels[1])
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title[:60])
    axes.legend(fontsize="small", loc="lower right")
    axes.grid(True, axis="x", alpha=0.3)
    return _png(figure)
