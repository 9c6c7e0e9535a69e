"""Load weights into a model from a safetensors file or a weights-only state dict, reporting
which tensors matched, which are missing and which have the wrong shape.

Safety: a pickled file is only ever read with `torch.load(weights_only=True)`, which refuses any
object that is not a tensor or plain container, so opening a weights file never runs its code.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from engine.errors import LayerLabError
from engine.graph import module_name, python_name
from engine.run_dir import numbered_key

SAFETENSORS_SUFFIXES = (".safetensors",)
_WRAPPER_KEYS = ("state_dict", "model_state_dict", "model", "weights")


class WeightsError(LayerLabError):
    """A weights file cannot be read, is unsafe, or does not fit the model."""


@dataclass
class WeightsReport:
    """How a weights file fitted a model. `missing`: in the model, not in the file; `unexpected`:
    in the file, not in the model; `mismatched`: (name, shape in file, shape in model)."""

    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every tensor of the model was filled from the file."""
        return not self.missing and not self.mismatched

    def summary(self, limit: int = 8) -> str:
        lines = [f"{len(self.matched)} tensors matched, {len(self.missing)} missing, "
                 f"{len(self.mismatched)} with a different shape, {len(self.unexpected)} not used."]
        if self.mismatched:
            lines.append("different shape: " + _listed([f"{n} (file {list(a)}, model {list(b)})"
                                                       for n, a, b in self.mismatched], limit))
        if self.missing:
            lines.append("missing from the file: " + _listed(self.missing, limit))
        if self.unexpected:
            lines.append("in the file but not in the model: " + _listed(self.unexpected, limit))
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"matched": self.matched, "missing": self.missing, "unexpected": self.unexpected,
                "mismatched": [{"name": n, "file_shape": list(a), "model_shape": list(b)}
                               for n, a, b in self.mismatched]}


def read_weights(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file or of a weights-only state dict (`.pt`/`.pth`/`.bin`)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(9)
    except FileNotFoundError:
        raise WeightsError(f"Cannot open '{path}': the file does not exist.") from None
    except OSError as error:
        raise WeightsError(f"Cannot open '{path}': {error.strerror or error}.") from None
    if path.suffix in SAFETENSORS_SUFFIXES or head[8:9] == b"{":
        return _read_safetensors(path)
    return _read_state_dict(path)


def _read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device="cpu")
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"Cannot read '{path}' as safetensors: {error}.") from None


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise WeightsError(
            f"Refused to open '{path}': it is a pickle that contains Python code or objects other than "
            f"tensors ({_short(error)}). Loading it could run that code on this computer. Save the "
            "weights as safetensors or as a plain state dict (torch.save(model.state_dict(), path)).") from None
    except (RuntimeError, EOFError, OSError, ValueError) as error:
        raise WeightsError(f"Cannot read '{path}' as a PyTorch state dict: {_short(error)}.") from None
    return _tensors_of(data, path)


def _tensors_of(data: object, path: Path) -> dict[str, torch.Tensor]:
    if isinstance(data, dict):
        for key in _WRAPPER_KEYS:  # common checkpoint layouts: {"state_dict": {...}, "epoch": 3}
            inner = data.get(key)
            if isinstance(inner, dict) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
                return dict(inner)
        tensors = {str(k): v for k, v in data.items() if isinstance(v, torch.Tensor)}
        if tensors:
            return tensors
    raise WeightsError(f"'{path}' holds no tensors by name (found a {type(data).__name__}); "
                       "expected a state dict such as torch.save(model.state_dict(), path) writes.")


def normalize_key(key: str) -> str:
    """A tensor name as LayerLab's compiled model spells it: 'layer1.0.conv1.weight' becomes
    'layer1_0_conv1.weight' (the layer name turned into one identifier, then the tensor)."""
    if key.startswith("module."):  # saved from a DistributedDataParallel wrapper
        key = key[len("module."):]
    prefix, dot, leaf = key.rpartition(".")
    return f"{python_name(prefix)}.{leaf}" if dot else key


def nested_key(key: str) -> str:
    """A tensor name as a model built from blocks spells it: 'layer1.0.conv1.weight' stays as it is,
    'stage-2.conv.weight' becomes 'stage_2.conv.weight' (each module name as engine.graph.module_name
    makes it)."""
    if key.startswith("module."):
        key = key[len("module."):]
    *path, leaf = key.split(".")
    return ".".join([*(module_name(p) for p in path), leaf])


def load_weights(model: nn.Module, tensors: dict[str, torch.Tensor]) -> WeightsReport:
    """Copy every tensor whose name and shape fit into `model` (the name as it is, as a model of
    blocks spells it, or as a flat one does; a tensor stored on a torch module, such as ConvNeXt's
    `layer_scale`, as the weight of the layer named after it); report the rest."""
    own = model.state_dict()
    by_name: dict[str, tuple[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        candidates = (key, nested_key(key), numbered_key(key), normalize_key(key), nested_key(f"{key}.weight"),
                      normalize_key(f"{key}.weight"))  # the last two: a stored tensor as a Scale's weight
        name = next((k for k in candidates if k in own), None) or normalize_key(key)
        by_name.setdefault(name, (key, value))
    report = WeightsReport()
    fitting: dict[str, torch.Tensor] = {}
    for name, target in own.items():
        if name not in by_name:
            report.missing.append(name)
            continue
        value = by_name[name][1]
        if tuple(value.shape) != tuple(target.shape):
            report.mismatched.append((name, tuple(value.shape), tuple(target.shape)))
            continue
        fitting[name] = value.to(target.dtype)
        report.matched.append(name)
    report.unexpected = [key for name, (key, _) in by_name.items() if name not in own]
    model.load_state_dict(fitting, strict=False)
    return report


def load_weights_file(model: nn.Module, path: str | os.PathLike, require_complete: bool = False) -> WeightsReport:
    """Read `path` and load it into `model`; with `require_complete`, refuse a partial fit."""
    report = load_weights(model, read_weights(path))
    if require_complete and not report.complete:
        raise WeightsError(f"The weights in '{path}' do not fit this network:\n{report.summary()}")
    return report


def _listed(names: list[str], limit: int) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
