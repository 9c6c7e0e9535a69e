"""Does a network fit some data? The problems known before training, as per-node issues that an
editor can show on the card that causes them (the Output), with the fix in the message.

    facts = DataFacts.of(dataset)                     # a loaded Dataset or a DataPreview
    issues = dataset_fit_issues(network, analysis, facts)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from engine.data import catalog
from engine.data.bind import output_problem
from engine.graph import Network
from engine.shapes import Analysis, Issue, infer_shapes


@dataclass(frozen=True)
class DataIssue(Issue):
    """An Issue that comes from the chosen data, not from the network alone."""


REJUDGE_LIMIT = 300  # layers: above this, an unbound network is not copied and re-analysed on every edit


@dataclass(frozen=True)
class DataFacts:
    """What a network must match to train on some data."""

    name: str  # how a person calls the data: 'MNIST', 'iris.csv', 'spiral'
    task: str  # classification, regression or reconstruction
    sample_shape: tuple[int, ...]
    num_classes: int | None = None
    target_shape: tuple[int, ...] | None = None  # regression and reconstruction targets

    @classmethod
    def of(cls, data, name: str | None = None) -> DataFacts:
        """From an engine Dataset or a DataPreview (anything with settings, sample_shape,
        num_classes and target_shape)."""
        target = data.target_shape() if callable(data.target_shape) else data.target_shape
        return cls(name or data_name(data.settings), data.settings.task, tuple(data.sample_shape),
                   data.num_classes, None if target is None else tuple(target))


def data_name(settings) -> str:
    """How a person calls the chosen data: MNIST, FashionMNIST, spiral, iris.csv, ..."""
    return catalog.data_name(settings.source, {"path": settings.path, "name": settings.name})


def dataset_fit_issues(network: Network, analysis: Analysis, facts: DataFacts | None) -> list[Issue]:
    """Errors of the Output that training on this data would hit: an output size that is not the
    number of classes (or the target's size), a loss that does not fit the task. Each is an Issue
    on the Output node whose message names the fix ("set the units of 'fc3' to 2").

    When the Input does not take the data's samples the trainer binds it first; the Output is
    then judged on the network as it would be trained (nothing when the data's samples do not get
    through it: that is a different problem, said where the data is chosen)."""
    if facts is None or network is None:
        return []
    outputs, inputs = network.nodes_with_role("output"), network.nodes_with_role("input")
    if len(outputs) != 1 or len(inputs) != 1 or any(not isinstance(e, DataIssue) for e in analysis.errors):
        return []
    judged = analysis
    if tuple(network.node(inputs[0]).params["shape"]) != tuple(facts.sample_shape):
        if len(network) > REJUDGE_LIMIT:
            return []  # the note where the data is chosen says to bind the Input first
        bound = network.copy()
        bound.set_param(inputs[0], "shape", list(facts.sample_shape))
        judged = infer_shapes(bound)
        if judged.errors:
            return []
    problem = output_problem(network, judged, facts.task, facts.num_classes, facts.target_shape, facts.name)
    if problem is None:
        return []
    return [DataIssue(outputs[0], problem.message)]


def with_fit_issues(network: Network, analysis: Analysis, facts: DataFacts | None) -> Analysis:
    """`analysis` with the data's problems added as errors of the nodes they are on (the node's
    `error` too, so that every view that shows a node's error shows them)."""
    issues = dataset_fit_issues(network, analysis, facts)
    if not issues:
        return analysis
    nodes = dict(analysis.nodes)
    for issue in issues:
        if issue.node in nodes and nodes[issue.node].error is None:
            nodes[issue.node] = dataclasses.replace(nodes[issue.node], error=issue.message)
    return Analysis(nodes, analysis.order, analysis.errors + issues, analysis.warnings)
