"""A fitted surrogate cached on disk, keyed by the checksum of the data it was fitted on."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError
from bench.surrogate._candidates import DEFAULT_MODEL
from bench.surrogate._surrogate import Surrogate, fit_surrogate

if TYPE_CHECKING:
    import pandas as pd

    from workloads.space import SearchSpace

#: Bumped whenever a change to the surrogate's code changes what a fit produces.
SURROGATE_VERSION = "3"  # 2: fitted with one BLAS thread; 3: keyed seed noise, calibrated accuracy


def cache_path(cache_dir: Path, checksum: str, model: str = DEFAULT_MODEL) -> Path:
    """Where the surrogate `model` fitted on data with this checksum by this code version is cached.

    Another model or surrogate version is another file, so an upgrade refits instead of refusing.
    """
    return Path(cache_dir) / f"surrogate-{checksum[:16]}-{model}-v{SURROGATE_VERSION}.pkl"


def load_surrogate(frame: pd.DataFrame, checksum: str, cache_dir: Path, space: SearchSpace | None = None,
                   model: str = DEFAULT_MODEL) -> Surrogate:
    """The surrogate for `frame`, from the cache, or fitted and cached (written atomically) on a miss.

    Args:
        frame: the dataset frame; checksum: its checksum (names the cache file).
        cache_dir: the cache folder; space, model: as for fit_surrogate.
    """
    path = cache_path(cache_dir, checksum, model)
    if path.exists():
        return _read(path, checksum, model)
    surrogate = fit_surrogate(frame, space, model)
    record = {"version": SURROGATE_VERSION, "checksum": checksum, "model": model, "surrogate": surrogate}
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return surrogate


def _read(path: Path, checksum: str, model: str) -> Surrogate:
    try:
        with open(path, "rb") as handle:
            record = pickle.load(handle)
        fitted = (record["version"], record["checksum"], record["model"])
        surrogate = record["surrogate"]
    except Exception as error:
        raise BenchError(f"{path}: damaged surrogate cache ({type(error).__name__}); "
                         "delete it to refit") from None
    expected = (SURROGATE_VERSION, checksum, model)
    if fitted != expected:
        raise BenchError(f"{path}: fitted by surrogate version {fitted[0]} model "
                         f"{fitted[2]} on data {fitted[1]}, expected version {expected[0]} model "
                         f"{expected[2]} on data {expected[1]}; delete it to refit")
    return surrogate
