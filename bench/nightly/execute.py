"""Run a suite's sections and turn each workload's runs into per-seed rows for the history."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from bench.errors import BenchError
from bench.nightly.suite import Section, Suite


def _specs(section: Section, workload, out: Path, command: tuple[str, ...]) -> list:
    from bench.spec import make_specs

    return make_specs([(name, section.params.get(name, {})) for name in section.strategies], workload.name,
                      seed=section.root_seed, seeds=section.seeds, out_dir=out, samples=section.samples,
                      workers=section.workers, budget_fraction=section.budget_fraction, command=command,
                      progress=False)


def _runner(section: Section, table) -> Callable:
    if section.mode == "replay":
        from bench.replay import DEFAULT_WORKERS, execute_replay

        return lambda spec: execute_replay(dataclasses.replace(spec, workers=spec.workers or DEFAULT_WORKERS), table)
    from bench.live.ray_session import ensure_ray
    from bench.live.cluster import default_workers
    from bench.live.runner import execute

    cluster = ensure_ray(None)
    return lambda spec: execute(dataclasses.replace(spec, workers=spec.workers or default_workers(cluster, 1)))


def skip_reason(section: Section) -> str | None:
    """Why a section cannot run on this machine (None: it can)."""
    from bench.environment import gpu_names

    if section.requires_gpu and not gpu_names():
        return f"[{section.mode}] section skipped: it requires a GPU and this machine has none"
    return None


def run_workload(suite: Suite, section: Section, name: str, out: Path, command: tuple[str, ...],
                 log: Callable[[str], None] = print) -> list[dict]:
    """Run one workload of a section; returns per-seed rows (a failed run is a miss)."""
    import workloads
    from bench.report.basis import make_basis
    from bench.report.metrics import per_seed_compute_to_target
    from bench.report.reference import load_reference
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
    specs = _specs(section, workload, folder, command)
    run = _runner(section, table)
    stored, failed = [], []
    for number, spec in enumerate(specs, 1):
        try:
            summary = run(spec)
            stored.append(load_run(summary.folder))
        except BenchError:
            raise
        except Exception as exc:  # a failed run is recorded as a miss; the suite goes on
            failed.append((spec.strategy.name, spec.seed))
            log(f"[{number}/{len(specs)}] {spec.strategy.name} seed {spec.seed}: failed ({type(exc).__name__}: {exc})")
            continue
        log(f"[{number}/{len(specs)}] {section.mode} {name} {spec.strategy.name} seed {spec.seed}: done")
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
             "params": params[r.strategy_name], "seed": int(r.seed), "reached": bool(r.reached),
             "normalised": r.normalised, "final_accuracy": r.best_final_accuracy} for r in frame.itertuples()]
    rows += [{"mode": section.mode, "workload": name, "conditions": conditions, "strategy": s, "params": params[s],
              "seed": seed, "reached": False, "normalised": None, "final_accuracy": None} for s, seed in failed]
    return rows


def run_suite(suite: Suite, out: Path, command: tuple[str, ...], log: Callable[[str], None] = print):
    """Every runnable section and workload of `suite`; returns (rows, skipped-section messages)."""
    rows, skipped = [], []
    for section in suite.sections:
        reason = skip_reason(section)
        if reason:
            skipped.append(reason)
            log(reason)
            continue
        for name in section.workloads:
            rows += run_workload(suite, section, name, out, command, log)
    return rows, skipped
