"""What `bench run` needs from the report: the reference's default target, and one run's figure."""

from __future__ import annotations

from pathlib import Path

from bench.errors import BenchError


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
        from bench.reporting.basis import resolve_target
        from bench.reporting.reference import load_reference

        target = resolve_target(load_reference(workload))[0]
    return until, target


def normalised_line(folder: Path | str) -> str | None:
    """One line with a finished run's normalised compute-to-target (None without a reference)."""
    from bench.reporting.basis import make_basis
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
