"""Write a compiled LayerLab model as readable PyTorch source: an nn.Module class with its layers
in `__init__` and a `forward` a person can follow and edit. Used by the `python` and
`training_script` exports; the generated code imports only torch."""

from __future__ import annotations

import inspect
import operator
import re
from typing import Any

from torch import fx, nn

from engine.layers import modules as custom_modules

_CUSTOM = {cls for cls in vars(custom_modules).values()
           if isinstance(cls, type) and issubclass(cls, nn.Module) and cls.__module__ == custom_modules.__name__}


class CodegenError(ValueError):
    """A layer has no Python form; the message names it."""


def class_name(project_name: str) -> str:
    """'LeNet-5' -> 'LeNet5'; 'small resnet for mnist' -> 'SmallResnetForMnist'."""
    words = re.findall(r"[0-9A-Za-z]+", project_name)
    name = "".join(w[0].upper() + w[1:] for w in words)
    return name if name and not name[0].isdigit() else f"Model{name}"


def model_source(model: fx.GraphModule, name: str, doc: str) -> str:
    """The custom helper classes the model needs, then the model class itself."""
    helpers = [inspect.getsource(cls).rstrip() for cls in sorted(_used_custom(model), key=lambda c: c.__name__)]
    init = [f"        self.{target} = {constructor(getattr(model, target))}" for target in _submodule_order(model)]
    lines = [f"class {name}(nn.Module):", f'    """{doc}"""', "", "    def __init__(self) -> None:",
             "        super().__init__()", *init, "", *forward_source(model)]
    return "\n\n\n".join(helpers + ["\n".join(lines)])


def _submodule_order(model: fx.GraphModule) -> list[str]:
    seen: list[str] = []
    for node in model.graph.nodes:
        if node.op == "call_module" and node.target not in seen:
            seen.append(node.target)
    return seen


def _used_custom(model: fx.GraphModule) -> set[type]:
    return {type(m) for m in model.children() if type(m) in _CUSTOM}


# -- constructors --------------------------------------------------------------------------

def _args(*positional: Any, **keywords: tuple[Any, Any]) -> str:
    """Positional values, then keyword=value for each (value, default) pair that differs."""
    parts = [repr(v) for v in positional]
    parts += [f"{k}={v!r}" for k, (v, default) in keywords.items() if not _same(v, default)]
    return ", ".join(parts)


def _same(value: Any, default: Any) -> bool:
    """Equal, counting a per-axis tuple of one repeated number as that number: (0, 0) == 0."""
    as_tuple = lambda v: tuple(v) if isinstance(v, (tuple, list)) else None  # noqa: E731
    a, b = as_tuple(value), as_tuple(default)
    if a is not None and b is None:
        return all(e == default for e in a)
    if b is not None and a is None:
        return all(e == value for e in b)
    return value == default


def _conv(m: nn.Conv2d) -> str:
    return _args(m.in_channels, m.out_channels, kernel_size=(m.kernel_size, None), stride=(m.stride, (1, 1)),
                 padding=(m.padding, (0, 0)), dilation=(m.dilation, (1, 1)), groups=(m.groups, 1),
                 bias=(m.bias is not None, True), padding_mode=(m.padding_mode, "zeros"))


def _conv_t(m: nn.ConvTranspose2d) -> str:
    return _args(m.in_channels, m.out_channels, kernel_size=(m.kernel_size, None), stride=(m.stride, (1, 1)),
                 padding=(m.padding, (0, 0)), output_padding=(m.output_padding, (0, 0)), groups=(m.groups, 1),
                 bias=(m.bias is not None, True), dilation=(m.dilation, (1, 1)))


def _batch_norm(m: nn.modules.batchnorm._BatchNorm) -> str:
    return _args(m.num_features, eps=(m.eps, 1e-5), momentum=(m.momentum, 0.1), affine=(m.affine, True),
                 track_running_stats=(m.track_running_stats, True))


def _pool(m: nn.MaxPool2d) -> str:
    return _args(m.kernel_size, stride=(m.stride, m.kernel_size), padding=(m.padding, 0),
                 dilation=(m.dilation, 1), return_indices=(m.return_indices, False), ceil_mode=(m.ceil_mode, False))


_CONSTRUCTORS: dict[type, Any] = {
    nn.Linear: lambda m: _args(m.in_features, m.out_features, bias=(m.bias is not None, True)),
    nn.Conv2d: _conv,
    nn.ConvTranspose2d: _conv_t,
    nn.BatchNorm1d: _batch_norm,
    nn.BatchNorm2d: _batch_norm,
    nn.LayerNorm: lambda m: _args(list(m.normalized_shape), eps=(m.eps, 1e-5),
                                  elementwise_affine=(m.elementwise_affine, True)),
    nn.MaxPool2d: _pool,
    nn.AvgPool2d: lambda m: _args(m.kernel_size, stride=(m.stride, m.kernel_size), padding=(m.padding, 0),
                                  ceil_mode=(m.ceil_mode, False), count_include_pad=(m.count_include_pad, True)),
    nn.AdaptiveAvgPool2d: lambda m: _args(m.output_size),
    nn.MaxUnpool2d: lambda m: _args(m.kernel_size, stride=(m.stride, m.kernel_size), padding=(m.padding, 0)),
    nn.Upsample: lambda m: _args(scale_factor=(m.scale_factor, None), size=(m.size, None), mode=(m.mode, "nearest")),
    nn.Dropout: lambda m: _args(m.p),
    nn.LeakyReLU: lambda m: _args(m.negative_slope),
    nn.GELU: lambda m: _args(approximate=(m.approximate, "none")),
    nn.Softmax: lambda m: _args(dim=(m.dim, None)),
    nn.Flatten: lambda m: _args(start_dim=(m.start_dim, 1), end_dim=(m.end_dim, -1)),
    nn.ReLU: lambda m: "", nn.Sigmoid: lambda m: "", nn.Tanh: lambda m: "", nn.Identity: lambda m: "",
}


def constructor(module: nn.Module) -> str:
    """Python that builds an equal module, e.g. `nn.Conv2d(1, 6, kernel_size=(5, 5), padding=(2, 2))`."""
    kind = type(module)
    if kind in _CONSTRUCTORS:
        return f"nn.{kind.__name__}({_CONSTRUCTORS[kind](module)})"
    if kind in _CUSTOM:
        return f"{kind.__name__}({module.extra_repr()})"
    if kind.__module__.startswith("torch.nn") and not list(module.children()):
        return f"nn.{module!r}"  # torch's own repr; the export's self-check confirms it rebuilds the layer
    raise CodegenError(f"{kind.__name__} has no Python form that LayerLab can write")


# -- forward --------------------------------------------------------------------------------

def forward_source(model: fx.GraphModule) -> list[str]:
    """`def forward(...)`: one readable line per layer. A value used only by the next line is
    called `x`; other values keep their layer's name (skip connections stay visible)."""
    statements = _statements(model)
    names = _variable_names(statements)
    placeholders = [n for n in model.graph.nodes if n.op == "placeholder"]
    args = ", ".join(f"{names[p]}: torch.Tensor" for p in placeholders)
    lines = [f"    def forward(self, {args}) -> torch.Tensor:"]
    for targets, node in statements:
        if node.op == "placeholder":
            continue
        call_args = ", ".join(names[a] for a in node.args if isinstance(a, fx.Node))
        if node.op == "output":
            lines.append(f"        return {call_args}")
            continue
        left = ", ".join(names.get(t, "_") if t is not None else "_" for t in targets)
        lines.append(f"        {left} = self.{node.target}({call_args})")
    return lines


def _statements(model: fx.GraphModule) -> list[tuple[list[fx.Node | None], fx.Node]]:
    """(values assigned, node) per line; a layer with several outputs becomes one unpacking line."""
    statements: list[tuple[list[fx.Node | None], fx.Node]] = []
    for node in model.graph.nodes:
        if node.op == "call_function" and node.target is operator.getitem:
            continue
        if node.op == "call_function":
            raise CodegenError(f"operation {node.target} has no Python form that LayerLab can write")
        items = [u for u in node.users if u.op == "call_function" and u.target is operator.getitem]
        if items and len(items) == len(node.users):
            slots: list[fx.Node | None] = [None] * (max(int(u.args[1]) for u in items) + 1)
            for user in items:
                slots[int(user.args[1])] = user
            statements.append((slots, node))
        else:
            statements.append(([node], node))
    return statements


def _variable_names(statements: list[tuple[list[fx.Node | None], fx.Node]]) -> dict[fx.Node, str]:
    position = {node: i for i, (_, node) in enumerate(statements)}
    names: dict[fx.Node, str] = {}
    for index, (targets, _) in enumerate(statements):
        for slot, value in enumerate(targets):
            if value is None:
                continue
            users = list(value.users)
            consumer = users[0] if len(users) == 1 else None
            if slot == 0 and consumer is not None and position.get(consumer) == index + 1:
                names[value] = "x"  # only the main output is chained; e.g. pooling indices keep their name
            else:
                names[value] = value.name
    return names
