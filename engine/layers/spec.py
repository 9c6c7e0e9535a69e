"""LayerSpec: the one declaration of a layer type that drives palette, inspector, shapes,
compiler and exporters."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from engine.errors import ParamError

if TYPE_CHECKING:  # torch is imported only when a module is built (see lazy_torch)
    from torch import nn

Shape = tuple[int, ...]
"""A tensor shape without the batch axis, e.g. (1, 28, 28)."""

PARAM_KINDS = ("int", "float", "bool", "choice", "pair", "shape")


@dataclass(frozen=True)
class Param:
    """One typed, documented parameter of a layer type.

    kinds: int, float, bool, choice (one of `choices`), pair (per-axis ints, height and
    width; a single int means the same on both axes), shape (a tuple of ints).
    """

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ")

    def validate(self, value: Any) -> Any:
        """Return the value in its canonical form or raise ParamError saying why it is refused."""
        check = getattr(self, f"_validate_{self.kind}")
        return check(value)

    # -- one check per kind ------------------------------------------------------------
    def _validate_int(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise ParamError(f"'{self.name}' must be a whole number, not {value!r}")
        return self._in_range(int(value))

    def _validate_float(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ParamError(f"'{self.name}' must be a finite number, not {value!r}")
        return self._in_range(float(value))

    def _validate_bool(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ParamError(f"'{self.name}' must be true or false, not {value!r}")
        return value

    def _validate_choice(self, value: Any) -> str:
        if value not in self.choices:
            options = ", ".join(self.choices)
            raise ParamError(f"'{self.name}' must be one of {options}; got {value!r}")
        return value

    def _validate_pair(self, value: Any) -> tuple[int, int]:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = (value, value)
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ParamError(f"'{self.name}' must be one number or a (height, width) pair, not {value!r}")
        return tuple(self._validate_int(v) for v in value)  # type: ignore[return-value]

    def _validate_shape(self, value: Any) -> Shape:
        if not isinstance(value, (list, tuple)) or not value:
            raise ParamError(f"'{self.name}' must be a list of sizes such as [1, 28, 28], not {value!r}")
        sizes = tuple(self._validate_int(v) for v in value)
        if sum(1 for s in sizes if s == -1) > 1:
            raise ParamError(f"'{self.name}' may contain -1 (infer this size) at most once")
        if any(s == 0 or s < -1 for s in sizes):
            raise ParamError(f"'{self.name}' sizes must be positive (or -1 once), got {list(sizes)}")
        return sizes

    def _in_range(self, value: float) -> Any:
        if self.kind == "shape":
            return value
        if self.minimum is not None and value < self.minimum:
            raise ParamError(f"'{self.name}' must be at least {self.minimum:g}; got {value:g}")
        if self.maximum is not None and value > self.maximum:
            raise ParamError(f"'{self.name}' must be at most {self.maximum:g}; got {value:g}")
        return value


@dataclass(frozen=True)
class Port:
    """An input port. A `multi` port accepts any number of wires (Add, Concatenate)."""

    name: str
    multi: bool = False


@dataclass(frozen=True)
class LayerCost:
    """What a layer's shape function returns for one set of input shapes."""

    outputs: dict[str, Shape]
    params: int = 0
    macs: int = 0


InferFn = Callable[[dict, list[Shape]], LayerCost]
BuildFn = Callable[[dict, list[Shape], frozenset], "nn.Module"]


@dataclass(frozen=True)
class LayerSpec:
    """Everything LayerLab knows about one layer type."""

    type_id: str
    category: str
    display_name: str
    description: str
    infer: InferFn
    build: BuildFn
    params: tuple[Param, ...] = ()
    inputs: tuple[Port, ...] = (Port("in"),)
    outputs: tuple[str, ...] = ("out",)
    name_prefix: str = "layer"
    glyph: str = "□"
    version: int = 1
    legacy_ids: tuple[str, ...] = ()
    migrate: Callable[[dict, int], dict] | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParamError(f"{self.display_name} has no parameter '{name}' (it has: {known})")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.validate(p.default) for p in self.params}

    def input_port(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def validate_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Complete `params` with defaults and return them checked and canonical."""
        unknown = set(params) - {p.name for p in self.params}
        if unknown:
            self.param(sorted(unknown)[0])  # raises with the list of known names
        values = self.defaults()
        for name, value in params.items():
            values[name] = self.param(name).validate(value)
        return values
