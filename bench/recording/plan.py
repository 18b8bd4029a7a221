"""What a recording trains: the grid with K+1 training seeds and 2**n Sobol configurations with K.

The plan depends on the workload (its grid, space, version and epochs) and the options alone, so
the same command makes the same plan anywhere, and a resumed recording can check it is
continuing the same one. digits v2 was recorded with the defaults (1,024 configurations, 2 seeds).
With `--no-grid` the plan trains the Sobol configurations only, and the dataset takes its grid
(the reference every figure is normalised by) from a grid table recorded before (`--grid-table`),
named in the plan by its checksum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError, on_command_line, option

if TYPE_CHECKING:
    from bench.store.tables import Table
    from workloads.base import Workload

#: The scrambled Sobol sequence's seed (digits v2's), so every recording of a workload samples alike.
SOBOL_SCRAMBLE_SEED = 20261130
DEFAULT_CONFIGS = 1024
DEFAULT_SEEDS = 2


@dataclass(frozen=True)
class RecordPlan:
    """A recording's plan: `seeds` training seeds per Sobol configuration, one more per grid point."""

    workload: str
    version: str
    max_epochs: int
    configs: int
    seeds: int
    grid_size: int
    scramble_seed: int = SOBOL_SCRAMBLE_SEED
    #: The checksum of the grid table taken instead of training the grid (`--no-grid`); None: trained.
    grid_table_sha256: str | None = None

    @property
    def trains_grid(self) -> bool:
        return self.grid_table_sha256 is None

    @property
    def grid_seeds(self) -> tuple[int, ...]:
        return tuple(range(self.seeds + 1)) if self.trains_grid else ()

    @property
    def sobol_seeds(self) -> tuple[int, ...]:
        return tuple(range(self.seeds))

    @property
    def job_count(self) -> int:
        return self.grid_size * len(self.grid_seeds) + self.configs * len(self.sobol_seeds)

    def as_dict(self) -> dict[str, Any]:
        """The plan as recorded in plan.json and in the dataset's table.json (the keys digits v2 has,
        and with `--no-grid` the grid table's checksum)."""
        plan = {"workload": self.workload, "version": self.version, "max_epochs": self.max_epochs,
                "sobol": self.configs, "grid_seeds": list(self.grid_seeds),
                "sobol_seeds": list(self.sobol_seeds), "scramble_seed": self.scramble_seed,
                "jobs": self.job_count}
        if not self.trains_grid:
            plan["grid_table_sha256"] = self.grid_table_sha256
        return plan


def make_plan(workload: Workload, configs: int = DEFAULT_CONFIGS, seeds: int = DEFAULT_SEEDS,
              grid_table: Table | None = None) -> RecordPlan:
    """The plan for `workload`; bad counts and a workload without grid values are refused in one line.

    `grid_table`: a grid table of `workload` whose grid the dataset takes instead of training it
    (`--no-grid`), as bench.store.tables.load_table accepted it for the workload: of its version and
    search space, with every grid point of every repeat.
    """
    if isinstance(configs, bool) or not isinstance(configs, int) or configs < 1 or configs & (configs - 1):
        raise BenchError(f"{option('configs')} takes a power of two (1, 2, 4, ... 1024: a Sobol sequence is "
                         f"balanced only at those sizes), not {configs!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise BenchError(f"{option('seeds')} takes a positive integer (training seeds per Sobol "
                         f"configuration; grid points get one more), not {seeds!r}")
    empty = [hp.name for hp in workload.space if not hp.grid]
    if empty:
        raise BenchError(f"workload {workload.name} has no grid values for {', '.join(empty)}: a recording "
                         "trains the grid (the reference every figure is normalised by); accepted: a "
                         "workload whose every hyperparameter has grid values")
    return RecordPlan(workload=workload.name, version=str(workload.version), max_epochs=workload.max_epochs,
                      configs=configs, seeds=seeds, grid_size=workload.space.grid_size(),
                      grid_table_sha256=None if grid_table is None else str(grid_table.meta["curves_sha256"]))


def no_grid_option() -> str:
    """How the user asked for a recording without the grid: `--no-grid`, or `grid=False` in the API."""
    return "--no-grid" if on_command_line() else "grid=False"


def plan_jobs(plan: RecordPlan, workload: Workload) -> list[dict[str, Any]]:
    """Every (configuration, training seed) to train: the grid seed by seed, then Sobol seed by seed.

    config_id numbers grid points first (0 .. grid_size - 1), then Sobol configurations.
    """
    from bench.store.dataset_recording import sobol_configs

    jobs: list[dict[str, Any]] = []
    grid = list(workload.space.grid_points())
    for seed in plan.grid_seeds:
        jobs += [{"config_id": i, "source": "grid", "seed": seed, "config": c} for i, c in enumerate(grid)]
    sample = sobol_configs(workload.space, plan.configs, plan.scramble_seed)
    for seed in plan.sobol_seeds:
        jobs += [{"config_id": len(grid) + i, "source": "sobol", "seed": seed, "config": c}
                 for i, c in enumerate(sample)]
    return jobs
