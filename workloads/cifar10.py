"""CIFAR-10 with a CIFAR-style ResNet (ResNet-20 family), built for sweeps on GPUs; runs on CPU too.

The model is He et al.'s CIFAR ResNet (https://arxiv.org/abs/1512.03385, section 4.2): a 3x3
stem, three stages of three basic blocks (width, 2x width, 4x width channels; resolution 32,
16, 8), global average pooling and a linear head; width 16 is ResNet-20. Training is SGD with
momentum and a per-step cosine decay over `MAX_EPOCHS` = 9 epochs (rungs 1, 3, 9 for
successive halving with reduction factor 3), on the 50,000 training images with random crops
(4-pixel zero padding after normalisation) and horizontal flips. Validation is the official
10,000-image `test_batch`, so accuracies compare with published CIFAR-10 figures.

For speed every image is resident on the device (uploaded once as uint8, normalised there),
augmentation is one batched gather per step drawn from the epoch's generator, and on CUDA the
model runs channels-last under bf16 autocast with cuDNN autotuning. Data: `--data-dir DIR`,
else $BENCH_DATA_DIR, else ~/.cache/bench/cifar10 (see workloads._cifar_data).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from workloads import _cifar_data as data
from workloads.base import EpochTrainer, TrainerContext, Workload
from workloads.space import Hyperparameter, SearchSpace

if TYPE_CHECKING:
    import torch

MAX_EPOCHS = 9
NUM_STAGES = 3
BLOCKS_PER_STAGE = 3
CROP_PADDING = 4
#: Per-channel mean and standard deviation of the CIFAR-10 training images, on a [0, 1] scale.
CHANNEL_MEAN = (0.4914, 0.4822, 0.4465)
CHANNEL_STD = (0.2470, 0.2435, 0.2616)
#: Workload options: `data_dir` (from --data-dir) and `device` (read by the trainable; "cpu" forces CPU).
OPTIONS = ("data_dir", "device")

#: Batch size and width stop at the grid's largest values: that configuration is the one that
#: needs the most GPU memory (estimated at about 6 GiB, see bench.live.packing.TRIAL_MEMORY_GIB), so the
#: default packing holds for every configuration a strategy may sample.
SPACE = SearchSpace((
    Hyperparameter("learning_rate", 1e-3, 2.0, log=True, integer=False, grid=(0.01, 0.1, 1.0)),
    Hyperparameter("momentum", 0.0, 0.99, log=False, integer=False, grid=(0.0, 0.5, 0.9)),
    Hyperparameter("weight_decay", 1e-6, 1e-2, log=True, integer=False, grid=(5e-5, 5e-4, 5e-3)),
    Hyperparameter("batch_size", 32, 1024, log=True, integer=True, grid=(64, 256, 1024)),
    Hyperparameter("width", 8, 64, log=True, integer=True, grid=(16, 32, 64), mutable=False),
))


def build_model(width: int) -> torch.nn.Module:
    """The CIFAR ResNet at a given width (16: ResNet-20)."""
    from workloads.resnet import ResNet

    return ResNet(width, num_stages=NUM_STAGES, blocks_per_stage=BLOCKS_PER_STAGE, in_channels=3,
                  num_classes=data.NUM_CLASSES)


def normalise(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 3, 32, 32) images to float32 with per-channel zero mean and unit variance,
    on their device."""
    import torch

    mean = torch.tensor(CHANNEL_MEAN, device=images.device).view(1, 3, 1, 1)
    std = torch.tensor(CHANNEL_STD, device=images.device).view(1, 3, 1, 1)
    return (images.float() / 255.0 - mean) / std


def crop_and_flip(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random 32x32 crops of the zero-padded batch, each flipped horizontally with probability 1/2.

    One gather for the whole batch: row and column indices per image, no per-sample Python.
    """
    import torch
    from torch.nn import functional as F

    batch, channels, height, width = x.shape
    padded = F.pad(x, (CROP_PADDING,) * 4)
    span = 2 * CROP_PADDING + 1
    top = torch.randint(0, span, (batch, 1), generator=generator, device=x.device)
    left = torch.randint(0, span, (batch, 1), generator=generator, device=x.device)
    flip = torch.rand((batch, 1), generator=generator, device=x.device) < 0.5
    rows = top + torch.arange(height, device=x.device)
    steps = torch.arange(width, device=x.device)
    cols = left + torch.where(flip, width - 1 - steps, steps)
    return padded[
        torch.arange(batch, device=x.device).view(batch, 1, 1, 1),
        torch.arange(channels, device=x.device).view(1, channels, 1, 1),
        rows.view(batch, 1, height, 1),
        cols.view(batch, 1, 1, width),
    ]


@lru_cache(maxsize=1)
def _device_split(folder: str, device: str) -> tuple[torch.Tensor, ...]:
    """The whole dataset normalised on `device`, kept for the next trial of this worker process."""
    import torch

    train_x, train_y, val_x, val_y = data.load_arrays(folder)
    return (
        normalise(torch.from_numpy(train_x).to(device)), torch.from_numpy(train_y).to(device),
        normalise(torch.from_numpy(val_x).to(device)), torch.from_numpy(val_y).to(device),
    )


def make_trainer_on(split: tuple[torch.Tensor, ...], config: Mapping[str, Any],
                    ctx: TrainerContext) -> EpochTrainer:
    """A ResNetTrainer on already-normalised tensors on `ctx.device` (also used by the throughput script)."""
    import torch

    from workloads._training import ResNetTrainer

    if ctx.device == "cuda":
        torch.backends.cudnn.benchmark = True  # the shapes repeat every step
    train_x, train_y, val_x, val_y = split
    return ResNetTrainer(
        train_x, train_y, val_x, val_y,
        build_model=build_model, config=config, ctx=ctx, augment=crop_and_flip, schedule_epochs=MAX_EPOCHS,
    )


def make_trainer(config: Mapping[str, Any], ctx: TrainerContext) -> EpochTrainer:
    """A ResNetTrainer on CIFAR-10 from the data folder in `ctx.options` (or the default one)."""
    root = data.resolve_root(ctx.options.get("data_dir"))
    folder = data.batches_folder(root)
    if folder is None:
        raise FileNotFoundError(f"CIFAR-10 not found in {root} on this node")
    return make_trainer_on(_device_split(str(folder), ctx.device), config, ctx)


def check_ready(options: Mapping[str, Any]) -> None:
    """Refuse unknown options; find the data (downloading it when possible) and read it once."""
    data.check_options(options, OPTIONS)
    folder = data.ensure_data(data.resolve_root(options.get("data_dir")))
    data.load_arrays.cache_clear()  # the driver only checks; its workers read the files again
    data.load_arrays(str(folder))
    data.load_arrays.cache_clear()


CIFAR10 = Workload(
    name="cifar10",
    version="1",
    summary="ResNet-20 family (grid widths 16-64) on CIFAR-10, 9 epochs; GPU (packed trials), CPU slowly",
    space=SPACE,
    max_epochs=MAX_EPOCHS,
    num_classes=data.NUM_CLASSES,
    make_trainer=make_trainer,
    cost_axes=("batch_size", "width"),  # what the work of an epoch depends on
    prefers_gpu=True,
    check_ready=check_ready,
)
