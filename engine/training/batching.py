"""Batches for training and evaluation.

In-memory data lives on the training device. Each epoch draws one permutation, gathers the
samples into a preallocated buffer in large chunks (one `index_select` per chunk, the whole
epoch for MNIST-sized sets), and hands out contiguous slices of it as batches: no DataLoader, no
per-batch gather. Streamed data (image folders) and augmented data go through a DataLoader.
"""

from __future__ import annotations

from typing import Iterator

import torch
from torch.utils.data import DataLoader

from engine.data.augment import AugmentedTensors, TransformedStream
from engine.data.dataset import Split

CHUNK_BYTES = 512 * 2**20


def shard(perm: torch.Tensor, rank: int, world: int) -> torch.Tensor:
    """This rank's share of an epoch's permutation (equal lengths on every rank)."""
    if world == 1:
        return perm
    usable = len(perm) // world * world
    return perm[:usable][rank::world]


def batch_count(samples: int, batch: int, drop_last: bool) -> int:
    return samples // batch if drop_last else -(-samples // batch)


class TensorBatches:
    """Shuffled batches of in-memory tensors already on the device."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None, batch: int, drop_last: bool) -> None:
        self.x, self.y, self.batch, self.drop_last = x, y, batch, drop_last
        per_sample = max(1, x[0].numel() * x.element_size())
        chunk = max(batch, min(len(x), CHUNK_BYTES // per_sample) // batch * batch)
        self.x_buf = torch.empty((chunk, *x.shape[1:]), dtype=x.dtype, device=x.device)
        self.y_buf = None if y is None else torch.empty((chunk, *y.shape[1:]), dtype=y.dtype, device=y.device)

    def epoch(self, perm: torch.Tensor) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        perm = perm.to(self.x.device, non_blocking=True)
        n, b = len(perm), self.batch
        end = n - n % b if self.drop_last else n
        chunk = len(self.x_buf)
        for start in range(0, end, chunk):
            idx = perm[start:min(start + chunk, end)]
            xs = torch.index_select(self.x, 0, idx, out=self.x_buf[:len(idx)])
            ys = xs if self.y is None else torch.index_select(self.y, 0, idx, out=self.y_buf[:len(idx)])
            for i in range(0, len(idx), b):
                yield xs[i:i + b], ys[i:i + b]


class LoaderBatches:
    """Shuffled batches through a DataLoader (image folders, per-sample augmentation)."""

    def __init__(self, split: Split, transform, reconstruction: bool, batch: int, drop_last: bool,
                 workers: int, device: torch.device) -> None:
        if split.in_memory:
            data = AugmentedTensors(split.x, None if reconstruction else split.y, transform)
        else:
            data = TransformedStream(split.stream, transform, reconstruction)
        self.data, self.batch, self.drop_last, self.device = data, batch, drop_last, device
        self.workers, self.pin = workers, device.type == "cuda"

    def epoch(self, perm: torch.Tensor) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        loader = DataLoader(self.data, batch_size=self.batch, sampler=perm.tolist(), drop_last=self.drop_last,
                            num_workers=self.workers, pin_memory=self.pin,
                            persistent_workers=False)
        for xb, yb in loader:
            yield xb.to(self.device, non_blocking=True), yb.to(self.device, non_blocking=True)


def eval_batches(split: Split, batch: int, device: torch.device, reconstruction: bool, rank: int = 0,
                 world: int = 1) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """The split in order (this rank's contiguous part of it), as (inputs, targets) batches."""
    n = len(split)
    lo, hi = n * rank // world, n * (rank + 1) // world
    if split.in_memory:
        x = split.x[lo:hi]
        y = x if reconstruction or split.y is None else split.y[lo:hi]
        for i in range(0, len(x), batch):
            yield (x[i:i + batch].to(device, non_blocking=True), y[i:i + batch].to(device, non_blocking=True))
        return
    data = TransformedStream(split.stream, None, reconstruction)
    subset = torch.utils.data.Subset(data, range(lo, hi))
    for xb, yb in DataLoader(subset, batch_size=batch):
        yield xb.to(device), yb.to(device)
