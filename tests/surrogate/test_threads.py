"""The surrogate's fit does not depend on the BLAS thread count (see tests/replay/test_threads.py)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from threadpoolctl import threadpool_limits


@pytest.mark.slow  # trains a model
def test_the_surrogate_fit_is_the_same_at_one_and_two_blas_threads(space):
    """On the shipped dataset (about 4 s a fit): the synthetic frame's small network shows no difference."""
    from bench.store.dataset import dataset_frame
    from bench.store.tables import default_table_path, load_table
    from bench.surrogate import fit_surrogate

    frame = dataset_frame(load_table(default_table_path("digits")), space)

    fits = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads):
            fits.append(fit_surrogate(frame, space, "neural-net"))
    weights = [np.concatenate([w.ravel() for w in fit.model.weights]) for fit in fits]
    assert np.array_equal(weights[0], weights[1])
    assert pickle.dumps(fits[0].model) == pickle.dumps(fits[1].model)
