"""Fixtures for the workload tests: small CIFAR-10 folders in the dataset's real on-disk format."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _images(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Learnable images: a class-specific colour and stripe pattern under noise, as (N, 3072) uint8 rows."""
    n = len(labels)
    colour = np.stack([(labels * 25) % 256, (labels * 71) % 256, (labels * 113) % 256], axis=1)
    image = np.broadcast_to(colour[:, :, None, None], (n, 3, 32, 32)).astype(np.float64)
    stripes = (np.arange(32)[None, :] % (labels[:, None] + 2) == 0)  # (n, 32) column mask
    image = image + 80 * stripes[:, None, None, :]
    image = image + rng.normal(0, 30, size=image.shape)
    return np.clip(image, 0, 255).astype(np.uint8).reshape(n, 3072)


def _write(path: Path, entry: dict) -> None:
    with open(path, "wb") as handle:
        pickle.dump(entry, handle, protocol=2)  # the originals are Python 2 pickles (protocol 2)


def write_cifar(root: Path, per_batch: int = 40, test: int = 100, seed: int = 0) -> Path:
    """`root/cifar-10-batches-py` with data_batch_1..5 (`per_batch` images each),
    test_batch and batches.meta."""
    rng = np.random.default_rng(seed)
    folder = Path(root) / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(1, 6):
        labels = rng.integers(0, 10, per_batch)
        _write(folder / f"data_batch_{index}", {
            "batch_label": f"training batch {index} of 5", "labels": labels.tolist(),
            "data": _images(labels, rng), "filenames": [f"img_{index}_{i}.png" for i in range(per_batch)],
        })
    labels = rng.integers(0, 10, test)
    _write(folder / "test_batch", {
        "batch_label": "testing batch 1 of 1", "labels": labels.tolist(), "data": _images(labels, rng),
        "filenames": [f"test_{i}.png" for i in range(test)],
    })
    _write(folder / "batches.meta", {"num_cases_per_batch": per_batch, "label_names": CLASS_NAMES,
                                     "num_vis": 3072})
    return folder


@pytest.fixture
def cifar_root(tmp_path):
    """A data folder holding cifar-10-batches-py with 5 x 8 training and 20 test images."""
    root = tmp_path / "data"
    write_cifar(root, per_batch=8, test=20)
    return root
