"""Exhaustive grid search over every workload's grid values."""

from strategies._space import grid_space
from strategies.base import Built, Component


def _build(ctx, params):
    from ray.tune.search.basic_variant import BasicVariantGenerator

    return Built(search_alg=BasicVariantGenerator(), param_space=grid_space(ctx.space), num_samples=1)


GRID = Component(
    name="grid",
    summary="every grid point (3 values per hyperparameter), in a fixed order",
    params=(),
    build=_build,
)
