"""LayerSpec: the one declaration of a layer type. Everything LayerLab knows about a layer lives
in it: palette entry, parameters and their inspector help, the card summary, shapes and costs, its
role in the network, the module it builds (and the Python source code export writes for it), and
how an imported torch module maps back onto it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine import validation
from engine.errors import ParamError
from engine.layers.call import INIT_SCHEMES
from engine.validation import Invalid

if TYPE_CHECKING:  # torch is imported only when a module is built (see lazy_torch)
    from torch import nn

    from engine.layers.call import Call

Shape = tuple[int, ...]
"""A tensor shape without the batch axis, e.g. (1, 28, 28)."""

PARAM_KINDS = ("int", "float", "bool", "choice", "pair", "shape", "text", "mapping")
"""text and mapping (a dict of named values) serve the Block layer (engine.blocks) only."""

ARG_KINDS = ("int", "float", "bool", "choice", "pair")
"""Kinds whose value may be a block argument reference, `{"arg": "channels"}`: inside a block
definition the value is the argument's, set per instance (engine.blocks)."""


def arg_ref(value: Any) -> str | None:
    """The argument a value refers to (`{"arg": "channels"}` -> 'channels'), or None."""
    if type(value) is dict and len(value) == 1 and isinstance(value.get("arg"), str):
        return value["arg"]
    return None

ROLES = ("input", "output", "activation", "merge", "layer")
"""What a layer is to the network: where data enters (one per network), where the prediction and
loss are (one), an activation function, a join of several branches, or any other layer. Code that
treats layers differently asks for a role (`Network.nodes_with_role`), never for a type id."""


class Unsupported(Exception):
    """A torch module (or a setting of it) that no LayerLab layer reproduces exactly; the message
    says what, e.g. "ceil_mode=True (LayerLab pools round down)"."""


def require(condition: bool, reason: str) -> None:
    """For `from_module`: refuse a module LayerLab cannot reproduce, saying why."""
    if not condition:
        raise Unsupported(reason)


def as_pair(value: Any) -> tuple[Any, Any]:
    """A torch size argument as (height, width): 3 -> (3, 3), None -> (None, None)."""
    return (value, value) if isinstance(value, int) or value is None else tuple(value)  # type: ignore[return-value]


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
    summary: str = ""
    """How the layer's card names this parameter: a template in which {} is the value as text (an
    int as is, a float as 0.5, a choice with spaces for underscores, a pair as 2 or 2×1, a shape as
    1×28×28) and {h}, {w} are a pair's two values; e.g. '{} filters', 'stride {}', '{h}×{w}'.
    Empty: the card leaves the parameter out."""
    summary_unless: Any = None
    """The (canonical) value at which the card leaves the parameter out, e.g. (0, 0) padding."""

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"unknown parameter kind {self.kind!r}")

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("_", " ")

    def summary_text(self, value: Any) -> str:
        """This parameter's part of the card summary ('' when the card leaves it out)."""
        if not self.summary or (self.summary_unless is not None and value == self.summary_unless):
            return ""
        if arg_ref(value) is not None:  # inside a block definition: set by the instance's argument
            return f"{self.name} ← {arg_ref(value)}"
        pair = {"h": value[0], "w": value[1]} if self.kind == "pair" else {}
        return self.summary.format(self.value_text(value), **pair)

    def value_text(self, value: Any) -> str:
        if self.kind == "pair":
            a, b = value
            return str(a) if a == b else f"{a}×{b}"
        if self.kind == "shape":
            return "×".join(str(s) for s in value)
        if self.kind == "float":
            return f"{value:g}"
        if self.kind == "choice":
            return str(value).replace("_", " ")
        return str(value)

    def validate(self, value: Any) -> Any:
        """Return the value in its canonical form or raise ParamError saying why it is refused
        (the checks are engine.validation's, shared with the training and dataset settings)."""
        ref = arg_ref(value) if self.kind in ARG_KINDS else None
        if ref is not None:
            if not ref.isidentifier():
                raise ParamError(f"{self.name}: a block argument's name must be an identifier, not {ref!r}")
            return {"arg": ref}
        try:
            return getattr(self, f"_validate_{self.kind}")(value)
        except Invalid as error:
            hint = f"; did you mean '{error.suggestion}'?" if error.suggestion else ""
            raise ParamError(error.sentence(self.name) + hint) from None

    # -- one check per kind ------------------------------------------------------------
    def _validate_int(self, value: Any) -> int:
        return validation.in_range(validation.whole_number(value), self.minimum, self.maximum)

    def _validate_float(self, value: Any) -> float:
        return validation.in_range(validation.finite_number(value), self.minimum, self.maximum)

    def _validate_bool(self, value: Any) -> bool:
        return validation.boolean(value)

    def _validate_choice(self, value: Any) -> str:
        return validation.choice(value, self.choices)

    def _validate_pair(self, value: Any) -> tuple[int, int]:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = (value, value)
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise Invalid("type", "must be one number or a (height, width) pair", value, f", not {value!r}")
        return tuple(self._validate_int(v) for v in value)  # type: ignore[return-value]

    def _validate_text(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise Invalid("type", "must be a non-empty text", value, f", not {value!r}")
        return value.strip()

    def _validate_mapping(self, value: Any) -> dict[str, Any]:
        """Named values (block arguments): identifier keys; numbers, booleans, texts or lists of them."""
        if not isinstance(value, dict):
            raise Invalid("type", "must be an object of named values", value, f", not {value!r}")
        found: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key.isidentifier():
                raise Invalid("type", "must have names that are identifiers", value, f", not {key!r}")
            if arg_ref(item) is not None:  # an argument passed on from the enclosing block
                found[key] = {"arg": item["arg"]}
                continue
            found[key] = list(item) if isinstance(item, (list, tuple)) else item
            if not all(isinstance(v, (bool, int, float, str)) for v in (found[key] if isinstance(
                    found[key], list) else [found[key]])):
                raise Invalid("type", "must hold numbers, booleans, texts or lists of them", value,
                              f", not {item!r} for '{key}'")
        return found

    def _validate_shape(self, value: Any) -> Shape:
        if not isinstance(value, (list, tuple)) or not value:
            raise Invalid("type", "must be a list of sizes such as [1, 28, 28]", value, f", not {value!r}")
        sizes = tuple(validation.whole_number(v) for v in value)
        if sum(1 for s in sizes if s == -1) > 1:
            raise Invalid("range", "may contain -1 (infer this size) at most once", value, "")
        if any(s == 0 or s < -1 for s in sizes):
            raise Invalid("range", "sizes must be positive (or -1 once)", value, f", got {list(sizes)}")
        return sizes


def init_param(layer: str) -> Param:
    """The `init` parameter of a layer with weights: how its starting weights are drawn
    (engine.layers.call.INIT_SCHEMES, applied by engine.layers.modules.init_weights)."""
    return Param("init", "choice", "default",
                 f"How the {layer}'s starting weights are drawn: default (PyTorch's, variance 1 / (3 × "
                 "fan-in)); he_* (Kaiming, variance 2 / fan-in: deep ReLU networks learn); xavier_* (Glorot, "
                 "2 / (fan-in + fan-out): sigmoid, tanh). All but default zero the biases. Fan-in: the "
                 "inputs each unit sums.",
                 choices=INIT_SCHEMES, label="weight init", summary="{} init", summary_unless="default")


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
ConstructorFn = Callable[[dict, list[Shape], frozenset], "Call"]
FromModuleFn = Callable[["nn.Module"], dict]

MAIN_OUTPUT = frozenset({"out"})
"""The used outputs when only the main one is wired (most layers have no other)."""


@dataclass(frozen=True)
class LayerSpec:
    """Everything LayerLab knows about one layer type.

    `constructor(params, input shapes, used outputs)` returns the module's constructor call
    (`engine.layers.call`): `build` makes the module from it, `source` writes it as Python for code
    export. `from_module` is the inverse, used by import: the params of a layer that builds a module
    equal to a torch module of one of `module_types` (or `Unsupported`, saying why there is none).
    """

    type_id: str
    category: str
    display_name: str
    description: str
    infer: InferFn
    constructor: ConstructorFn = field(compare=False)
    params: tuple[Param, ...] = ()
    inputs: tuple[Port, ...] = (Port("in"),)
    outputs: tuple[str, ...] = ("out",)
    role: str = "layer"
    can_die: bool = False
    """Its units can die (output zero for every input, and so stop learning): the window counts
    dead units on such layers (ReLU) while training."""
    size_param: str = ""
    """The int parameter that alone sets how many values the layer gives (Dense: 'units'), the one
    a fix changes when the Output gets the wrong number; empty: no such parameter."""
    summary_order: tuple[str, ...] = ()
    """The parameters the card summary names, in this order; empty: in declaration order."""
    module_types: tuple[str, ...] = ()
    """The classes of the modules it builds, by public name ('torch.nn.Conv2d'); import maps
    modules of these classes onto this layer with `from_module`."""
    from_module: FromModuleFn | None = field(default=None, compare=False)
    fit_input: Callable[[nn.Module, list[Shape]], dict] | None = field(default=None, compare=False)
    """Import: params `from_module` cannot know, read from the input shapes the module got (a Dense
    applied at each position of a channels-last input)."""
    name_prefix: str = "layer"
    glyph: str = "□"
    version: int = 1
    legacy_ids: tuple[str, ...] = ()
    migrate: Callable[[dict, int], dict] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"{self.type_id}: unknown role {self.role!r} (roles: {', '.join(ROLES)})")
        for name in self.summary_order:
            self.param(name)  # raises for a name that is not a parameter
        if self.size_param and self.param(self.size_param).kind != "int":
            raise ValueError(f"{self.type_id}: size_param {self.size_param!r} is not an int parameter")

    # -- modules ------------------------------------------------------------------------
    def call(self, params: dict[str, Any], in_shapes: list[Shape],
             used: frozenset = MAIN_OUTPUT) -> Call:
        """The module's constructor call for these params, input shapes and used outputs."""
        return self.constructor(params, list(in_shapes), frozenset(used))

    def build(self, params: dict[str, Any], in_shapes: list[Shape],
              used: frozenset = MAIN_OUTPUT) -> nn.Module:
        return self.call(params, in_shapes, used).make()

    def source(self, params: dict[str, Any], in_shapes: list[Shape],
               used: frozenset = MAIN_OUTPUT) -> str:
        """Python that builds the module, e.g. `nn.Conv2d(1, 6, kernel_size=(5, 5), padding=(2, 2))`."""
        return self.call(params, in_shapes, used).source()

    # -- the card -----------------------------------------------------------------------
    def summary(self, params: dict[str, Any]) -> str:
        """The key parameters in words, as the card shows them: '5×5, stride 1, pad 2, 6 filters'."""
        names = self.summary_order or tuple(p.name for p in self.params)
        parts = (self.param(name).summary_text(params[name]) for name in names if name in params)
        return ", ".join(part for part in parts if part)

    # -- parameters ---------------------------------------------------------------------
    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        close = validation.closest(name, (p.name for p in self.params))
        hint = f"did you mean '{close}'? " if close else ""
        raise ParamError(f"{self.display_name} has no parameter '{name}' ({hint}it has: {known})")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.validate(p.default) for p in self.params}

    def input_port(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def validate_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Complete `params` with defaults and return them checked and canonical."""
        unknown = set(params) - {p.name for p in self.params}
        if unknown:
            self.param(min(unknown))  # raises with the list of known names
        values = self.defaults()
        for name, value in params.items():
            values[name] = self.param(name).validate(value)
        return values
