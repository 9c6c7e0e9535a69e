"""Shape arithmetic shared by the layer families (the formulas of the PyTorch docs)."""

from __future__ import annotations

from math import prod

from engine.errors import ShapeError
from engine.layers.spec import Shape


def numel(shape: Shape) -> int:
    return prod(shape)


def fmt(shape: Shape) -> str:
    """Shape as a person writes it: 1x28x28."""
    return "x".join(str(s) for s in shape)


def require_rank(shape: Shape, ranks: tuple[int, ...], what: str, fix: str) -> None:
    """Refuse an input whose number of axes is not one of `ranks`."""
    if len(shape) not in ranks:
        raise ShapeError(f"needs {what} but gets {fmt(shape)}; {fix}")


def require_image(shape: Shape) -> None:
    require_rank(shape, (3,), "a channels x height x width input",
                 "feed it from an image Input or a convolution, or Reshape to C,H,W first")


def conv_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv_transpose_size(size: int, kernel: int, stride: int, padding: int,
                        output_padding: int = 0, dilation: int = 1) -> int:
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def sliding_output(hw: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
                   padding: tuple[int, int], dilation: tuple[int, int] = (1, 1),
                   kind: str = "kernel") -> tuple[int, int]:
    """Output height and width of a sliding window, or a ShapeError that says how to fix it."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    padded = tuple(n + 2 * p for n, p in zip(hw, padding))
    if any(s > n for s, n in zip(span, padded)):
        raise ShapeError(f"{fmt(span)} {kind} is larger than its {fmt(padded)} "
                         f"{'padded ' if any(padding) else ''}input; lower the kernel or add padding")
    return tuple(conv_size(n, k, s, p, d)  # type: ignore[return-value]
                 for n, k, s, p, d in zip(hw, kernel, stride, padding, dilation))


def check_padding(kernel: tuple[int, int], padding: tuple[int, int]) -> None:
    """Pooling layers allow at most half the kernel as padding (a PyTorch rule)."""
    if any(p > k // 2 for k, p in zip(kernel, padding)):
        raise ShapeError(f"padding {fmt(padding)} is more than half the {fmt(kernel)} kernel; "
                         "lower the padding")
