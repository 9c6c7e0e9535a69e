"""Binding chosen data to the network, as one undo step that says what it changed: the Input takes
the data's sample shape, and the layer that gives the Output its values (the last Dense) takes the
number of classes when they differ ("Bind input to data.csv (2) and 'scores' to 2 units for its 2
classes"). Only the user's choice of data binds (never opening, importing or undo)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

from engine.data.bind import output_problem
from engine.data.fit import DataFacts, DataIssue
from engine.graph import Network
from engine.shapes import Analysis, infer_shapes


def shape_words(shape) -> str:
    return "×".join(str(v) for v in shape)


@dataclass(frozen=True)
class Binding:
    """What binding the data changes: the Input's shape, the units of one layer (either may be None)."""

    data: str
    input_id: str | None = None
    shape: tuple[int, ...] | None = None
    units_id: str | None = None
    units: int | None = None
    classes: int | None = None

    def text(self, network: Network) -> str:
        layer = ""
        if self.units_id is not None:
            layer = f"'{network.name_of(self.units_id)}' to {self.units} unit{'s' if self.units != 1 else ''}"
        if self.input_id is None:
            return f"Set {layer}" + (f" for the {self.classes} classes of {self.data}" if self.classes else
                                     f" for {self.data}")
        text = f"Bind input to {self.data} ({shape_words(self.shape)})"
        if layer:
            text += f" and {layer}" + (f" for its {self.classes} classes" if self.classes else "")
        return text


def plan_binding(network: Network, analysis: Analysis, data) -> Binding | None:
    """What binding `data` (a DataPreview or Dataset) would change (None: nothing, it fits)."""
    facts = DataFacts.of(data)
    inputs = network.nodes_with_role("input")
    if len(inputs) != 1:
        return None
    input_id = inputs[0]
    change_input = tuple(network.node(input_id).params["shape"]) != tuple(facts.sample_shape)
    judged = analysis
    if change_input:
        bound = network.copy()
        bound.set_param(input_id, "shape", list(facts.sample_shape))
        judged = infer_shapes(bound)
    units_id = units = None
    graph_errors = [e for e in judged.errors if not isinstance(e, DataIssue)]
    if len(network.nodes_with_role("output")) == 1 and not graph_errors:
        problem = output_problem(network, judged, facts.task, facts.num_classes, facts.target_shape, facts.name)
        if problem is not None and problem.node is not None and problem.param == "units":
            units_id, units = problem.node, int(problem.value)
    if not change_input and units_id is None:
        return None
    return Binding(facts.name, input_id if change_input else None,
                   tuple(facts.sample_shape) if change_input else None, units_id, units,
                   facts.num_classes if facts.task == "classification" else None)


class BindDataCommand(QUndoCommand):
    """Applies a Binding: one undo step, never merged with hand edits."""

    def __init__(self, network: Network, binding: Binding) -> None:
        super().__init__(binding.text(network))
        self.network, self.binding = network, binding
        self.changes: list[tuple[str, str, object, object]] = []  # node, param, old, new
        if binding.input_id is not None:
            self.changes.append((binding.input_id, "shape", network.node(binding.input_id).params["shape"],
                                 list(binding.shape)))
        if binding.units_id is not None:
            self.changes.append((binding.units_id, "units", network.node(binding.units_id).params["units"],
                                 binding.units))
        self.skip_next_redo = False

    def id(self) -> int:
        return -1

    def redo(self) -> None:
        if self.skip_next_redo:
            self.skip_next_redo = False
            return
        for node, name, _, new in self.changes:
            self.network.set_param(node, name, new)

    def undo(self) -> None:
        for node, name, old, _ in reversed(self.changes):
            self.network.set_param(node, name, old)


def bind_command(network: Network, analysis: Analysis, data) -> BindDataCommand | None:
    binding = plan_binding(network, analysis, data)
    return BindDataCommand(network, binding) if binding is not None else None
