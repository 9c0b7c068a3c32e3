"""The reach chart: per target a horizontal bar of members who read the announcement and
members who have not (yet), stacked; where the platform lists no members only the readers.

Matplotlib's object API on the Agg canvas (no pyplot state). ``commands.charts`` draws
single-series bars; this one needs two stacked series.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

_READ, _UNREAD = "#39870c", "#b4b4b4"  # Rijkshuisstijl green, a neutral grey


@dataclass(frozen=True)
class Bar:
    label: str
    acknowledged: int
    members: int | None  # None: the platform gives no member list
    failed: bool = False


def reach_png(bars: Sequence[Bar], *, title: str, labels: tuple[str, str, str]) -> bytes:
    """``labels``: (read, not read, failed suffix)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6.4, max(2.0, 0.5 * len(bars) + 1.2)), dpi=100)
    FigureCanvasAgg(figure)
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
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
