"""What every run is measured against: the reference, the target accuracy and the compute unit; and what
`bench run` needs of it (the default stop, and one finished run's figure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BenchError, option
from bench.reporting.reference import DEFAULT_TOLERANCE_PP, Reference, cost_checksum, hardware_fingerprint
from bench.store.results import StoredRun

#: Accuracies within this of the target count as reaching it (a target is often a float sum).
REACH_EPSILON = 1e-9


@dataclass(frozen=True)
class Basis:
    """The reference, the target and the unit of one report.

    Args:
        reference: the grid's results.
        target: validation accuracy a run must reach.
        target_rule: how the target was chosen, in words.
        tolerance_pp: percentage points below the grid's best final accuracy (None: explicit target).
        unit: "seconds" (each row's charged epoch_cost_s) or "epochs".
        unit_reason: why that unit, in words.
        unit_label: what the seconds are: "reference-seconds" (a cost model's, load-free) or
            "device-seconds" (measured); "epochs" for epochs.
    """

    reference: Reference
    target: float
    target_rule: str
    tolerance_pp: float | None
    unit: str
    unit_reason: str
    unit_label: str = "epochs"

    @property
    def grid_compute(self) -> float:
        """The grid's total compute in the basis unit: the 100 of every normalised figure."""
        return self.reference.total_compute(self.unit)


def check_target_options(target: float | None = None, tolerance_pp: float | None = None) -> None:
    """Refuse a target or tolerance out of range; needs no reference, so callers check before any work."""
    if target is not None and tolerance_pp is not None:
        raise BenchError(f"give {option('target')} or {option('tolerance')}, not both")
    if target is not None and not (math.isfinite(target) and 0.0 < target <= 1.0):
        raise BenchError(f"{option('target')} is a validation accuracy in (0, 1], not {target}")
    if tolerance_pp is not None and not (math.isfinite(tolerance_pp) and 0.0 <= tolerance_pp < 100.0):
        raise BenchError(f"{option('tolerance')} is in percentage points, in [0, 100), not {tolerance_pp}")


def resolve_target(reference: Reference, target: float | None = None,
                   tolerance_pp: float | None = None) -> tuple[float, str, float | None]:
    """The target accuracy, its rule in words and the tolerance used."""
    check_target_options(target, tolerance_pp)
    best = reference.best_final_accuracy()
    if target is not None:
        return (float(target), f"explicit --target {target:g} (the grid's best final accuracy is {best:.4f})",
                None)
    tolerance = DEFAULT_TOLERANCE_PP if tolerance_pp is None else tolerance_pp
    default = " (the default)" if tolerance_pp is None else ""
    rule = (f"the grid's best final validation accuracy {best:.4f} (for each grid repeat, "
            "the best final accuracy over its points; mean over repeats) minus "
            f"{tolerance:g} percentage points{default}")
    return best - tolerance / 100.0, rule, float(tolerance)


def compute_fingerprint(manifest: dict) -> str:
    """The hardware whose timings a run's epoch_compute_s are: the table's for a replay."""
    table = manifest.get("table")
    if manifest.get("replay") and isinstance(table, dict):
        if table.get("hardware_fingerprint"):
            return str(table["hardware_fingerprint"])
        if table.get("hardware"):
            return hardware_fingerprint(table["hardware"])
    return hardware_fingerprint(manifest.get("hardware"))


def choose_unit(reference: Reference, runs: Sequence[StoredRun]) -> tuple[str, str, str]:
    """Reference-seconds when every run used the reference's cost model; device-seconds when every
    run's compute was measured on the reference's hardware; else epochs.

    Returns:
        unit ("seconds" or "epochs"), the reason in words, and the label of the unit.
    """
    models = {cost_checksum(r.manifest) for r in runs}
    if reference.cost_sha256 is not None and models == {reference.cost_sha256}:
        return "seconds", (f"every run and the reference charged each epoch from the cost model of "
                           f"{Path(reference.source).name} (the idle recording machine's seconds "
                           "for an epoch of that shape: batch size and width, or the workload's own cost "
                           "axes), so machine load does not move the figures"), "reference-seconds"
    if models != {None} or reference.cost_sha256 is not None:
        return "epochs", "the runs and the reference charged compute with different cost models", "epochs"
    others = sorted({fp for fp in (compute_fingerprint(r.manifest) for r in runs)
                     if fp != reference.hardware_fingerprint})
    if reference.hardware_fingerprint == "unknown":
        return ("epochs", "the reference does not record its hardware, so its seconds cannot be compared",
                "epochs")
    if not others:
        return "seconds", (f"every run's compute was timed on the reference's hardware "
                           f"({reference.hardware_fingerprint})"), "device-seconds"
    return "epochs", (f"the reference was recorded on {reference.hardware_fingerprint} but some runs were "
                      f"timed on {'; '.join(others)}, so seconds are not comparable"), "epochs"


def make_basis(
    reference: Reference,
    runs: Sequence[StoredRun],
    target: float | None = None,
    tolerance_pp: float | None = None,
) -> Basis:
    """The basis for `runs`; refuses a target that neither the grid nor any run reached."""
    versions = {str(r.manifest["workload"]["version"]) for r in runs}
    if versions - {reference.workload_version}:
        raise BenchError(
            f"the reference {reference.source} is {reference.workload} version {reference.workload_version}, "
            f"the runs are version {', '.join(sorted(versions))}; record a reference for their version"
        )
    value, rule, tolerance = resolve_target(reference, target, tolerance_pp)
    reached = max([reference.best_accuracy(),
                   *(float(r.epochs["val_accuracy"].max()) for r in runs if len(r.epochs))])
    if value > reached + REACH_EPSILON:
        raise BenchError(
            f"target {value:.4f} is above anything reached (best {reached:.4f} in the reference and runs); "
            f"lower {option('target')} or raise {option('tolerance')}"
        )
    unit, reason, label = choose_unit(reference, runs)
    return Basis(reference=reference, target=value, target_rule=rule, tolerance_pp=tolerance, unit=unit,
                 unit_reason=reason, unit_label=label)


def default_stop(until: str | None, target: float | None, workload: str) -> tuple[str, float | None]:
    """`--until` and `--target` after defaults: with a reference, run until its target.

    Without --until: "target" when a target is given or the workload has a reference, else
    "budget". With --until target and no --target: the reference's default target.
    """
    from bench.store.tables import default_table_path

    has_reference = default_table_path(workload) is not None
    if until is None:
        until = "target" if (target is not None or has_reference) else "budget"
    if until == "target" and target is None and has_reference:
        from bench.reporting.reference import load_reference

        target = resolve_target(load_reference(workload))[0]
    return until, target


def normalised_line(folder: Path | str) -> str | None:
    """One line with a finished run's normalised compute-to-target (None without a reference)."""
    from bench.reporting.metrics import run_figures
    from bench.reporting.reference import load_reference
    from bench.store.results import load_run
    from bench.store.tables import default_table_path

    try:
        run = load_run(folder)
    except BenchError:
        return None  # an unfinished run has no figure
    workload = run.manifest["workload"]["name"]
    if default_table_path(workload) is None:
        return None
    try:
        basis = make_basis(load_reference(workload), [run], target=run.manifest.get("target"))
    except BenchError as exc:
        return f"  compute-to-target  not available ({exc})"
    figures = run_figures(run, basis)
    head = f"  compute-to-target  target {basis.target:.4f}: "
    if not figures["reached"]:
        return (head + f"not reached (grid = 100; the grid's own sweep costs {basis.grid_compute:.6g} "
                       f"{basis.unit_label})")
    return head + (f"{figures['normalised']:.3g} (grid = 100; {figures['compute_to_target']:.6g} of the "
                   f"grid's {basis.grid_compute:.6g} {basis.unit_label}, speed-up "
                   f"{100 / figures['normalised']:.3g}x)")
