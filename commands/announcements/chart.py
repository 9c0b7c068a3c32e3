"""The reach chart: grouped PNG bars per target (matplotlib's object API on the Agg backend,
no pyplot state). ``commands.charts`` has single-series bars only; this needs three series."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    delivered: int
    acknowledged: int
    members: int | None


def reach_png(bars: Sequence[Bar], *, title: str, labels: tuple[str, str, str]) -> bytes:
    """Grouped bars per target: delivered copies, acknowledgements, members (where known)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure  # the OO API: no global pyplot state
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(max(4.0, 1.6 * len(bars) + 2), 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.27
    xs = range(len(bars))
    axes.bar([x - width for x in xs], [b.delivered for b in bars], width, label=labels[0])
    axes.bar(list(xs), [b.acknowledged for b in bars], width, label=labels[1])
    axes.bar([x + width for x in xs], [b.members or 0 for b in bars], width, label=labels[2])
    axes.set_xticks(list(xs), [b.label[:24] for b in bars], rotation=20, ha="right", fontsize=8)
    axes.set_title(title[:60])
    axes.legend(fontsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
