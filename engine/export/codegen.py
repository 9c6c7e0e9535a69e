"""Write a compiled LayerLab model as readable PyTorch source: an nn.Module class with its layers
in `__init__` and a `forward` a person can follow and edit. Used by the `python` and
`training_script` exports; the generated code imports only torch."""

from __future__ import annotations

import inspect
import operator
import re

from torch import fx

from engine.graph import Network
from engine.layers import modules as custom_modules
from engine.layers.call import DEFAULT_INIT, Call


class CodegenError(ValueError):
    """A layer has no Python form; the message names it."""


def class_name(project_name: str) -> str:
    """'LeNet-5' -> 'LeNet5'; 'small resnet for mnist' -> 'SmallResnetForMnist'."""
    words = re.findall(r"[0-9A-Za-z]+", project_name)
    name = "".join(w[0].upper() + w[1:] for w in words)
    return name if name and not name[0].isdigit() else f"Model{name}"


def model_source(model: fx.GraphModule, name: str, doc: str, network: Network | None = None) -> str:
    """The custom helper classes the model needs, then the model class itself. Each layer is written
    as the constructor call the compiler made it from (its spec's `source`). A model with blocks
    needs the `network` it was compiled from: each block definition becomes a class of its own
    (engine.export.block_classes), written before the model."""
    calls: dict[str, Call] | None = model.meta.get("layerlab_calls")
    if calls is None:
        raise CodegenError("the model was not compiled by LayerLab, so its layers' constructors are unknown")
    targets = _submodule_order(model)
    blocks: dict[str, str] = {}
    classes: list[str] = []
    every_call = list(calls.values())
    if network is not None and any("layerlab_block" in getattr(m, "meta", {}) for m in model.modules()):
        from engine.export.block_classes import REPEATED, block_code  # it builds on this module

        reserved = {name, *(n for n, v in vars(custom_modules).items() if isinstance(v, type))}
        code = block_code(model, network, reserved)
        blocks, every_call = code.members, every_call + code.calls
        classes = ([REPEATED] if code.uses_repeated else []) + code.classes
    helpers = [inspect.getsource(cls).rstrip() for cls in sorted(_used_custom(every_call), key=lambda c: c.__name__)]
    if any(call.init != DEFAULT_INIT for call in every_call) or any("init_weights(" in c for c in classes):
        helpers.append(inspect.getsource(custom_modules.init_weights).rstrip())
    init = [member_line(target, blocks.get(target) or _constructor(calls, target)) for target in targets]
    lines = [f"class {name}(nn.Module):", f'    """{doc}"""', "", "    def __init__(self) -> None:",
             "        super().__init__()", *init, "", *forward_source(model)]
    return "\n\n\n".join(helpers + classes + ["\n".join(lines)])


def member(target: str) -> str:
    """How forward names a submodule: `self.conv1`, or `getattr(self, "0")` for a numbered one."""
    return f"self.{target}" if target.isidentifier() else f'getattr(self, "{target}")'


def member_line(target: str, made: str) -> str:
    """The __init__ line that makes a submodule: `self.conv1 = ...`, or `self.add_module("0", ...)`."""
    if target.isidentifier():
        return f"        self.{target} = {made}"
    return f'        self.add_module("{target}", {made})'


def _submodule_order(model: fx.GraphModule) -> list[str]:
    seen: list[str] = []
    for node in model.graph.nodes:
        if node.op == "call_module" and node.target not in seen:
            seen.append(node.target)
    return seen


def _used_custom(calls: list[Call]) -> set[type]:
    return {call.target for call in calls if call.target.__module__ == custom_modules.__name__}


def _constructor(calls: dict[str, Call], target: str) -> str:
    if target not in calls:
        raise CodegenError(f"layer '{target}' has no Python form that LayerLab can write")
    try:
        return calls[target].source()
    except ValueError as error:
        raise CodegenError(f"layer '{target}': {error}") from None


# -- forward --------------------------------------------------------------------------------

def forward_source(model: fx.GraphModule) -> list[str]:
    """`def forward(...)`: one readable line per layer. A value used only by the next line is
    called `x`; other values keep their layer's name (skip connections stay visible)."""
    statements = _statements(model)
    names = _variable_names(statements)
    placeholders = [n for n in model.graph.nodes if n.op == "placeholder"]
    args = ", ".join(f"{names[p]}: torch.Tensor" for p in placeholders)
    (output,) = (n for n in model.graph.nodes if n.op == "output")
    several = isinstance(output.args[0], (tuple, list))  # a block with several outputs
    lines = [f"    def forward(self, {args}) -> {'tuple[torch.Tensor, ...]' if several else 'torch.Tensor'}:"]
    for targets, node in statements:
        if node.op == "placeholder":
            continue
        if node.op == "output":
            lines.append(f"        return {', '.join(names[a] for a in (output.args[0] if several else output.args))}")
            continue
        call_args = ", ".join(names[a] for a in node.args if isinstance(a, fx.Node))
        left = ", ".join(names.get(t, "_") if t is not None else "_" for t in targets)
        lines.append(f"        {left} = {member(str(node.target))}({call_args})")
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
