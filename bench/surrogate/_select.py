"""Which candidate model a surrogate uses: fidelity goals first, then error, within a latency budget."""

from __future__ import annotations

import math

#: Seconds one `curve()` call may take (replay calls it once per trial).
LATENCY_BUDGET_S = 150e-6
#: Fidelity goals (issue #15): figure -> (comparison, bound).
GOALS = {
    "spearman_final": (">=", 0.9),
    "spearman_epoch_1": (">=", 0.85),
    "spearman_epoch_3": (">=", 0.85),
    "spearman_epoch_9": (">=", 0.85),
    "mae_over_seed_difference": ("<=", 1.5),
}


def goals_met(figures: dict) -> int:
    """How many of GOALS the fidelity figures meet (a missing or NaN figure meets none)."""
    met = 0
    for name, (comparison, bound) in GOALS.items():
        value = figures.get(name, float("nan"))
        if not math.isnan(value) and (value >= bound if comparison == ">=" else value <= bound):
            met += 1
    return met


def choose_model(results: dict[str, dict], latency_budget_s: float = LATENCY_BUDGET_S) -> str | None:
    """The best model: within the latency budget, most goals met, then lowest final-accuracy MAE.

    Args:
        results: model name -> its fidelity figures plus "latency_s".
    Returns:
        the chosen name, or None when no model is fast enough.
    """
    fast = [name for name, figures in results.items() if figures["latency_s"] <= latency_budget_s]
    if not fast:
        return None
    return min(fast, key=lambda name: (-goals_met(results[name]), results[name]["final_mae"], name))


def best_ignoring_latency(results: dict[str, dict]) -> str:
    """The model choose_model would pick if speed did not matter."""
    return choose_model(results, latency_budget_s=math.inf)
