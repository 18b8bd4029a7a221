"""The default workload: a small ResNet on a noisy subset of scikit-learn's 8x8 digits (CPU, seconds).

Made deliberately hard so that configurations differ: only 500 training images, Gaussian
input noise (fresh per batch in training, fixed on the validation set), 27 epochs of SGD
with a cosine schedule; an epoch takes about 0.1 CPU-second on one thread. 27 epochs give
successive halving with reduction factor 3 the rungs 1, 3, 9 and 27, and Hyperband four
brackets. Version 2 (27 epochs; version 1 had 9); its grid figures are in the README.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workloads.base import EpochTrainer, TrainerContext, Workload
from workloads.space import Hyperparameter, SearchSpace

if TYPE_CHECKING:
    import numpy as np
    import torch

#: Seeds the split and the validation noise: fixed, independent of the trial seed.
SPLIT_SEED = 0
TRAIN_SAMPLES = 500
VAL_SAMPLES = 700
#: Standard deviation of the Gaussian noise added to the [0, 1] pixel intensities.
INPUT_NOISE_STD = 0.3
MAX_EPOCHS = 27
NUM_STAGES = 2

SPACE = SearchSpace((
    Hyperparameter("learning_rate", 1e-3, 1.0, log=True, integer=False, grid=(0.01, 0.1, 1.0)),
    Hyperparameter("momentum", 0.0, 0.95, log=False, integer=False, grid=(0.0, 0.5, 0.9)),
    Hyperparameter("weight_decay", 1e-5, 1e-1, log=True, integer=False, grid=(1e-5, 1e-3, 1e-1)),
    Hyperparameter("batch_size", 16, 256, log=True, integer=True, grid=(16, 48, 144)),
    Hyperparameter("width", 4, 32, log=False, integer=True, grid=(4, 8, 16), mutable=False),
))


def bundled_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled digits as `sklearn.datasets.load_digits()` gives them: images (1797, 8, 8)
    of float64 in 0..16, and integer targets.

    Read from the file scikit-learn ships (`sklearn/datasets/data/digits.csv.gz`, parsed as load_digits
    parses it) without importing scikit-learn, whose import is 1.7 s of CPU in every trial process
    (the three epochs of a short trial take 0.5 s). Falls back to load_digits where the file is not there.
    """
    import gzip
    import importlib.util

    import numpy as np

    spec = importlib.util.find_spec("sklearn")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    path = Path(folders[0], "datasets", "data", "digits.csv.gz") if folders else None
    if path is None or not path.is_file():
        from sklearn.datasets import load_digits

        digits = load_digits()
        return digits.images, digits.target
    with gzip.open(path, mode="rt", encoding="utf-8") as handle:
        data = np.loadtxt(handle, delimiter=",")
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(int, copy=False)


@lru_cache(maxsize=1)
def load_split() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The fixed split on CPU: clean training inputs, noisy validation inputs, (N, 1, 8, 8) each.

    Pixels are scaled to [0, 1]; the validation noise is not clipped, like training's.
    """
    import numpy as np
    import torch

    digit_images, digit_targets = bundled_digits()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(digit_targets))
    images = torch.tensor(digit_images / 16.0, dtype=torch.float32).unsqueeze(1)
    labels = torch.tensor(digit_targets, dtype=torch.long)
    val_index = torch.from_numpy(order[:VAL_SAMPLES])
    train_index = torch.from_numpy(order[VAL_SAMPLES : VAL_SAMPLES + TRAIN_SAMPLES])
    noise_generator = torch.Generator().manual_seed(SPLIT_SEED)
    val_images = images[val_index] + INPUT_NOISE_STD * torch.randn(
        images[val_index].shape, generator=noise_generator
    )
    return images[train_index], labels[train_index], val_images, labels[val_index]


def _add_noise(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Fresh Gaussian noise on a training batch, drawn from the epoch's generator."""
    import torch

    noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return x + INPUT_NOISE_STD * noise


def make_trainer(config: Mapping[str, Any], ctx: TrainerContext) -> EpochTrainer:
    """A ResNetTrainer on the digits split for a normalised config."""
    from workloads._training import ResNetTrainer
    from workloads.resnet import ResNet

    train_x, train_y, val_x, val_y = (t.to(ctx.device) for t in load_split())
    return ResNetTrainer(
        train_x, train_y, val_x, val_y,
        build_model=lambda width: ResNet(width, num_stages=NUM_STAGES, in_channels=1, num_classes=10),
        config=config,
        ctx=ctx,
        augment=_add_noise,
        schedule_epochs=MAX_EPOCHS,
    )


DIGITS = Workload(
    name="digits",
    version="2",
    summary="small ResNet on 500 noisy 8x8 sklearn digits, 27 epochs; CPU, about 0.1 s an epoch",
    space=SPACE,
    max_epochs=MAX_EPOCHS,
    num_classes=10,
    make_trainer=make_trainer,
    cost_axes=("batch_size", "width"),  # what the work of an epoch depends on
    prefers_gpu=False,
    # Its layers are too small for torch's intra-op threads: measured on 2 cores, an epoch at
    # batch 16 took 0.115 s with 1 thread and 0.128 s with 2, and with one core busy elsewhere
    # 0.125 s against 0.566 s (18 s inside a Ray worker: OpenMP threads wait on each other).
    max_cpu_threads=1,
)
