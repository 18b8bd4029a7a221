"""`bench tables`: the learning-curve tables bench knows, one line each."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bench.errors import BenchError, path_option

if TYPE_CHECKING:
    import argparse

    from bench.store.tables import Table
    from workloads.space import SearchSpace

HELP = "list learning-curve tables (shipped references and grid runs' tables)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", dest="dirs", action="append", type=path_option, default=None, metavar="DIR",
                        help="also look for tables under DIR (repeatable; default: results)")


def _size(path: Path) -> str:
    size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


def _describe(path: Path) -> dict:
    """One table's line; a table that does not load still shows, with the reason."""
    import json

    from bench.errors import BenchError
    from bench.store.tables import META, load_table, table_label

    entry = {"name": table_label(path), "path": str(path)}
    try:
        meta = json.loads((path / META).read_text())
        hardware = meta.get("hardware") or {}
        gpus = ",".join(hardware.get("gpus") or []) or "no GPU"
        entry.update(
            workload=meta["workload"]["name"], version=meta["workload"]["version"], grid=meta["grid_size"],
            epochs=meta["workload"]["max_epochs"], repeats=meta["repeats"], rows=meta["rows"],
            size=_size(path), hardware=f"{hardware.get('cpu_model', '?')} "
                                       f"x{hardware.get('cpu_count', '?')}, {gpus}",
        )
        sample = meta.get("space_sample")
        entry["sample"] = (f" + {sample['configs']} sampled configurations x {len(sample['seeds'])} seeds"
                           if sample else "")
        table = load_table(path)
        if sample:
            from bench.store.dataset import read_cost_model, read_space_sample

            read_space_sample(path, meta, workloads_space(table))
            read_cost_model(path, meta)
        entry["status"] = "ok"
    except BenchError as exc:
        entry["status"] = f"unusable: {exc}"
    except (OSError, ValueError, KeyError, TypeError) as exc:
        entry["status"] = f"unusable: {type(exc).__name__}: {exc}"
    return entry


def workloads_space(table: Table) -> SearchSpace:
    import workloads

    return workloads.get(table.workload).space


def main(args: argparse.Namespace) -> int:
    from bench.store.tables import find_tables

    for folder in args.dirs or []:
        if not folder.is_dir():
            raise BenchError(f"--dir {folder}: {'not a folder' if folder.exists() else 'no such folder'}; "
                             f"accepted: a folder holding tables (table.json folders or grid runs' table/)")
    paths = find_tables(args.dirs if args.dirs is not None else [Path("results")])
    if not paths:
        print("no learning-curve tables found; a complete grid run writes one into its run folder's table/")
        return 0
    for entry in map(_describe, paths):
        if "workload" in entry:
            print(f"{entry['name']:<28} {entry['workload']} v{entry['version']}  "
                  f"{entry['grid']} grid points x {entry['epochs']} epochs x "
                  f"{entry['repeats']} repeats{entry.get('sample', '')}  {entry['rows']} rows  "
                  f"{entry['size']}  {entry['hardware']}  [{entry['status']}]")
        else:
            print(f"{entry['name']:<28} [{entry['status']}]")
        print(f"  {entry['path']}")
    return 0
