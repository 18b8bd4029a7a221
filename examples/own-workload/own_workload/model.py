"""The model, data and training loop of the example workload: plain torch and scikit-learn."""

from __future__ import annotations

import math
from functools import lru_cache

import torch
from torch import nn
from torch.nn import functional as F

from workloads import EpochMetrics, EpochTrainer


@lru_cache(maxsize=1)
def load_data():
    """A fixed split of a synthetic 3-class problem with label noise (the same in every trial)."""
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=600, n_features=20, n_informative=6, n_classes=3,
                               flip_y=0.1, class_sep=0.8, random_state=0)
    x = torch.tensor(x, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.long)
    return x[:400], y[:400], x[400:], y[400:]


class MLPTrainer(EpochTrainer):
    """One hidden layer, SGD; the epoch counter seeds the batch order, so a restore continues exactly."""

    def __init__(self, config, ctx):
        torch.set_num_threads(ctx.cpu_threads)
        self.seed = ctx.seed
        self.batch_size = int(config["batch_size"])
        self.train_x, self.train_y, self.val_x, self.val_y = load_data()
        torch.manual_seed(ctx.seed)
        hidden = int(config["hidden_units"])
        self.model = nn.Sequential(nn.Linear(20, hidden), nn.ReLU(), nn.Linear(hidden, 3))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=config["learning_rate"],
                                         momentum=config["momentum"], weight_decay=config["weight_decay"])
        self.epoch = 0

    def train_epoch(self) -> EpochMetrics:
        generator = torch.Generator().manual_seed(self.seed * 1000 + self.epoch)
        order = torch.randperm(len(self.train_x), generator=generator)
        self.model.train()
        losses = []
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            loss = F.cross_entropy(self.model(self.train_x[batch]), self.train_y[batch])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            losses.append(loss.item())
        self.epoch += 1
        self.model.eval()
        with torch.no_grad():
            logits = self.model(self.val_x)
            val_loss = F.cross_entropy(logits, self.val_y).item()
            accuracy = (logits.argmax(1) == self.val_y).float().mean().item()
        parameters = sum(p.numel() for p in self.model.parameters())
        train_loss = sum(losses) / len(losses)
        return EpochMetrics(
            train_loss=train_loss if math.isfinite(train_loss) else float("nan"),
            val_loss=val_loss, val_accuracy=accuracy,
            train_flops=6.0 * parameters * len(self.train_x),  # forward + backward, the usual estimate
        )

    def state_dict(self):
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "epoch": self.epoch}

    def load_state_dict(self, state):
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.epoch = state["epoch"]

    def apply_hyperparameters(self, config):
        for group in self.optimizer.param_groups:
            group.update(lr=config["learning_rate"], momentum=config["momentum"],
                         weight_decay=config["weight_decay"])
