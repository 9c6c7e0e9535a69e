"""Group an imported network into blocks that follow the torch model's own submodules: each
submodule that holds layers (ResNet's `layer1`, its BasicBlock `layer1.0`, that block's `downsample`)
becomes a Block instance named as in torch, so the compiled model's weights are keyed by the same
module path (`layer1.0.conv1.weight`, as torch's). Instances of one class with the same layers and
wires share one definition; the parameters that differ between them (ResNet's channels) become the
definition's arguments."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from engine.blocks.definition import BlockDefinition, BlockLibrary
from engine.graph import Network, python_name
from engine.layers.blocks import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT
from engine.layers.spec import ARG_KINDS
from engine.layout import apply_layout

Value = tuple[str, str]
"""A value in the flat network: (node id, output port)."""

CONTAINERS = (nn.Sequential, nn.ModuleList, nn.ModuleDict)
"""Classes whose definitions are named after their first instance ('layer1', 'features')."""


@dataclass
class Scopes:
    """Where each layer of the flat network was computed: its enclosing submodules, outermost first
    (`chains`), and the class of each submodule (`classes`); `modules` maps each layer made from a
    submodule call to that submodule's path (the others stand for a function or method call)."""

    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    classes: dict[str, type] = field(default_factory=dict)
    modules: dict[str, str] = field(default_factory=dict)


@dataclass
class _Content:
    """What one submodule holds, as its definition would: nodes (local name, type, params), wires
    (source, port, target, port) by local names, and the port names of its incoming and outgoing values."""

    path: str
    cls: type
    nodes: list[tuple[str, str, dict[str, Any]]]
    edges: list[tuple[str, str, str, str]]
    inputs: dict[Value, str]
    outputs: dict[Value, str]

    def variable(self) -> dict[tuple[str, str], Any]:
        """The values that may become arguments: (node, param) -> value; a block's arguments as 'args.NAME'."""
        found: dict[tuple[str, str], Any] = {}
        for name, type_id, params in self.nodes:
            if type_id == BLOCK:
                found.update({(name, f"args.{k}"): v for k, v in params["args"].items()})
            elif type_id not in (BLOCK_INPUT, BLOCK_OUTPUT):
                found.update({(name, p): params[p] for p in _argument_params(type_id)})
        return found

    def signature(self) -> tuple:
        """Equal for submodules that can share a definition (only argument values may differ)."""
        nodes = []
        for name, type_id, params in self.nodes:
            if type_id == BLOCK:
                fixed: Any = (params["definition"], tuple(sorted(params["args"])))
            else:
                fixed = tuple((k, repr(v)) for k, v in params.items() if k not in _argument_params(type_id))
            nodes.append((name, type_id, fixed))
        return self.cls, tuple(nodes), tuple(self.edges)


def _argument_params(type_id: str) -> list[str]:
    from engine.layers import get_spec

    return [p.name for p in get_spec(type_id).params if p.kind in ARG_KINDS]


def as_blocks(flat: Network, scopes: Scopes) -> Network:
    """A network equal to `flat` whose submodules are Block instances (a new library holds the
    definitions); each definition is laid out."""
    return _Grouper(flat, scopes).run()


class _Grouper:
    def __init__(self, flat: Network, scopes: Scopes) -> None:
        self.flat, self.scopes = flat, scopes
        self.order = flat.topological_order()
        self.edges = sorted(flat.edges(), key=flat.edge_order)
        self.library = BlockLibrary()
        self.ports: dict[str, _Content] = {}
        self.instances: dict[str, tuple[str, dict[str, Any]]] = {}  # path -> (definition, args)

    def chain(self, node: str) -> tuple[str, ...]:
        return self.scopes.chains.get(node, ())

    def within(self, node: str, path: str) -> bool:
        return not path or path in self.chain(node)

    def member(self, node: str, path: str) -> tuple[bool, str]:
        """(True, child path) for a layer inside a child submodule of `path`, else (False, node)."""
        chain = self.chain(node)
        index = chain.index(path) + 1 if path else 0
        return (True, chain[index]) if index < len(chain) else (False, node)

    def run(self) -> Network:
        depth: dict[str, int] = {}
        for node in self.order:
            for i, path in enumerate(self.chain(node)):
                depth.setdefault(path, i + 1)
        for level in range(max(depth.values(), default=0), 0, -1):
            contents = [self.content(p) for p, d in depth.items() if d == level]
            for content in contents:
                self.ports[content.path] = content
            clusters: dict[tuple, list[_Content]] = {}
            for content in contents:
                clusters.setdefault(content.signature(), []).append(content)
            for cluster in clusters.values():
                self.define(cluster)
        return self.materialize(self.content(""), {})

    def content(self, path: str) -> _Content:
        """The nodes and wires of submodule `path` ('' for the whole model)."""
        members = list(dict.fromkeys(self.member(n, path) for n in self.order if self.within(n, path)))
        names = self.local_names(members, path)
        crossing_in = [e for e in self.edges if self.within(e.target, path) and not self.within(e.source, path)]
        crossing_out = [e for e in self.edges if self.within(e.source, path) and not self.within(e.target, path)]
        inputs = _port_names(((e.source, e.source_port) for e in crossing_in), "in")
        outputs = _port_names(((e.source, e.source_port) for e in crossing_out), "out")
        nodes = [(p, BLOCK_INPUT, {"index": i}) for i, p in enumerate(inputs.values())]
        for member in members:
            is_block, key = member
            if is_block:
                definition, args = self.instances[key]
                nodes.append((names[member], BLOCK, {"definition": definition, "args": dict(args)}))
            else:
                nodes.append((names[member], self.flat.node(key).type, dict(self.flat.params_view(key))))
        nodes += [(p, BLOCK_OUTPUT, {"index": i}) for i, p in enumerate(outputs.values())]
        edges: list[tuple[str, str, str, str]] = []
        for e in self.edges:
            if not self.within(e.target, path):
                continue
            value = (e.source, e.source_port)
            target = self.member(e.target, path)
            if target[0] and self.within(e.source, target[1]):
                continue  # a wire inside a child block
            target_port = self.ports[target[1]].inputs[value] if target[0] else e.target_port
            source = inputs[value] if value in inputs else names[self.member(e.source, path)]
            source_port = "out" if value in inputs else self.source_port(value, path)
            edges.append((source, source_port, names[target], target_port))
        for value, port in outputs.items():
            edges.append((names[self.member(value[0], path)], self.source_port(value, path), port, "in"))
        cls = self.scopes.classes.get(path, nn.Module)
        return _Content(path, cls, nodes, list(dict.fromkeys(edges)), inputs, outputs)

    def source_port(self, value: Value, path: str) -> str:
        is_block, key = self.member(value[0], path)
        return self.ports[key].outputs[value] if is_block else value[1]

    def local_names(self, members: list[tuple[bool, str]], path: str) -> dict[tuple[bool, str], str]:
        """Names inside submodule `path`: submodules and layers made from submodules keep torch's
        name relative to `path`; function calls are named after the function ('add', 'add_1')."""
        names: dict[tuple[bool, str], str] = {}
        for member in members:
            is_block, key = member
            if is_block or key in self.scopes.modules or not path:
                name = key if is_block else self.flat.name_of(key)
                names[member] = name[len(path) + 1:] if path and name.startswith(f"{path}.") else name
        taken = set(names.values()) | {"in", "out"}
        for member in members:
            if member not in names:
                base = re.sub(r"_\d+$", "", self.flat.name_of(member[1])) or "op"
                name, i = base, 0
                while name in taken:
                    i += 1
                    name = f"{base}_{i}"
                names[member] = name
                taken.add(name)
        return names

    def define(self, cluster: list[_Content]) -> None:
        """One definition for submodules that differ at most in argument values."""
        first = cluster[0]
        values = [c.variable() for c in cluster]
        differing = {key: [v[key] for v in values] for key in values[0]
                     if any(v[key] != values[0][key] for v in values[1:])}
        by_vector: dict[str, list[tuple[str, str]]] = {}
        for key, vector in differing.items():
            by_vector.setdefault(repr(vector), []).append(key)
        bases = [_base(keys[0][1]) for keys in by_vector.values()]
        refs: dict[tuple[str, str], str] = {}
        for keys, base in zip(by_vector.values(), bases, strict=True):
            name = base if bases.count(base) == 1 else f"{python_name(keys[0][0])}_{base}"
            refs.update({key: name for key in keys})
        name = self.definition_name(first)
        definition = BlockDefinition(name, Network(), {a: values[0][k] for k, a in refs.items()},
                                     description=f"{first.cls.__name__}: " + ", ".join(c.path for c in cluster))
        self.library.add(definition)
        definition.network = self.materialize(first, refs)
        for content, found in zip(cluster, values, strict=True):
            self.instances[content.path] = (name, {a: found[k] for k, a in refs.items()})

    def definition_name(self, content: _Content) -> str:
        """The class name ('BasicBlock'), or for a container its first instance's name ('layer1'); a
        variant with one submodule the first lacks is named after it ('BasicBlock_downsample'), others
        are numbered ('DenseBlock_2')."""
        local = content.path.rsplit(".", 1)[-1]
        base = local if content.cls in CONTAINERS else content.cls.__name__.lstrip("_") or "Block"
        if base not in self.library:
            return base
        earlier = {n for _, n in self.library.definition(base).network.graph.nodes(data="name")}
        extra = [n for n, t, _ in content.nodes if t == BLOCK and n not in earlier]
        return self.library.unique_name(f"{base}_{python_name(extra[0])}" if len(extra) == 1 else base)

    def materialize(self, content: _Content, refs: dict[tuple[str, str], str]) -> Network:
        """The network of `content`, its values in `refs` replaced by argument references."""
        net = Network()
        net.library = self.library
        ids: dict[str, str] = {}
        with net.bulk():
            for name, type_id, params in content.nodes:
                params = copy.deepcopy(params)
                for (node, key), arg in refs.items():
                    if node == name and key.startswith("args."):
                        params["args"][key[len("args."):]] = {"arg": arg}
                    elif node == name:
                        params[key] = {"arg": arg}
                ids[name] = net.add_node(type_id, params, name=name)
            for source, source_port, target, target_port in content.edges:
                net.connect(ids[source], ids[target], source_port, target_port)
        apply_layout(net)
        return net


def _port_names(values: Iterable[Value], prefix: str) -> dict[Value, str]:
    """'in' for one value, else 'in_1', 'in_2', ... in wiring order."""
    found = list(dict.fromkeys(values))
    return {v: prefix if len(found) == 1 else f"{prefix}_{i + 1}" for i, v in enumerate(found)}


def _base(key: str) -> str:
    return key[len("args."):] if key.startswith("args.") else key
