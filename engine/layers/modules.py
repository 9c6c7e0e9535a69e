"""Small nn.Modules for layers PyTorch has no module for.

This file imports only torch, so exporters can copy it verbatim into standalone scripts.
"""

import torch
from torch import nn


class Add(nn.Module):
    """Element-wise sum of any number of inputs (a residual / skip connection)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Multiply(nn.Module):
    """Element-wise product of any number of inputs (gating)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Concatenate(nn.Module):
    """Joins inputs along the channel (first non-batch) axis."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=1)


class Reshape(nn.Module):
    """Reshapes each sample to `shape` (the batch axis is kept)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape((x.shape[0],) + self.shape)

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


class GlobalAvgPool2d(nn.Module):
    """Averages each channel over height and width: N,C,H,W -> N,C."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))


class BedOfNails(nn.Module):
    """Unpooling by zero insertion: each value goes to the top-left of an s_h x s_w block."""

    def __init__(self, scale: tuple[int, int]) -> None:
        super().__init__()
        self.scale = tuple(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        sh, sw = self.scale
        out = x.new_zeros((n, c, h, sh, w, sw))
        out[:, :, :, 0, :, 0] = x
        return out.reshape(n, c, h * sh, w * sw)

    def extra_repr(self) -> str:
        return f"scale={self.scale}"
