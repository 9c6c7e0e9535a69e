"""Random networks of every registered layer type, with every port used.

Two kinds, drawn half and half: *guided* networks pick each layer, its parameters and its sources so
that shapes usually fit (most are valid, so compile and forward get exercised), and *wild* ones wire
any output to any input, and now and then add a second Input or Output (most are refused, so error
reporting gets exercised). Both use only values each parameter declares valid, give some layers
tricky names (keywords, `self`, ...), wire every input port and feed every output port to a layer.
"""

from __future__ import annotations

import math
import random
from typing import Any

from engine.errors import ShapeError
from engine.graph import Network
from engine.layers import SPECS, LayerSpec, Param, Shape, specs_with_role

LAYER_SPECS: tuple[LayerSpec, ...] = tuple(s for s in SPECS.values() if s.role not in ("input", "output"))
"""The layer types drawn inside a network (the Input and Output are placed around them)."""

GUIDED_SHARE = 0.5
MAX_VALUES = 50_000
"""Guided networks avoid layers whose output has more values than this per sample."""
TRICKY_NAMES = ("self", "None", "True", "class", "lambda", "import", "forward", "training", "code", "graph",
                "meta", "input", "print", "torch", "__init__", "_", "x y", "x_y", "1st", "---", "层", "out")
"""Layer names now and then given instead of the usual ones: keywords, attributes of a module,
names that become the same identifier, names with no identifier characters."""
JOIN, FLATTEN = "Concatenate", "Flatten"
"""The layers that join the leftover branches before the Output (flattened first, so they fit)."""
_ATTEMPTS = 8
_SMALL = (1, 2, 2, 3, 3, 4, 5, 8, 16)
_MODEST = (1, 1, 2, 2, 3, 4)

Ref = tuple[str, str]
"""A node's output port: (node id, port name)."""


def random_network(rng: random.Random, max_layers: int = 10) -> Network:
    """A random network of 1 to `max_layers` layers between an Input and an Output."""
    return _Drawer(rng, guided=rng.random() < GUIDED_SHARE).draw(rng.randint(1, max_layers))


def draw_value(rng: random.Random, param: Param, fit: Shape | None = None, modest: bool = False) -> Any:
    """A value the parameter declares valid, small on the whole (so layers fit small inputs);
    a shape parameter gets sizes that multiply to `fit`'s number of values when `fit` is given.
    `modest`: often the default, else very small sizes (so that most layers fit)."""
    if modest and param.kind != "shape" and rng.random() < 0.4:
        return param.default
    low = param.minimum if param.minimum is not None else 1
    high = param.maximum if param.maximum is not None else max(low, 1) * 64
    sizes = _MODEST if modest else _SMALL
    if param.kind == "int":
        return _small_int(rng, int(low), int(high), sizes)
    if param.kind == "pair":
        first = _small_int(rng, int(low), int(high), sizes)
        return (first, first) if rng.random() < 0.5 else (first, _small_int(rng, int(low), int(high), sizes))
    if param.kind == "float":
        return rng.choice((float(low), float(high), rng.uniform(float(low), float(high))))
    if param.kind == "bool":
        return rng.random() < 0.5
    if param.kind == "choice":
        return rng.choice(param.choices)
    if fit is not None and sorted(param.default) == list(range(1, len(param.default) + 1)) and rng.random() < 0.8:
        axes = list(range(1, len(fit) + 1))  # an order of the input's axes (Permute)
        rng.shuffle(axes)
        return tuple(axes)
    return _shape(rng, fit)


def _small_int(rng: random.Random, low: int, high: int, sizes: tuple[int, ...] = _SMALL) -> int:
    value = rng.choice(sizes) + (low - 1 if low > 1 else 0) if rng.random() < 0.9 else rng.choice((low, low + 1))
    if low <= 0 and rng.random() < 0.4:
        value = rng.choice((0, 0, 1))
    return min(max(value, low), high)


def _shape(rng: random.Random, fit: Shape | None) -> tuple[int, ...]:
    if fit is None or math.prod(fit) < 1 or rng.random() < 0.2:  # any sizes (an Input, or a Reshape that may not fit)
        sizes = [rng.choice(_SMALL + (6, 7, 12)) for _ in range(rng.randint(1, 3))]
    else:
        sizes = _factor(rng, math.prod(fit), rng.randint(1, 3))
    if rng.random() < 0.15:
        sizes[rng.randrange(len(sizes))] = -1
    return tuple(sizes)


def _factor(rng: random.Random, total: int, rank: int) -> list[int]:
    """`rank` sizes whose product is `total` (a positive total)."""
    sizes = []
    for _ in range(rank - 1):
        divisors = [d for d in range(1, min(total, 64) + 1) if total % d == 0]
        sizes.append(rng.choice(divisors))
        total //= sizes[-1]
    return [*sizes, total]


class _Drawer:
    """Draws one network: layers are added in order, each fed from outputs already placed."""

    def __init__(self, rng: random.Random, guided: bool) -> None:
        self.rng, self.guided = rng, guided
        self.net = Network()
        self.shapes: dict[Ref, Shape | None] = {}
        self.unused: list[Ref] = []

    def draw(self, layers: int) -> Network:
        (input_spec,) = specs_with_role("input")
        for _ in range(1 if self.guided or self.rng.random() < 0.85 else 2):
            shape = _shape(self.rng, None) if not self.guided else self._input_shape()
            self._place(input_spec, {"shape": shape}, {})
        for _ in range(layers):
            self._place(*self._candidate())
        self._finish()
        return self.net

    def _input_shape(self) -> tuple[int, ...]:
        rank = self.rng.choice((1, 2, 3, 3))
        if rank == 3:
            return (self.rng.randint(1, 4), self.rng.randint(1, 32), self.rng.randint(1, 32))
        return tuple(self.rng.randint(1, 24) for _ in range(rank))

    # -- one layer ---------------------------------------------------------------------
    def _candidate(self) -> tuple[LayerSpec, dict, dict[str, list[Ref]]]:
        """A layer type, its params and its sources; guided: the first of a few tries whose shapes fit."""
        for _ in range(_ATTEMPTS):
            spec = self.rng.choice(LAYER_SPECS)
            sources = self._sources(spec)
            first = self.shapes.get(next(iter(sources.values()))[0]) if sources else None
            params = {p.name: draw_value(self.rng, p, first, modest=self.guided) for p in spec.params}
            if self.guided:
                params.update(self._undone_params(spec, sources))
            if not self.guided or self._fits(spec, params, sources):
                break
        return spec, params, sources

    def _undone_params(self, spec: LayerSpec, sources: dict[str, list[Ref]]) -> dict[str, Any]:
        """A layer fed another's extra output (a max-unpool fed a max-pool's indices) undoes that
        layer: it takes the parameters they share (kernel, stride, padding)."""
        names = {p.name for p in spec.params}
        found: dict[str, Any] = {}
        for port, refs in sources.items():
            for node_id, source_port in refs:
                if port != "in" and source_port == port:
                    found.update((k, v) for k, v in self.net.params_view(node_id).items() if k in names)
        return found

    def _fits(self, spec: LayerSpec, params: dict, sources: dict[str, list[Ref]]) -> bool:
        shapes = [self.shapes.get(ref) for port in spec.inputs for ref in sources[port.name]]
        if any(shape is None for shape in shapes):
            return False
        try:
            outputs = spec.infer(spec.validate_params(params), shapes).outputs  # type: ignore[arg-type]
        except ShapeError:
            return False
        except Exception:
            return True
        if any(math.prod(shape) > MAX_VALUES for shape in outputs.values()):
            return False
        return all(self._undoable(port, params, shapes[0], outputs) for port in outputs if port != "out")

    def _undoable(self, port: str, params: dict, before: Shape, outputs: dict[str, Shape]) -> bool:
        """Whether a layer taking this extra output, with the same parameters, restores `before`
        (a max-pool whose max-unpool gives back the image it pooled)."""
        for taker in (s for s in LAYER_SPECS if s.input_port(port) is not None):
            shared = {k: v for k, v in params.items() if k in {p.name for p in taker.params}}
            shapes = [outputs["out"] if p.name == "in" else outputs[port] for p in taker.inputs]
            try:
                if taker.infer(taker.validate_params(shared), shapes).outputs.get("out") != before:
                    return False
            except ShapeError:
                return False
        return True

    def _sources(self, spec: LayerSpec) -> dict[str, list[Ref]]:
        """Outputs to feed each input port; ports whose name some output carries ('indices') first."""
        every = list(self.shapes)
        chosen: dict[str, list[Ref]] = {}
        ports = sorted(spec.inputs, key=lambda port: not any(r[1] == port.name for r in every))
        for port in ports:
            count = self.rng.randint(1, 3) if port.multi else 1
            chosen[port.name] = [self._pick(every, port.name, chosen) for _ in range(count)]
        return {port.name: chosen[port.name] for port in spec.inputs}

    def _pick(self, every: list[Ref], port: str, chosen: dict[str, list[Ref]]) -> Ref:
        pool = every
        if self.guided:
            named = [r for r in every if r[1] == port] or [r for r in every if r[1] == "out"] or every
            first = next((refs[0] for refs in chosen.values() if refs), None)
            alike = [r for r in named if first is not None and self.shapes[r] == self.shapes[first]]
            pool = alike if alike and self.rng.random() < 0.8 else named
        unused = [r for r in pool if r in self.unused]
        return self.rng.choice(unused if unused and self.rng.random() < 0.7 else pool)

    def _place(self, spec: LayerSpec, params: dict, sources: dict[str, list[Ref]]) -> str:
        name = self.rng.choice(TRICKY_NAMES) if self.rng.random() < 0.1 else None
        taken = name is not None and any(self.net.name_of(n) == name for n in self.net.node_ids)
        node_id = self.net.add_node(spec.type_id, params, name=None if taken else name)
        for port, refs in sources.items():
            for source, source_port in dict.fromkeys(refs):  # the same wire twice is refused
                self.net.connect(source, node_id, source_port, port)
                if (source, source_port) in self.unused:
                    self.unused.remove((source, source_port))
        shapes = [self.shapes.get((e.source, e.source_port)) for e in self.net.in_edges(node_id)]
        outputs = self._infer(spec, node_id, shapes)
        for port in spec.outputs:
            self.shapes[(node_id, port)] = outputs.get(port)
            self.unused.append((node_id, port))
        return node_id

    def _infer(self, spec: LayerSpec, node_id: str, shapes: list[Shape | None]) -> dict[str, Shape]:
        if any(shape is None for shape in shapes):
            return {}
        try:
            return dict(spec.infer(self.net.params_view(node_id), shapes).outputs)  # type: ignore[arg-type]
        except Exception:
            return {}

    # -- the end -----------------------------------------------------------------------
    def _finish(self) -> None:
        """Feed every unused output to the Output: extra ports to a layer with an input of that
        name (guided), the rest joined by a Concatenate (flattened first, when guided)."""
        (output_spec,) = specs_with_role("output")
        if self.guided:
            for ref in [r for r in self.unused if r[1] != "out"]:
                self._consume(ref)
            if len(self.unused) > 1:
                self.unused = [self._flat(ref) for ref in list(self.unused)]  # (_flat edits self.unused)
        last = self.unused[-1] if len(self.unused) == 1 else (
            self._place(SPECS[JOIN], {}, {"in": list(self.unused)}), "out")
        self._place(output_spec, {}, {"in": [last]})
        if not self.guided and self.rng.random() < 0.1:  # a second Output, which must be refused
            self._place(output_spec, {}, {"in": [self.rng.choice(list(self.shapes))]})

    def _consume(self, ref: Ref) -> None:
        """Wire an extra output (a max-pool's indices) to a layer that takes it, beside the main output."""
        takers = [s for s in LAYER_SPECS if s.input_port(ref[1]) is not None]
        if not takers:
            return
        spec = self.rng.choice(takers)
        source = self.net.node(ref[0])
        params = {p.name: source.params.get(p.name, p.default) for p in spec.params}  # undo it exactly
        sources = {p.name: [ref if p.name == ref[1] else (ref[0], "out")] for p in spec.inputs}
        self._place(spec, params, sources)

    def _flat(self, ref: Ref) -> Ref:
        shape = self.shapes.get(ref)
        if shape is not None and len(shape) == 1:
            return ref
        return self._place(SPECS[FLATTEN], {}, {"in": [ref]}), "out"
