"""What a process pays before its work starts: each start-up step in fresh interpreters, the way bench
does it now and the way it did before 77b47c2, side by side, with their ratio.

    python scripts/startup_cost.py [--repeats 5]

Steps (each a `python -c` child; its CPU is user+sys from the parent's rusage of its children, less
the median of an empty interpreter's):
  hardware   `bench.environment.hardware()`, recorded in every manifest: now without torch where no
             GPU device files exist (`certainly_no_gpu`); before, after `import torch` (what every
             replay command, matrix worker and live driver paid to look for GPUs)
  digits     the digits a trial process loads: `workloads.digits.bundled_digits()` now; before,
             `sklearn.datasets.load_digits()` (imports scikit-learn)
  trainer    a digits trainer built, as a trial process builds it (`make_trainer`): now; before, with
             scikit-learn imported first (what load_split used to do)

Run it on an idle machine: it prints medians over --repeats runs, alternating the two ways.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys

TRAINER = (
    "import workloads\n"
    "from workloads.base import TrainerContext\n"
    "w = workloads.get('digits')\n"
    "hp = w.space.normalise({'learning_rate': 0.01, 'momentum': 0.0, 'weight_decay': 1e-5, 'batch_size': 16,"
    " 'width': 4})\n"
    "w.make_trainer(hp, TrainerContext(device='cpu', cpu_threads=1, seed=0, options={}))\n"
)

#: step -> (now, before): the code each fresh interpreter runs.
STEPS = {
    "hardware": ("import bench.environment as e; e.hardware()",
                 "import torch, bench.environment as e; e.hardware()"),
    "digits": ("from workloads.digits import bundled_digits; bundled_digits()",
               "from sklearn.datasets import load_digits; load_digits()"),
    "trainer": (TRAINER, "import sklearn.datasets\n" + TRAINER),
}


def child_cpu_s(code: str) -> float:
    """CPU seconds (user + sys) of one fresh interpreter running `code`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each way (default: 5)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        print(f"error: --repeats must be a positive integer, not {args.repeats}", file=sys.stderr)
        return 2
    empty = statistics.median(child_cpu_s("pass") for _ in range(args.repeats))
    print(f"empty interpreter: {empty:.2f} s of CPU (subtracted below); medians of {args.repeats} runs")
    print(f"{'step':<10} {'now s':>7} {'before s':>9} {'before/now':>11}")
    for step, (now_code, before_code) in STEPS.items():
        now, before = [], []
        for _ in range(args.repeats):  # alternating, so a change in the machine's load hits both
            now.append(child_cpu_s(now_code) - empty)
            before.append(child_cpu_s(before_code) - empty)
        now_s, before_s = statistics.median(now), statistics.median(before)
        print(f"{step:<10} {now_s:7.2f} {before_s:9.2f} {before_s / max(now_s, 1e-9):10.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
