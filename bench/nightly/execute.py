"""Run a suite's sections and turn each workload's runs into per-seed rows for the history."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError
from bench.nightly.suite import Section, Suite

if TYPE_CHECKING:
    from bench.matrix.options import MatrixOptions
    from workloads.base import Workload


def run_specs(section: Section, workload: Workload, out: Path, command: tuple[str, ...]) -> list:
    """One RunSpec per strategy and seed of `section` on `workload`, with the section's run options."""
    from bench.spec import make_specs

    return make_specs([(name, section.params.get(name, {})) for name in section.strategies], workload.name,
                      seed=section.root_seed, seeds=section.seeds, out_dir=out, samples=section.samples,
                      workers=section.workers, budget_fraction=section.budget_fraction, command=command,
                      progress=False, trials_per_gpu=section.trials_per_gpu,
                      max_failures=section.max_failures)


def _with_workers(section: Section, specs: list, options: MatrixOptions) -> list:
    """Specs with their worker counts: the section's, else replay's default or the cluster's share."""
    if section.mode == "replay":
        from bench.replay import DEFAULT_WORKERS

        return [dataclasses.replace(spec, workers=spec.workers or DEFAULT_WORKERS) for spec in specs]
    from bench.matrix.live_drivers import live_workers

    workers = live_workers(section.workers, options.parallel, options.address, section.trials_per_gpu)
    return [dataclasses.replace(spec, workers=workers, address=options.address) for spec in specs]


def skip_reason(section: Section) -> str | None:
    """Why a section cannot run on this machine (None: it can)."""
    from bench.environment import gpu_names

    if section.requires_gpu and not gpu_names():
        return f"[{section.mode}] section skipped: it requires a GPU and this machine has none"
    return None


def check_suite(suite: Suite, out: Path, command: tuple[str, ...]) -> None:
    """Everything a suite's runs need, checked before the first runs: every section's workloads, tables,
    strategy parameters and, in replay, a target some replay can reach (live runs may beat the grid)."""
    import workloads
    from bench.api.report_call import check_replay_target
    from bench.spec import check_buildable
    from bench.store.tables import default_table_path, load_table

    for section in suite.sections:
        if skip_reason(section):
            continue
        for name in section.workloads:
            workload = workloads.get(name)
            table_path = default_table_path(workload.name)
            if table_path is None:
                raise BenchError(f"suite {suite.name}: no shipped learning-curve table for workload "
                                 f"{workload.name!r} to "
                                 f"{'replay' if section.mode == 'replay' else 'measure against'}")
            specs = run_specs(section, workload, out, command)
            if section.mode == "replay":
                from bench.replay import check_specs

                check_replay_target(suite.target, table_path, workload.name)
                check_specs(specs, load_table(table_path))
            else:
                check_buildable(specs)


def run_workload(suite: Suite, section: Section, name: str, out: Path, command: tuple[str, ...],
                 log: Callable[[str], None] = print, options: MatrixOptions | None = None) -> list[dict]:
    """Run one workload of a section; returns per-seed rows (a failed run is a miss).

    Args:
        options: a bench.matrix.MatrixOptions (default: one run at a time, a line per run).
    """
    import workloads
    from bench.matrix import MatrixOptions, run_matrix
    from bench.reporting.basis import make_basis
    from bench.reporting.metrics import per_seed_compute_to_target
    from bench.reporting.reference import load_reference
    from bench.store.results import load_run
    from bench.store.tables import default_table_path, load_table

    workload = workloads.get(name)
    name = workload.name  # an import path (module:attribute) names a workload with a name of its own
    table_path = default_table_path(name)
    if table_path is None:
        raise BenchError(f"suite {suite.name}: no shipped learning-curve table for workload {name!r} to "
                         f"{'replay' if section.mode == 'replay' else 'measure against'}")
    table = load_table(table_path) if section.mode == "replay" else None
    folder = out / "runs" / f"{section.mode}-{name}"
    options = options or MatrixOptions(parallel=1, verbose=True, bar=False)
    specs = _with_workers(section, run_specs(section, workload, folder, command), options)
    # --- the matrix (issue 11): parallel, resumable; a failed run is a recorded miss ---
    result = run_matrix(specs, section.mode, table, options, log)
    stored, failed = [], []
    for recipe in result.recipes:
        run_folder = result.folder(recipe)
        if run_folder is None:
            failed.append((recipe.strategy, recipe.seed))
        else:
            stored.append(load_run(run_folder))
    if not stored:
        raise BenchError(f"suite {suite.name}: every {section.mode} run of {name} failed")
    reference = load_reference(name, table_path)
    basis = make_basis(reference, stored, suite.target, suite.tolerance_pp)
    frame = per_seed_compute_to_target(stored, basis)
    conditions = {"workload_version": str(workload.version), "table_sha256": reference.checksum,
                  "unit": basis.unit, "target": round(basis.target, 6), "budget": specs[0].budget.as_dict(),
                  "samples": specs[0].samples, "workers": section.workers}
    params = {s.strategy.name: dict(s.strategy.params) for s in specs}
    rows = [{"mode": section.mode, "workload": name, "conditions": conditions, "strategy": r.strategy_name,
             "params": params[r.strategy_name], "seed": int(r.seed), "reached": bool(r.reached),  # type: ignore[arg-type]  # an int column
             "normalised": r.normalised, "final_accuracy": r.best_final_accuracy} for r in frame.itertuples()]
    rows += [{"mode": section.mode, "workload": name, "conditions": conditions, "strategy": s,
              "params": params[s], "seed": seed, "reached": False, "normalised": None, "final_accuracy": None}
             for s, seed in failed]
    return rows


def run_suite(suite: Suite, out: Path, command: tuple[str, ...], log: Callable[[str], None] = print,
              options: MatrixOptions | None = None) -> tuple[list[dict], list[str]]:
    """Every runnable section and workload of `suite`; returns (rows, skipped-section messages)."""
    rows, skipped = [], []
    for section in suite.sections:
        reason = skip_reason(section)
        if reason:
            skipped.append(reason)
            log(reason)
            continue
        for name in section.workloads:
            rows += run_workload(suite, section, name, out, command, log, options)
    return rows, skipped
