"""The one place that fixes each strategy's colour and marker, so every plot agrees."""

from __future__ import annotations

import zlib

# Colours from the Okabe-Ito and tab20 palettes, chosen so neighbours in the legend differ.
STRATEGY_STYLE: dict[str, tuple[str, str]] = {
    "grid": ("#000000", "s"),
    "random": ("#E69F00", "o"),
    "fifo": ("#8C564B", "v"),
    "tpe": ("#56B4E9", "^"),
    "optuna-asha": ("#009E73", "D"),
    "asha": ("#0072B2", "o"),
    "hyperband": ("#D55E00", "s"),
    "pbt": ("#CC79A7", "P"),
    "pb2": ("#9467BD", "X"),
    "bohb": ("#17BECF", "*"),
    "median": ("#BCBD22", "h"),
    "bayesopt": ("#7F7F7F", "<"),
    "nevergrad": ("#C8A800", ">"),
}

# Colours for strategies outside the table (searcher+scheduler pairings), picked by name.
_SPARE_COLOURS = ("#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#A6761D", "#666666")
_SPARE_MARKERS = ("o", "s", "^", "D", "v", "P", "X")

#: How a trial ended, drawn as a line style (colour is the strategy's, so outcomes never reuse it).
OUTCOME_LINESTYLES: dict[str, str | tuple] = {
    "completed": "-",
    "stopped_at_target": "-",
    "stopped_early": "--",
    "paused": ":",
    "budget_cut": "-.",
    "diverged": (0, (1, 1)),
    "errored": (0, (3, 1, 1, 1, 1, 1)),
}


def outcome_linestyle(outcome: str) -> str | tuple:
    """The line style of a trial outcome (an unknown one is dotted)."""
    return OUTCOME_LINESTYLES.get(outcome, ":")

TARGET_COLOUR = "#C00000"


def _base_name(label: str) -> str:
    """The strategy name of a label: parameters in brackets and notes in parentheses dropped."""
    return label.split("[", 1)[0].split(" (", 1)[0].strip()


def colour(label: str) -> str:
    """The colour of a strategy label (a label with parameters or a note shares its strategy's)."""
    name = _base_name(label)
    if name in STRATEGY_STYLE:
        return STRATEGY_STYLE[name][0]
    return _SPARE_COLOURS[zlib.crc32(name.encode()) % len(_SPARE_COLOURS)]


def marker(label: str) -> str:
    """The marker of a strategy label."""
    name = _base_name(label)
    if name in STRATEGY_STYLE:
        return STRATEGY_STYLE[name][1]
    return _SPARE_MARKERS[zlib.crc32(name.encode()) % len(_SPARE_MARKERS)]
