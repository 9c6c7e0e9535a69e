"""Block definitions and the project's block library."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.errors import LayerLabError
from engine.graph import Network, _id_sort_key
from engine.layers import LayerSpec, Port
from engine.layers.blocks import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, BLOCK_SPEC
from engine.layers.spec import arg_ref


class BlockError(LayerLabError):
    """A block definition or instance that cannot be used (missing, recursive, bad ports or arguments)."""


@dataclass
class BlockDefinition:
    """A reusable sub-network: its ports are its BlockInput / BlockOutput layers, named by the layer's
    name and ordered by their `index` parameter (then by id); `args` are the arguments with their
    defaults that inner parameters may refer to."""

    name: str
    network: Network
    args: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def port_nodes(self, type_id: str) -> list[str]:
        """The BlockInput (or BlockOutput) node ids, in port order."""
        net = self.network
        found = net.nodes_of_type(type_id)
        return sorted(found, key=lambda n: (net.params_view(n)["index"], _id_sort_key(n)))

    @property
    def inputs(self) -> list[str]:
        """Input port names, in order."""
        return [self.network.name_of(n) for n in self.port_nodes(BLOCK_INPUT)]

    @property
    def outputs(self) -> list[str]:
        """Output port names, in order."""
        return [self.network.name_of(n) for n in self.port_nodes(BLOCK_OUTPUT)]

    def used_definitions(self) -> set[str]:
        """The definitions its own layers are instances of (not those nested deeper)."""
        return {self.network.params_view(n)["definition"] for n in self.network.nodes_of_type(BLOCK)}

    def referenced_args(self) -> set[str]:
        """The argument names its layers' parameters refer to."""
        net = self.network
        return {ref for n in net.node_ids for v in net.params_view(n).values() if (ref := arg_ref(v))}


class BlockLibrary:
    """The project's block definitions by name. Every Network of the project (the top level and each
    definition's) points to it as `network.library`, so Block nodes find their ports."""

    def __init__(self, definitions: list[BlockDefinition] | None = None) -> None:
        self._definitions: dict[str, BlockDefinition] = {}
        for definition in definitions or []:
            self.add(definition)

    def __contains__(self, name: object) -> bool:
        return name in self._definitions

    def __iter__(self) -> Iterator[BlockDefinition]:
        return iter(self._definitions.values())

    def __len__(self) -> int:
        return len(self._definitions)

    @property
    def names(self) -> list[str]:
        return list(self._definitions)

    def get(self, name: str) -> BlockDefinition | None:
        return self._definitions.get(name)

    def definition(self, name: str) -> BlockDefinition:
        """The definition called `name`, or a BlockError listing those there are."""
        found = self._definitions.get(name)
        if found is None:
            known = ", ".join(f"'{n}'" for n in self._definitions) or "none"
            raise BlockError(f"there is no block definition '{name}' in the library (definitions: {known})")
        return found

    def add(self, definition: BlockDefinition) -> None:
        if definition.name in self._definitions:
            raise BlockError(f"the library already has a block definition named '{definition.name}'")
        self._definitions[definition.name] = definition
        definition.network.library = self

    def put(self, definition: BlockDefinition) -> BlockDefinition | None:
        """Add `definition`, or put it in place of the one of its name (returned), e.g. after an
        edit inside it gave its network anew (group, ungroup within a definition)."""
        old = self._definitions.get(definition.name)
        self._definitions[definition.name] = definition
        definition.network.library = self
        return old

    def remove(self, name: str) -> BlockDefinition:
        return self._definitions.pop(self.definition(name).name)

    def copy(self) -> BlockLibrary:
        """A new library with the same definition objects (which now point to it)."""
        other = BlockLibrary()
        other._definitions = dict(self._definitions)
        for definition in other:
            definition.network.library = other
        return other

    def snapshot(self) -> BlockLibrary:
        """A new library with the same definition objects, which keep pointing here (for undo)."""
        other = BlockLibrary()
        other._definitions = dict(self._definitions)
        return other

    def take_definitions(self, other: BlockLibrary) -> None:
        """Hold `other`'s definition objects (which now point here): an edit computed on a copy of
        the library lands in the library every network of the project already points to."""
        self._definitions = dict(other._definitions)
        for definition in self:
            definition.network.library = self

    def deep_copy(self) -> BlockLibrary:
        """A new library with copies of every definition (to train while the original is edited)."""
        return BlockLibrary([dataclasses.replace(d, network=d.network.copy(), args=dict(d.args)) for d in self])

    def unique_name(self, name: str) -> str:
        candidate, i = name, 1
        while candidate in self._definitions:
            i += 1
            candidate = f"{name}_{i}"
        return candidate

    def instance_spec(self, params: dict[str, Any]) -> LayerSpec:
        """The spec of a Block node: the Block layer with its definition's ports (none when the
        definition is missing)."""
        definition = self._definitions.get(params.get("definition", ""))
        if definition is None:
            return BLOCK_SPEC
        return dataclasses.replace(BLOCK_SPEC, inputs=tuple(Port(n) for n in definition.inputs),
                                   outputs=tuple(definition.outputs))

    def recursion(self, name: str) -> list[str] | None:
        """A chain of definitions from `name` back to itself (['a', 'b', 'a']), or None."""
        def walk(current: str, chain: list[str]) -> list[str] | None:
            definition = self._definitions.get(current)
            for used in sorted(definition.used_definitions()) if definition else []:
                if used == name:
                    return [*chain, used]
                if used not in chain:
                    found = walk(used, [*chain, used])
                    if found:
                        return found
            return None
        return walk(name, [name])


def given_args(definition: BlockDefinition, params: dict[str, Any], repetition: int) -> dict[str, Any]:
    """The argument values of one repetition of an instance as given: the definition's defaults, the
    instance's `args`, and for the first repetition its `first_args` (references to an enclosing
    block's arguments left as they are); a BlockError for an argument the definition lacks."""
    given = {**params.get("args", {}), **(params.get("first_args", {}) if repetition == 0 else {})}
    unknown = sorted(set(given) - set(definition.args))
    if unknown:
        known = ", ".join(definition.args) or "none"
        raise BlockError(f"block definition '{definition.name}' has no argument '{unknown[0]}' "
                         f"(its arguments: {known})")
    return {**definition.args, **given}


def effective_args(definition: BlockDefinition, params: dict[str, Any], repetition: int,
                   outer: dict[str, Any] | None = None) -> dict[str, Any]:
    """`given_args`, with each value that refers to an argument (`{"arg": "channels"}`) taking the
    enclosing block's value (`outer`)."""
    given = given_args(definition, params, repetition)
    for key, value in given.items():
        ref = arg_ref(value)
        if ref is not None:
            if outer is None or ref not in outer:
                where = "its enclosing block has no such argument" if outer else "it is not inside a block"
                raise BlockError(f"its argument '{key}' refers to the block argument '{ref}', but {where}")
            given[key] = outer[ref]
    return given


def substitute_args(spec: LayerSpec, params: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """`params` with each reference to one of `args` replaced by its value, also inside a nested
    block's argument mappings; the value may itself be a reference (to an enclosing block's
    argument). References to other arguments are kept. For ungrouping."""
    def swap(value: Any) -> Any:
        ref = arg_ref(value)
        return args[ref] if ref is not None and ref in args else value

    found = dict(params)
    for name, value in params.items():
        if spec.param(name).kind == "mapping":
            found[name] = {key: swap(item) for key, item in value.items()}
        elif arg_ref(value) is not None:
            found[name] = spec.param(name).validate(swap(value))
    return found


def resolve_params(spec: LayerSpec, params: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """`params` with each argument reference replaced by the argument's value, checked as that
    parameter's value; a BlockError for an argument that is not set."""
    if not any(type(v) is dict for v in params.values()):
        return params
    resolved = dict(params)
    for name, value in params.items():
        ref = arg_ref(value)
        if ref is None or spec.param(name).kind == "mapping":
            continue
        if ref not in args:
            where = "its block has no such argument" if args else "it is not inside a block"
            raise BlockError(f"its '{name}' refers to the block argument '{ref}', but {where}")
        resolved[name] = spec.param(name).validate(args[ref])
    return resolved


def is_block(network: Network, node_id: str) -> bool:
    return network.graph.nodes[node_id]["type"] == BLOCK

