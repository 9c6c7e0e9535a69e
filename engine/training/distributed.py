"""DistributedDataParallel under torchrun: gloo on CPU, NCCL on GPU; rank 0 writes the results.

Torch-only (no LayerLab imports): the training_script export embeds this module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world_size > 1


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_from_env(device: torch.device) -> DistContext:
    """Join the process group torchrun set up (idempotent); a single process gets the default."""
    if not launched_by_torchrun():
        return DistContext()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return DistContext(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))


def rank_device(device: torch.device, ctx: DistContext) -> torch.device:
    if ctx.active and device.type == "cuda":
        torch.cuda.set_device(ctx.local_rank)
        return torch.device("cuda", ctx.local_rank)
    return device


def wrap_model(model: torch.nn.Module, device: torch.device, ctx: DistContext) -> torch.nn.Module:
    """The module the steps run: the model itself, or DistributedDataParallel around it under DDP."""
    if not ctx.active:
        return model
    from torch.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def all_sum(tensor: torch.Tensor, ctx: DistContext) -> torch.Tensor:
    if ctx.active:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def finish(ctx: DistContext) -> None:
    """Leave the process group together: rank 0 may still be writing the run directory, and a
    rank that tears its connections down while another still uses them can be aborted."""
    if ctx.active and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()
