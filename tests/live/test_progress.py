"""The live progress bar (bench.live.progress): no ETA toward a budget the target makes moot."""

from __future__ import annotations

import re

from bench.budget import Budget
from bench.live.progress import RunProgress, accuracy_postfix, render

ETA = re.compile(r"<\d")  # tqdm writes the remaining time as `elapsed<remaining`


def test_a_run_to_its_target_shows_best_accuracy_against_the_target_and_no_eta():
    text = render(33, 2187, "epochs", "asha", 41.0, 0.9123, 0.95)
    assert text.startswith("asha:   2% of budget|")
    assert text.endswith("| 33/2187 epochs [00:41, best 0.9123 / target 0.9500]")
    assert not ETA.search(text) and "/s" not in text


def test_the_target_reached_is_said_and_before_any_epoch_the_best_is_a_dash():
    assert render(70, 2187, "epochs", "asha", 80.0, 0.9523, 0.95).endswith("best 0.9523 / target "
                                                                           "0.9500 reached]")
    assert render(0, 2187, "epochs", "asha", 0.0, None, 0.95).endswith("0/2187 epochs [00:00, "
                                                                       "best - / target 0.9500]")


def test_a_run_to_its_budget_keeps_the_eta():
    text = render(33, 2187, "epochs", "asha", 41.0, 0.9123, None)
    assert ETA.search(text) and "target" not in text and accuracy_postfix(0.9, None) == ""


def test_the_bar_follows_recorded_rows_and_a_resumed_run(capsys):
    bar = RunProgress("asha", Budget("epochs", 100), target=0.95)
    bar.resume(10, 0.5)
    for accuracy in (0.4, 0.93, float("nan"), 0.91):
        bar.advance({"val_accuracy": accuracy, "epoch_cost_s": 1.0})
    assert (bar._bar.n, bar.best_accuracy) == (14, 0.93)
    assert bar._bar.postfix == "best 0.9300 / target 0.9500"
    bar.close()
    assert not ETA.search(capsys.readouterr().err)
