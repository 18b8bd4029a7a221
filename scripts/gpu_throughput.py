"""Throughput of packed cifar10 trials: epoch time, images/s and model FLOP utilisation (MFU).

Usage: python scripts/gpu_throughput.py [--data-dir DIR] [--widths 16,32,64] [--batch-sizes 64,256,1024]
           [--trials 1,2,4,8] [--images N] [--peak-tflops X] [--max-minutes 8] [--json FILE]

K trials per GPU run as K processes on the first GPU, as Ray runs packed trials (one process
each, time-sliced by the driver unless MPS is on). Each process trains the real cifar10
trainer (bf16 autocast, channels-last, on-device augmentation) for one timed pass over
`--images` training images (after a warm-up that counts FLOPs and autotunes cuDNN); the summed
rate is all K processes' training FLOPs over the span from the first start to the last end.
MFU is that rate over the device's dense bf16 peak (H100/H200 989, A100 312 TFLOP/s). Uses
CIFAR-10 when found (--data-dir, $BENCH_DATA_DIR, ~/.cache/bench/cifar10), else synthetic
CIFAR-shaped data. Without CUDA it runs tiny sizes on the CPU, against a measured fp32 matmul
peak, and says so.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import time
from pathlib import Path

SCHEMA_VERSION = 1
FULL_EPOCH_IMAGES = 50_000
VAL_IMAGES = 512
WAIT_S = 600
#: Dense bf16 tensor-core peaks in TFLOP/s, by a substring of the device name (first match wins).
BF16_PEAK_TFLOPS = (("H100 PCIe", 756.0), ("H200", 989.0), ("H100", 989.0), ("GH200", 989.0), ("A100", 312.0),
                    ("L40S", 362.0), ("L4", 121.0))
GPU_DEFAULTS = {"widths": "16,32,64", "batch_sizes": "64,256,1024", "images": 10240}
CPU_DEFAULTS = {"widths": "8", "batch_sizes": "32", "images": 96}


def _split(device: str, images: int, data_dir: str | None):
    """(train_x, train_y, val_x, val_y) normalised on `device`: CIFAR-10 if found, else synthetic."""
    import torch

    from workloads import _cifar_data as data
    from workloads.cifar10 import normalise

    folder = data.batches_folder(data.resolve_root(data_dir))
    if folder is not None:
        train_x, train_y, val_x, val_y = (torch.from_numpy(a) for a in data.load_arrays(str(folder)))
        train_x, train_y = train_x[:images], train_y[:images]
        val_x, val_y = val_x[:VAL_IMAGES], val_y[:VAL_IMAGES]
    else:
        generator = torch.Generator().manual_seed(0)
        train_x = torch.randint(0, 256, (images, 3, 32, 32), dtype=torch.uint8, generator=generator)
        train_y = torch.randint(0, 10, (images,), generator=generator)
        val_x = torch.randint(0, 256, (VAL_IMAGES, 3, 32, 32), dtype=torch.uint8, generator=generator)
        val_y = torch.randint(0, 10, (VAL_IMAGES,), generator=generator)
    return (normalise(train_x.to(device)), train_y.to(device), normalise(val_x.to(device)), val_y.to(device))


class WorkerError(RuntimeError):
    """A packed trial's process failed (out of memory, a CUDA error); its last traceback line."""


def receive(results, kind: str) -> tuple:
    """The next message from a worker, which must be `kind`; a worker's error is raised here."""
    import queue

    try:
        message = results.get(timeout=WAIT_S)
    except queue.Empty:
        raise WorkerError(f"no worker answered within {WAIT_S} s") from None
    if message[0] != kind:
        raise WorkerError(f"worker {message[1]}: {message[2]}" if message[0] == "error"
                          else f"unexpected {message}")
    return message


def worker(rank: int, tasks, results, device: str, images: int, data_dir: str | None) -> None:
    """Run `serve`, reporting an exception as a message instead of leaving the driver waiting."""
    import traceback

    try:
        serve(rank, tasks, results, device, images, data_dir)
    except BaseException:
        results.put(("error", rank, traceback.format_exc().strip().splitlines()[-1]))


def serve(rank: int, tasks, results, device: str, images: int, data_dir: str | None) -> None:
    """One packed trial: per configuration, build and warm up a trainer, then time one pass on "go"."""
    import torch

    from workloads.base import TrainerContext
    from workloads.cifar10 import make_trainer_on

    split = _split(device, images, data_dir)
    results.put(("up", rank))
    while (task := tasks.get()) is not None:
        width, batch_size, threads = task
        torch.set_num_threads(threads)
        config = {"learning_rate": 0.05, "momentum": 0.9, "weight_decay": 5e-4, "batch_size": batch_size,
                  "width": width}
        trainer = make_trainer_on(split, config,
                                  TrainerContext(device=device, cpu_threads=threads, seed=rank))
        trainer.train_x, trainer.train_y = split[0][:batch_size], split[1][:batch_size]
        trainer.train_epoch()  # warm-up: FLOP count, cuDNN autotuning, allocator
        trainer.train_x, trainer.train_y = split[0], split[1]
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        results.put(("ready", rank))
        tasks.get()  # "go"
        start = time.perf_counter()
        metrics = trainer.train_epoch()
        if device == "cuda":
            torch.cuda.synchronize()
        end = time.perf_counter()
        peak_gib = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else None
        results.put(("done", rank, start, end, metrics.train_flops, peak_gib))
        del trainer
        if device == "cuda":
            torch.cuda.empty_cache()


def measure(workers: list, results, k: int, width: int, batch_size: int, images: int) -> dict:
    """One row: K trials training the same configuration at once."""
    threads = max(1, (os.cpu_count() or 1) // k)
    for tasks, _ in workers[:k]:
        tasks.put((width, batch_size, threads))
    for _ in range(k):
        receive(results, "ready")
    for tasks, _ in workers[:k]:
        tasks.put("go")
    done = [receive(results, "done") for _ in range(k)]
    span = max(d[3] for d in done) - min(d[2] for d in done)
    flops = sum(d[4] for d in done)
    per_trial_s = sum(d[3] - d[2] for d in done) / k
    peaks = [d[5] for d in done if d[5] is not None]
    return {"trials": k, "width": width, "batch_size": batch_size, "images_per_trial": images,
            "epoch_s_per_trial": per_trial_s * FULL_EPOCH_IMAGES / images, "images_per_s": k * images / span,
            "flops_per_s": flops / span, "peak_memory_gib": max(peaks) if peaks else None}


def peak_flops(device: str, given_tflops: float | None) -> tuple[float | None, str]:
    """The peak the MFU is relative to, and where it came from."""
    import torch

    if given_tflops:
        return given_tflops * 1e12, "given with --peak-tflops"
    if device == "cuda":
        name = torch.cuda.get_device_name(0)
        for key, tflops in BF16_PEAK_TFLOPS:
            if key in name:
                return tflops * 1e12, f"{name} dense bf16"
        return None, f"{name}: bf16 peak unknown, pass --peak-tflops"
    torch.set_num_threads(os.cpu_count() or 1)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    start, count = time.perf_counter(), 0
    while time.perf_counter() - start < 1.0:
        a @ b
        count += 1
    rate = 2 * 1024**3 * count / (time.perf_counter() - start)
    return rate, "CPU: no bf16 peak; measured fp32 1024x1024 matmul peak on all cores"


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def main() -> int:
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    defaults = GPU_DEFAULTS if device == "cuda" else CPU_DEFAULTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--widths", default=defaults["widths"])
    parser.add_argument("--batch-sizes", default=defaults["batch_sizes"])
    parser.add_argument("--trials", default="1,2,4,8", help="trials packed per GPU (per CPU without CUDA)")
    parser.add_argument("--images", type=int, default=defaults["images"],
                        help="training images per timed pass")
    parser.add_argument("--peak-tflops", type=float, default=None)
    parser.add_argument("--max-minutes", type=float, default=8.0, help="start no measurement after this")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args()
    widths, batch_sizes, trials = _ints(args.widths), _ints(args.batch_sizes), _ints(args.trials)
    peak, peak_source = peak_flops(device, args.peak_tflops)
    from workloads import _cifar_data as data

    source = ("CIFAR-10" if data.batches_folder(data.resolve_root(args.data_dir))
              else "synthetic CIFAR-shaped data")
    where = f"CUDA: {torch.cuda.get_device_name(0)}, packed on GPU 0" if device == "cuda" else (
        f"CPU ONLY (no CUDA): {os.cpu_count()} cores shared by the packed trials; these are CPU figures")
    print(f"{where}\npeak {peak / 1e12:.3g} TFLOP/s ({peak_source})" if peak else f"{where}\n{peak_source}")
    print(f"data: {source}; {args.images} training images per trial per timed pass, "
          f"epoch time extrapolated to {FULL_EPOCH_IMAGES:,} images")
    header = (f"{'K':>2} {'width':>5} {'batch':>5} {'epoch_s/trial':>13} {'images/s':>10} {'TFLOP/s':>8} "
              f"{'MFU':>7} {'peak_GiB':>8}")
    print(header, flush=True)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    rows, started = [], time.perf_counter()
    workers = []  # started once; K trials use the first K
    for rank in range(max(trials)):
        tasks = context.Queue()
        process = context.Process(target=worker,
                                  args=(rank, tasks, results, device, args.images, args.data_dir),
                                  daemon=True)
        process.start()
        workers.append((tasks, process))
    failure = None
    try:
        for _ in workers:  # all started before any measurement, so start-up does not compete with it
            receive(results, "up")
    except WorkerError as exc:
        failure = exc
    for k, width, batch_size in itertools.product(trials, widths, batch_sizes):
        if failure is not None:
            break
        if time.perf_counter() - started > 60 * args.max_minutes:
            print(f"stopped: --max-minutes {args.max_minutes:g} reached", flush=True)
            break
        try:
            row = measure(workers, results, k, width, batch_size, args.images)
        except WorkerError as exc:
            failure = f"K={k}, width {width}, batch {batch_size}: {exc}"
            break
        row["mfu"] = row["flops_per_s"] / peak if peak else None
        rows.append(row)
        mfu = f"{100 * row['mfu']:6.1f}%" if row["mfu"] is not None else "    n/a"
        memory = f"{row['peak_memory_gib']:8.2f}" if row["peak_memory_gib"] is not None else "     n/a"
        print(f"{k:>2} {width:>5} {batch_size:>5} {row['epoch_s_per_trial']:>13.2f} "
              f"{row['images_per_s']:>10.0f} {row['flops_per_s'] / 1e12:>8.3f} {mfu} {memory}", flush=True)
    for tasks, process in workers:
        tasks.put(None)
        if failure is not None:
            process.terminate()  # some may wait for a "go" that will not come
    for _, process in workers:
        process.join()
    if failure is not None:
        print(f"error: {failure}", flush=True)
    best = max(rows, key=lambda r: r["flops_per_s"]) if rows else None
    if best and best["mfu"] is not None:
        print(f"best summed MFU {100 * best['mfu']:.1f}% (K={best['trials']}, width {best['width']}, batch "
              f"{best['batch_size']}); goal on H100/H200: >= 25% of the bf16 peak"
              + ("" if device == "cuda" else " (not applicable: CPU figures)"))
    if args.json is not None:
        from bench import environment

        args.json.write_text(json.dumps({
            "schema_version": SCHEMA_VERSION, "device": device, "peak_flops": peak,
            "peak_source": peak_source, "data": source, "versions": environment.library_versions(),
            "hardware": environment.hardware(), "rows": rows,
            "error": None if failure is None else str(failure)}, indent=2))
    return 0 if failure is None else 1


if __name__ == "__main__":
    raise SystemExit(main())
