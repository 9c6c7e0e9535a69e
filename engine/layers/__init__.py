"""The layer library: one LayerSpec per layer type."""

from engine.layers.registry import CATEGORIES, SPECS, get_spec, spec_for_module, specs_by_category, specs_with_role
from engine.layers.spec import ROLES, LayerCost, LayerSpec, Param, Port, Shape, Unsupported

__all__ = ["CATEGORIES", "ROLES", "SPECS", "LayerCost", "LayerSpec", "Param", "Port", "Shape", "Unsupported",
           "get_spec", "spec_for_module", "specs_by_category", "specs_with_role"]
