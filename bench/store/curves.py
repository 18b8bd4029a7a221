"""A table's recorded curves for one repeat, laid out for fast lookup by configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bench.errors import BenchError

if TYPE_CHECKING:
    from bench.store.dataset import CostModel
    from bench.store.tables import Table
    from bench.surrogate._surrogate import Surrogate
    from workloads.space import SearchSpace

#: Per-epoch values a replayed result carries, in this order.
FIELDS = ("val_accuracy", "val_loss", "train_loss", "epoch_compute_s", "train_flops", "diverged")


def repeat_for_seed(seed: int, repeats: int) -> int:
    """The recorded repeat (training seed) a run with this root seed replays."""
    return seed % repeats


class CurveBook:
    """Every grid point's curve (a tuple of per-epoch FIELDS tuples) for one repeat of a table.

    Args:
        table: a loaded bench.store.tables.Table.
        space: the workload's SearchSpace (the table's grid).
        repeat: which recorded repeat to use.
    """

    def __init__(self, table: Table, space: SearchSpace, repeat: int) -> None:
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
        rows = list(zip(*(c.tolist() for c in columns), strict=False))
        self.curves: dict[int, tuple] = {
            int(grid_index[s]): tuple(rows[s:e]) for s, e in zip(starts, ends, strict=False)
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


    @property
    def mapping(self) -> str:
        """How a sampled configuration becomes a curve, for the run's manifest."""
        return ("each sampled configuration trains as its nearest grid point, "
                f"dimension by dimension (log scale for log ranges), recorded repeat {self.repeat}")


class ModelBook:
    """Curves for any configuration of a dataset's space, for one training seed.

    Recorded configurations (every grid point and the space sample) replay their recorded curve
    of that seed exactly; any other (configuration, seed) gets the dataset's surrogate curve
    (bench.surrogate): a seed-mean curve plus noise keyed by the seed and the configuration. Every epoch costs
    the dataset's cost model's seconds for its batch size and width, the unit live runs are charged in too.

    Args:
        surrogate: a bench.surrogate.Surrogate of the dataset.
        cost: the dataset's bench.store.dataset.CostModel.
        space: the workload's SearchSpace.
        seed: the training seed every trial of the run trains with (as a live run's trials do).
    """

    def __init__(self, surrogate: Surrogate, cost: CostModel, space: SearchSpace, seed: int) -> None:
        self.surrogate = surrogate
        self.cost = cost
        self.space = space
        self.seed = seed
        self._curves: dict[tuple, tuple] = {}

    def curve_for(self, config: Mapping) -> tuple:
        hyperparameters = self.space.normalise(config)
        key = tuple(hyperparameters.values())
        curve = self._curves.get(key)
        if curve is None:
            predicted = self.surrogate.curve(hyperparameters, self.seed)
            seconds, flops = self.cost.epoch_cost_s(hyperparameters), self.cost.epoch_flops(hyperparameters)
            curve = self._curves[key] = tuple(
                (accuracy, val_loss, train_loss, seconds, flops, diverged)
                for accuracy, val_loss, train_loss, diverged in zip(
                    predicted.val_accuracy.tolist(), predicted.val_loss.tolist(),
                    predicted.train_loss.tolist(), predicted.diverged.tolist(), strict=False)
            )
        return curve

    @property
    def mapping(self) -> str:
        return ("recorded configurations replay their recorded curve of training seed "
                f"{self.seed} where it was recorded; any other configuration or seed gets the dataset "
                f"surrogate's ({self.surrogate.model_name}) seed-mean curve plus seed noise keyed by (seed "
                f"{self.seed}, configuration); every epoch costs the dataset's cost model")


_BOOKS: dict[tuple, CurveBook | ModelBook] = {}


def curve_book(table: Table, space: SearchSpace, seed: int) -> CurveBook | ModelBook:
    """The curves a run with root seed `seed` replays, cached (a matrix replays the same table often).

    A dataset (a table with a space sample) replays its surrogate; a grid-only table replays the
    nearest grid point's curve of repeat `seed % repeats`.
    """
    from bench.store.dataset import cache_dir, dataset_model, is_dataset, table_cost_model

    model = None
    if is_dataset(table):
        # a bad $BENCH_CACHE_DIR is refused on every replay, not only when the surrogate is fitted
        cache_dir()
        model = dataset_model(table)  # a `bench check` since the last replay may have chosen another
    key = (str(table.path), table.meta.get("curves_sha256"), seed, model)
    book = _BOOKS.get(key)
    if book is None:
        if len(_BOOKS) >= 8:
            _BOOKS.clear()
        cost = table_cost_model(table) if is_dataset(table) else None
        if cost is not None and model is not None:  # a dataset (it has a model) with a cost model
            book = ModelBook(_surrogate(table, space, model), cost, space, seed)
        else:  # a grid table, or a dataset without a cost model (a workload without its cost axes)
            book = CurveBook(table, space, repeat_for_seed(seed, int(table.meta["repeats"])))
        _BOOKS[key] = book
    return book


_SURROGATES: dict[tuple, Surrogate] = {}


def _surrogate(table: Table, space: SearchSpace, model: str) -> Surrogate:
    """One surrogate per dataset, model and process (loading one takes about a second).

    `model`: the dataset's model (bench.store.dataset.dataset_model), read once per replayed run.
    """
    from bench.store.dataset import dataset_surrogate

    key = (str(table.path), table.meta.get("curves_sha256"), model)
    if key not in _SURROGATES:
        _SURROGATES[key] = dataset_surrogate(table, space, model)
    return _SURROGATES[key]
