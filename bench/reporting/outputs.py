"""Write a report: report.md, report.html, summary.csv, summary.json, per_seed.csv and the plots."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import environment
from bench.reporting import html, markdown, plotdata, plots
from bench.reporting.ladder import runtime_distribution_data
from bench.reporting.verdict import verdict_records
from bench.store.results import atomic_write_bytes

if TYPE_CHECKING:
    import pandas as pd

    from bench.reporting.build import Report

SUMMARY_SCHEMA_VERSION = 2  # 2: the ladder of targets and the verdicts


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN and inf to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def summary_document(report: Report) -> dict:
    """Everything in summary.json."""
    import bench

    basis, reference = report.basis, report.basis.reference
    return _clean({
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "kind": "compute-to-target",
        "produced_by": {"bench": bench.__version__, "versions": environment.library_versions()},
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "workload": {"name": report.workload, "version": reference.workload_version},
        "reference": {
            "source": reference.source, "kind": reference.kind, "repeats": reference.repeats,
            "grid_size": reference.grid_size, "hardware_fingerprint": reference.hardware_fingerprint,
            "best_final_accuracy": reference.best_final_accuracy(), "total_compute": basis.grid_compute,
            "own_order_normalised": report.grid_own_order, "own_order_source": report.grid_own_order_source,
        },
        "target": {"accuracy": basis.target, "rule": basis.target_rule, "tolerance_pp": basis.tolerance_pp},
        "unit": {"name": basis.unit, "label": basis.unit_label, "reason": basis.unit_reason},
        "strategies": report.summary.to_dict("records"),
        "per_seed": report.per_seed.to_dict("records"),
        "claims": report.claims,
        "warnings": report.warnings,
        "fifo_random_p_value": report.aa_p_value,
        "environments": report.environments,
        "ladder": _ladder_document(report),
        "verdicts": verdict_records(report.verdicts),
        "verdict_note": report.verdict_note,
    })


def _ladder_document(report: Report) -> dict | None:
    from bench.reporting.summary import records

    if report.ladder is None:
        return None
    return {"rule": report.ladder.rule,
            "rungs": [{"target": r.target, "label": r.label} for r in report.ladder.rungs],
            "summary": records(report.ladder_summary),  # type: ignore[arg-type]  # built with the ladder
            "runs": records(report.ladder_table)}  # type: ignore[arg-type]  # built with the ladder


def _at(target: float) -> str:
    return f"at_{target:.4f}"


def _with_ladder_columns(frame: pd.DataFrame, ladder_frame: pd.DataFrame | None, targets: Sequence[float],
                         key: str, columns: Sequence[str]) -> pd.DataFrame:
    """`frame` with, per ladder target, `columns` of `ladder_frame` joined on `key` as `at_T_column`."""
    frame = frame.copy()
    if ladder_frame is None:
        return frame
    for target in targets:
        rows = ladder_frame[ladder_frame["target"] == target].set_index(key)
        for column in columns:
            frame[f"{_at(target)}_{column}"] = frame[key].map(rows[column])
    return frame


def summary_csv_frame(report: Report) -> pd.DataFrame:
    """summary.csv: the default target's columns, then per ladder target its hits, median and ERT."""
    targets = report.ladder.targets if report.ladder is not None else ()
    return _with_ladder_columns(report.summary, report.ladder_summary, targets, "strategy",
                                ("hits", "measured", "normalised_median", "ert_normalised"))


def per_seed_csv_frame(report: Report) -> pd.DataFrame:
    """per_seed.csv: one row per run; per ladder target its status and normalised compute-to-target."""
    targets = report.ladder.targets if report.ladder is not None else ()
    return _with_ladder_columns(report.per_seed, report.ladder_table, targets, "run_id",
                                ("status", "normalised"))


def text_chart(report: Report) -> str:
    return plots.text_bars(plotdata.budget_chart_data(report.summary), report.basis.unit)


def write_plots(report: Report, out: Path) -> list[Path]:
    """The PNGs, each drawn from data built by bench.reporting.plotdata or bench.reporting.ladder."""
    budget, anytime, curves, spread, runtimes = (out / name for name in plots.PLOT_FILES)
    return [
        plots.draw_budget_chart(plotdata.budget_chart_data(report.summary), report.basis.unit, budget),
        plots.draw_anytime(plotdata.anytime_data(report.runs, report.basis), report.basis.target, anytime),
        plots.draw_learning_curves(plotdata.learning_curves_data(report.runs, report.per_seed),
                                   report.basis.target, curves),
        plots.draw_distribution(plotdata.distribution_data(report.per_seed, report.summary), spread),
        plots.draw_runtime_distribution(runtime_distribution_data(report.ladder_table), report.ladder,  # type: ignore[arg-type]  # built reports have one
                                        runtimes),
    ]


def write_report(report: Report, out: Path | str) -> list[Path]:
    """Write every output under `out` and return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = write_plots(report, out)
    atomic_write_bytes(out / "summary.json", json.dumps(summary_document(report), indent=2).encode())
    atomic_write_bytes(out / "summary.csv", summary_csv_frame(report).to_csv(index=False).encode())
    atomic_write_bytes(out / "per_seed.csv", per_seed_csv_frame(report).to_csv(index=False).encode())
    body = markdown.render(report, list(plots.PLOT_FILES), text_chart(report))
    atomic_write_bytes(out / "report.md", body.encode())
    page = html.write_html(out / "report.md", f"bench report: {report.workload}")
    tables = [out / name for name in ("summary.json", "summary.csv", "per_seed.csv", "report.md")]
    return [*written, *tables, page]
