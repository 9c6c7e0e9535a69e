"""Turn a torchvision architecture into an editable LayerLab network via torch.fx symbolic
tracing. Layer names are kept, parameter counts are checked layer by layer, and every operation
the layer library cannot express exactly is listed in one refusal: nothing is approximated."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Any

import torch
from torch import fx, nn

from engine.errors import LayerLabError
from engine.graph import Network
from engine.importers.as_blocks import Scopes, as_blocks
from engine.importers.fx_ops import Mapped, Unsupported, map_call, map_module
from engine.importers.weights import WeightsReport, load_weights
from engine.layers import LayerSpec
from engine.layers.call import differing_argument
from engine.layers.geometry import fmt
from engine.layout import apply_layout
from engine.project import Project
from engine.shapes import infer_shapes

PREFIX = "torchvision:"
DEFAULT_INPUT_SHAPE = (3, 224, 224)


class ImportRefused(LayerLabError):
    """The architecture cannot be imported exactly; `problems` lists each operation and why."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ImportResult:
    """The imported project and the torchvision model it came from (on the meta device, without
    real weights, unless `with_weights` was asked for)."""

    project: Project
    reference: nn.Module
    reference_params: int

    def copy_weights(self, model: nn.Module) -> WeightsReport:
        """Copy the reference model's weights into a compiled LayerLab model."""
        return load_weights(model, self.reference.state_dict())


def torchvision_names() -> list[str]:
    """The torchvision classification architectures (they may or may not import exactly)."""
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


def parse_source(source: str) -> str:
    """'torchvision:resnet18' -> 'resnet18', refusing anything else with the expected form."""
    if not source.startswith(PREFIX) or not source[len(PREFIX):]:
        raise ImportRefused(f"Cannot import '{source}': give an architecture as torchvision:NAME, "
                            "e.g. torchvision:resnet18.")
    return source[len(PREFIX):]


def build_reference(name: str, with_weights: bool = False) -> nn.Module:
    """torchvision's model, randomly initialised; on the meta device (instant, no memory) unless
    its weights are wanted. Pretrained weights are not downloaded."""
    import torchvision

    names = torchvision_names()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ImportRefused(f"torchvision has no classification model '{name}'.{hint}")
    if with_weights:
        return torchvision.models.get_model(name, weights=None).eval()
    with torch.device("meta"):
        return torchvision.models.get_model(name, weights=None).eval()


def import_torchvision(name: str, input_shape: tuple[int, ...] = DEFAULT_INPUT_SHAPE,
                       with_weights: bool = False, flat: bool = False) -> ImportResult:
    """Import torchvision's `name` for inputs of `input_shape` (C, H, W): its submodules become
    blocks (engine.importers.as_blocks), or with `flat` every layer is a card of one network."""
    reference = build_reference(name, with_weights)
    description = (f"torchvision.models.{name}, imported with torch.fx for "
                   f"{'x'.join(map(str, input_shape))} inputs.")
    project = import_module(reference, tuple(input_shape), name, description, flat=flat)
    return ImportResult(project, reference, sum(p.numel() for p in reference.parameters()))


def import_module(module: nn.Module, input_shape: tuple[int, ...], name: str, description: str = "",
                  flat: bool = False) -> Project:
    """Trace `module` and rebuild it from LayerLab layers, or raise ImportRefused with the list; its
    submodules become blocks unless `flat`."""
    try:
        traced = fx.symbolic_trace(module)
    except Exception as error:
        raise ImportRefused(f"{name} cannot be traced by torch.fx ({type(error).__name__}: "
                            f"{str(error).splitlines()[0] if str(error) else ''}).") from None
    builder = _GraphBuilder(traced, input_shape)
    builder.run()
    if builder.problems:
        raise ImportRefused(f"{name} cannot be imported exactly: {len(builder.problems)} operation(s) have no "
                            f"LayerLab layer:\n{grouped(builder.problems)}", builder.problems)
    builder.check_shapes(name)
    network = builder.network if flat else _grouped(builder.network, builder.scopes)
    apply_layout(network)
    return Project(network, name=name, description=description)


def _grouped(flat: Network, scopes: Scopes) -> Network:
    """The network with the model's submodules as blocks, or `flat` itself where that grouping
    would not give the same parameters (it always should)."""
    try:
        network = as_blocks(flat, scopes)
    except LayerLabError:
        return flat
    analysis = infer_shapes(network)
    return network if analysis.ok and analysis.total_params == infer_shapes(flat).total_params else flat


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


class _GraphBuilder:
    """Walks the traced graph once, adding one LayerLab node per operation."""

    def __init__(self, traced: fx.GraphModule, input_shape: tuple[int, ...]) -> None:
        self.traced, self.input_shape = traced, input_shape
        self.network = Network()
        self.ids: dict[fx.Node, str] = {}
        self.problems: list[str] = []
        self.calls: Counter[str] = Counter()
        self.checks: list[tuple[str, Mapped]] = []
        self.scopes = Scopes()

    def run(self) -> None:
        with self.network.bulk():
            for node in self.traced.graph.nodes:
                self._add(node)

    def _add(self, node: fx.Node) -> None:
        if node.op == "placeholder":
            if self.network.nodes_with_role("input"):
                self.problems.append(f"'{node.name}': a second input (LayerLab networks have one Input)")
                return
            self.ids[node] = self.network.add_node("Input", {"shape": list(self.input_shape)}, name="input")
        elif node.op == "output":
            result = node.args[0]
            if not isinstance(result, fx.Node):
                self.problems.append("the model returns several values (LayerLab networks have one Output)")
            elif result in self.ids:
                self.ids[node] = self.network.add_node("Output", name="output")
                self.network.connect(self.ids[result], self.ids[node])
        elif node.op == "call_module":
            self._add_module(node)
        elif node.op in ("call_function", "call_method"):
            self._add_mapped(node, node.name, lambda: map_call(node))
        else:
            self.problems.append(f"'{node.name}': reads the stored tensor '{node.target}' directly")

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
        if not all(a in self.ids for a in mapped.inputs):
            return  # fed by an operation already listed as unsupported
        node_id = self.network.add_node(mapped.type_id, mapped.params, name=self._unique(name))
        for source in mapped.inputs:
            self.network.connect(self.ids[source], node_id)
        self.ids[node] = node_id
        self.checks.append((node_id, mapped))
        self._note_scope(node, node_id)

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
