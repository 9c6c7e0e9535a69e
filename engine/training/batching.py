"""Batches for training and evaluation.

In-memory data lives on the training device. Each epoch draws one permutation, gathers the
samples into a preallocated buffer in large chunks (one `index_select` per chunk, the whole
epoch for MNIST-sized sets), and hands out contiguous slices of it as batches: no DataLoader, no
per-batch gather. Streamed data (image folders) and augmented data go through a DataLoader.

Torch-only (no LayerLab imports but the other torch-only modules): the training_script export
embeds this module, so an exported script shuffles and batches exactly as the app does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader

from engine.data.augment import AugmentedTensors, TransformedStream
from engine.data.splits import Split

CHUNK_BYTES = 512 * 2**20
SEED_STRIDE = 1_000_003
"""Epoch `e` (0-based) of a run with seed `s` is shuffled with torch.Generator().manual_seed(s *
SEED_STRIDE + e): the same order on every rank, after a resume, and in an exported script."""


def epoch_permutation(seed: int, epoch: int, samples: int, rank: int = 0, world: int = 1) -> torch.Tensor:
    """This rank's share of the shuffled order of `samples` training samples in epoch `epoch` (0-based)."""
    g = torch.Generator().manual_seed(seed * SEED_STRIDE + epoch)
    return shard(torch.randperm(samples, generator=g), rank, world)


def batch_size_for(batch_size: int, train_size: int) -> int:
    """The batch in samples for a training set of `train_size` (batch_size 0: all of it)."""
    return train_size if batch_size == 0 else min(batch_size, max(train_size, 1))


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


@dataclass
class BatchPlan:
    """How a run's training split is served: the batches, the global batch (all ranks), each rank's
    share of it, steps per epoch (0: none would run) and the samples shuffled each epoch."""

    batches: TensorBatches | LoaderBatches
    batch_size: int
    local_batch: int
    steps_per_epoch: int
    train_size: int


def plan_batches(train: Split, batch_size: int, drop_last: bool, device: torch.device, transform=None,
                 reconstruction: bool = False, workers: int = 0, world: int = 1) -> BatchPlan:
    """The batches of a training split. In-memory data without augmentation moves to `device` (the
    split then holds the moved tensors) and is served by TensorBatches; the rest by a DataLoader.
    Under DDP every rank gets the same number of samples (the remainder is not used)."""
    train_size = len(train) // world * world
    batch = batch_size_for(batch_size, train_size)
    local_batch = max(1, -(-batch // world))
    if train.in_memory and transform is None:
        train.x = train.x.to(device)
        if not reconstruction:
            train.y = train.y.to(device)
        batches: TensorBatches | LoaderBatches = TensorBatches(train.x, None if reconstruction else train.y,
                                                               local_batch, drop_last)
    else:
        batches = LoaderBatches(train, transform, reconstruction, local_batch, drop_last, workers, device)
    return BatchPlan(batches, batch, local_batch, batch_count(train_size // world, local_batch, drop_last), train_size)


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
