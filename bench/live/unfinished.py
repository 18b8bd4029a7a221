"""Which unfinished run a command continues
(bench.spec.spec_from_manifest builds the RunSpec that continues it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError
from bench.live.resume import RESUMABLE
from bench.store.results import MANIFEST

if TYPE_CHECKING:

    from bench.spec import RunSpec


def identity(strategy: dict | None, workload: dict, seed: int | None, budget: dict | None,
             samples: int | None, target: float | None) -> str:
    """What makes two runs the same experiment, as canonical JSON."""
    # the label only names the parameters
    strategy = {k: v for k, v in (strategy or {}).items() if k != "label"}
    body = {"strategy": strategy, "workload": workload, "seed": seed, "budget": budget, "samples": samples,
            "target": target}
    return json.dumps(json.loads(json.dumps(body, default=str)), sort_keys=True)


def _workload_identity(record: dict) -> dict:
    """The part of a manifest's workload record (bench.store.manifest.workload_record)
    that identifies a run."""
    return {"name": record.get("name"), "version": record.get("version"),
            "options": record.get("options", {})}


def spec_identity(spec: RunSpec) -> str:
    from bench.store.manifest import workload_record

    return identity(spec.strategy.describe(), _workload_identity(workload_record(spec)), spec.seed,
                    spec.budget.as_dict(), spec.samples, spec.target)


def manifest_identity(manifest: dict) -> str:
    return identity(manifest.get("strategy"), _workload_identity(manifest.get("workload", {})),
                    manifest.get("seed"), manifest.get("budget"), manifest.get("samples"),
                    manifest.get("target"))


def find_unfinished(out_dir: Path, spec: RunSpec) -> Path | None:
    """The newest unfinished run folder under `out_dir` started with the same options as `spec`.

    A run whose lock a live driver holds (bench.store.run_lock) is skipped: two drivers never share a folder.
    """
    import sys

    from bench.store.run_lock import describe, live_owner

    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return None
    wanted = spec_identity(spec)
    found = []
    for path in out_dir.glob(f"*/{MANIFEST}"):
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # damaged folders are refused when named, not adopted silently
        if (isinstance(manifest, dict) and manifest.get("status") in RESUMABLE and not manifest.get("replay")
                and manifest_identity(manifest) == wanted):
            owner = live_owner(path.parent)
            if owner is not None:  # another driver is running it: never adopted
                print(f"not resuming {path.parent.name}: {describe(path.parent, owner).split(': ', 1)[1]}",
                      file=sys.stderr)
                continue
            found.append((str(manifest.get("started_at", "")), path.parent))
    return max(found)[1] if found else None


def resolve_run(run: str, out_dir: Path) -> Path:
    """`--resume RUN`: a run folder, or a run id under --out."""
    for candidate in (Path(run), Path(out_dir) / run):
        if (candidate / MANIFEST).exists():
            return candidate.resolve()
    raise BenchError(f"no run {run!r}: --resume takes a run folder or the id of a run under {out_dir}")


def resume_spec(run: str, out_dir: Path, given: RunSpec | None, **overrides: Any) -> RunSpec:
    """The spec that continues `--resume RUN`; a `given` spec's options must match the run's manifest.

    Args:
        overrides: RunSpec fields that may change on resume (address, command, progress, ...).
    """
    from bench.live import resume
    from bench.spec import check_writable, spec_from_manifest
    from bench.store import run_lock

    folder = resolve_run(run, out_dir)
    manifest, rows, _, _ = resume.load_unfinished(folder)
    owner = run_lock.live_owner(folder)
    if owner is not None:
        raise BenchError(run_lock.describe(folder, owner))
    if given is not None and spec_identity(given) != manifest_identity(manifest):
        raise BenchError(f"{folder}: was started with different options (strategy, workload, seed, budget, "
                         f"samples or target); resume it with `--resume {folder}` alone")
    check_writable(folder)
    return spec_from_manifest(manifest, folder, **overrides)


def with_unfinished_run(spec: RunSpec) -> RunSpec:
    """Resume an unfinished run of the same options under the spec's out_dir, saying so;
    else `spec` unchanged."""
    import dataclasses
    import sys

    from bench.live import resume

    folder = find_unfinished(spec.out_dir, spec)
    if folder is None:
        return spec
    manifest, rows, _, _ = resume.load_unfinished(folder)
    print(f"resuming unfinished run {manifest['run_id']} ({manifest['status']}, {len(rows)} epochs recorded) "
          f"in {folder}", file=sys.stderr)
    return dataclasses.replace(spec, resume=folder, workers=int(manifest["workers"]))
