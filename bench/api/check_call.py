"""`bench.check`: whether a dataset's replay can be trusted, and at which targets (`bench check`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from bench.api.run_request import path_value
from bench.errors import BenchError, option

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from bench.surrogate import DatasetCheck


def check(dataset: str | Path, *, workload: str | None = None, models: Sequence[str] | None = None,
          folds: int = 5, inner_folds: int = 3, seed: int = 0, floor: float | None = None,
          log: Callable[[str], None] | None = None) -> DatasetCheck:
    """Choose and cross-validate the surrogate of `dataset`, write its fidelity.json, and say where
    its replay can be trusted.

    Args:
        dataset: a dataset folder (`bench record`'s output, or a table name from `bench tables`).
        workload: the dataset's workload (default: the one its table.json names).
        models: the candidate surrogates (default: all of bench.surrogate.CANDIDATES).
        folds, inner_folds: outer folds (reported) and inner folds (choose the model), at least 2.
        seed: shuffles configurations into folds.
        floor: the competitive region's floor (default: 5 points below the ladder's lowest target).
        log: called with a line after each fit.

    Returns:
        the DatasetCheck: `record` (what fidelity.json holds: the chosen model, every figure, the
        verdict per target), `text` (the tables) and `verdict` (one line per target).
    """
    import workloads
    from bench.store.dataset import is_dataset
    from bench.store.results import atomic_write_bytes
    from bench.store.tables import META, resolve_table
    from bench.surrogate import CANDIDATES, CHECK_FILE, check_dataset

    path = path_value("dataset", dataset)
    if path.is_dir() and not (path / META).exists():
        raise BenchError(f"{path}: not a dataset (no {META}); accepted: the folder `bench record` wrote, "
                         "or a name from `bench tables`")
    given = workload
    if workload is None:
        try:
            workload = json.loads((path / META).read_text())["workload"]["name"] if path.is_dir() else None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BenchError(f"{path / META}: not readable ({exc}); the dataset is damaged") from None
    try:
        workload_object = workloads.get(workload or "digits")
    except BenchError:
        if given is not None or workload is None:
            raise
        raise BenchError(f"{path} is a dataset of workload {workload!r}, which is not known here; accepted: "
                         f"{option('workload')} with a name from `bench list` or module:attribute") from None
    for name, value in (("folds", folds), ("inner_folds", inner_folds)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise BenchError(f"{option(name)} takes 2 or more, not {value!r}")
    unknown = [m for m in (models or ()) if m not in CANDIDATES]
    if unknown or (models is not None and not models):
        raise BenchError(f"{option('models')}: unknown {', '.join(unknown) or 'empty list'}; accepted: "
                         f"{', '.join(CANDIDATES)}")
    if floor is not None and not 0.0 < floor < 1.0:
        raise BenchError(f"{option('floor')} is a validation accuracy in (0, 1), not {floor}")
    table = resolve_table(str(path), workload_object.name)
    if not is_dataset(table):
        raise BenchError(f"{table.path}: a grid table, not a dataset (no sample of the space beyond the "
                         f"grid); record one with `python -m bench record --workload {workload_object.name}`")
    result = check_dataset(table, workload_object, models=models, folds=folds, inner_folds=inner_folds,
                           seed=seed, floor=floor, progress=log)
    atomic_write_bytes(Path(table.path) / CHECK_FILE, (json.dumps(result.record, indent=1) + "\n").encode())
    return result
