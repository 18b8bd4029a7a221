"""RunSpec: everything that defines one run, built in one place for run, compare and nightly.

Commands turn their options into plain values and call `make_specs`; nothing below the
command layer sees an argparse object.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.budget import Budget, make_budget
from bench.errors import BenchError, check_seeds, option

if TYPE_CHECKING:
    from strategies.base import Built, ResolvedStrategy
    from workloads.base import Workload

#: make_specs' default cost model: the workload's shipped dataset's (bench.store.dataset.workload_cost_model).
SHIPPED_COST_MODEL = "shipped"
#: Default retries of a failed trial (Ray Tune's FailureConfig.max_failures) before it is errored.
MAX_FAILURES = 2


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines one run, as names, numbers and paths; stored in its manifest.

    The strategy and the workload are held by name (and the strategy's resolved parameters as
    text, the workload's version) and resolved from their registries where the run uses them
    (`spec.strategy`, `spec.workload`, looked up once per spec), so a RunSpec pickles, compares
    and travels as plain values. Build one from resolved objects with `RunSpec.of`.
    """

    strategy_name: str
    strategy_params: Mapping[str, str]
    workload_name: str
    workload_version: str
    seed: int
    budget: Budget
    samples: int
    workers: int
    out_dir: Path
    target: float | None = None
    address: str | None = None
    workload_options: Mapping[str, Any] = field(default_factory=dict)
    trials_per_gpu: int = 1
    command: tuple[str, ...] = ()
    progress: bool = True
    resume: Path | None = None  # an unfinished run folder to continue (bench.live.resume)
    max_failures: int = MAX_FAILURES  # retries of a failed trial before it is recorded as errored

    @classmethod
    def of(cls, strategy: ResolvedStrategy, workload: Workload, **values: Any) -> RunSpec:
        """The spec of a run of `strategy` on `workload` (resolved objects), with the other fields'
        `values`; the objects given are the ones `spec.strategy` and `spec.workload` return."""
        spec = cls(strategy_name=strategy.name,
                   strategy_params={k: str(v) for k, v in sorted(strategy.params.items())},
                   workload_name=workload.name, workload_version=str(workload.version), **values)
        spec.__dict__.update(strategy=strategy, workload=workload)  # the cached lookups, as given
        return spec

    @cached_property
    def strategy(self) -> ResolvedStrategy:
        """The strategy, resolved from its name and parameters (strategies.resolve)."""
        import strategies

        return strategies.resolve(self.strategy_name, dict(self.strategy_params))

    @cached_property
    def workload(self) -> Workload:
        """The workload, from its registry; one of another version than the spec's is refused."""
        import workloads

        workload = workloads.get(self.workload_name)
        if str(workload.version) != self.workload_version:
            raise BenchError(f"the run was described with {workload.name} version {self.workload_version}, "
                             f"but the workload here is version {workload.version}")
        return workload

    def __getstate__(self) -> dict[str, Any]:
        """The fields only: a pickled spec carries names, not the objects looked up from them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def run_id(self) -> str:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        return f"{self.strategy_name.replace('+', '_')}-{self.workload_name}-seed{self.seed}-{stamp}"


def build_strategy(spec: RunSpec) -> Built:
    """The strategy's Ray Tune objects for `spec` (strategies.Built); live and replay alike."""
    from strategies import BuildContext

    return spec.strategy.build(BuildContext(space=spec.workload.space, max_epochs=spec.workload.max_epochs,
                                            seed=spec.seed, samples=spec.samples))


def check_buildable(specs: Sequence[RunSpec]) -> None:
    """Build each strategy once, so that a value its components refuse only against the workload (a
    grace period beyond max_epochs) fails before Ray starts or anything is written.

    Building imports Ray Tune but starts nothing; the searchers' own warnings belong to the run
    that builds them again (and logs them in its folder), so they are not shown here.
    """
    from bench.store.run_log import quiet

    for spec in {repr(spec.strategy.describe()): spec for spec in specs}.values():
        with quiet():
            build_strategy(spec)


def seed_generators(seed: int) -> None:
    """Seed every generator Ray's schedulers (PBT, PB2) and the default searcher draw from."""
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)


def resolve_samples(samples: int | None, workload: Workload) -> int:
    if samples is None:
        return workload.space.grid_size()
    if samples < 1:
        raise BenchError(f"{option('samples')} must be a positive integer, not {samples}")
    return samples


def raise_if_bad_target(target: float | None) -> None:
    if target is not None and not (0.0 < target <= 1.0):
        raise BenchError(f"{option('target')} is a validation accuracy in (0, 1], not {target}")


def check_writable(out_dir: Path, what: str = "results") -> None:
    """Fail early, before anything is written, when `what` cannot be stored under out_dir."""
    accepted = "accepted: a writable folder, or a path to create in one, with names the file system allows"
    probe = Path(out_dir)
    shown = str(out_dir) if len(str(out_dir)) <= 120 else f"{str(out_dir)[:100]}..."
    try:
        while not probe.exists():
            probe = probe.parent
        usable = probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)
    except OSError as exc:  # a name longer than the file system allows, a loop of links
        raise BenchError(f"cannot write {what} under {shown}: {exc.strerror or exc}; {accepted}") from None
    long = [part for part in Path(out_dir).parts if len(os.fsencode(part)) > _name_max(probe)]
    if long:
        raise BenchError(f"cannot write {what} under {shown}: a folder name of "
                         f"{len(os.fsencode(long[0]))} bytes is too long; {accepted}")
    if not usable:
        kind = "a file, not a writable folder" if not probe.is_dir() else "not a writable folder"
        raise BenchError(f"cannot write {what} under {out_dir}: {probe} is {kind}; {accepted}")
    problem = _try_create_in(probe)
    if problem:
        raise BenchError(f"cannot write {what} under {shown}: {probe} refuses new folders "
                         f"({problem}); {accepted}")


#: The name's start of the empty folder check_writable creates and removes at once. Another process can
#: see one for an instant, and a process killed between the two steps leaves one behind: readers of an
#: output folder ignore it.
PROBE_PREFIX = ".bench-probe-"


def _try_create_in(folder: Path) -> str | None:
    """Create and remove an empty folder in `folder`; why that failed, or None.

    os.access answers yes for root in /sys or /proc, and for a read-only mount, where creating
    anything fails; only trying tells. The probe is removed at once, so nothing is left behind.
    """
    import tempfile

    try:
        os.rmdir(tempfile.mkdtemp(prefix=PROBE_PREFIX, dir=folder))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _name_max(folder: Path) -> int:
    """The longest file name the file system holding `folder` allows (255 on Linux and macOS)."""
    try:
        return os.pathconf(folder if folder.is_dir() else folder.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def check_positive(name: str, value: int | None) -> None:
    """Refuse a count option below 1 (None: left to its default)."""
    if value is not None and value < 1:
        raise BenchError(f"{option(name)} must be a positive integer, not {value}")


def make_specs(strategy_params: Sequence[tuple[str, Mapping[str, Any]]], workload_name: str, *, seed: int,
               seeds: int, out_dir: Path, samples: int | None = None, workers: int | None = None,
               budget_epochs: float | None = None, budget_seconds: float | None = None,
               budget_fraction: float | None = None, cost_model: Any = SHIPPED_COST_MODEL,
               **common: Any) -> list[RunSpec]:
    """One RunSpec per strategy and seed (seeds seed .. seed + seeds - 1), validated before anything runs.

    Args:
        strategy_params: (name or searcher+scheduler, parameters) pairs, resolved through strategies.
        cost_model: what charges the runs' epochs: a bench.store.dataset.CostModel (a replayed
            table's), None (measured seconds), or SHIPPED_COST_MODEL, the workload's shipped dataset's
            as live runs use it. With one, the default budget is the grid's cost in reference-seconds.
        common: further RunSpec fields shared by every run (target, address, command, ...).
    """
    import strategies
    import workloads

    check_positive("seeds", seeds)
    check_seeds(seed, seeds)
    check_positive("workers", workers)
    resolved = [strategies.resolve(name, dict(params)) for name, params in strategy_params]
    workload = workloads.get(workload_name)
    if cost_model is SHIPPED_COST_MODEL:
        from bench.store.dataset import workload_cost_model

        cost_model = workload_cost_model(workload)
    budget = make_budget(workload.grid_budget_epochs, budget_epochs, budget_seconds, budget_fraction,
                         grid_budget_seconds=None if cost_model is None else cost_model.grid_cost_s(workload))
    samples = resolve_samples(samples, workload)
    return [RunSpec.of(strategy, workload, seed=seed + i, budget=budget, samples=samples,
                       workers=workers or 0, out_dir=out_dir, **common)
            for strategy in resolved for i in range(seeds)]


def spec_record(spec: RunSpec) -> dict[str, Any]:
    """Every RunSpec field as names, numbers and text (JSON): what a matrix worker or Ray task
    receives and what a run's manifest stores under `spec`. `spec_from_record` reads it back.

    The strategy is recorded as {"name", "params"} and the workload as {"name", "version"} (the
    record's keys since manifests first held it, which also name matrix runs' folders).
    """
    record: dict[str, Any] = {}
    for f in fields(RunSpec):
        key, part = _RECORD_KEY.get(f.name, (f.name, None))
        value = _TO_RECORD.get(f.name, _plain)(getattr(spec, f.name))
        if part is None:
            record[key] = value
        else:
            record.setdefault(key, {})[part] = value
    return record


def spec_from_record(record: Mapping[str, Any], spec_type: type[RunSpec] | None = None,
                     **overrides: Any) -> RunSpec:
    """The RunSpec `record` (from `spec_record`) describes, with `overrides` for some fields.

    The strategy and workload are looked up now, so a record this install cannot run fails here.

    Raises:
        BenchError: a field this version of bench does not know, a strategy or parameter the
            registry refuses, or a workload whose version is not the one recorded (a cluster node
            with another install, a run recorded before an upgrade).
    """
    known = {_RECORD_KEY.get(f.name, (f.name, None))[0] for f in fields(RunSpec)}
    unknown = sorted(set(record) - known)
    if unknown:
        raise BenchError(f"a run description with fields this bench does not know: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for f in fields(RunSpec):
        key, part = _RECORD_KEY.get(f.name, (f.name, None))
        if key in record:
            value = record[key] if part is None else record[key][part]
            values[f.name] = _FROM_RECORD.get(f.name, _plain)(value)
    spec = (spec_type or RunSpec)(**{**values, **overrides})
    spec.strategy, spec.workload  # noqa: B018  (looked up now: refused here, not mid-run)
    return spec


def _plain(value: Any) -> Any:
    return value


#: Fields recorded inside an object of the record: field -> (record key, key inside it).
_RECORD_KEY: dict[str, tuple[str, str | None]] = {
    "strategy_name": ("strategy", "name"), "strategy_params": ("strategy", "params"),
    "workload_name": ("workload", "name"), "workload_version": ("workload", "version"),
}
_TO_RECORD: dict[str, Any] = {
    "strategy_params": lambda params: {k: str(v) for k, v in sorted(params.items())},
    "workload_version": str,
    "budget": lambda budget: budget.as_dict(),
    "out_dir": str,
    "resume": lambda folder: None if folder is None else str(folder),
    "workload_options": lambda options: {k: str(v) for k, v in sorted(options.items())},
    "command": list,
}
_FROM_RECORD: dict[str, Any] = {
    "strategy_params": lambda params: {k: str(v) for k, v in sorted(params.items())},
    "workload_version": str,
    "budget": lambda record: Budget.from_dict(record),
    "out_dir": Path,
    "resume": lambda folder: None if folder is None else Path(folder),
    "workload_options": dict,
    "command": tuple,
}


def spec_from_manifest(manifest: dict, folder: Path, **overrides: Any) -> RunSpec:
    """A RunSpec that continues the run described by `manifest` (its folder may have moved).

    Manifests store the run's `spec_record` under `spec`; runs recorded before it existed are
    read from the manifest's own keys.
    """
    from bench.store.results import MANIFEST

    continuing = {"out_dir": Path(folder).parent, "resume": Path(folder)}
    try:
        if "spec" in manifest:
            # the worker count the run resolved (a default depends on the machine it started on)
            return spec_from_record(manifest["spec"], workers=int(manifest["workers"]),
                                    **{**continuing, **overrides})
        return _spec_from_older_manifest(manifest, folder, **{**continuing, **overrides})
    except (KeyError, TypeError, ValueError) as exc:
        raise BenchError(f"{Path(folder) / MANIFEST}: missing or malformed {exc}; cannot resume") from None
    except BenchError as exc:
        raise BenchError(f"{folder}: {exc}; it cannot be resumed") from None


def _spec_from_older_manifest(manifest: dict, folder: Path, **overrides: Any) -> RunSpec:
    """A RunSpec from a manifest written before manifests held the run's `spec` record."""
    strategy, workload = manifest["strategy"], manifest["workload"]
    record = {
        "strategy": {"name": strategy["name"],
                     "params": {k: str(v) for k, v in strategy.get("params", {}).items()}},
        "workload": {"name": workload["name"], "version": workload.get("version")},
        "seed": int(manifest["seed"]), "budget": manifest["budget"], "samples": int(manifest["samples"]),
        "workers": int(manifest["workers"]), "target": manifest.get("target"),
        "workload_options": dict(workload.get("options", {})),
        "max_failures": int(manifest.get("max_failures", MAX_FAILURES)),
        "trials_per_gpu": int(manifest.get("trials_per_gpu", 1)),
    }
    return spec_from_record(record, **overrides)
