"""A table's recorded curves for one repeat, laid out for fast lookup by configuration."""

from __future__ import annotations

from typing import Mapping

from bench.errors import BenchError

#: Per-epoch values a replayed result carries, in this order.
FIELDS = ("val_accuracy", "val_loss", "train_loss", "epoch_compute_s", "train_flops", "diverged")


def repeat_for_seed(seed: int, repeats: int) -> int:
    """The recorded repeat (training seed) a run with this root seed replays."""
    return seed % repeats


class CurveBook:
    """Every grid point's curve (a tuple of per-epoch FIELDS tuples) for one repeat of a table.

    Args:
        table: a loaded bench.tables.Table.
        space: the workload's SearchSpace (the table's grid).
        repeat: which recorded repeat to use.
    """

    def __init__(self, table, space, repeat: int) -> None:
        import numpy as np

        curves = table.curves
        repeats = int(table.meta["repeats"])
        if not 0 <= repeat < repeats:
            raise BenchError(f"{table.path}: repeat {repeat} is not recorded; the table has {repeats}")
        picked = curves[curves["repeat"] == repeat]
        columns = [picked[name].to_numpy() for name in FIELDS]
        columns[-1] = columns[-1].astype(bool)
        grid_index = picked["grid_index"].to_numpy()
        bounds = np.flatnonzero(np.diff(grid_index)) + 1
        starts = [0, *bounds.tolist()]
        ends = [*bounds.tolist(), len(grid_index)]
        rows = list(zip(*(c.tolist() for c in columns)))
        self.curves: dict[int, tuple] = {
            int(grid_index[s]): tuple(rows[s:e]) for s, e in zip(starts, ends)
        }
        self.space = space
        self.repeat = repeat
        # Per dimension: its grid values with their scaled positions, and the stride of its
        # position in grid_points()'s order (the last dimension varies fastest).
        self._dimensions = []
        stride = 1
        for hp in reversed(space.hyperparameters):
            grid = [(hp.scaled(g), g, position) for position, g in enumerate(hp.grid)]
            self._dimensions.append((hp.name, hp, grid, stride))
            stride *= len(hp.grid)

    def grid_index(self, config: Mapping) -> int:
        """The grid point nearest to `config`, dimension by dimension on each dimension's scale.

        The same choice as `SearchSpace.nearest_grid_point` (ties go to the smaller grid value),
        with the grid's scaled values computed once.
        """
        index = 0
        for name, hp, grid, stride in self._dimensions:
            target = hp.scaled(min(max(float(config[name]), hp.low), hp.high))
            best = None
            for scaled, value, position in grid:
                key = (abs(scaled - target), value)
                if best is None or key < best:
                    best, chosen = key, position
            index += stride * chosen
        return index

    def curve_for(self, config: Mapping) -> tuple:
        return self.curves[self.grid_index(config)]


_BOOKS: dict[tuple, CurveBook] = {}


def curve_book(table, space, repeat: int) -> CurveBook:
    """A cached CurveBook (building one takes milliseconds; a matrix replays the same table often)."""
    key = (str(table.path), table.meta.get("curves_sha256"), repeat)
    book = _BOOKS.get(key)
    if book is None:
        if len(_BOOKS) >= 8:
            _BOOKS.clear()
        book = _BOOKS[key] = CurveBook(table, space, repeat)
    return book
