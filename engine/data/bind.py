"""Bind a dataset to a network: the Input takes the dataset's sample shape, and the Output must
match the task (class count, target shape)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.data.errors import DatasetError
from engine.graph import Network
from engine.shapes import Analysis, infer_shapes


def bind_input_shape(network: Network, sample_shape: tuple[int, ...]) -> bool:
    """Set the Input node's `shape` param (observers see a param_changed event); True if it changed."""
    inputs = network.nodes_with_role("input")
    if len(inputs) != 1:
        return False
    old = network.set_param(inputs[0], "shape", list(sample_shape))
    return tuple(old) != tuple(sample_shape)


@dataclass(frozen=True)
class OutputProblem:
    """Why an Output cannot be trained on some data, and the change that fixes it when it is one
    parameter (`node`'s `param` to `value`: the size parameter of the layer feeding the Output, e.g.
    a Dense layer's units)."""

    message: str
    node: str | None = None
    param: str | None = None
    value: Any = None


def output_problem(network: Network, analysis: Analysis | None, task: str, num_classes: int | None,
                   target_shape: tuple[int, ...] | None, data: str = "the dataset") -> OutputProblem | None:
    """How the network's single Output does not fit the data (None when it fits, or when its shape
    is not known). `data` names the data in the message ('the dataset', 'iris.csv')."""
    analysis = analysis or infer_shapes(network)
    (output_id,) = network.nodes_with_role("output")
    loss = network.node(output_id).params["loss"]
    info = analysis.nodes.get(output_id)
    shape = info.output_shape if info is not None else None
    if shape is None:
        return None
    last = _feeding_layer(network, output_id)
    units = units_layer(network, analysis, output_id)
    size = network.spec(units).param(network.spec(units).size_param) if units else None
    if task == "classification":
        if num_classes is None:
            return None
        if loss in ("cross_entropy", "mse_onehot") and tuple(shape) != (num_classes,):
            fix = (f"set the {size.display_label} of '{network.name_of(units)}' to {num_classes}" if size else
                   f"change '{last}' so that it gives {num_classes} values")
            return OutputProblem(f"The network's Output gets {_values(shape)}, but {data} has {num_classes} "
                                 f"classes: {fix}.", units, size.name if size else None, num_classes)
        if loss == "bce" and tuple(shape) not in ((1,), (num_classes,)):
            return OutputProblem(f"With the bce loss the Output needs 1 unit (two classes) or one per class "
                                 f"({num_classes}); it gets {list(shape)} from '{last}'.", units,
                                 size.name if size else None, 1 if num_classes == 2 else num_classes)
        if loss == "mse":
            return OutputProblem("The Output's loss is mse, which needs numeric targets; for class labels choose "
                                 "cross_entropy (or mse_onehot for the squared loss on one-hot labels).")
        return None
    if loss in ("cross_entropy", "mse_onehot"):
        return OutputProblem(f"The Output's loss is {loss}, which needs class labels; for {task} choose mse "
                             "(or bce for targets in [0, 1]).")
    if target_shape is not None and tuple(shape) != tuple(target_shape) and not (
            tuple(target_shape) == (1,) and tuple(shape) == (1,)):
        one = units is not None and len(target_shape) == 1
        return OutputProblem(f"The network's Output gets shape {list(shape)} but each target has shape "
                             f"{list(target_shape)}; change '{last}' so the shapes match.",
                             units if one else None, size.name if one and size else None,
                             target_shape[0] if one else None)
    return None


def check_output(network: Network, analysis: Analysis | None, task: str, num_classes: int | None,
                 target_shape: tuple[int, ...] | None) -> None:
    """Refuse a network whose Output cannot be trained on this data, saying what to change."""
    problem = output_problem(network, analysis, task, num_classes, target_shape)
    if problem is not None:
        raise DatasetError(problem.message)


def units_layer(network: Network, analysis: Analysis, output_id: str) -> str | None:
    """The layer whose size parameter (`LayerSpec.size_param`, Dense's units) sets the Output's
    values: the layer feeding the Output, or the one found by walking up through single-input
    layers that keep the shape (activations, dropout, normalization). None when there is none."""
    node = output_id
    for _ in range(len(network)):
        edges = network.in_edges(node)
        if len(edges) != 1:
            return None
        node = edges[0].source
        if network.spec(node).size_param:
            return node
        info = analysis.nodes.get(node)
        before = network.in_edges(node)
        if info is None or len(before) != 1 or info.output_shape != analysis.edge_shape(before[0]):
            return None
    return None


def _values(shape: tuple[int, ...]) -> str:
    return f"{shape[0]} value{'s' if shape[0] != 1 else ''}" if len(shape) == 1 else f"shape {list(shape)}"


def _feeding_layer(network: Network, output_id: str) -> str:
    edges = network.in_edges(output_id)
    return network.name_of(edges[0].source) if edges else "the last layer"
