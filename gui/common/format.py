"""Numbers, shapes and parameter summaries as a person reads them on cards, tables and the status bar."""

from __future__ import annotations

from typing import Any

from engine.layers.spec import LayerSpec, arg_ref

BYTES_PER_VALUE = 4  # float32


def shape_text(shape: tuple[int, ...] | None) -> str:
    """1×28×28; '?' when unknown."""
    return "?" if shape is None else "×".join(str(s) for s in shape)


def count(n: int) -> str:
    """61,706"""
    return f"{n:,}"


def compact(n: float) -> str:
    """1.2M, 61.7k, 950"""
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            value = n / limit
            return f"{value:.1f}{suffix}" if value < 100 else f"{value:.0f}{suffix}"
    return f"{n:g}"


def memory(values: int) -> str:
    """Activation memory of float32 values: 38.6 KB."""
    size = float(values * BYTES_PER_VALUE)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def param_summary(spec: LayerSpec, params: dict[str, Any]) -> str:
    """The key parameters in words, e.g. '5×5, stride 1, pad 2, 6 filters' (the spec says which);
    a block's repeat and arguments ('×2 · channels 64, first stride 2')."""
    if spec.type_id == "Block":
        return block_summary(params)
    return spec.summary(params)


def block_summary(params: dict[str, Any]) -> str:
    """A block instance's definition, repeat and the arguments it sets:
    'resnet_basic ×3 · channels 64 · first: stride 2'."""
    def words(args: dict[str, Any]) -> str:
        return ", ".join(f"{k} ← {arg_ref(v)}" if arg_ref(v) is not None else f"{k} {v}" for k, v in args.items())

    repeat = params.get("repeat", 1)
    times = f" × {arg_ref(repeat)}" if arg_ref(repeat) is not None else f" ×{repeat}" if repeat != 1 else ""
    parts = [f"{params.get('definition', 'block')}{times}"]
    if params.get("args"):
        parts.append(words(params["args"]))
    if params.get("first_args"):
        parts.append(f"first: {words(params['first_args'])}")
    return " · ".join(parts)


def value_text(value: Any) -> str:
    """A parameter value for the clipboard-free display of a value (inspector, messages)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
