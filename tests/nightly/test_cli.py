"""`bench nightly` end to end on a small replay suite: exit codes 0/1/2, a planted regression, a kill."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE = """schema = 1
name = "tiny"
[replay]
strategies = ["asha", "grid"]
seeds = 6
"""


def _nightly(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "bench", "nightly", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _rows(history: Path):
    with sqlite3.connect(history / "history.sqlite") as conn:
        return (conn.execute("select * from runs order by run_id").fetchall(),
                conn.execute("select * from results order by run_id, strategy, seed").fetchall())


def test_unchanged_then_planted_regression(tmp_path):
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    history = tmp_path / "history"
    first = _nightly("--suite", suite, "--history", history, "--out", tmp_path / "n1")
    assert first.returncode == 0, first.stderr
    report = (tmp_path / "n1" / "nightly.md").read_text()
    assert "not comparable" in report and (tmp_path / "n1" / "trend-replay-digits.png").stat().st_size > 0
    second = _nightly("--suite", suite, "--history", history, "--out", tmp_path / "n2")
    assert second.returncode == 0, second.stderr
    assert "asha: unchanged" in second.stdout  # replay with the same seeds repeats itself
    # Plant a regression: the accepted baseline needed a third of the compute asha needs now.
    with sqlite3.connect(history / "history.sqlite") as conn:
        conn.execute("update results set normalised = normalised / 3 where run_id = 2 and strategy = 'asha'")
    third = _nightly("--suite", suite, "--history", history, "--out", tmp_path / "n3")
    assert third.returncode == 1, third.stderr
    assert "REGRESSED: asha (worse)" in third.stdout and "grid: unchanged" in third.stdout
    report = (tmp_path / "n3" / "nightly.md").read_text()
    assert "**asha** (replay, digits): worse" in report and "status: **regressed**" in report
    page = (tmp_path / "n3" / "nightly.html").read_text()  # the same report, self-contained
    assert "status: <strong>regressed</strong>" in page and page.count('src="data:image/png;base64,') == 1
    runs, _ = _rows(history)
    assert [r[-1] for r in runs] == ["accepted", "accepted", "regressed"]
    older = _nightly("--suite", suite, "--history", history, "--out", tmp_path / "n4", "--baseline", 1)
    assert older.returncode == 0, older.stdout  # run 1 was not edited


def test_the_nightly_page_renders_in_a_browser(tmp_path, browser):
    from tests.browser import open_page

    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    done = _nightly("--suite", suite, "--history", tmp_path / "history", "--out", tmp_path / "n")
    assert done.returncode == 0, done.stderr
    seen = open_page(browser, tmp_path / "n" / "nightly.html")
    assert seen["errors"] == [] and seen["headings"][0] == "Nightly run 1: suite tiny"
    assert [alt for alt, *_ in seen["pictures"]] == ["trend"]
    assert all(loaded and width > 300 for _, loaded, width, _ in seen["pictures"])
    assert "Trend: replay digits" in seen["headings"] and seen["drawn_share"] > 0.02


@pytest.mark.parametrize("text, message", [
    ("colour = 1\n" + SUITE, "unknown key 'colour'; accepted: schema, name"),
    (SUITE + "colour = 1\n", "unknown key in [replay] 'colour'; accepted: workloads"),
    (SUITE.replace("seeds = 6", "seeds = 0"), "replay.seeds must be a positive integer, not 0"),
    (SUITE.replace('"grid"', '"gird"'), "unknown strategy 'gird'"),
    (SUITE + "[regression]\nfactor = 0.9\n", "regression.factor must be a number > 1"),
    (SUITE + "[replay.params.asha]\ngrace = 2\n", "strategy 'asha'"),
    ("schema = [", "not valid TOML"),
])
def test_bad_suite_is_one_line_and_exit_2(tmp_path, text, message):
    suite = tmp_path / "bad.toml"
    suite.write_text(text)
    done = _nightly("--suite", suite, "--history", tmp_path / "h", "--out", tmp_path / "o")
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_unknown_suite_and_bad_baseline_exit_2(tmp_path):
    done = _nightly("--suite", "nosuch", "--history", tmp_path / "h")
    assert done.returncode == 2 and "shipped: nightly, smoke" in done.stderr
    done = _nightly("--suite", "smoke", "--history", tmp_path / "h", "--baseline", "7")
    assert (done.returncode == 2 and "no history at" in done.stderr
            and not (tmp_path / "h" / "history.sqlite").exists())


def test_killed_run_leaves_history_unchanged(tmp_path):
    suite = tmp_path / "tiny.toml"
    suite.write_text(SUITE)
    history = tmp_path / "history"
    assert _nightly("--suite", suite, "--history", history, "--out", tmp_path / "n1").returncode == 0
    before = _rows(history)
    proc = subprocess.Popen([sys.executable, "-m", "bench", "nightly", "--suite", str(suite), "--history",
                             str(history), "--out", str(tmp_path / "n2"), "--verbose"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    while line and "[3/" not in line:  # killed mid-suite, after some runs finished
        line = proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.1)
    assert _rows(history) == before
