"""Device choice, mixed precision and a cheap check that the loss stays finite.

Torch-only (no LayerLab imports): the training_script export embeds this module, so an exported
script picks its device as the app does.
"""

from __future__ import annotations

import math

import torch


class DeviceError(ValueError):
    """training.device names a device this machine does not have (engine.training.setup turns it
    into a SettingsError)."""


def select_device(name: str) -> torch.device:
    """auto: CUDA, then Apple MPS, then CPU. A device that is not there raises DeviceError."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(f"training.device is {name}, but this machine has no usable CUDA GPU; use "
                                "training.device=auto or cpu.")
        index = int(name[5:]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise DeviceError(f"training.device is {name}, but there are only {torch.cuda.device_count()} "
                                "CUDA devices.")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise DeviceError("training.device is mps, but Apple MPS is not available here; use auto or cpu.")
    return torch.device(name)


def describe_device(device: torch.device) -> str:
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return str(device)


def amp_context(device: torch.device, enabled: bool):
    """(autocast context factory, dtype, GradScaler or None) for mixed precision on CUDA;
    (None, None, None) when it is off."""
    if not enabled or device.type != "cuda":
        return None, None, None
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda") if dtype == torch.float16 else None
    return (lambda: torch.autocast("cuda", dtype=dtype)), dtype, scaler


class FiniteWatch:
    """Tells whether the running loss is still finite. On CPU it reads the value each step (no
    cost to speak of); on CUDA it copies it to pinned memory without waiting and reads that copy
    at a later step, once the copy is done (the event says so), so the host never waits for the
    GPU and a NaN is caught a few steps later (the loop checks each epoch's total too)."""

    def __init__(self, device: torch.device) -> None:
        self.lagged = device.type == "cuda"
        if self.lagged:
            self.host = torch.empty((), pin_memory=True)
            self.event = torch.cuda.Event()
            self.pending = False

    def ok(self, value: torch.Tensor) -> bool:
        if not self.lagged:
            return math.isfinite(value.item())
        fine = True
        if self.pending:
            if not self.event.query():
                return True  # the copy is not there yet: look again next step
            fine = math.isfinite(self.host.item())
        self.host.copy_(value.detach(), non_blocking=True)
        self.event.record()
        self.pending = True
        return fine


def oom_message(batch_size: int, device: torch.device) -> str:
    smaller = max(1, batch_size // 2)
    return (f"The GPU ({device}) ran out of memory with batch size {batch_size}. Use a smaller batch "
            f"(training.batch_size={smaller}), a smaller network, or training.amp=true.")
