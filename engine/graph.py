"""The network document: a networkx DAG of layers with stable ids, port-keyed edges,
validated edits and change events a GUI can follow."""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from engine.errors import (
    CycleError,
    DuplicateEdgeError,
    NameTakenError,
    ParamError,
    PortOccupiedError,
    UnknownNodeError,
    UnknownPortError,
)
from engine.layers import ROLES, LayerSpec, get_spec, specs_with_role
from engine.layers.blocks import BLOCK

if TYPE_CHECKING:
    from engine.blocks.definition import BlockLibrary


@dataclass(frozen=True)
class Edge:
    """A wire from `source`'s output port to `target`'s input port."""

    source: str
    target: str
    source_port: str = "out"
    target_port: str = "in"

    @property
    def key(self) -> tuple[str, str]:
        return (self.source_port, self.target_port)


@dataclass(frozen=True)
class NodeData:
    """A plain, copyable snapshot of one node (what undo and files store)."""

    id: str
    type: str
    name: str
    params: dict[str, Any] = field(hash=False)
    position: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Change:
    """A change event. kind is one of: node_added, node_removed, edge_added, edge_removed,
    param_changed, renamed, moved, reset (everything changed, e.g. after loading)."""

    kind: str
    node: str | None = None
    edge: Edge | None = None
    name: str | None = None
    old: Any = None
    new: Any = None


Observer = Callable[[Change], None]
_IDENT = re.compile(r"[^0-9a-zA-Z_]+")


class Network:
    """A directed acyclic graph of layers. Every edit is validated and announced to observers."""

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self._observers: list[Observer] = []
        self._next_id = 1
        self._next_order = 1
        self._held: list[Change] | None = None
        self._order: list[str] | None = None  # topological order, kept until the wiring changes
        self.library: BlockLibrary | None = None
        """The project's block definitions, where Block nodes find their ports (engine.blocks)."""

    # -- observers ---------------------------------------------------------------------
    def subscribe(self, observer: Observer) -> None:
        self._observers.append(observer)

    def unsubscribe(self, observer: Observer) -> None:
        self._observers.remove(observer)

    def _emit(self, change: Change) -> None:
        if self._held is not None:
            self._held.append(change)
            return
        for observer in list(self._observers):
            observer(change)

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Group many edits: observers get one `reset` event at the end instead of one each."""
        outer = self._held is not None
        if not outer:
            self._held = []
        try:
            yield
        finally:
            if not outer:
                held, self._held = self._held, None
                if held:
                    self._emit(Change("reset"))

    # -- queries -----------------------------------------------------------------------
    def __contains__(self, node_id: str) -> bool:
        return node_id in self.graph

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    @property
    def node_ids(self) -> list[str]:
        return list(self.graph.nodes)

    def node(self, node_id: str) -> NodeData:
        attrs = self._attrs(node_id)
        return NodeData(node_id, attrs["type"], attrs["name"], dict(attrs["params"]), attrs["position"])

    def params_view(self, node_id: str) -> dict[str, Any]:
        """The node's parameters themselves, not a copy: for reading only (shape inference reads
        every node on every edit; copying each would double its cost)."""
        return self._attrs(node_id)["params"]

    def spec(self, node_id: str) -> LayerSpec:
        """The node's layer spec; a Block node's has its definition's ports."""
        attrs = self._attrs(node_id)
        if attrs["type"] == BLOCK and self.library is not None:
            return self.library.instance_spec(attrs["params"])
        return get_spec(attrs["type"])

    def edges(self) -> list[Edge]:
        """All wires, in the order they were made."""
        found = [(d["order"], Edge(u, v, *k)) for u, v, k, d in self.graph.edges(keys=True, data=True)]
        return [edge for _, edge in sorted(found, key=lambda item: item[0])]

    def in_edges(self, node_id: str) -> list[Edge]:
        """Wires into a node, ordered by the spec's input ports, then by wiring order."""
        self._attrs(node_id)  # an unknown id gets the usual error
        pred = self.graph.pred[node_id]
        if len(pred) == 1:  # the common case: one source (usually one wire), no sorting to do
            ((source, keyed),) = pred.items()
            if len(keyed) == 1:
                return [Edge(source, node_id, *next(iter(keyed)))]
        ports = [p.name for p in self.spec(node_id).inputs]
        found = [(ports.index(k[1]) if k[1] in ports else len(ports), d["order"], Edge(u, node_id, *k))
                 for u, keyed in pred.items() for k, d in keyed.items()]
        if len(found) > 1:
            found.sort(key=lambda item: item[:2])
        return [edge for *_, edge in found]

    def out_edges(self, node_id: str) -> list[Edge]:
        found = [(d["order"], Edge(node_id, v, *k))
                 for v, keyed in self._succ(node_id).items() for k, d in keyed.items()]
        return [edge for _, edge in sorted(found, key=lambda item: item[0])]

    def _succ(self, node_id: str) -> dict:
        self._attrs(node_id)
        return self.graph.succ[node_id]

    def edge_order(self, edge: Edge) -> int:
        return self.graph.edges[edge.source, edge.target, edge.key]["order"]

    def find(self, name: str) -> str:
        """The id of the node called `name`."""
        for node_id, attrs in self.graph.nodes(data=True):
            if attrs["name"] == name:
                return node_id
        raise UnknownNodeError(f"There is no layer named '{name}'.")

    def nodes_of_type(self, type_id: str) -> list[str]:
        return [n for n, a in self.graph.nodes(data=True) if a["type"] == type_id]

    def nodes_with_role(self, role: str) -> list[str]:
        """The nodes whose layer has this role ('input', 'output', ...: engine.layers.ROLES)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        types = {spec.type_id for spec in specs_with_role(role)}
        return [n for n, a in self.graph.nodes(data=True) if a["type"] in types]

    def topological_order(self) -> list[str]:
        """Node ids sources first; ties broken by id number, so the order is deterministic.
        Kept between calls until a layer or wire is added or removed (edits of parameters,
        names and positions, the most frequent, reuse it)."""
        if self._order is None:
            self._order = list(nx.lexicographical_topological_sort(self.graph, key=_id_sort_key))
        return list(self._order)

    def unique_name(self, prefix: str) -> str:
        taken = {a["name"] for _, a in self.graph.nodes(data=True)}
        for i in itertools.count(1):
            if f"{prefix}{i}" not in taken:
                return f"{prefix}{i}"
        raise AssertionError("unreachable")

    # -- edits -------------------------------------------------------------------------
    def add_node(self, type_id: str, params: dict[str, Any] | None = None, *, name: str | None = None,
                 position: tuple[float, float] = (0.0, 0.0), node_id: str | None = None) -> str:
        """Add a layer; returns its id. Params not given take the spec's defaults."""
        spec = get_spec(type_id)
        values = spec.validate_params(params or {})
        name = self._check_name(name, None) if name is not None else self.unique_name(spec.name_prefix)
        if node_id is None:
            node_id = self._new_id()
        elif node_id in self.graph:
            raise NameTakenError(f"A node with id '{node_id}' already exists.")
        self.graph.add_node(node_id, type=spec.type_id, name=name, params=values,
                            position=(float(position[0]), float(position[1])))
        self._order = None
        self._bump_ids(node_id)
        self._emit(Change("node_added", node=node_id))
        return node_id

    def restore_node(self, data: NodeData) -> str:
        """Put back a node exactly as it was (for undo and file loading)."""
        return self.add_node(data.type, data.params, name=data.name, position=data.position, node_id=data.id)

    def remove_node(self, node_id: str) -> NodeData:
        """Remove a node and its wires; returns its snapshot."""
        data = self.node(node_id)
        for edge in self.in_edges(node_id) + self.out_edges(node_id):
            self.disconnect(edge)
        self.graph.remove_node(node_id)
        self._order = None
        self._emit(Change("node_removed", node=node_id, old=data))
        return data

    def connect(self, source: str, target: str, source_port: str = "out", target_port: str = "in",
                *, order: int | None = None) -> Edge:
        """Wire `source.source_port` to `target.target_port`, refusing anything that breaks the DAG."""
        edge = Edge(source, target, source_port, target_port)
        src_spec, dst_spec = self.spec(source), self.spec(target)
        if source_port not in src_spec.outputs:
            raise UnknownPortError(self._port_message(source, source_port, src_spec.outputs, "output"))
        port = dst_spec.input_port(target_port)
        if port is None:
            raise UnknownPortError(self._port_message(target, target_port, [p.name for p in dst_spec.inputs], "input"))
        if self.graph.has_edge(source, target, edge.key):
            raise DuplicateEdgeError(f"'{self.name_of(source)}' is already wired to '{self.name_of(target)}'.")
        if not port.multi and any(e.target_port == target_port for e in self.in_edges(target)):
            raise PortOccupiedError(f"Input '{target_port}' of '{self.name_of(target)}' is already connected; "
                                    "remove that wire first or use an Add/Concatenate layer to merge branches.")
        if source == target or nx.has_path(self.graph, target, source):
            raise CycleError(f"Wiring '{self.name_of(source)}' to '{self.name_of(target)}' would make a loop; "
                             "networks must flow one way from Input to Output.")
        order = self._next_order if order is None else order
        self._next_order = max(self._next_order, order + 1)
        self.graph.add_edge(source, target, key=edge.key, order=order)
        self._order = None
        self._emit(Change("edge_added", edge=edge))
        return edge

    def disconnect(self, edge: Edge) -> int:
        """Remove a wire; returns its order so undo can put it back in place."""
        if not self.graph.has_edge(edge.source, edge.target, edge.key):
            raise UnknownNodeError(f"There is no wire from '{edge.source}' to '{edge.target}'.")
        order = self.edge_order(edge)
        self.graph.remove_edge(edge.source, edge.target, edge.key)
        self._order = None
        self._emit(Change("edge_removed", edge=edge, old=order))
        return order

    def set_param(self, node_id: str, name: str, value: Any) -> Any:
        """Change one parameter; returns the old value."""
        params = self._attrs(node_id)["params"]
        spec = self.spec(node_id)
        try:
            new = spec.param(name).validate(value)
        except ParamError as error:
            raise ParamError(f"{spec.display_name} '{self.name_of(node_id)}': {error}") from None
        old = params[name]
        if new != old:
            params[name] = new
            self._emit(Change("param_changed", node=node_id, name=name, old=old, new=new))
        return old

    def rename(self, node_id: str, name: str) -> str:
        attrs = self._attrs(node_id)
        old, new = attrs["name"], self._check_name(name, node_id)
        if new != old:
            attrs["name"] = new
            self._emit(Change("renamed", node=node_id, old=old, new=new))
        return old

    def move(self, node_id: str, position: tuple[float, float]) -> tuple[float, float]:
        attrs = self._attrs(node_id)
        old, new = attrs["position"], (float(position[0]), float(position[1]))
        if new != old:
            attrs["position"] = new
            self._emit(Change("moved", node=node_id, old=old, new=new))
        return old

    def clear(self) -> None:
        with self.bulk():
            for node_id in self.node_ids:
                self.remove_node(node_id)

    def copy(self) -> Network:
        """An independent copy with the same ids, without observers."""
        other = Network()
        other.graph = copy.deepcopy(self.graph)
        other._next_id, other._next_order = self._next_id, self._next_order
        other.library = self.library
        return other

    def take_contents(self, other: Network) -> None:
        """Become a copy of `other`'s layers, wires and id counters (not its library or observers):
        how an edit computed as a new network (group, ungroup, make unique) lands in place, and how
        undo puts the old contents back. Observers get one `reset` event."""
        self.graph = copy.deepcopy(other.graph)
        self._next_id, self._next_order = other._next_id, other._next_order
        self._order = None
        self._emit(Change("reset"))

    def architecture(self, _within: tuple[str, ...] = ()) -> dict[str, tuple]:
        """What trained weights depend on: for each layer its type, name (the weights are keyed by
        it), parameters and incoming wires in order; not where its card sits. Networks with equal
        architectures take the same weights."""
        return {node_id: (attrs["type"], attrs["name"], copy.deepcopy(attrs["params"]),
                          tuple((e.source, e.source_port, e.target_port) for e in self.in_edges(node_id)))
                + self._block_architecture(attrs, _within)
                for node_id, attrs in self.graph.nodes(data=True)}

    def _block_architecture(self, attrs: dict[str, Any], within: tuple[str, ...]) -> tuple:
        """A Block node's weights depend on its definition too: its arguments and architecture."""
        if attrs["type"] != BLOCK or self.library is None:
            return ()
        name = attrs["params"]["definition"]
        definition = self.library.get(name)
        if definition is None or name in within:  # missing or recursive: nothing more to compare
            return (name,)
        return (copy.deepcopy(definition.args), definition.network.architecture(_within=(*within, name)))

    # -- helpers -----------------------------------------------------------------------
    def name_of(self, node_id: str) -> str:
        return self._attrs(node_id)["name"]

    def _attrs(self, node_id: str) -> dict[str, Any]:
        try:
            return self.graph.nodes[node_id]
        except KeyError:
            raise UnknownNodeError(f"There is no node with id '{node_id}'.") from None

    def _check_name(self, name: str, node_id: str | None) -> str:
        name = str(name).strip()
        if not name:
            raise NameTakenError("A layer name cannot be empty.")
        for other, attrs in self.graph.nodes(data=True):
            if other != node_id and attrs["name"] == name:
                raise NameTakenError(f"Another layer is already named '{name}'; pick a different name.")
        return name

    def _new_id(self) -> str:
        while f"n{self._next_id}" in self.graph:
            self._next_id += 1
        return f"n{self._next_id}"

    def _bump_ids(self, node_id: str) -> None:
        match = re.fullmatch(r"n(\d+)", node_id)
        if match:
            self._next_id = max(self._next_id, int(match.group(1)) + 1)

    def _port_message(self, node_id: str, port: str, ports: Any, kind: str) -> str:
        listed = ", ".join(ports) or "none"
        return f"'{self.name_of(node_id)}' has no {kind} port '{port}' (its {kind} ports: {listed})."


def _id_sort_key(node_id: str) -> tuple[int, str]:
    match = re.fullmatch(r"n(\d+)", node_id)
    return (int(match.group(1)), "") if match else (1 << 62, node_id)


def module_name(name: str) -> str:
    """A layer's submodule name in the compiled model: a whole number stays as it is (as in
    nn.Sequential: an imported torchvision model keeps its weight names, 'layer1.0.conv1.weight');
    any other name becomes a Python identifier (`python_name`)."""
    return name if name.isascii() and name.isdigit() else python_name(name)


def python_name(name: str) -> str:
    """A layer name turned into a Python identifier (for submodule names)."""
    ident = _IDENT.sub("_", name).strip("_") or "layer"
    return f"_{ident}" if ident[0].isdigit() else ident
