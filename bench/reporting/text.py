"""The budget chart as text bars for the terminal."""

from __future__ import annotations

from bench.reporting.plotdata import Bar

#: Characters a bar of 100 (the grid) spans.
BAR_WIDTH_100 = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(value: float, scale: float, limit: int) -> str:
    eighths = int(round(value * scale * 8))
    full, part = divmod(eighths, 8)
    if full >= limit:
        return "█" * limit + "»"
    return "█" * full + (_EIGHTHS[part] if part else "")


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def text_bars(bars: list[Bar], unit: str) -> str:
    """One line per strategy: a bar, the median with its 95% interval, and the hit rate."""
    scale = BAR_WIDTH_100 / 100.0
    limit = 2 * BAR_WIDTH_100
    name_width = max([len(b.strategy) for b in bars] + [8])
    lines = ["compute-to-target, grid = 100; median [95% interval], seeds that hit"]
    for bar in bars:
        if bar.by_definition:
            figures = "100 by definition"
        elif bar.median is None:
            figures = f"not reached  hit {bar.hits}/{bar.seeds}"
        else:
            figures = (f"{_figure(bar.median)} [{_figure(bar.low)}, "
                       f"{_figure(bar.high) if bar.high is not None else 'not reached'}]  hit "
                       f"{bar.hits}/{bar.seeds}")
        drawn = "·" * limit if bar.median is None else _bar(bar.median, scale, limit)
        lines.append(f"{bar.strategy:<{name_width}}  {drawn:<{limit + 1}}  {figures}")
    return "\n".join(lines)
