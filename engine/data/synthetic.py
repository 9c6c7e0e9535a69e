"""Synthetic sets: 2-D points for playground-style work and the 8-bit one-hot set.

Torch-only (no LayerLab imports): the training_script export embeds this module.
"""

from __future__ import annotations

import math

import torch


def make_points(kind: str, samples: int, noise: float, classes: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(x float32 [N, 2], y int64 [N]) for spiral, circles, xor, blobs or moons."""
    g = torch.Generator().manual_seed(seed)
    maker = {"spiral": _spiral, "circles": _circles, "xor": _xor, "blobs": _blobs, "moons": _moons}[kind]
    x, y = maker(samples, noise, classes, g)
    return x.float(), y.long()


def _split_counts(samples: int, classes: int) -> list[int]:
    return [samples // classes + (1 if c < samples % classes else 0) for c in range(classes)]


def _spiral(samples: int, noise: float, classes: int, g: torch.Generator):
    xs, ys = [], []
    for c, count in enumerate(_split_counts(samples, classes)):
        r = torch.linspace(0.05, 1.0, count, dtype=torch.float64)
        theta = r * 4 * math.pi / 1.25 + 2 * math.pi * c / classes
        theta = theta + torch.randn(count, generator=g, dtype=torch.float64) * noise
        xs.append(torch.stack([r * torch.sin(theta), r * torch.cos(theta)], 1))
        ys.append(torch.full((count,), c))
    return torch.cat(xs), torch.cat(ys)


def _circles(samples: int, noise: float, classes: int, g: torch.Generator):
    xs, ys = [], []
    for c, count in enumerate(_split_counts(samples, classes)):
        angle = torch.rand(count, generator=g, dtype=torch.float64) * 2 * math.pi
        radius = (c + 1) / classes
        point = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], 1)
        xs.append(point + torch.randn(count, 2, generator=g, dtype=torch.float64) * noise * 0.5)
        ys.append(torch.full((count,), c))
    return torch.cat(xs), torch.cat(ys)


def _xor(samples: int, noise: float, classes: int, g: torch.Generator):
    x = torch.rand(samples, 2, generator=g, dtype=torch.float64) * 2 - 1
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()
    return x + torch.randn(samples, 2, generator=g, dtype=torch.float64) * noise * 0.5, y


def _blobs(samples: int, noise: float, classes: int, g: torch.Generator):
    centres = torch.rand(classes, 2, generator=g, dtype=torch.float64) * 2 - 1
    y = torch.arange(samples) % classes
    spread = max(noise, 1e-3)
    return centres[y] + torch.randn(samples, 2, generator=g, dtype=torch.float64) * spread, y


def _moons(samples: int, noise: float, classes: int, g: torch.Generator):
    upper, lower = _split_counts(samples, 2)
    a = torch.linspace(0, math.pi, upper, dtype=torch.float64)
    b = torch.linspace(0, math.pi, lower, dtype=torch.float64)
    x = torch.cat([torch.stack([torch.cos(a), torch.sin(a)], 1),
                   torch.stack([1 - torch.cos(b), 0.5 - torch.sin(b)], 1)])
    y = torch.cat([torch.zeros(upper), torch.ones(lower)]).long()
    return x + torch.randn(samples, 2, generator=g, dtype=torch.float64) * noise, y


def one_hot_8() -> tuple[torch.Tensor, torch.Tensor]:
    """The eight 8-bit one-hot vectors (inputs and targets of the 8-3-8 encoder) and their indices."""
    return torch.eye(8), torch.arange(8)
