"""A matrix run as a picklable recipe, and its deterministic folder name.

A worker process or Ray task rebuilds its RunSpec from a `RunRecipe` (names, numbers and
paths only): strategies and workloads are looked up again from their registries there, so
nothing heavy or unpicklable crosses a process boundary.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench.budget import Budget
from bench.spec import MAX_FAILURES, RunSpec

if TYPE_CHECKING:
    from bench.store.tables import Table

MODES = ("replay", "live")


@dataclass(frozen=True)
class MatrixRunSpec(RunSpec):
    """A RunSpec whose run id is fixed by the matrix, so a re-run finds the same folder."""

    run_name: str = ""

    @property
    def run_id(self) -> str:
        return self.run_name or super().run_id


@dataclass(frozen=True)
class RunRecipe:
    """Everything needed to rebuild one run of the matrix in another process.

    Args:
        params: the strategy's resolved parameters as text (as `--set` takes them), sorted.
        table_path: the learning-curve table a replay reads (None for a live run).
        table_sha256: that table's curves checksum, part of the run's key.
        workload_options: the workload's options as text (as `--data-dir` gives them), sorted.

    Every RunSpec field a run's results or resources depend on is carried (a test checks that each
    field survives `of` and `spec`); `progress` and `resume` are the matrix's own.
    """

    mode: str
    strategy: str
    params: tuple[tuple[str, str], ...]
    workload: str
    workload_version: str
    seed: int
    budget: Budget
    samples: int
    workers: int
    out_dir: str
    target: float | None = None
    table_path: str | None = None
    table_sha256: str | None = None
    address: str | None = None
    command: tuple[str, ...] = ()
    workload_options: tuple[tuple[str, str], ...] = ()
    trials_per_gpu: int = 1
    max_failures: int = MAX_FAILURES
    index: int = field(default=0, compare=False)  # position in the matrix's serial order

    @classmethod
    def of(cls, spec: RunSpec, mode: str, index: int, table: Table | None = None,
           address: str | None = None) -> RunRecipe:
        return cls(
            mode=mode, strategy=spec.strategy.name,
            params=tuple(sorted((k, str(v)) for k, v in spec.strategy.params.items())),
            workload=spec.workload.name, workload_version=str(spec.workload.version), seed=spec.seed,
            budget=spec.budget, samples=spec.samples, workers=spec.workers, out_dir=str(spec.out_dir),
            target=spec.target, table_path=None if table is None else str(table.path),
            table_sha256=None if table is None else table.meta.get("curves_sha256"),
            address=address, command=tuple(spec.command),
            workload_options=tuple(sorted((k, str(v)) for k, v in spec.workload_options.items())),
            trials_per_gpu=spec.trials_per_gpu, max_failures=spec.max_failures, index=index,
        )

    @property
    def key(self) -> str:
        """12 hex digits of a hash of what decides the run's results (not the command or --parallel)."""
        identity = {
            "mode": self.mode, "strategy": self.strategy, "params": list(self.params),
            "workload": self.workload, "workload_version": self.workload_version, "seed": self.seed,
            "budget": self.budget.as_dict(), "samples": self.samples, "workers": self.workers,
            "target": self.target, "table_sha256": self.table_sha256,
        }
        if self.workload_options:  # only when given, so the runs of earlier matrices keep their names
            identity["workload_options"] = list(self.workload_options)
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:12]

    @property
    def run_name(self) -> str:
        """`STRATEGY-WORKLOAD-seedN-KEY`: the same runs get the same names on every re-run."""
        return f"{self.strategy.replace('+', '_')}-{self.workload}-seed{self.seed}-{self.key}"

    @property
    def folder_name(self) -> str:
        """The run folder's name (replay's engine appends `-replay` to the run id)."""
        return f"{self.run_name}-replay" if self.mode == "replay" else self.run_name

    @property
    def folder(self) -> Path:
        return Path(self.out_dir) / self.folder_name

    @property
    def label(self) -> str:
        return f"{self.strategy} seed {self.seed}"

    def spec(self, out_dir: Path | None = None) -> MatrixRunSpec:
        """The RunSpec this recipe stands for (into `out_dir` instead of the matrix's folder if given)."""
        import strategies
        import workloads

        return MatrixRunSpec(
            strategy=strategies.resolve(self.strategy, dict(self.params)),
            workload=workloads.get(self.workload), seed=self.seed, budget=self.budget, samples=self.samples,
            workers=self.workers, out_dir=Path(out_dir) if out_dir is not None else Path(self.out_dir),
            target=self.target, address=self.address, command=self.command, progress=False,
            workload_options=dict(self.workload_options), trials_per_gpu=self.trials_per_gpu,
            max_failures=self.max_failures, run_name=self.run_name,
        )


def recipes(specs: list[RunSpec], mode: str, table: Table | None = None,
            address: str | None = None) -> list[RunRecipe]:
    """One recipe per spec, in the matrix's serial order; a run listed twice is refused."""
    from bench.errors import BenchError

    plan = [RunRecipe.of(spec, mode, index, table, address) for index, spec in enumerate(specs)]
    seen: dict[str, RunRecipe] = {}
    for recipe in plan:
        if recipe.run_name in seen:
            raise BenchError(f"the matrix lists {recipe.label} twice with the same settings; list each "
                             f"strategy once")
        seen[recipe.run_name] = recipe
    return plan
