"""CIFAR-10 on disk: find, download (torchvision) or explain, and read the python-pickle batches.

The layout is torchvision's and the dataset's own "python version": a folder
`cifar-10-batches-py` holding `data_batch_1` .. `data_batch_5`, `test_batch` and
`batches.meta`, each a pickle of a dict whose `data` is a uint8 array of shape (N, 3072)
(1024 red, then green, then blue values of a 32x32 image) and whose `labels` are 0..9.
"""

from __future__ import annotations

import os
import pickle
import shutil
import socket
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from bench.errors import BenchError

DATA_DIR_ENV = "BENCH_DATA_DIR"
#: Set to 0 to never try a download (air-gapped machines, tests).
DOWNLOAD_ENV = "BENCH_DOWNLOAD"
FOLDER = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
EXPECTED_FILES = (*TRAIN_FILES, TEST_FILE, META_FILE)
URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
IMAGE_SHAPE = (3, 32, 32)
NUM_CLASSES = 10
DOWNLOAD_TIMEOUT_S = 30.0


def default_root() -> Path:
    """$BENCH_DATA_DIR, else the user's cache: $XDG_CACHE_HOME/bench/cifar10 or ~/.cache/bench/cifar10."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "bench" / "cifar10"


def resolve_root(data_dir: str | os.PathLike | None) -> Path:
    """The data folder a run uses: --data-dir when given, else `default_root()`."""
    return (Path(data_dir).expanduser() if data_dir else default_root()).absolute()


def batches_folder(root: Path) -> Path | None:
    """The folder holding the batch files: `root/cifar-10-batches-py`, or `root` itself; None if neither."""
    for candidate in (root / FOLDER, root):
        if candidate.is_dir() and any((candidate / name).exists() for name in EXPECTED_FILES):
            return candidate
    return None


def _where_to_put(root: Path) -> str:
    return (f"put the python version of CIFAR-10 ({URL}, unpacked: a folder {FOLDER} holding "
            f"{', '.join(EXPECTED_FILES)}) into {root}, or point --data-dir or ${DATA_DIR_ENV} at the "
            "folder holding it")


def _download(root: Path) -> None:
    """Download and unpack through torchvision into a temporary folder, then move it into `root`."""
    from torchvision.datasets import CIFAR10

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cifar10-") as staging:
            CIFAR10(staging, train=True, download=True)  # checks torchvision's md5 sums
            (root / FOLDER).mkdir(parents=True, exist_ok=True)  # it may exist, empty
            for name in EXPECTED_FILES:
                shutil.move(str(Path(staging) / FOLDER / name), str(root / FOLDER / name))
    finally:
        socket.setdefaulttimeout(previous)


def ensure_data(root: Path) -> Path:
    """The batches folder under `root`, downloaded if absent and allowed; BenchError otherwise.

    Nothing is written unless the download succeeds (it is staged in a temporary folder).
    """
    folder = batches_folder(root)
    if folder is None:
        if os.environ.get(DOWNLOAD_ENV, "1") == "0":
            raise BenchError(f"CIFAR-10 not found in {root} and downloads are off (${DOWNLOAD_ENV}=0); "
                             + _where_to_put(root))
        try:
            _download(root)
        except Exception as exc:  # no network, a proxy, a bad archive: all mean "put it there yourself"
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BenchError(f"CIFAR-10 not found in {root} and the download failed ({reason}); "
                             + _where_to_put(root)) from None
        folder = root / FOLDER
    missing = [name for name in EXPECTED_FILES if not (folder / name).is_file()]
    if missing:
        raise BenchError(f"{folder}: CIFAR-10 files missing: {', '.join(missing)}; " + _where_to_put(root))
    return folder


def read_batch(path: Path) -> tuple[Any, Any]:
    """One batch file as (uint8 images of shape (N, 3, 32, 32), int64 labels of shape (N,))."""
    import numpy as np

    try:
        with open(path, "rb") as handle:
            entry = pickle.load(handle, encoding="latin1")  # the files are Python 2 pickles
        images = np.asarray(entry["data"], dtype=np.uint8)
        labels = np.asarray(entry["labels"], dtype=np.int64)
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError,
            AttributeError) as exc:
        raise BenchError(f"{path}: not a CIFAR-10 batch file ({type(exc).__name__}: {exc})") from None
    size = int(np.prod(IMAGE_SHAPE))
    if images.ndim != 2 or images.shape[1] != size or len(labels) != len(images):
        raise BenchError(f"{path}: expected data of shape (N, {size}) and N labels, "
                         f"got {images.shape} and {len(labels)}")
    if len(labels) and not (0 <= labels.min() and labels.max() < NUM_CLASSES):
        raise BenchError(f"{path}: labels must lie in 0..{NUM_CLASSES - 1}")
    return images.reshape(-1, *IMAGE_SHAPE), labels


def read_meta(path: Path) -> list[str]:
    """The class names from `batches.meta`."""
    try:
        with open(path, "rb") as handle:
            names = list(pickle.load(handle, encoding="latin1")["label_names"])
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError) as exc:
        raise BenchError(f"{path}: not a CIFAR-10 meta file ({type(exc).__name__}: {exc})") from None
    if len(names) != NUM_CLASSES:
        raise BenchError(f"{path}: expected {NUM_CLASSES} class names, got {len(names)}")
    return names


@lru_cache(maxsize=2)
def load_arrays(folder: str) -> tuple[Any, Any, Any, Any]:
    """(train images, train labels, test images, test labels) as numpy arrays, read once per process."""
    import numpy as np

    read_meta(Path(folder) / META_FILE)
    train = [read_batch(Path(folder) / name) for name in TRAIN_FILES]
    test_x, test_y = read_batch(Path(folder) / TEST_FILE)
    train_x = np.concatenate([x for x, _ in train])
    train_y = np.concatenate([y for _, y in train])
    if len(train_x) < 2 or len(test_x) < 1:
        raise BenchError(f"{folder}: too few images ({len(train_x)} training, {len(test_x)} test)")
    return train_x, train_y, test_x, test_y


def check_options(options: Mapping[str, Any], accepted: tuple[str, ...]) -> None:
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise BenchError(f"cifar10: unknown option(s) {', '.join(unknown)}; accepted: {', '.join(accepted)}")
