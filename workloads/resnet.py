"""A small, generic ResNet: a 3x3 stem and stages of residual basic blocks with batch norm."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and an identity (or 1x1 projection) shortcut.

    Args:
        in_channels, out_channels: channels in and out.
        stride: the stride of the first convolution (2 halves the resolution).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """Stem, `num_stages` stages of basic blocks, global average pooling and a linear head.

    Stage s has `width * 2**s` channels; every stage after the first starts with stride 2.

    Args:
        width: channels of the stem and the first stage.
        num_stages: how many stages (resolution halves between stages).
        blocks_per_stage: basic blocks in each stage.
        in_channels: input image channels (1 for grayscale, 3 for RGB).
        num_classes: outputs of the linear head.
    """

    def __init__(
        self,
        width: int,
        num_stages: int = 3,
        blocks_per_stage: int = 1,
        in_channels: int = 3,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        if width < 1 or num_stages < 1 or blocks_per_stage < 1:
            raise ValueError("width, num_stages and blocks_per_stage must be positive")
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
        )
        blocks: list[nn.Module] = []
        channels = width
        for stage in range(num_stages):
            out_channels = width * 2**stage
            for block in range(blocks_per_stage):
                stride = 2 if stage > 0 and block == 0 else 1
                blocks.append(BasicBlock(channels, out_channels, stride))
                channels = out_channels
        self.stages = nn.Sequential(*blocks)
        self.head = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.stages(self.stem(x))
        pooled = torch.flatten(F.adaptive_avg_pool2d(features, 1), 1)
        return self.head(pooled)
