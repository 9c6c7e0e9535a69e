"""Bind a dataset to a network: the Input takes the dataset's sample shape, and the Output must
match the task (class count, target shape)."""

from __future__ import annotations

from engine.data.idx import DatasetError
from engine.graph import Network
from engine.shapes import Analysis, infer_shapes


def bind_input_shape(network: Network, sample_shape: tuple[int, ...]) -> bool:
    """Set the Input node's `shape` param (observers see a param_changed event); True if it changed."""
    inputs = network.nodes_of_type("Input")
    if len(inputs) != 1:
        return False
    old = network.set_param(inputs[0], "shape", list(sample_shape))
    return tuple(old) != tuple(sample_shape)


def check_output(network: Network, analysis: Analysis | None, task: str, num_classes: int | None,
                 target_shape: tuple[int, ...] | None) -> None:
    """Refuse a network whose Output cannot be trained on this data, saying what to change."""
    analysis = analysis or infer_shapes(network)
    (output_id,) = network.nodes_of_type("Output")
    loss = network.node(output_id).params["loss"]
    shape = analysis.nodes[output_id].output_shape
    if shape is None:
        return
    last = _feeding_layer(network, output_id)
    if task == "classification":
        if loss in ("cross_entropy", "mse_onehot") and shape != (num_classes,):
            raise DatasetError(f"The network's Output gets shape {list(shape)}, but the dataset has {num_classes} "
                               f"classes: set the units of '{last}' to {num_classes}.")
        if loss == "bce" and shape not in ((1,), (num_classes,)):
            raise DatasetError(f"With the bce loss the Output needs 1 unit (two classes) or one per class "
                               f"({num_classes}); it gets {list(shape)} from '{last}'.")
        if loss == "mse":
            raise DatasetError("The Output's loss is mse, which needs numeric targets; for class labels choose "
                               "cross_entropy (or mse_onehot for the squared loss on one-hot labels).")
    else:
        if loss in ("cross_entropy", "mse_onehot"):
            raise DatasetError(f"The Output's loss is {loss}, which needs class labels; for {task} choose mse "
                               "(or bce for targets in [0, 1]).")
        if target_shape is not None and tuple(shape) != tuple(target_shape) and not (
                tuple(target_shape) == (1,) and shape == (1,)):
            raise DatasetError(f"The network's Output gets shape {list(shape)} but each target has shape "
                               f"{list(target_shape)}; change '{last}' so the shapes match.")


def _feeding_layer(network: Network, output_id: str) -> str:
    edges = network.in_edges(output_id)
    return network.name_of(edges[0].source) if edges else "the last layer"
