"""A matrix run as a picklable recipe, and its deterministic folder name.

A worker process or Ray task rebuilds its RunSpec from a `RunRecipe` (the run's
`bench.spec.spec_record`: names, numbers and paths only): strategies and workloads are looked up
again from their registries there, so nothing heavy or unpicklable crosses a process boundary.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.spec import RunSpec, spec_from_record, spec_record

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
        mode: "replay" or "live".
        run: the run's RunSpec as `bench.spec.spec_record` gives it, as JSON text (so the recipe
            stays immutable and hashable); `progress` and `resume` are the matrix's own (off, none),
            and `address` the matrix's cluster.
        table_path: the learning-curve table a replay reads (None for a live run).
        table_sha256: that table's curves checksum, part of the run's key.
        index: the run's position in the matrix's serial order.

    A RunSpec field added later travels without a change here: the record lists every field.
    """

    mode: str
    run: str
    table_path: str | None = None
    table_sha256: str | None = None
    index: int = field(default=0, compare=False)

    @classmethod
    def of(cls, spec: RunSpec, mode: str, index: int, table: Table | None = None,
           address: str | None = None) -> RunRecipe:
        record = {**spec_record(spec), "address": address, "progress": False, "resume": None}
        return cls(mode=mode, run=json.dumps(record, sort_keys=True),
                   table_path=None if table is None else str(table.path),
                   table_sha256=None if table is None else table.meta.get("curves_sha256"), index=index)

    @cached_property
    def record(self) -> dict[str, Any]:
        return json.loads(self.run)

    @property
    def strategy(self) -> str:
        return str(self.record["strategy"]["name"])

    @property
    def workload(self) -> str:
        return str(self.record["workload"]["name"])

    @property
    def seed(self) -> int:
        return int(self.record["seed"])

    @property
    def address(self) -> str | None:
        return self.record["address"]

    @property
    def out_dir(self) -> str:
        return str(self.record["out_dir"])

    def with_address(self, address: str) -> RunRecipe:
        """The same run, joining the Ray cluster at `address` (which does not change its key)."""
        run = json.dumps({**self.record, "address": address}, sort_keys=True)
        return RunRecipe(mode=self.mode, run=run, table_path=self.table_path, table_sha256=self.table_sha256,
                         index=self.index)

    @property
    def key(self) -> str:
        """12 hex digits of a hash of what decides the run's results (not the command or --parallel)."""
        run = self.record
        identity = {
            "mode": self.mode, "strategy": self.strategy, "params": sorted(run["strategy"]["params"].items()),
            "workload": self.workload, "workload_version": run["workload"]["version"], "seed": self.seed,
            "budget": run["budget"], "samples": run["samples"], "workers": run["workers"],
            "target": run["target"], "table_sha256": self.table_sha256,
        }
        if run["workload_options"]:  # only when given, so the runs of earlier matrices keep their names
            identity["workload_options"] = sorted(run["workload_options"].items())
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

    def spec(self, out_dir: Path | None = None) -> RunSpec:
        """The RunSpec this recipe stands for (into `out_dir` instead of the matrix's folder if given)."""
        moved = {} if out_dir is None else {"out_dir": Path(out_dir)}
        return spec_from_record(self.record, MatrixRunSpec, run_name=self.run_name, **moved)


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
