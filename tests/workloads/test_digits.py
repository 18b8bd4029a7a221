"""The digits workload and the shared ResNet trainer, trained for real at small sizes."""

from __future__ import annotations

import io
import math
import subprocess
import sys

import pytest
import torch

from workloads import get
from workloads.base import EpochMetrics, TrainerContext
from workloads.resnet import ResNet

DIGITS = get("digits")
CHEAP_CONFIG = {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 1e-3, "batch_size": 48, "width": 4}
CTX = TrainerContext(device="cpu", cpu_threads=1, seed=3)


def _checkpoint_copy(state: dict) -> dict:
    """A state passed through torch.save/torch.load, as a real checkpoint would be."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer)


def test_space_has_five_dimensions_and_243_grid_points():
    assert len(DIGITS.space.names) == 5
    assert DIGITS.space.grid_size() == 243
    assert len(list(DIGITS.space.grid_points())) == 243
    assert all(len(hp.grid) == 3 for hp in DIGITS.space)
    assert not DIGITS.space["width"].mutable
    assert DIGITS.grid_budget_epochs == 243 * DIGITS.max_epochs


def test_importing_the_workload_does_not_import_torch_or_sklearn():
    code = "import sys, workloads.digits; sys.exit(('torch' in sys.modules) + 2 * ('sklearn' in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_the_bundled_digits_are_load_digits_exactly_and_are_read_without_importing_sklearn():
    from sklearn.datasets import load_digits

    from workloads.digits import bundled_digits

    images, targets = bundled_digits()
    expected = load_digits()
    assert images.dtype == expected.images.dtype and (images == expected.images).all()
    assert targets.dtype == expected.target.dtype and (targets == expected.target).all()
    code = "import sys, workloads.digits as d; d.load_split(); sys.exit('sklearn' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_split_is_fixed_and_validation_is_large_enough():
    from workloads.digits import load_split

    train_x, train_y, val_x, val_y = load_split()
    assert train_x.shape[1:] == (1, 8, 8) and val_x.shape[1:] == (1, 8, 8)
    assert len(val_x) >= 500 and len(train_x) == len(train_y)
    assert 0.0 <= float(train_x.min()) and float(train_x.max()) <= 1.0


def test_two_epochs_report_finite_metrics():
    trainer = DIGITS.make_trainer(DIGITS.space.normalise(CHEAP_CONFIG), CTX)
    for _ in range(2):
        metrics = trainer.train_epoch()
        assert math.isfinite(metrics.train_loss) and math.isfinite(metrics.val_loss)
        assert 0.0 <= metrics.val_accuracy <= 1.0
        assert metrics.train_flops > 0
    assert metrics.val_accuracy > DIGITS.chance_accuracy


def test_checkpoint_round_trip_continues_exactly():
    straight = DIGITS.make_trainer(CHEAP_CONFIG, CTX)
    straight_metrics = [straight.train_epoch() for _ in range(3)]

    first = DIGITS.make_trainer(CHEAP_CONFIG, CTX)
    resumed_metrics = [first.train_epoch() for _ in range(2)]
    state = _checkpoint_copy(first.state_dict())
    second = DIGITS.make_trainer(CHEAP_CONFIG, CTX)
    second.load_state_dict(state)
    resumed_metrics.append(second.train_epoch())

    assert resumed_metrics == straight_metrics
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, second.model.state_dict()[name]), name


def test_seed_changes_training():
    one = DIGITS.make_trainer(CHEAP_CONFIG, CTX).train_epoch()
    other = DIGITS.make_trainer(CHEAP_CONFIG, TrainerContext(seed=CTX.seed + 1)).train_epoch()
    assert one.train_loss != other.train_loss


def test_absurd_learning_rate_gives_non_finite_loss_without_raising():
    config = {**CHEAP_CONFIG, "learning_rate": 1e3, "batch_size": 16}
    metrics = DIGITS.make_trainer(config, CTX).train_epoch()
    assert isinstance(metrics, EpochMetrics)
    assert not math.isfinite(metrics.train_loss)


def test_apply_hyperparameters_updates_the_optimizer():
    trainer = DIGITS.make_trainer(CHEAP_CONFIG, CTX)
    new_config = {**CHEAP_CONFIG, "learning_rate": 0.02, "momentum": 0.5, "weight_decay": 1e-4,
                  "batch_size": 16}
    trainer.apply_hyperparameters(new_config)
    group = trainer.optimizer.param_groups[0]
    assert group["lr"] == pytest.approx(0.02)  # the cosine factor is 1 at epoch 0
    assert (group["momentum"], group["weight_decay"], trainer.batch_size) == (0.5, 1e-4, 16)
    assert math.isfinite(trainer.train_epoch().train_loss)
    with pytest.raises(ValueError, match="width"):
        trainer.apply_hyperparameters({**new_config, "width": 8})


def test_resnet_is_generic_over_input_size_channels_and_depth():
    model = ResNet(width=4, num_stages=3, blocks_per_stage=2, in_channels=3, num_classes=7)
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 7)
    assert model.head.in_features == 16


def test_torch_threads_follow_the_cpus_held_up_to_the_workload_cap():
    from workloads.cifar10 import CIFAR10

    assert DIGITS.cpu_threads(2.0) == 1 and DIGITS.cpu_threads(0.5) == 1
    assert CIFAR10.cpu_threads(4.0) == 4 and CIFAR10.cpu_threads(0.25) == 1
