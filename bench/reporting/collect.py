"""Find and load the run folders a report reads, refusing mixed workloads and corrupt folders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BenchError, option
from bench.store.results import MANIFEST, StoredRun, load_run, read_manifest

#: How deep below a given folder run folders are looked for.
MAX_DEPTH = 4
#: Statuses of runs that did not finish; they are skipped and named in the report's warnings.
UNFINISHED = ("running", "failed", "interrupted")


@dataclass(frozen=True)
class Collected:
    """Runs to report on, and the unfinished ones that were skipped."""

    runs: list[StoredRun]
    skipped: list[str]
    duplicates: list[str]


def find_run_folders(paths: Iterable[Path | str]) -> list[Path]:
    """Run folders (those with a manifest) at or below `paths`; a run folder is not searched into."""
    found: list[Path] = []

    def walk(folder: Path, depth: int) -> None:
        if (folder / MANIFEST).exists():
            found.append(folder)
            return
        if depth >= MAX_DEPTH:
            return
        for child in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
            walk(child, depth + 1)

    for path in paths:
        path = Path(path)
        if not path.is_dir():
            raise BenchError(f"{path}: no such results folder")
        walk(path, 0)
    return sorted(set(found))


def _check_one_workload(runs: list[StoredRun], workload: str | None) -> str:
    kinds = sorted({(r.manifest["workload"]["name"], str(r.manifest["workload"]["version"])) for r in runs})
    if workload is not None:
        kinds_of = [k for k in kinds if k[0] == workload]
        if not kinds_of:
            found = ", ".join(f"{n} v{v}" for n, v in kinds)
            raise BenchError(f"no runs of workload {workload!r} in the results (found {found})")
        kinds = kinds_of
    if len(kinds) > 1:
        found = ", ".join(f"{n} v{v}" for n, v in kinds)
        raise BenchError(f"the results mix workloads or workload versions ({found}); "
                         f"report one at a time with {option('workload')} or separate folders")
    return kinds[0][0]


def _latest_per_seed(runs: list[StoredRun]) -> tuple[list[StoredRun], list[str]]:
    """Keep the latest run of each strategy, parameters, seed and replay flag."""
    from bench.reporting.metrics import strategy_label

    latest: dict[tuple, StoredRun] = {}
    dropped = []
    for run in sorted(runs, key=lambda r: (str(r.manifest.get("started_at", "")), r.folder.name)):
        key = (strategy_label(run.manifest), int(run.manifest["seed"]), bool(run.manifest.get("replay")))
        if key in latest:
            dropped.append(latest[key].folder.name)
        latest[key] = run
    return list(latest.values()), dropped


def collect_runs(paths: Iterable[Path | str], workload: str | None = None) -> tuple[Collected, str]:
    """Load every complete run under `paths` for one workload.

    Returns:
        the runs (the latest per strategy, seed and replay flag) and the workload name.
    """
    paths = list(paths)
    folders = find_run_folders(paths)
    if not folders:
        raise BenchError(f"no run folders in {', '.join(str(p) for p in paths)}; "
                         f"make some with `python -m bench compare` or `python -m bench run`")
    runs, skipped = [], []
    for folder in folders:
        status = read_manifest(folder).get("status")
        if status in UNFINISHED:
            skipped.append(f"{folder.name} ({status})")
            continue
        runs.append(load_run(folder))
    if not runs:
        raise BenchError(f"no complete runs in {', '.join(str(p) for p in paths)} "
                         f"({len(skipped)} unfinished)")
    name = _check_one_workload(runs, workload)
    runs = [r for r in runs if r.manifest["workload"]["name"] == name]
    runs, duplicates = _latest_per_seed(runs)
    return Collected(runs=runs, skipped=skipped, duplicates=duplicates), name
