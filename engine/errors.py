"""Typed errors a person can act on. Each message says what is wrong and what would fix it."""

from __future__ import annotations


class LayerLabError(Exception):
    """Base class for every error LayerLab reports to a person (never shown as a traceback)."""


class GraphError(LayerLabError):
    """An edit to the network was refused."""


class UnknownLayerTypeError(GraphError):
    pass


class UnknownNodeError(GraphError):
    pass


class UnknownPortError(GraphError):
    pass


class CycleError(GraphError):
    pass


class PortOccupiedError(GraphError):
    pass


class DuplicateEdgeError(GraphError):
    pass


class NameTakenError(GraphError):
    pass


class ParamError(GraphError):
    """A parameter value is out of range, of the wrong type, or unknown."""


class ShapeError(LayerLabError):
    """Raised inside a layer's shape function; shape inference attaches it to the node."""


class ProjectError(LayerLabError):
    """A project file cannot be read or written."""
