"""One LayerLab node per operation of a torch.fx graph: the tracer (which keeps LayerLab's own
layers and a few library functions whole), the walk over the graph, and the layer-by-layer check
that the result equals torch's. Operations that only compute with sizes (x.shape, asserts on the
input size) are no layers and are left out; every other operation the library cannot express
exactly is listed in one refusal."""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import replace
from typing import Any

import torch
from torch import fx, nn

from engine.errors import LayerLabError
from engine.graph import Network
from engine.importers.as_blocks import Scopes
from engine.importers.fx_calls import PASS_THROUGH, SIZE_VALUE, expanded_token, is_chunk, leaf_functions
from engine.importers.fx_ops import Mapped, Unsupported, map_call, map_module
from engine.importers.fx_sizes import InputCheckFailed, size_only, size_value
from engine.layers import LayerSpec, Shape, get_spec, spec_for_module
from engine.layers.call import differing_argument
from engine.layers.geometry import fmt
from engine.shapes import infer_shapes


class ImportRefused(LayerLabError):
    """The architecture cannot be imported exactly; `problems` lists each operation and why."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


STORED = "reads a stored tensor directly (not through a layer)"


class _Tracer(fx.Tracer):
    """torch.fx's tracer, keeping whole the modules a layer spec reads (LayerLab's own among them)
    and a few library functions (engine.importers.fx_calls.leaf_functions)."""

    def __init__(self) -> None:
        super().__init__(autowrap_functions=leaf_functions())

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        return super().is_leaf_module(m, module_qualified_name) or spec_for_module(m) is not None


def trace(module: nn.Module) -> fx.GraphModule:
    """The module's graph (as fx.symbolic_trace, with the leaves above)."""
    tracer = _Tracer()
    graph = tracer.trace(module)
    return fx.GraphModule(tracer.root, graph, type(module).__name__)


def grouped(problems: list[str], limit: int = 6) -> str:
    """One line per reason, naming the operations it applies to (the first few, then a count)."""
    by_reason: dict[str, list[str]] = {}
    for problem in problems:
        where, _, reason = problem.partition(": ")
        by_reason.setdefault(reason, []).append(where.split(" (")[0])
    lines = []
    for reason, where in by_reason.items():
        more = f" and {len(where) - limit} more" if len(where) > limit else ""
        lines.append(f"- {reason}: {', '.join(where[:limit])}{more}")
    return "\n".join(lines)


class GraphBuilder:
    """Walks the traced graph once, adding one LayerLab node per operation."""

    def __init__(self, traced: fx.GraphModule, input_shape: tuple[int, ...]) -> None:
        self.traced, self.input_shape = traced, input_shape
        self.network = Network()
        self.ids: dict[fx.Node, str] = {}
        self.problems: list[str] = []
        self.calls: Counter[str] = Counter()
        self.checks: list[tuple[str, Mapped]] = []
        self.scopes = Scopes()
        self.sizes: dict[fx.Node, bool] = {}
        self.deferred: dict[fx.Node, str] = {}
        """Values that are no layer's output, by the reason a layer cannot take them whole."""
        self.shapes: dict[fx.Node, Shape] = {}
        """Each value's shape (without the batch axis) as LayerLab infers it, where known."""

    def run(self) -> None:
        with self.network.bulk():
            for node in self.traced.graph.nodes:
                self._add(node)

    def _add(self, node: fx.Node) -> None:
        self.sizes[node] = size_only(node, self.sizes)
        if self.sizes[node]:  # no layer: the input's size is fixed, so is this value
            try:
                node.meta[SIZE_VALUE] = size_value(node, self.shapes)
            except InputCheckFailed as error:
                self.problems.append(f"'{node.name}': the model's check of its input fails for "
                                     f"{fmt(self.input_shape)} inputs, '{error}' (try another --input-shape)")
            return
        if node.op in ("call_function", "call_method", "call_module", "get_attr") and not node.users:
            return  # its result is never used (the attention weights of `x, _ = attention(...)`)
        same = self._same_as(node)
        if same is not None:
            if same in self.ids:  # else fed by an operation already listed
                self.ids[node] = self.ids[same]
                if same in self.shapes:
                    self.shapes[node] = self.shapes[same]
            return
        if is_chunk(node):  # its parts become layers (fx_calls: chunk[i])
            self.deferred[node] = "uses the whole result of x.chunk() (only its parts are layers)"
            return
        if node.op == "get_attr" or expanded_token(node) is not None:  # a layer's weight where a layer takes it
            self.deferred[node] = STORED
            return
        if node.op == "placeholder":
            if self.network.nodes_with_role("input"):
                self.problems.append(f"'{node.name}': a second input (LayerLab networks have one Input)")
                return
            self.ids[node] = self.network.add_node("Input", {"shape": list(self.input_shape)}, name="input")
            self.shapes[node] = tuple(self.input_shape)
        elif node.op == "output":
            result = node.args[0]
            if not isinstance(result, fx.Node):
                self.problems.append("the model returns several values (LayerLab networks have one Output)")
            elif result in self.ids:
                self.ids[node] = self.network.add_node("Output", name="output")
                self.network.connect(self.ids[result], self.ids[node])
        elif node.op == "call_module":
            self._add_module(node)
        else:
            self._add_mapped(node, node.name, lambda: map_call(node))

    def _same_as(self, node: fx.Node) -> fx.Node | None:
        """The value this node's result is: x.contiguous() is x, attention(...)[0] the attention's output."""
        if node.op == "call_method" and node.target in PASS_THROUGH:
            return node.args[0]
        if node.op == "call_function" and node.target is operator.getitem and node.args[1] == 0:
            source = node.args[0]
            if isinstance(source, fx.Node) and source.op == "call_module" and isinstance(
                    self.traced.get_submodule(str(source.target)), nn.MultiheadAttention):
                return source
        return None

    def _add_module(self, node: fx.Node) -> None:
        target = str(node.target)
        module = self.traced.get_submodule(target)
        uses = self.calls[target]
        self.calls[target] += 1
        label = f"'{target}' ({type(module).__name__})"
        if uses and any(True for _ in module.parameters()):
            self.problems.append(f"{label}: used {uses + 1} times with shared weights (LayerLab layers own "
                                 "their weights)")
            return
        name = target if not uses else f"{target}_{uses}"
        self._add_mapped(node, name, lambda: map_module(node, module), label)

    def _add_mapped(self, node: fx.Node, name: str, mapper, label: str = "") -> None:
        label = label or f"'{node.name}'"
        try:
            mapped = mapper()
        except Unsupported as error:
            self.problems.append(f"{label}: {error}")
            return
        deferred = [a for a in mapped.inputs if a in self.deferred]
        for value in deferred:
            where = f"'{value.target}'" if value.op == "get_attr" else label
            self.problems.append(f"{where}: {self.deferred[value]}")
        if deferred or not all(a in self.ids for a in mapped.inputs):
            return  # else fed by an operation already listed as unsupported
        if mapped.path:  # a stored tensor as a layer's weight: one layer may own it
            self.calls[mapped.path] += 1
            if self.calls[mapped.path] > 1:
                self.problems.append(f"'{mapped.path}': used {self.calls[mapped.path]} times with shared weights "
                                     "(LayerLab layers own their weights)")
                return
        mapped = self._fitted(node, mapped)
        node_id = self.network.add_node(mapped.type_id, mapped.params, name=self._unique(mapped.path or name))
        for source in mapped.inputs:
            self.network.connect(self.ids[source], node_id)
        self.ids[node] = node_id
        self.checks.append((node_id, mapped))
        self._note_scope(node, node_id)
        if mapped.path:
            self.scopes.modules[node_id] = mapped.path

    def _fitted(self, node: fx.Node, mapped: Mapped) -> Mapped:
        """`mapped` with the params its input shapes decide (LayerSpec.fit_input); notes its output shape."""
        if not all(a in self.shapes for a in mapped.inputs):
            return mapped
        in_shapes = [self.shapes[a] for a in mapped.inputs]
        spec = get_spec(mapped.type_id)
        if spec.fit_input is not None:
            mapped = replace(mapped, params={**mapped.params, **spec.fit_input(mapped.module, in_shapes)})
        try:
            self.shapes[node] = spec.infer(spec.validate_params(mapped.params), in_shapes).outputs["out"]
        except LayerLabError:
            pass  # check_shapes names the layer
        return mapped

    def _note_scope(self, node: fx.Node, node_id: str) -> None:
        """Remember the submodules the operation was computed in (for as_blocks)."""
        stack = node.meta.get("nn_module_stack") or {}
        chain = list(stack)
        if node.op == "call_module":
            self.scopes.modules[node_id] = str(node.target)
            if chain and chain[-1].split("@")[0] == node.target:
                chain.pop()  # the layer's own module
        self.scopes.chains[node_id] = tuple(chain)
        for path in chain:
            self.scopes.classes.setdefault(path, stack[path][1])

    def _unique(self, name: str) -> str:
        taken = {self.network.name_of(n) for n in self.network.node_ids}
        candidate, i = name, 1
        while candidate in taken:
            candidate, i = f"{name}_{i}", i + 1
        return candidate

    def check_shapes(self, name: str) -> None:
        """Shapes must infer, and every layer must equal torch's for the shapes it gets: as many
        parameters, and the same constructor arguments (LayerLab's layer rebuilt for its input
        shapes, compared with the module it was mapped from)."""
        analysis = infer_shapes(self.network)
        if not analysis.ok:
            listed = "\n".join(f"- {issue.message}" for issue in analysis.errors)
            raise ImportRefused(f"{name} does not fit {'x'.join(map(str, self.input_shape))} inputs "
                                f"(try another --input-shape):\n{listed}")
        problems = []
        for node_id, mapped in self.checks:
            layer = self.network.name_of(node_id)
            in_shapes = [analysis.edge_shape(e) for e in self.network.in_edges(node_id)]
            reason = _difference(self.network.spec(node_id), mapped, in_shapes)
            if reason:
                problems.append(f"'{layer}': {reason}")
            expected = sum(p.numel() for p in mapped.module.parameters())
            if analysis.nodes[node_id].params != expected:
                problems.append(f"'{layer}': {analysis.nodes[node_id].params:,} parameters in LayerLab but "
                                f"{expected:,} in torch (the input shape changes this layer)")
        if problems:
            listed = "\n".join(f"- {p}" for p in problems)
            raise ImportRefused(f"{name} cannot be imported exactly:\n{listed}", problems)


def _difference(spec: LayerSpec, mapped: Mapped, in_shapes: list) -> str | None:
    """How LayerLab's layer, built for `in_shapes`, differs from the torch module it stands for (the
    first constructor argument with another value), or None."""
    with torch.device("meta"):
        rebuilt = spec.build(mapped.params, in_shapes)
    difference = differing_argument(mapped.module, rebuilt)
    if difference is None:
        return None
    argument, theirs, ours = difference
    shapes = " and ".join(fmt(s) for s in in_shapes)
    return (f"{argument}={_plain(theirs)} in torch but {_plain(ours)} in LayerLab's {spec.display_name} "
            f"for its {shapes} input")


def _plain(value: Any) -> str:
    return repr(list(value)) if isinstance(value, tuple) else repr(value)
