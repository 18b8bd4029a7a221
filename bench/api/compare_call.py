"""`compare`: the strategies x seeds matrix (replayed by default, or live), then its report
(`bench compare`'s work)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.api.report_call import ReportResult, check_replay_target, check_report_options, write_report_from
from bench.api.run_call import call_command, path_value, replay_option
from bench.api.run_request import check_run_options, workload_options
from bench.errors import BenchError, check_seeds, live_option, option
from bench.spec import MAX_FAILURES

if TYPE_CHECKING:
    import pandas as pd

    from bench.store.tables import Table


@dataclass(frozen=True)
class CompareResult:
    """A finished matrix: where its runs are, which failed, and its report."""

    folder: Path  # one folder per run, matrix.jsonl, and report/
    runs: list[Path]  # the complete run folders, in the matrix's order
    failed: list[dict]  # one record per run that failed (the report skips them)
    report: ReportResult

    @property
    def summary(self) -> pd.DataFrame:
        """The report's summary DataFrame: one row per strategy."""
        return self.report.summary


def strategy_names(text: str) -> list[str]:
    """`all` or a comma-separated list, each checked against the registry."""
    import strategies

    if text.strip() == "all":
        return strategies.REGISTRY.names()
    names = [n.strip() for n in text.split(",")]
    if not text.strip() or "" in names:
        raise BenchError(f"{option('strategies')} takes all or a comma-separated list of strategy names "
                         f"with no empty item, not {text!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BenchError(f"{option('strategies')} names {', '.join(repeated)} twice; accepted: each "
                         f"strategy once ({option('seeds')} sets the runs per strategy)")
    for name in names:
        strategies.resolve(name)  # raises, listing the accepted names
    return names


def _table(replay: str, workload: str) -> Table:
    from bench.store.tables import default_table_path, load_table

    path = Path(replay) if replay else default_table_path(workload)
    if path is None:
        raise BenchError(f"no learning-curve table for workload {workload!r} to replay; record one "
                         f"(docs/replay.md, Tables) and pass it with {option('replay')} TABLE, or run live "
                         f"with {live_option()}")
    return load_table(path, workload)


def compare(strategies: Sequence[str] | str = "all", *, seeds: int = 20, seed: int = 0,
            workload: str = "digits", replay: bool | str | Path = True, workers: int | None = None,
            samples: int | None = None, budget_epochs: float | None = None, out: str | Path | None = None,
            target: float | None = None, tolerance: float | None = None, reference: str | Path | None = None,
            claims: str | Path | None = None, parallel: int | None = None, address: str | None = None,
            verbose: bool = False, targets: Sequence[float] | None = None, verdict: bool = False,
            trials_per_gpu: int | None = None, max_failures: int = MAX_FAILURES,
            data_dir: str | Path | None = None,
            log: Callable[[str], None] = print, command: Sequence[str] | None = None) -> CompareResult:
    """Run every strategy x seed under the full grid budget, then report them, as `bench compare` does.

    Args:
        strategies: "all" (the built-ins), or names (a list, or one comma-separated string).
        seeds: runs per strategy, seeds `seed .. seed + seeds - 1`.
        replay: True replays against the workload's shipped table (which is then also the reference),
            a path or `bench tables` name replays against that table, False trains live through Ray Tune.
        out: folder for the runs and `report/` (default `results/compare-TIMESTAMP`); a matrix re-run into
            the same folder skips the runs already complete.
        target, tolerance, reference, claims, targets, verdict: as for `report`; every run goes on to
            its budget, so every target of the ladder is measured.
        parallel: runs executed at once (default: replay starts in this process and moves to one worker
            per CPU once the runs left pay for their start; the cluster's CPUs with `address`; 1 live).
        trials_per_gpu, max_failures, data_dir: as `bench run`'s options of those names, carried to
            every run of the matrix (each run's manifest records them).
        log: where the matrix's progress lines go.
        command: what each manifest records as the command (default: this call, written out).

    Raises:
        BenchError: bad arguments, with the message `bench compare` prints; nothing is written then.
    """
    import workloads
    from bench.matrix import MatrixOptions, run_matrix
    from bench.spec import check_buildable, check_positive, check_writable, make_specs
    from bench.store.dataset import table_cost_model

    if parallel is not None and (isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1):
        raise BenchError(f"{option('parallel')} takes a positive integer, "
                         "the runs executed at once (1 = one after another, in order), not "
                         f"{str(parallel)!r}")
    if command is None:
        command = call_command("bench.compare", strategies=strategies, seeds=seeds, seed=seed,
                               workload=workload, replay=replay, workers=workers, samples=samples,
                               budget_epochs=budget_epochs, out=out)
    text = strategies if isinstance(strategies, str) else ",".join(strategies)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    out = (path_value("out", out) if out is not None
           else Path("results") / f"compare-{stamp}")
    check_positive("seeds", seeds)
    check_seeds(seed, seeds)
    check_positive("workers", workers)
    workload_object = workloads.get(workload)
    workload_name = workload_object.name
    check_run_options(trials_per_gpu, max_failures)
    options = workload_options(data_dir, workload_object, live=replay is False)
    check_writable(out)
    check_report_options(target, tolerance, claims, reference, workload_name)
    from bench.reporting.ladder import check_ladder_targets
    from bench.reporting.verdict import GRID, check_verdict_request

    check_ladder_targets(targets)
    names = strategy_names(text)
    if verdict:
        check_verdict_request(len([n for n in names if n != GRID]), seeds)
    table_option = replay_option(replay)
    # module:attribute: its name
    table = None if table_option is None else _table(table_option, workload_name)
    # The epochs are charged by the replayed table's cost model, or live by the workload's shipped one.
    specs = make_specs([(name, {}) for name in names], workload_name, seed=seed, seeds=seeds,
                       out_dir=out, samples=samples, workers=workers, budget_epochs=budget_epochs,
                       command=tuple(command), progress=False, workload_options=options,
                       trials_per_gpu=trials_per_gpu or 1, max_failures=max_failures,
                       **({} if table is None else {"cost_model": table_cost_model(table)}))  # type: ignore[arg-type]  # cost_model only
    if table is None:  # no table option
        from bench.matrix.live_drivers import live_workers

        mode, table = "live", None
        check_buildable(specs)  # before Ray starts; live runs may beat the grid, so --target keeps (0, 1]
        live = live_workers(workers, parallel, address, trials_per_gpu or 1)
        specs = [dataclasses.replace(spec, workers=live, address=address) for spec in specs]
    else:
        from bench.replay import DEFAULT_WORKERS, check_specs

        mode = "replay"
        check_replay_target(target, table.path, workload_name)
        check_specs(specs, table)
        specs = [dataclasses.replace(spec, workers=workers or DEFAULT_WORKERS) for spec in specs]
        # Without a reference given, the replayed table is the grid these runs are measured against.
        reference = reference if reference is not None else table.path
    if targets is not None:  # a ladder target no recording reached is refused before any run
        from bench.reporting.ladder import make_ladder
        from bench.reporting.reference import load_reference

        make_ladder(load_reference(workload_name, reference), targets)
    result = run_matrix(specs, mode, table,
                        MatrixOptions(parallel=parallel, address=address, verbose=verbose), log=log)
    if result.failed:
        log(f"{len(result.failed)} of {len(specs)} runs failed; the report skips them")
    written = write_report_from([out], out / "report", workload=workload, target=target, tolerance=tolerance,
                                reference=reference, claims=claims, targets=targets, verdict=verdict)
    runs = [folder for folder in (result.folder(recipe) for recipe in result.recipes) if folder is not None]
    return CompareResult(folder=out, runs=runs, failed=result.failed, report=written)
