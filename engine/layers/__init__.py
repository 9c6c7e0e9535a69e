"""The layer library: one LayerSpec per layer type."""

from engine.layers.registry import CATEGORIES, SPECS, get_spec, specs_by_category
from engine.layers.spec import LayerCost, LayerSpec, Param, Port, Shape

__all__ = ["CATEGORIES", "SPECS", "LayerCost", "LayerSpec", "Param", "Port", "Shape", "get_spec",
           "specs_by_category"]
