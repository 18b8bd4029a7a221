"""Nevergrad's optimisers through Ray Tune's NevergradSearch.

Rapin & Teytaud, Nevergrad - A gradient-free optimization platform, 2018.
"""

from bench.errors import BenchError
from strategies._space import tune_space
from strategies.base import METRIC, MODE, Built, Component, Param


def _build(ctx, params):
    import nevergrad as ng
    import numpy as np
    from ray.tune.search.nevergrad import NevergradSearch

    name = params["optimizer"]
    if name not in ng.optimizers.registry:
        raise BenchError(f"unknown nevergrad optimizer {name!r}; see nevergrad.optimizers.registry")
    parametrization = NevergradSearch.convert_search_space(tune_space(ctx.space))
    parametrization.random_state = np.random.RandomState(ctx.seed)
    return Built(
        search_alg=NevergradSearch(
            optimizer=ng.optimizers.registry[name], space=parametrization, metric=METRIC, mode=MODE,
            optimizer_kwargs={"budget": ctx.samples},
        )
    )


NEVERGRAD = Component(
    name="nevergrad",
    summary="Nevergrad optimiser (NevergradSearch, NGOpt by default)",
    params=(Param("optimizer", "NGOpt", "a name from nevergrad.optimizers.registry"),),
    build=_build,
    reference="https://github.com/facebookresearch/nevergrad",
)
