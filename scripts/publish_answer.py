"""Publish a compare's report as the README's answer: docs/answer/ and the README section between markers.

    python -m bench compare --strategies all --seeds 20 --replay --out COMPARE
    python scripts/publish_answer.py COMPARE

Copies COMPARE/report (report.md, summary.json/csv, per_seed.csv, the plots) to docs/answer/ and
rewrites the README between the ANSWER markers with the verdict lines, the summary table at the
default target, the ladder (median compute-to-target per target) and the plots, all read from
summary.json: nothing is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- ANSWER: filled from docs/answer/ by scripts/publish_answer.py -->"
END = "<!-- /ANSWER -->"
PLOTS = ("budget.png", "runtime_distribution.png", "anytime.png", "distribution.png", "learning_curves.png")


def _figure(value, fmt: str = ".3g", none: str = "not reached") -> str:
    return none if value is None else format(value, fmt)


def section(doc: dict, command: str) -> str:
    """The README's answer section from a report's summary.json."""
    target, unit = doc["target"], doc["unit"]
    lines = [BEGIN, "",
             f"From `{command}` ({doc['created_at'][:10]}, bench {doc['produced_by']['bench']}; "
             "the full report: [docs/answer/report.md](docs/answer/report.md)). The verdict, "
             "one line per target:", ""]
    lines += [f"- {v['line']}" for v in doc["verdicts"]] or [f"- no verdict: {doc.get('verdict_note')}"]
    trust = [w for w in doc["warnings"] if w.startswith("replay at target")]
    if trust:
        lines += ["", "Where replay is not trusted (the surrogate's fidelity, "
                  "[docs/fidelity.md](docs/fidelity.md)):", ""]
        lines += [f"- {w}" for w in trust]
    lines += ["", f"At the default target {target['accuracy']:.4f} (grid = 100 = "
              f"{doc['reference']['total_compute']:.1f} {unit.get('label', unit['name'])}; "
              "median over seeds [95% interval]):", "",
              "| strategy | seeds hit | compute-to-target | speed-up | compute used |",
              "|---|---|---|---|---|"]
    for row in doc["strategies"]:
        if row["by_definition"]:
            lines.append(f"| {row['strategy']} | - | 100 (by definition) | 1x | 100 |")
            continue
        interval = (f"{_figure(row['normalised_median'])} [{_figure(row['normalised_low'], none='-')}, "
                    f"{_figure(row['normalised_high'])}]")
        speedup = "-" if row["speedup_median"] is None else f"{row['speedup_median']:.3g}x"
        lines.append(f"| {row['strategy']} | {row['hits']}/{row['seeds']} | {interval} | {speedup} | "
                     f"{_figure(row['compute_used_normalised_median'])} |")
    ladder = doc["ladder"]
    targets = [r["target"] for r in ladder["rungs"]]
    lines += ["", "Median compute-to-target at each target of the ladder (seeds that hit; ERT, "
              "misses counted as COCO counts them):", "",
              "| strategy | " + " | ".join(f"{t:.4f}" for t in targets) + " |",
              "|---|" + "---|" * len(targets)]
    cells = {(r["strategy"], round(r["target"], 9)): r for r in ladder["summary"]}
    for row in doc["strategies"]:
        out = []
        for t in targets:
            cell = cells.get((row["strategy"], round(t, 9)))
            if cell is None or not cell["measured"]:
                out.append("-")
                continue
            out.append(f"{_figure(cell['normalised_median'])} ({cell['hits']}/{cell['measured']}; ERT "
                       f"{_figure(cell['ert_normalised'], none='-')})")
        name = f"{row['strategy']} (own order)" if row["strategy"] == "grid" else row["strategy"]
        lines.append(f"| {name} | " + " | ".join(out) + " |")
    lines += [""] + [f"![{name}](docs/answer/{name})" for name in PLOTS] + ["", END]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("compare", type=Path, help="a compare's --out folder (its report/ is published)")
    parser.add_argument("--command", default="python -m bench compare --strategies all --seeds 20 --replay")
    args = parser.parse_args(argv)
    report = args.compare / "report"
    doc = json.loads((report / "summary.json").read_text())
    answer = ROOT / "docs" / "answer"
    if answer.exists():
        shutil.rmtree(answer)
    answer.mkdir(parents=True)
    for path in report.iterdir():
        if path.is_file():
            shutil.copy2(path, answer / path.name)
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    readme.write_text(text[:start] + section(doc, args.command) + text[stop:])
    print(f"{answer}: {len(list(answer.iterdir()))} files; README answer section rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
