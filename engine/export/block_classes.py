"""Blocks in the `python` export: one nn.Module class per block definition the model uses (nested
definitions first), built from the definition's arguments, and each instance written as a call of
its class with that instance's arguments (`nn.Sequential` of them when it repeats).

A class's `__init__` takes the definition's arguments with their defaults. Which values an
instance's arguments and input shapes drive is found by analysing the definition again with one
argument, or the input shapes, changed (engine.export.block_instances). Each inner layer's
constructor value (and each value a nested block's class takes) is then written, in this order, as:

1. the argument that drives it, where the value equals the argument's: `nn.Conv2d(in_channels,
   channels, ..., stride=stride)`, `nn.BatchNorm2d(channels)` (through the conv's output shape);
2. an extra constructor parameter without a default, where the block's input shapes drive it: the
   readable way to say that a conv takes as many channels as come in. It is named after the
   constructor's own parameter (`in_channels`, or `conv1_in_channels` where that name is taken) and
   shared by the values that are one quantity (equal in every instance, also with the input sizes
   one larger: a conv's and its shortcut's input channels); each instance passes its own
   (`ResnetBasic(in_channels=channels, channels=channels)` inside a stage, a number at the top);
3. a literal, where every instance in the model has the same value (`kernel_size=(3, 3)`);
4. an argument whose value it equals in every instance; otherwise an extra parameter as in 2.

So the file holds the model as LayerLab built it, readable as one would write it by hand, and its
state dict keys are the compiled model's (`stage1.0.conv1.weight`). A repeat given by an argument
is written with the file's `repeated` helper (one module alone is not wrapped, as LayerLab does)."""

from __future__ import annotations

import keyword
import textwrap
from dataclasses import dataclass
from typing import Any

from torch import fx

from engine.blocks.compile import class_name
from engine.export.block_instances import Instance, Key, Sources, call_slots, collect, measure, slot_values, walk
from engine.export.codegen import CodegenError, forward_source, member_line
from engine.graph import Network
from engine.layers.call import DEFAULT_INIT, Call, _signature_defaults, same_value, source_name
from engine.layers.spec import arg_ref

SCALAR_SIZES = ("torch.nn.modules.conv", "torch.nn.modules.pooling")
"""Modules whose per-axis sizes may be given as one int (kernel_size=kernel for (k, k))."""

REPEATED = '''\
def repeated(times: int, make) -> nn.Module:
    """make(0), make(1), ... in series (nn.Sequential); one alone is not wrapped, as in LayerLab."""
    modules = [make(i) for i in range(times)]
    return modules[0] if times == 1 else nn.Sequential(*modules)'''


@dataclass
class BlockCode:
    """The block classes of a model and how its top-level blocks are made."""

    classes: list[str]
    members: dict[str, str]
    calls: list[Call]
    uses_repeated: bool


@dataclass
class _Extra:
    """An extra constructor parameter: the value it stands for, its value in each instance, and
    that value with the instance's input sizes one larger (values equal both ways share one)."""

    name: str
    source: Key
    values: tuple[Any, ...]
    moved: tuple[Any, ...]


@dataclass
class _Class:
    name: str
    args: list[str]


def block_code(model: fx.GraphModule, network: Network, reserved: set[str]) -> BlockCode:
    """The classes for every definition `model` (compiled from `network`) uses, and its top-level
    blocks' constructor expressions. Class names avoid `reserved` (the file's other classes)."""
    top = collect(network, model)
    instances = walk(top)
    by_definition: dict[str, list[Instance]] = {}
    for instance in instances:  # nested definitions first
        assert instance.definition is not None
        by_definition.setdefault(instance.definition.name, []).append(instance)
    writer = _Writer()
    names = _class_names(list(by_definition), reserved)
    for name, found in by_definition.items():
        definition = found[0].definition
        assert definition is not None
        clash = [a for a in definition.args if a in _SHADOWED or a in names.values() or keyword.iskeyword(a)]
        if clash:
            raise CodegenError(f"block definition '{name}' has an argument named '{clash[0]}', which the generated "
                               "code needs for something else; rename the argument")
        writer.write_class(names[name], found)
    top.values = slot_values(network, None, top.analysis, writer.sources)
    scope = _Scope(writer, [top], [])
    members = {member: scope.block(member) for member in top.blocks}
    calls = [call for instance in instances for call in instance.calls.values()]
    return BlockCode(writer.texts, members, calls, writer.uses_repeated)


_SHADOWED = {"self", "nn", "torch", "repeated", "i"}
"""Names an argument must not take: the generated code uses them (`i` in the `repeated` lambdas)."""


def _class_names(definitions: list[str], reserved: set[str]) -> dict[str, str]:
    """A class name per definition ('resnet_basic' -> 'ResnetBasic'), distinct and not reserved."""
    taken, found = set(reserved), {}
    for definition in definitions:
        base = candidate = class_name(definition)
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{base}Block" if number == 2 else f"{base}Block{number}"
        taken.add(candidate)
        found[definition] = candidate
    return found


class _Writer:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.classes: dict[str, _Class] = {}
        self.sources: Sources = {}
        """Per definition: its class's extra parameters and the values they stand for."""
        self.uses_repeated = False

    def write_class(self, name: str, instances: list[Instance]) -> None:
        definition = instances[0].definition
        assert definition is not None
        first = instances[0]
        if any(i.members != first.members for i in instances):
            raise CodegenError(f"the instances of block definition '{definition.name}' differ in their layers")
        for instance in instances:
            measure(instance, self.sources)
        scope = _Scope(self, instances, list(definition.args))
        init = [member_line(m, scope.block(m) if m in first.blocks else scope.layer(m)) for m, _ in first.members]
        params = [f"{e.name}: {_annotation(e.values[0])}" for e in scope.extras]
        params += [f"{a}: {_annotation(v)} = {_literal(v)}" for a, v in definition.args.items()]
        header = f"    def __init__(self{''.join(', ' + p for p in params)}) -> None:"
        if len(header) > 110:
            header = "    def __init__(\n" + "".join(f"        {p},\n" for p in ["self", *params]) + "    ) -> None:"
        description = definition.description.strip()
        about = f"{definition.name} (a LayerLab block)" + (f": {description}" if description else "")
        about += "" if about.endswith((".", "!", "?")) else "."
        doc = textwrap.fill(f'"""{about}"""'.replace("\\", "\\\\"), 100,
                            initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False)
        lines = [f"class {name}(nn.Module):", doc, "", header, "        super().__init__()", *init, "",
                 *forward_source(first.module)]
        self.texts.append("\n".join(lines))
        self.classes[definition.name] = _Class(name, list(definition.args))
        self.sources[definition.name] = {e.name: e.source for e in scope.extras}


class _Scope:
    """Writes the members of one class over its instances (or of the model: one instance, no
    arguments), adding an extra parameter where the module's doc says so."""

    def __init__(self, writer: _Writer, instances: list[Instance], args: list[str]) -> None:
        self.writer, self.instances, self.args = writer, instances, args
        self.extras: list[_Extra] = []

    # -- layers ---------------------------------------------------------------------------
    def layer(self, member: str) -> str:
        calls = [i.calls[member] for i in self.instances]
        target, first = calls[0].target, calls[0]
        if any(c.target is not target or len(c.args) != len(first.args) or c.kwargs.keys() != first.kwargs.keys()
               for c in calls):
            raise CodegenError(f"layer '{member}' is made differently in the instances of its block")
        init = self._init(member, calls)
        defaults = {**_signature_defaults(target), **first.defaults}
        scalar = target.__module__ in SCALAR_SIZES
        parts = []
        for index, slot in enumerate(list(call_slots(first))):
            pairs = [(k, (member, slot)) for k in range(len(self.instances))]
            expr, literal = self.value(pairs, slot, member, scalar)
            keyword_slot = index >= len(first.args)
            if keyword_slot and literal and slot in defaults and same_value(first.kwargs[slot], defaults[slot]):
                continue
            parts.append(f"{slot}={expr}" if keyword_slot else expr)
        made = f"{source_name(target)}({', '.join(parts)})"
        return made if init is None else f"init_weights({made}, {init})"

    def _init(self, member: str, calls: list[Call]) -> str | None:
        """How the class writes a layer's weight initialization: a block argument's name where the
        definition gives one, else the scheme the instances share (None: PyTorch's default)."""
        node_id = dict(self.instances[0].members)[member]
        ref = arg_ref(self.instances[0].network.params_view(node_id).get("init"))
        if ref is not None and ref in self.args:
            return ref
        if any(c.init != calls[0].init for c in calls):
            raise CodegenError(f"layer '{member}' starts with other weights in the instances of its block")
        return None if calls[0].init == DEFAULT_INIT else repr(calls[0].init)

    def value(self, pairs: list[tuple[int, Key]], slot: str, member: str, scalar: bool = False) -> tuple[str, bool]:
        """How to write the value `key` has in instance `k`, for each (k, key) of `pairs` (see the
        module's doc), and whether that is a literal."""
        found = [(self.instances[k], key) for k, key in pairs]
        values = [i.values[key] for i, key in found]
        drivers = {i.drivers.get(key) for i, key in found}
        driver = drivers.pop() if len(drivers) == 1 else None
        if driver is not None:
            return _named(driver, values[0], found[0][0].args[driver], scalar), False
        if not any(key in i.from_inputs for i, key in found):
            if _all_equal(values):
                return _literal(values[0]), True
            for arg in self.args:
                if all(_matches(v, i.args[arg]) for v, (i, _) in zip(values, found, strict=True)):
                    return _named(arg, values[0], found[0][0].args[arg], scalar), False
        return self._extra(values, pairs, slot, member), False

    def _extra(self, values: list[Any], pairs: list[tuple[int, Key]], slot: str, member: str) -> str:
        per_instance: dict[int, tuple[Any, Any]] = {}
        for value, (owner, key) in zip(values, pairs, strict=True):
            if owner in per_instance and not same_value(per_instance[owner][0], value):
                raise CodegenError(f"'{member}' ({slot}) differs between repetitions in a way the python "
                                   "format cannot write yet")
            per_instance.setdefault(owner, (value, self.instances[owner].moved.get(key, value)))
        both = [per_instance.get(o, (values[0], values[0])) for o in range(len(self.instances))]
        known, moved = tuple(v for v, _ in both), tuple(m for _, m in both)
        for extra in self.extras:
            if _all_same(extra.values, known) and _all_same(extra.moved, moved):
                return extra.name
        taken = {*self.args, *(e.name for e in self.extras)}
        name = slot if slot not in taken else f"{member}_{slot}"
        while name in taken or keyword.iskeyword(name):
            name += "_"
        self.extras.append(_Extra(name, pairs[0][1], known, moved))
        return name

    # -- nested blocks --------------------------------------------------------------------
    def block(self, member: str) -> str:
        reps = [i.blocks[member] for i in self.instances]
        node_id = dict(self.instances[0].members)[member]
        params = self.instances[0].network.params_view(node_id)
        definition = reps[0][0].definition
        assert definition is not None
        info = self.writer.classes[definition.name]
        repeat = params["repeat"]
        if arg_ref(repeat) is None:
            made = [self._call(member, info, params, reps, r, r + 1) for r in range(repeat)]
            return made[0] if repeat == 1 else _sequential(made)
        self.writer.uses_repeated = True
        first = self._call(member, info, params, reps, 0, 1)
        rest = self._call(member, info, params, reps, 1, None)
        times = repeat["arg"]
        if first == rest:
            return f"repeated({times}, lambda i: {first})"
        one_line = f"repeated({times}, lambda i: {first} if i == 0 else {rest})"
        if len(one_line) <= 90:
            return one_line
        return f"repeated({times}, lambda i: (\n            {first} if i == 0\n            else {rest}))"

    def _call(self, member: str, info: _Class, params: dict[str, Any], reps: list[list[Instance]],
              start: int, end: int | None) -> str:
        """The constructor call of repetitions start..end (one for a fixed repeat; every later one
        for a repeat given by an argument, written as the first where no instance has more)."""
        given = {**params["args"], **(params["first_args"] if start == 0 else {})}
        parts = []
        for extra in self.writer.sources[reps[0][0].definition.name]:  # type: ignore[union-attr]
            pairs = [(k, (member, r, extra)) for k, found in enumerate(reps) for r in range(len(found))[start:end]]
            expr, _ = self.value(pairs or [(k, (member, 0, extra)) for k in range(len(reps))], extra, member)
            parts.append(f"{extra}={expr}")
        for arg in info.args:
            if arg in given:
                ref = arg_ref(given[arg])
                parts.append(f"{arg}={ref if ref is not None else _literal(given[arg])}")
        return f"{info.name}({', '.join(parts)})"


def _sequential(made: list[str]) -> str:
    """nn.Sequential of the repetitions; more than three whose later ones are equal in a loop."""
    items = made
    if len(made) > 3 and _all_equal(made[1:]):
        items = [f"*({made[0]} for _ in range({len(made)}))"] if made[0] == made[1] else \
            [made[0], f"*({made[1]} for _ in range({len(made) - 1}))"]
    one_line = f"nn.Sequential({', '.join(items)})"
    if len(one_line) <= 90:
        return one_line
    return "nn.Sequential(\n" + "".join(f"            {m},\n" for m in items) + "        )"


def _named(arg: str, value: Any, arg_value: Any, scalar: bool) -> str:
    """The argument's name, as a per-axis tuple where the value is one and the argument is not."""
    if isinstance(value, tuple) and not isinstance(arg_value, (tuple, list)) and not scalar:
        return f"({', '.join([arg] * len(value))})"
    return arg


def _matches(value: Any, arg_value: Any) -> bool:
    return isinstance(value, bool) == isinstance(arg_value, bool) and same_value(value, arg_value)


def _all_equal(values: list[Any]) -> bool:
    return all(same_value(v, values[0]) and _same_type(v, values[0]) for v in values)


def _same_type(a: Any, b: Any) -> bool:
    return type(a) is type(b)


def _all_same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return all(same_value(x, y) and _same_type(x, y) for x, y in zip(a, b, strict=True))


def _literal(value: Any) -> str:
    return repr(tuple(value) if isinstance(value, list) else value)


def _annotation(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"tuple[{', '.join(type(v).__name__ for v in value)}]"
    return type(value).__name__
