"""A fixed small matrix replayed on the shipped digits dataset, and its per-seed figures.

Regenerate the committed file (only when a change to replay, the dataset or the surrogate is
meant to change bench's answers, and say so in the commit):

    python tests/replay/golden.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden" / "digits-v2.json"
#: The same matrix's ladder of targets and verdicts.
GOLDEN_LADDER = Path(__file__).resolve().parent / "golden" / "digits-v2-ladder.json"
STRATEGIES = ("grid", "random", "asha", "hyperband", "pbt")
SEEDS = (0, 1, 2)


def golden_figures(out: Path) -> tuple[list[dict], dict]:
    """Replay STRATEGIES x SEEDS (4 simulated workers, the grid budget) and compute their figures.

    Returns:
        one row per run at the default target, and the ladder: per (run, target) its status and
        normalised compute-to-target, and the verdict per target (lines and paired figures).
    """
    import strategies
    import workloads
    from bench.budget import make_budget
    from bench.replay import execute_replay
    from bench.reporting.basis import make_basis
    from bench.reporting.ladder import ladder_table, make_ladder
    from bench.reporting.metrics import per_seed_compute_to_target
    from bench.reporting.reference import load_reference
    from bench.reporting.verdict import verdict_records, verdicts
    from bench.spec import RunSpec
    from bench.store.dataset import table_cost_model
    from bench.store.results import load_run
    from bench.store.tables import default_table_path, load_table

    workload = workloads.get("digits")
    table = load_table(default_table_path("digits"))
    # The default budget a replay of this table gets (bench.spec.make_specs): the grid's reference-seconds.
    budget = make_budget(workload.grid_budget_epochs,
                         grid_budget_seconds=table_cost_model(table).grid_cost_s(workload))
    runs = []
    for name in STRATEGIES:
        for seed in SEEDS:
            spec = RunSpec.of(strategy=strategies.resolve(name), workload=workload, seed=seed,
                           budget=budget, samples=workload.space.grid_size(),
                           workers=4, out_dir=out, progress=False)
            runs.append(load_run(execute_replay(spec, table).folder))
    basis = make_basis(load_reference("digits"), runs)
    frame = per_seed_compute_to_target(runs, basis)
    columns = ["strategy", "seed", "reached", "compute_to_target", "normalised", "epochs_trained", "trials",
               "best_final_accuracy"]
    rows = json.loads(frame[columns].to_json(orient="records"))
    ladder = make_ladder(basis.reference)
    table = ladder_table(runs, basis, ladder)
    ladder_rows = json.loads(
        table[["strategy", "seed", "target", "status", "normalised"]].to_json(orient="records"))
    found = json.loads(json.dumps(verdict_records(verdicts(table, ladder)), default=float))
    return ([{"unit": basis.unit_label, "target": basis.target, **row} for row in rows],
            {"targets": ladder.targets, "runs": ladder_rows, "verdicts": found})


def main() -> int:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as out:
        figures, ladder = golden_figures(Path(out))
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(figures, indent=1) + "\n")
    GOLDEN_LADDER.write_text(json.dumps(ladder, indent=1) + "\n")
    print(f"{GOLDEN}: {len(figures)} runs; {GOLDEN_LADDER}: {len(ladder['targets'])} targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
