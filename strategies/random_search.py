"""Random sampling, seeded, and Ray Tune's unseeded-by-default searcher.

Bergstra & Bengio, Random Search for Hyper-Parameter Optimization, JMLR 2012.
"""

from strategies._space import tune_space
from strategies.base import Built, Component


def _build_random(ctx, params):
    from ray.tune.search.basic_variant import BasicVariantGenerator

    return Built(
        search_alg=BasicVariantGenerator(random_state=ctx.seed),
        param_space=tune_space(ctx.space),
    )


def _build_default(ctx, params):
    # Exactly what a user gets with no search_alg: Tune's default BasicVariantGenerator,
    # which draws from numpy's global generator; seeding that makes it reproducible.
    import numpy as np

    np.random.seed(ctx.seed)
    return Built(search_alg=None, param_space=tune_space(ctx.space))


RANDOM = Component(
    name="random",
    summary="random sampling (BasicVariantGenerator with a seeded generator)",
    params=(),
    build=_build_random,
    reference="https://jmlr.org/papers/v13/bergstra12a.html",
)

DEFAULT = Component(
    name="default",
    summary="Ray Tune's default searcher, as a user gets it with no options",
    params=(),
    build=_build_default,
)
