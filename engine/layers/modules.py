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


class ChannelChunk(nn.Module):
    """One of `chunks` nearly equal parts of the channels: x.chunk(chunks, dim=1)[index]."""

    def __init__(self, chunks: int, index: int) -> None:
        super().__init__()
        self.chunks, self.index = chunks, index

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.chunk(self.chunks, dim=1)[self.index]

    def extra_repr(self) -> str:
        return f"chunks={self.chunks}, index={self.index}"


class Permute(nn.Module):
    """Reorders the axes of each sample (the batch axis stays first): dims are the sample axes
    numbered from 1, e.g. (2, 3, 1) makes N,C,H,W channels-last N,H,W,C."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, *self.dims)

    def extra_repr(self) -> str:
        return f"dims={self.dims}"


class StochasticDepth(nn.Module):
    """While training, drops the whole input with probability p (per sample: mode 'row'; for the
    batch: 'batch') and scales the rest by 1/(1-p); the identity in eval mode."""

    def __init__(self, p: float, mode: str = "row") -> None:
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        size = [x.shape[0]] + [1] * (x.ndim - 1) if self.mode == "row" else [1] * x.ndim
        noise = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(survival)
        if survival > 0.0:
            noise.div_(survival)
        return x * noise

    def extra_repr(self) -> str:
        return f"p={self.p}, mode={self.mode}"


class LayerNorm2d(nn.LayerNorm):
    """Layer norm over the channels at each position of N,C,H,W (ConvNeXt's)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class Scale(nn.Module):
    """Multiplies each channel by a learned factor (ConvNeXt's layer scale), starting at `init`."""

    def __init__(self, shape: tuple[int, ...], init: float = 1.0) -> None:
        super().__init__()
        self.shape, self.init = tuple(shape), init
        self.weight = nn.Parameter(torch.full(self.shape, float(init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * x

    def extra_repr(self) -> str:
        return f"shape={self.shape}, init={self.init}"


class ClassToken(nn.Module):
    """Puts a learned token before the sequence of each sample: N,L,C -> N,L+1,C (ViT's class token)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.weight = nn.Parameter(torch.zeros(1, 1, channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.weight.expand(x.shape[0], -1, -1), x], dim=1)

    def extra_repr(self) -> str:
        return f"channels={self.channels}"


class PositionEmbedding(nn.Module):
    """Adds a learned value to every value of each sample (ViT's position embedding)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)
        self.weight = nn.Parameter(torch.empty(self.shape).normal_(std=0.02))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.weight

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


class SelfAttention(nn.MultiheadAttention):
    """Multi-head attention of a sequence to itself (query, key and value all the input, N,L,C)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return super().forward(x, x, x, need_weights=False)[0]


class SelectToken(nn.Module):
    """One position of each sample's sequence: x[:, index] (ViT's class token at the end)."""

    def __init__(self, index: int = 0) -> None:
        super().__init__()
        self.index = index

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, self.index]

    def extra_repr(self) -> str:
        return f"index={self.index}"


def init_weights(layer: nn.Module, scheme: str) -> nn.Module:
    """Give a layer new starting weights and zero biases; returns the layer. he_* (Kaiming): weight
    variance 2 / fan_in, which keeps the signal's size through ReLU layers; xavier_* (Glorot):
    variance 2 / (fan_in + fan_out), for sigmoid and tanh. fan_in counts the inputs each output
    sums. "default" keeps PyTorch's own."""
    if scheme == "default":
        return layer
    if scheme == "he_normal":
        nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity="relu")
    elif scheme == "he_uniform":
        nn.init.kaiming_uniform_(layer.weight, mode="fan_in", nonlinearity="relu")
    elif scheme == "xavier_normal":
        nn.init.xavier_normal_(layer.weight)
    elif scheme == "xavier_uniform":
        nn.init.xavier_uniform_(layer.weight)
    else:
        raise ValueError(f"unknown weight initialisation {scheme!r}")
    if layer.bias is not None:
        nn.init.zeros_(layer.bias)
    return layer
