"""The module each torch function or tensor method found by torch.fx equals (F.relu -> nn.ReLU(),
operator.add -> LayerLab's Add, x.mean([2, 3]) -> its GlobalAvgPool2d): engine.importers.fx_ops
maps that module onto a layer as it maps the model's own. A call whose arguments no module
reproduces exactly is refused, saying which argument."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn

from engine.layers import modules as custom_modules
from engine.layers.spec import Unsupported, require

Equivalent = Callable[[fx.Node], tuple[nn.Module, tuple[fx.Node, ...]]]
"""A function of the call's node giving the module that computes the same, and its tensor inputs."""

SIZE_VALUE = "layerlab_size_value"
"""node.meta key: the value of a node that computes with sizes, as the graph walk evaluated it."""


class _Batch:
    """The batch size in evaluated sizes: any number (arithmetic with it fails)."""

    def __repr__(self) -> str:
        return "N"


BATCH = _Batch()

CHUNK = "chunk"
"""x.chunk(n, dim=1) is not a layer itself: each `chunk[i]` taken from it becomes a ChannelChunk."""


def arg(node: fx.Node, index: int, name: str, default: Any) -> Any:
    """The call's argument by position or keyword."""
    return node.args[index] if len(node.args) > index else node.kwargs.get(name, default)


def tensor_args(node: fx.Node) -> tuple[fx.Node, ...]:
    return tuple(a for a in node.args if isinstance(a, fx.Node))


def describe(node: fx.Node) -> str:
    """The operation as a person finds it in torch: 'torch.nn.functional.relu', '.mean()'."""
    if node.op == "call_method":
        return f"the tensor method .{node.target}()"
    target = node.target
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", str(target))
    return f"{module}.{name}" if module and module != "_operator" else f"operator.{name}"


def stored(node: fx.Node) -> torch.Tensor | None:
    """The tensor a get_attr node reads (ConvNeXt's layer_scale), else None."""
    if not isinstance(node, fx.Node) or node.op != "get_attr":
        return None
    value: Any = node.graph.owning_module
    for part in str(node.target).split("."):
        value = getattr(value, part)
    return value if isinstance(value, torch.Tensor) else None


def _parameter_and_data(node: fx.Node, operation: str) -> tuple[torch.Tensor, fx.Node] | None:
    """The stored tensor and the data of a binary `node` (`weight op x` or `x op weight`), or None;
    a stored buffer rather than a parameter is refused (its value is not learned)."""
    if len(node.args) != 2 or node.kwargs:
        return None
    for weight, data in (node.args, node.args[::-1]):
        tensor = stored(weight)
        if tensor is not None and isinstance(data, fx.Node) and stored(data) is None:
            require(isinstance(tensor, nn.Parameter), f"a {operation} with the buffer '{weight.target}'")
            return tensor, data
    return None


def _scale(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]] | None:
    """`weight * x` with a stored weight of one factor per channel: LayerLab's Scale."""
    found = _parameter_and_data(node, "product")
    if found is None:
        return None
    tensor, data = found
    init = 1.0
    values = tensor.detach().flatten()
    if values.device.type != "meta" and values.numel() and bool((values == values[0]).all()):
        init = float(values[0])
    return custom_modules.Scale(tuple(tensor.shape), init), (data,)


def _embedding(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]] | None:
    """`x + weight` with a stored weight of the sample's shape (and a batch axis of 1): ViT's
    position embedding."""
    found = _parameter_and_data(node, "sum")
    if found is None:
        return None
    tensor, data = found
    return custom_modules.PositionEmbedding(tuple(tensor.shape)), (data,)


def _merge(module: Callable[[], nn.Module]) -> Equivalent:
    def equivalent(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
        special = _scale if module is custom_modules.Multiply else _embedding
        scaled = special(node)
        if scaled is not None:
            return scaled
        inputs = tensor_args(node)
        require(len(inputs) == len(node.args) and not node.kwargs and len(inputs) >= 2,
                f"{describe(node)} with a constant or keyword argument")
        return module(), inputs
    return equivalent


def _unary(module: Callable[..., nn.Module], **options: tuple[int, Any]) -> Equivalent:
    """A call on one tensor; `options` names the module's keyword arguments read from the call
    (keyword: (position in the call, default)). Any other tensor argument is refused."""
    def equivalent(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
        require(len(tensor_args(node)) == 1 and isinstance(node.args[0], fx.Node),
                f"{describe(node)} on more than one tensor")
        kwargs = {k: arg(node, i, k, default) for k, (i, default) in options.items()}
        return module(**kwargs), (node.args[0],)
    return equivalent


def expanded_token(node: Any) -> torch.Tensor | None:
    """The stored tensor of `weight.expand(N, -1, -1)` (one token repeated for the batch), else None."""
    if not (isinstance(node, fx.Node) and node.op == "call_method" and node.target == "expand"):
        return None
    sizes = node.args[1:]
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)) else tuple(sizes)
    sizes = tuple(a.meta.get(SIZE_VALUE) if isinstance(a, fx.Node) else a for a in sizes)
    tensor = stored(node.args[0])
    if tensor is None or sizes[:1] != (BATCH,) or any(s != -1 for s in sizes[1:]) or tensor.dim() != 3:
        return None
    return tensor if tuple(tensor.shape[:2]) == (1, 1) else None


def _cat(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    tensors = arg(node, 0, "tensors", ())
    dim = arg(node, 1, "dim", 0)
    token = expanded_token(tensors[0]) if len(tensors) == 2 and dim == 1 else None
    if token is not None and isinstance(tensors[1], fx.Node):
        require(isinstance(token, nn.Parameter), "a class token that is a buffer")
        return custom_modules.ClassToken(int(token.shape[2])), (tensors[1],)
    require(dim == 1, f"concatenation along dim={dim} (LayerLab's Concatenate uses the channel axis 1)")
    require(all(isinstance(t, fx.Node) for t in tensors), "concatenation of constants")
    return custom_modules.Concatenate(), tuple(tensors)


def _flatten(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    return nn.Flatten(arg(node, 1, "start_dim", 0), arg(node, 2, "end_dim", -1)), (node.args[0],)


def _mean(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    """x.mean over height and width: global average pooling (keeping the axes: adaptive 1 x 1)."""
    dim = arg(node, 1, "dim", None)
    dims = tuple(dim) if isinstance(dim, (list, tuple)) else (dim,)
    keep = arg(node, 2, "keepdim", False)
    require(sorted(d % 4 if isinstance(d, int) else -1 for d in dims) == [2, 3] and not node.kwargs.get("dtype"),
            f"a mean over dim={dim} (LayerLab averages over height and width, dim=(2, 3))")
    return (nn.AdaptiveAvgPool2d(1) if keep else custom_modules.GlobalAvgPool2d()), (node.args[0],)


def _permute(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    rest = node.args[1:]
    dims = tuple(rest[0]) if len(rest) == 1 and isinstance(rest[0], (list, tuple)) else tuple(rest)
    dims = dims or tuple(node.kwargs.get("dims", ()))
    require(dims[:1] == (0,) and all(isinstance(d, int) and d > 0 for d in dims[1:]),
            f"permute{dims} (LayerLab's Permute keeps the batch axis first)")
    return custom_modules.Permute(dims[1:]), (node.args[0],)


def _reshape(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    """x.reshape(N, ...) / x.view(N, ...) with sizes known once the input size is: LayerLab's Reshape."""
    sizes = node.args[1:] or (node.kwargs.get("shape", ()),)
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)) else tuple(sizes)
    values = tuple(s.meta.get(SIZE_VALUE) if isinstance(s, fx.Node) else s for s in sizes)
    require(values[:1] == (BATCH,) and all(isinstance(v, int) and (v > 0 or v == -1) for v in values[1:]),
            f"{describe(node)} to sizes the input size does not fix, or that do not keep the batch axis first")
    return custom_modules.Reshape(values[1:]), (node.args[0],)


def _stochastic_depth(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    return custom_modules.StochasticDepth(arg(node, 1, "p", 0.0), arg(node, 2, "mode", "row")), (node.args[0],)


def _getitem(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    """`x[:, i]` (one position of a sequence), or the part of a chunk."""
    source, index = node.args
    if (isinstance(index, tuple) and len(index) == 2 and index[0] == slice(None) and isinstance(index[1], int)
            and index[1] >= 0 and isinstance(source, fx.Node) and not is_chunk(source)):
        return custom_modules.SelectToken(index[1]), (source,)
    return _chunk_item(node)


def _chunk_item(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    """`x.chunk(n, dim=1)[i]`: the i-th part of the channels."""
    source, index = node.args
    require(isinstance(source, fx.Node) and is_chunk(source),
            "indexing a tensor (LayerLab's indexing takes only the parts of x.chunk(n, dim=1))")
    chunks, dim = arg(source, 1, "chunks", None), arg(source, 2, "dim", 0)
    require(dim == 1 and isinstance(index, int), f"x.chunk({chunks}, dim={dim}) (LayerLab splits the channels, dim=1)")
    return custom_modules.ChannelChunk(chunks, index % chunks), (source.args[0],)


def is_chunk(node: fx.Node) -> bool:
    """x.chunk(...) or torch.chunk(x, ...)."""
    return (node.op == "call_method" and node.target == CHUNK) or (
        node.op == "call_function" and node.target is torch.chunk)


def weight_path(node: fx.Node) -> str:
    """The stored tensor a call makes a layer's weight (`layer_scale * x`, a class token expanded
    and put first), or ''."""
    found = {str(a.target) for a in node.all_input_nodes if stored(a) is not None}
    found |= {str(a.args[0].target) for a in node.all_input_nodes if expanded_token(a) is not None}
    return found.pop() if len(found) == 1 else ""


def _pool(module: type) -> Equivalent:
    def equivalent(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
        names = ("kernel_size", "stride", "padding")
        kwargs = {k: arg(node, i + 1, k, None if k == "stride" else 0) for i, k in enumerate(names)}
        extra = (("dilation", 1), ("ceil_mode", False)) if module is nn.MaxPool2d else (
            ("ceil_mode", False), ("count_include_pad", True), ("divisor_override", None))
        kwargs |= {k: arg(node, i + 4, k, default) for i, (k, default) in enumerate(extra)}
        return module(**kwargs), (node.args[0],)
    return equivalent


def _shuffle(node: fx.Node) -> tuple[nn.Module, tuple[fx.Node, ...]]:
    return nn.ChannelShuffle(arg(node, 1, "groups", 1)), (node.args[0],)


def leaf_functions() -> tuple[Callable, ...]:
    """Library functions traced as one call rather than through (torchvision's channel shuffle)."""
    try:
        from torchvision.models.shufflenetv2 import channel_shuffle
    except ImportError:
        return ()
    return (channel_shuffle,)


def _activations() -> dict[Any, Equivalent]:
    found: dict[Any, Equivalent] = {
        F.relu: _unary(nn.ReLU), torch.relu: _unary(nn.ReLU), F.relu6: _unary(nn.ReLU6),
        F.hardswish: _unary(nn.Hardswish), F.hardsigmoid: _unary(nn.Hardsigmoid), F.silu: _unary(nn.SiLU),
        F.mish: _unary(nn.Mish), torch.sigmoid: _unary(nn.Sigmoid), F.sigmoid: _unary(nn.Sigmoid),
        torch.tanh: _unary(nn.Tanh), F.tanh: _unary(nn.Tanh),
        F.gelu: _unary(nn.GELU, approximate=(1, "none")),
        F.dropout: _unary(nn.Dropout, p=(1, 0.5)),
    }
    return found


def _library() -> dict[Any, Equivalent]:
    found: dict[Any, Equivalent] = {}
    try:
        from torchvision.ops import stochastic_depth

        found[stochastic_depth] = _stochastic_depth
    except ImportError:
        pass
    found.update({f: _shuffle for f in leaf_functions()})
    return found


FUNCTIONS: dict[Any, Equivalent] = {
    operator.add: _merge(custom_modules.Add), torch.add: _merge(custom_modules.Add),
    operator.iadd: _merge(custom_modules.Add), operator.mul: _merge(custom_modules.Multiply),
    torch.mul: _merge(custom_modules.Multiply), operator.imul: _merge(custom_modules.Multiply),
    torch.cat: _cat, torch.flatten: _flatten, torch.reshape: _reshape, torch.permute: _permute,
    operator.getitem: _getitem,
    F.adaptive_avg_pool2d: _unary(nn.AdaptiveAvgPool2d, output_size=(1, None)),
    F.adaptive_max_pool2d: _unary(nn.AdaptiveMaxPool2d, output_size=(1, None)),
    F.max_pool2d: _pool(nn.MaxPool2d), F.avg_pool2d: _pool(nn.AvgPool2d),
    **_activations(), **_library(),
}

METHODS: dict[str, Equivalent] = {
    "add": _merge(custom_modules.Add), "mul": _merge(custom_modules.Multiply), "flatten": _flatten,
    "relu": _unary(nn.ReLU), "sigmoid": _unary(nn.Sigmoid), "tanh": _unary(nn.Tanh), "mean": _mean,
    "permute": _permute, "reshape": _reshape, "view": _reshape,
}

PASS_THROUGH = frozenset({"contiguous"})
"""Tensor methods that change nothing a layer sees: their result is their input."""

__all__ = ["BATCH", "CHUNK", "FUNCTIONS", "METHODS", "PASS_THROUGH", "SIZE_VALUE", "Equivalent", "Unsupported",
           "arg", "describe", "expanded_token", "is_chunk", "leaf_functions", "stored", "tensor_args", "weight_path"]
