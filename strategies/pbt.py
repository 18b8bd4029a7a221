"""Population-based schedulers that copy good trials and perturb their hyperparameters.

Jaderberg et al., Population Based Training of Neural Networks, 2017.
Parker-Holder et al., Provably Efficient Online Hyperparameter Optimization with
Population-Based Bandits (PB2), NeurIPS 2020.
Only hyperparameters marked mutable are perturbed (width changes the architecture).
"""

from strategies._space import tune_space
from strategies.base import TIME_ATTR, Built, Component, Param

_POPULATION = Param("population_size", 16, "trials in the population (replaces --samples)", low=2)
_INTERVAL = Param("perturbation_interval", 2, "epochs between exploit/explore steps", low=1)


def _build_pbt(ctx, params):
    from ray.tune.schedulers import PopulationBasedTraining

    domains = tune_space(ctx.space)
    mutations = {hp.name: domains[hp.name] for hp in ctx.space if hp.mutable}
    return Built(
        scheduler=PopulationBasedTraining(
            time_attr=TIME_ATTR, perturbation_interval=params["perturbation_interval"],
            hyperparam_mutations=mutations, quantile_fraction=params["quantile_fraction"],
            resample_probability=params["resample_probability"],
        ),
        num_samples=params["population_size"],
        live_trials=params["population_size"],  # the population trains in turns on the workers
    )


def _build_pb2(ctx, params):
    from ray.tune.schedulers.pb2 import PB2

    bounds = {hp.name: [hp.low, hp.high] for hp in ctx.space if hp.mutable}
    return Built(
        scheduler=PB2(
            time_attr=TIME_ATTR, perturbation_interval=params["perturbation_interval"],
            hyperparam_bounds=bounds, quantile_fraction=params["quantile_fraction"],
        ),
        num_samples=params["population_size"],
        live_trials=params["population_size"],  # the population trains in turns on the workers
    )


PBT = Component(
    name="pbt",
    summary="population based training (PopulationBasedTraining)",
    params=(
        _POPULATION, _INTERVAL,
        Param("quantile_fraction", 0.25, "bottom share that copies the top share", low=0, high=0.5,
              open_low=True),
        Param("resample_probability", 0.25, "chance a perturbed value is resampled instead", low=0, high=1),
    ),
    build=_build_pbt,
    reference="https://arxiv.org/abs/1711.09846",
)

PB2_SCHEDULER = Component(
    name="pb2",
    summary="population based bandits (PB2): a GP bandit chooses the new hyperparameters",
    params=(_POPULATION, _INTERVAL,
            Param("quantile_fraction", 0.25, "bottom share that copies the top share", low=0, high=0.5,
                  open_low=True)),
    build=_build_pb2,
    reference="https://arxiv.org/abs/2002.02518",
)
