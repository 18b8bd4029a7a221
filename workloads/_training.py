"""Epoch-by-epoch SGD training of a ResNet on in-memory tensors, shared by the image workloads."""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from workloads.base import EpochMetrics, EpochTrainer, TrainerContext

#: A batched augmentation: (inputs, generator) -> inputs of the same shape, no per-sample Python.
Augment = Callable[[torch.Tensor, torch.Generator], torch.Tensor]

_EVAL_BATCH_SIZE = 1024
_OPTIMIZER_KEYS = ("learning_rate", "momentum", "weight_decay")


def epoch_seed(seed: int, epoch: int) -> int:
    """The generator seed for one epoch's batch order and augmentation."""
    return (seed * 1_000_003 + epoch * 7919 + 12345) % (2**63 - 1)


class ResNetTrainer(EpochTrainer):
    """Trains a model with SGD on tensors already on the device, one epoch per call.

    Batch order and augmentation come from a torch.Generator seeded by (ctx.seed, epoch),
    so the epoch counter is the whole RNG state: a restored trainer continues exactly.
    The learning rate follows a per-step cosine decay from `learning_rate` to 0 over
    `schedule_epochs` epochs (a pure function of the step, hence resumable), or stays
    constant when `schedule_epochs` is None. `train_flops` counts forward and backward
    passes of training only, not evaluation nor the optimizer update.

    Args:
        train_x, train_y, val_x, val_y: the data, already on `ctx.device`.
        build_model: returns a freshly initialised model for a given width.
        config: the normalised config (learning_rate, momentum, weight_decay, batch_size, width).
        ctx: device, CPU threads and seed.
        augment: optional batched augmentation applied to each training batch.
        schedule_epochs: length of the cosine schedule; None for a constant learning rate.
    """

    def __init__(
        self,
        train_x: torch.Tensor,
        train_y: torch.Tensor,
        val_x: torch.Tensor,
        val_y: torch.Tensor,
        build_model: Callable[[int], nn.Module],
        config: Mapping[str, Any],
        ctx: TrainerContext,
        augment: Augment | None = None,
        schedule_epochs: int | None = None,
    ) -> None:
        self.ctx = ctx
        self.device = torch.device(ctx.device)
        self.on_cuda = self.device.type == "cuda"
        if not self.on_cuda:
            torch.set_num_threads(ctx.cpu_threads)
        self.train_x, self.train_y = train_x, train_y
        self.val_x, self.val_y = val_x, val_y
        self.augment = augment
        self.schedule_epochs = schedule_epochs
        self.width = int(config["width"])
        self.hyperparameters = {key: float(config[key]) for key in _OPTIMIZER_KEYS}
        self.batch_size = int(config["batch_size"])
        self.epoch = 0
        self._flops_per_step: dict[int, float] = {}
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(ctx.seed)
            model = build_model(self.width)
        memory_format = torch.channels_last if self.on_cuda else torch.contiguous_format
        self.memory_format = memory_format
        self.model = model.to(self.device, memory_format=memory_format)
        self.optimizer = torch.optim.SGD(
            self.model.parameters(),
            lr=self.hyperparameters["learning_rate"],
            momentum=self.hyperparameters["momentum"],
            weight_decay=self.hyperparameters["weight_decay"],
        )

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.on_cuda:
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def _lr_factor(self, progress_epochs: float) -> float:
        if self.schedule_epochs is None:
            return 1.0
        fraction = min(progress_epochs / self.schedule_epochs, 1.0)
        return 0.5 * (1.0 + math.cos(math.pi * fraction))

    def _set_lr(self, progress_epochs: float) -> None:
        lr = self.hyperparameters["learning_rate"] * self._lr_factor(progress_epochs)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _step_loss(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        with self._autocast():
            logits = model(x.contiguous(memory_format=self.memory_format))
        return F.cross_entropy(logits.float(), y)

    def _count_step_flops(self) -> float:
        """FLOPs of one forward+backward step at the current batch size, counted on a copy."""
        if self.batch_size not in self._flops_per_step:
            model = copy.deepcopy(self.model).train()
            x = self.train_x[: self.batch_size]
            y = self.train_y[: self.batch_size]
            with FlopCounterMode(display=False) as counter:
                self._step_loss(model, x, y).backward()
            self._flops_per_step[self.batch_size] = float(counter.get_total_flops()) / len(x)
        return self._flops_per_step[self.batch_size]

    def train_epoch(self) -> EpochMetrics:
        flops_per_sample = self._count_step_flops()
        generator = torch.Generator(device=self.device)
        generator.manual_seed(epoch_seed(self.ctx.seed, self.epoch))
        num_samples = len(self.train_x)
        order = torch.randperm(num_samples, generator=generator, device=self.device)
        starts = [s for s in range(0, num_samples, self.batch_size) if num_samples - s >= 2]
        self.model.train()
        loss_sum = torch.zeros((), device=self.device)
        trained = 0
        for step, start in enumerate(starts):
            # A batch of one would break batch norm; it can only be the last, so skip it.
            index = order[start : start + self.batch_size]
            x, y = self.train_x[index], self.train_y[index]
            if self.augment is not None:
                x = self.augment(x, generator)
            self._set_lr(self.epoch + step / len(starts))
            loss = self._step_loss(self.model, x, y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            # Summed on the device: no host sync per step; a NaN simply propagates.
            loss_sum += loss.detach() * len(index)
            trained += len(index)
        self.epoch += 1
        train_loss = float(loss_sum) / trained
        val_loss, val_accuracy = self._evaluate()
        return EpochMetrics(train_loss, val_loss, val_accuracy, flops_per_sample * trained)

    @torch.no_grad()
    def _evaluate(self) -> tuple[float, float]:
        self.model.eval()
        loss_sum, correct = 0.0, 0
        for start in range(0, len(self.val_x), _EVAL_BATCH_SIZE):
            x = self.val_x[start : start + _EVAL_BATCH_SIZE]
            y = self.val_y[start : start + _EVAL_BATCH_SIZE]
            with self._autocast():
                logits = self.model(x.contiguous(memory_format=self.memory_format)).float()
            loss_sum += float(F.cross_entropy(logits, y, reduction="sum"))
            correct += int((logits.argmax(dim=1) == y).sum())
        return loss_sum / len(self.val_x), correct / len(self.val_x)

    def state_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "epoch": self.epoch,
            "hyperparameters": dict(self.hyperparameters),
            "batch_size": self.batch_size,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore weights, optimizer buffers and the epoch (hence the RNG stream).

        The checkpoint's own hyperparameters are restored too; call `apply_hyperparameters`
        afterwards to continue with a different (PBT-perturbed) config.
        """
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.epoch = int(state["epoch"])
        self.hyperparameters = {key: float(state["hyperparameters"][key]) for key in _OPTIMIZER_KEYS}
        self.batch_size = int(state["batch_size"])
        self.apply_hyperparameters({**self.hyperparameters, "batch_size": self.batch_size})

    def apply_hyperparameters(self, config: Mapping[str, Any]) -> None:
        """Adopt a new learning rate, momentum, weight decay and batch size; width must not change."""
        if "width" in config and int(config["width"]) != self.width:
            raise ValueError(f"width cannot change mid-training ({self.width} -> {config['width']})")
        self.hyperparameters = {key: float(config[key]) for key in _OPTIMIZER_KEYS}
        self.batch_size = int(config["batch_size"])
        for group in self.optimizer.param_groups:
            group["momentum"] = self.hyperparameters["momentum"]
            group["weight_decay"] = self.hyperparameters["weight_decay"]
        self._set_lr(self.epoch)
