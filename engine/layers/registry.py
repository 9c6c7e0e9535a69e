"""Lookup of layer specs by type id: the one list every part of LayerLab reads."""

from __future__ import annotations

import difflib
import importlib
from functools import cache
from typing import Any

from engine.errors import UnknownLayerTypeError
from engine.layers import (
    activations,
    adaptive,
    blocks,
    conv,
    dense,
    io,
    merge,
    norm,
    pooling,
    shape_ops,
    tokens,
    unpooling,
)
from engine.layers.spec import LayerSpec

_FAMILIES = (io, dense, conv, pooling, adaptive, unpooling, activations, norm, shape_ops, merge, tokens)

SPECS: dict[str, LayerSpec] = {spec.type_id: spec for family in _FAMILIES for spec in family.SPECS}
STRUCTURAL: dict[str, LayerSpec] = {spec.type_id: spec for spec in blocks.SPECS}
"""Block instances and block ports (engine.blocks): found by `get_spec`, but not layers of the palette."""
_LEGACY: dict[str, str] = {old: spec.type_id for spec in SPECS.values() for old in spec.legacy_ids}

CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(spec.category for spec in SPECS.values()))


def get_spec(type_id: str) -> LayerSpec:
    """The spec for `type_id` (or one of its legacy ids); a clear error for an unknown type."""
    spec = SPECS.get(type_id) or STRUCTURAL.get(type_id) or SPECS.get(_LEGACY.get(type_id, ""))
    if spec is None:
        close = difflib.get_close_matches(str(type_id), list(SPECS), n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise UnknownLayerTypeError(f"Unknown layer type '{type_id}'.{hint} "
                                    f"Known types: {', '.join(sorted(SPECS))}.")
    return spec


def specs_by_category() -> dict[str, list[LayerSpec]]:
    grouped: dict[str, list[LayerSpec]] = {c: [] for c in CATEGORIES}
    for spec in SPECS.values():
        grouped[spec.category].append(spec)
    return grouped


def specs_with_role(role: str) -> list[LayerSpec]:
    """The layer types with this role (see spec.ROLES), e.g. the one whose role is 'input'."""
    return [spec for spec in SPECS.values() if spec.role == role]


def spec_for_module(module: Any) -> LayerSpec | None:
    """The layer type whose `from_module` reads modules of exactly this class, if any (imports torch)."""
    return _by_module_class().get(type(module))


@cache
def _by_module_class() -> dict[type, LayerSpec]:
    found: dict[type, LayerSpec] = {}
    for spec in SPECS.values():
        for name in spec.module_types:
            where, _, attribute = name.rpartition(".")
            try:
                found[getattr(importlib.import_module(where), attribute)] = spec
            except ImportError:  # a library's class (torchvision's LayerNorm2d) where it is not installed
                continue
    return found
