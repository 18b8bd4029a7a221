"""report.md: the summary table, the definitions, reference, target, unit, versions and warnings."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from bench.reporting.caveats import LOW_HIT_RATE
from bench.reporting.reference import DEFAULT_TOLERANCE_PP
from bench.reporting.stats import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED
from bench.reporting.summary import records
from bench.reporting.verdict import ALPHA, MISS_PENALTY, TIE_HIGH, TIE_LOW

if TYPE_CHECKING:

    from bench.reporting.build import Report

DEFINITIONS = f"""\
- **Reference**: the grid's recorded results of the same workload and version (a learning-curve
  table or a complete grid run). **The grid's best**: for each grid repeat (training seed), the
  best final validation accuracy over its grid points (what that grid search reports at its end),
  averaged over repeats: "the accuracy grid search finds". **Target**: the grid's best minus a
  tolerance (default {DEFAULT_TOLERANCE_PP:g} percentage points), or an explicit `--target`.
- **Ladder**: further targets from easy to hard (default: the grid's best minus 2, 1 and 0 points, and
  halfway from the grid's best to the best accuracy recorded anywhere in the dataset); a run that
  stopped at its own, easier target is "not measured" at harder ones, never a miss. **ERT**
  (expected running time, as the COCO platform counts it): compute spent by all measured runs (a
  miss counts all it used) / runs that hit. **Runtime distribution**: per strategy, the share of
  (seed, target) pairs reached within each amount of compute.
- **Verdict**: per target, the strategy with the lowest geometric mean of compute-to-target is the best; each
  other strategy is compared with it on the seeds both ran (seeds are paired: the same seed draws
  the same first configurations) by a Wilcoxon signed-rank test of the log ratios, Holm-corrected
  over the comparisons (p < {ALPHA:g}: better or slower); a miss counts as {MISS_PENALTY:g} x the most
  compute any run spent there. **Tied**: the 95% interval of the geometric-mean paired ratio lies in
  [{TIE_LOW:g}, {TIE_HIGH:g}]. **Not separated**: neither, with the seeds that would likely tell (80% power,
  or an interval narrow enough to tie). The grid is the reference, not a contender.
- **Trajectory** of a run: its results in the order they were reported (`result_index`); after
  each, the cumulative compute of all trials so far and the best validation accuracy so far.
- **Compute-to-target**: the cumulative compute at the first result whose best-so-far reaches the
  target, if that happened within the run's budget. **Normalised**: 100 x compute-to-target / the
  grid's total compute. The grid row is 100 by definition (grid search knows its best only when the
  sweep ends); "own order" says where in its own order the grid first reached the target.
- **Unit**: reference-seconds when every run and the reference charged each epoch from the same
  cost model (the idle recording machine's seconds for an epoch of that batch size and width,
  whatever the load when it ran); device-seconds (measured) when every run's compute was timed on
  the reference's hardware; otherwise epochs.
- **Seeds**: per strategy, the median over seeds and a 95% percentile bootstrap interval of the
  median ({BOOTSTRAP_RESAMPLES} resamples, seed {BOOTSTRAP_SEED}); the hit rate is the share of seeds that reached
  the target within the budget. A miss counts as above every hit; when the median seed missed
  (fewer than half hit, or exactly half with an even number of seeds) the median is "not reached".
- **Best final accuracy**: the best trial's accuracy at its last reported result (Ray Tune's
  `scope="last"`). **Compute used**: the run's total compute. **Configurations**: distinct
  hyperparameter settings trained. **Speed-up**: 100 / normalised.
- **Claims**: a range claim is met ("inside") when the measured median falls in it; a single
  figure when it lies inside the measured 95% interval.
- Warnings flag hit rates below {LOW_HIT_RATE:.0%}, unequal seed counts or budgets, approximate replays
  and `fifo` versus `random` differing (two-sided Mann-Whitney U, p < 0.05).
"""  # noqa: E501  # report.md text: rewrapping it would change the report


def _num(value: Any, fmt: str = ".1f", none: str = "not reached") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return none
    if value == math.inf:
        return "inf"
    return format(value, fmt)


def _interval(row: dict, prefix: str, fmt: str) -> str:
    median = row[f"{prefix}_median"]
    if median is None:
        return "not reached"
    if row["by_definition"] and prefix == "normalised":
        return "100 (by definition)"
    return f"{_num(median, fmt)} [{_num(row[f'{prefix}_low'], fmt, '-')}, {_num(row[f'{prefix}_high'], fmt)}]"


def published(claim: dict) -> str:
    """A published figure beside this workload's: context from another sweep, not a pass or fail."""
    measured = claim["measured_median"]
    if measured is None:
        here = "not reached"
    elif claim["measure"] == "normalised":
        here = _num(measured, ".3g")
    else:
        here = f"{_num(measured, '.3g')}x"
    return f"published {claim['claim']}; here {here}"


def summary_table(report: Report) -> str:
    claims: dict[str, list[str]] = {}
    for claim in report.claims:
        claims.setdefault(claim["strategy"], []).append(published(claim))
    replayed = any(bool(run.manifest.get("replay")) for run in report.runs)
    # A replayed accuracy beyond the recorded configurations is the surrogate's, not a measurement.
    accuracy = "best final accuracy (modelled: replay)" if replayed else "best final accuracy"
    head = ("| strategy | seeds | hit rate | compute-to-target, grid = 100: median [95% CI] | speed-up | "
            f"{accuracy}: median [95% CI] | compute used (grid = 100) | configurations | epochs | "
            "published (another sweep): here |")
    lines = [head, "|" + "---|" * 10]
    for row in records(report.summary):
        speedup = "1x" if row["by_definition"] else (
            "-" if row["speedup_median"] is None else f"{_num(row['speedup_median'], '.3g')}x")
        own = (f"; own order {_num(row['own_order_normalised'], '.3g')}"
               if row["own_order_normalised"] is not None else "")
        seeds, hits = row["seeds"], f"{row['hits']}/{row['seeds']}"
        if row["by_definition"] and row["replay"] == "reference":  # no grid runs: the row is the reference's
            reference = report.basis.reference
            seeds, hits = (f"{reference.kind}, {reference.repeats} "
                           f"repeat{'s' if reference.repeats != 1 else ''}", "-")
        lines.append(
            f"| {row['strategy']} | {seeds} | {hits} | {_interval(row, 'normalised', '.3g')}{own} | "
            f"{speedup} | {_interval(row, 'best_final', '.4f')} | "
            f"{_num(row['compute_used_normalised_median'], '.3g')} | "
            f"{_num(row['configurations_median'], '.0f', '-')} | {_num(row['epochs_median'], '.0f', '-')} | "
            f"{'; '.join(claims.get(row['strategy'], [])) or '-'} |"
        )
    return "\n".join(lines)


def _environment_lines(report: Report) -> list[str]:
    lines = []
    for env in report.environments:
        hardware = env["hardware"] or {}
        versions = ", ".join(f"{k} {v}" for k, v in (env["versions"] or {}).items())
        lines.append(f"- {env['runs']} runs on {hardware.get('cpu_model', '?')} "
                     f"x{hardware.get('cpu_count', '?')}, GPUs: "
                     f"{', '.join(hardware.get('gpus') or []) or 'none'}; {versions}")
    return lines


def verdict_lines(report: Report) -> list[str]:
    """The verdict, one line per target, or why there is none."""
    if report.verdicts:
        return [v.line for v in report.verdicts]
    return [f"no verdict: {report.verdict_note}"] if report.verdict_note else []


def ladder_table(report: Report) -> str:
    """Per strategy and target: median compute-to-target [95% CI], hits/measured and ERT."""
    if report.ladder_summary is None or report.ladder is None:
        return ""
    targets = report.ladder.targets
    head = "| strategy | " + " | ".join(f"{t:.4f} ({report.ladder.label(t)})" for t in targets) + " |"
    lines = [head, "|---|" + "---|" * len(targets)]
    frame = report.ladder_summary
    for label in report.summary["strategy"]:
        cells = []
        for target in targets:
            rows = frame[(frame["target"] == target) & (frame["strategy"] == label)]
            if rows.empty:
                cells.append("-")
                continue
            row = records(rows)[0]
            if row["measured"] == 0:
                cells.append("not measured")
                continue
            median = ("100 (by definition)" if row["by_definition"] and row["normalised_median"] is not None
                      else "not reached" if row["normalised_median"] is None
                      else f"{_num(row['normalised_median'], '.3g')} "
                           f"[{_num(row['normalised_low'], '.3g', '-')}, "
                           f"{_num(row['normalised_high'], '.3g')}]")
            cells.append(f"{median}; {row['hits']}/{row['measured']}; ERT "
                         f"{_num(row['ert_normalised'], '.3g', '-')}")
        # Stored grid runs: where in its own order the grid reached each target (the summary's grid is 100).
        own_order = label == "grid" and not frame[frame["strategy"] == label]["by_definition"].all()
        shown = f"{label} (own order)" if own_order else label
        lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(report: Report, plot_names: list[str], text_chart: str) -> str:
    """The whole report.md."""
    basis, reference = report.basis, report.basis.reference
    own = "not reached" if report.grid_own_order is None else f"{report.grid_own_order:.1f}"
    verdict = verdict_lines(report)
    parts = [
        f"# Compute-to-target report: {report.workload} v{reference.workload_version}", "",
        *([f"- {line}" for line in verdict] + [""] if verdict else []),
        f"- Reference: {reference.kind} `{reference.source}` ({reference.repeats} "
        f"repeat{'s' if reference.repeats != 1 else ''}, {reference.grid_size} grid points, recorded on "
        f"{reference.hardware_fingerprint})",
        f"- Target: validation accuracy **{basis.target:.4f}**: {basis.target_rule}",
        f"- Unit: **{basis.unit_label}**, because {basis.unit_reason}; "
        f"the grid's total compute (= 100) is {basis.grid_compute:.6g} {basis.unit_label}",
        f"- The grid first reached the target at {own} in its own order ({report.grid_own_order_source}; "
        f"it knows its best only at 100).",
        f"- Runs: {len(report.runs)}; fifo vs random Mann-Whitney U p = "
        f"{'n/a' if report.aa_p_value is None else format(report.aa_p_value, '.3g')}", "",
        "## Summary", "", summary_table(report), "",
        "```", text_chart, "```", "",
        "## Ladder of targets", "",
        f"Targets: {report.ladder.rule if report.ladder else '-'}. Each cell: "
        f"median compute-to-target, grid = 100 [95% CI]; seeds that hit / seeds measured; ERT.", "",
        ladder_table(report), "",
        "## Warnings", "", *([f"- {w}" for w in report.warnings] or ["- none"]), "",
        "## Plots", "", *[f"![{name}]({name})" for name in plot_names], "",
        "## Claims", "",
        "| strategy | claimed | source | measured median [95% CI] | verdict |", "|---|---|---|---|---|",
        *[f"| {c['strategy']} | {c['claim']} | {c['source']} | {_num(c['measured_median'], '.3g')} "
          f"[{_num(c['measured_low'], '.3g', '-')}, {_num(c['measured_high'], '.3g')}] | {c['verdict']} |"
          for c in report.claims], "",
        *[f"- {name}: {text}" for name, text in report.claim_sources.items()], "",
        "## Definitions", "", DEFINITIONS,
        "## Versions and hardware", "", *_environment_lines(report), "",
    ]
    return "\n".join(parts)
