"""One progress bar over the matrix (runs done / total, failures, ETA, the slowest strategy so far),
per-run lines with `--verbose`, and the closing summary of where the time went."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable


def run_line(outcome: dict, number: int, total: int) -> str:
    """One run, as `bench compare` has always printed it."""
    head = f"[{number}/{total}] {outcome['strategy']} seed {outcome['seed']}"
    if outcome["status"] != "complete":
        return f"{head}: failed ({outcome['error'] or outcome['status']})"
    best = "none" if outcome["best_accuracy"] is None else f"{outcome['best_accuracy']:.4f}"
    return f"{head}: best {best}, {outcome['compute_epochs']} epochs, {outcome['wall_s']:.1f} s wall"


class MatrixProgress:
    """Counts finished runs and the seconds each strategy took.

    Args:
        total: runs to execute (skipped ones excluded).
        verbose: print one line per run (through the bar, so they do not tear it).
        log: where lines go (stdout by default).
        bar: show the tqdm bar on stderr (off when stderr is not a terminal, unless forced).
    """

    def __init__(self, total: int, verbose: bool, log: Callable[[str], None] = print,
                 bar: bool | None = None) -> None:
        self.total, self.verbose, self.log = total, verbose, log
        self.done = self.failed = 0
        self.seconds: dict[str, float] = defaultdict(float)
        self.failures: list[dict] = []
        show = sys.stderr.isatty() if bar is None else bar
        self._bar = None
        if show and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="run", desc="matrix", file=sys.stderr, dynamic_ncols=True)

    def update(self, outcome: dict) -> None:
        self.done += 1
        self.seconds[outcome["strategy"]] += outcome["wall_s"] or 0.0
        if outcome["status"] != "complete":
            self.failed += 1
            self.failures.append(outcome)
        line = run_line(outcome, self.done, self.total)
        if self.verbose:
            self._write(line)
        if self._bar is not None:
            slowest = max(self.seconds, key=self.seconds.get)  # type: ignore[arg-type]  # get of its own keys
            self._bar.set_postfix_str(f"failed {self.failed}, slowest {slowest} "
                                      f"{self.seconds[slowest]:.0f} s",
                                      refresh=False)
            self._bar.update(1)

    def _write(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=sys.stdout)
        else:
            self.log(line)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def time_by_strategy(self) -> str:
        """`bohb 120.3 s (46%), ...`: run seconds per strategy, largest first."""
        total = sum(self.seconds.values()) or 1.0
        return ", ".join(f"{name} {s:.1f} s ({100 * s / total:.0f}%)"
                         for name, s in sorted(self.seconds.items(), key=lambda item: -item[1]))
