"""The models a surrogate can use, by name, and the one cross-validation chose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.errors import BenchError
from bench.surrogate._models import ExtraTrees, NearestNeighbours
from bench.surrogate._smooth import GaussianProcess, NeuralNet

#: Name -> factory of an unfitted model. Cross-validation compares all of them.
CANDIDATES: dict[str, Callable[[], object]] = {
    "knn-3": lambda: NearestNeighbours(3),
    "knn-5": lambda: NearestNeighbours(5),
    "knn-10": lambda: NearestNeighbours(10),
    "knn-20": lambda: NearestNeighbours(20),
    "extra-trees": lambda: ExtraTrees(),
    "neural-net": lambda: NeuralNet(),
    "gaussian-process": lambda: GaussianProcess(),
}

#: The model `fit_surrogate` uses unless told otherwise (scripts/surrogate_fidelity.py picks it).
DEFAULT_MODEL = "neural-net"


def make_model(name: str) -> Any:
    """A fresh, unfitted model called `name`."""
    if name not in CANDIDATES:
        raise BenchError(f"unknown surrogate model {name!r}; the models are {', '.join(CANDIDATES)}")
    return CANDIDATES[name]()
