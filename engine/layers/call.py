"""Call: one module constructor call, written once per layer type. The compiler makes the module
from it (`Call.make`) and code export writes it as Python (`Call.source`), so what is trained and
what is exported cannot drift apart.

A spec's constructor returns e.g. `call(nn.Conv2d, 1, 6, kernel_size=(5, 5), padding=(2, 2))`, with
`nn` and `modules` from `engine.layers.lazy_torch`: torch is imported only when a call is made.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn

DEFAULT_INIT = "default"
INIT_SCHEMES = (DEFAULT_INIT, "he_normal", "he_uniform", "xavier_normal", "xavier_uniform")
"""Starting weights of a layer with weights (its `init` parameter); 'default' is PyTorch's own."""

CUSTOM_MODULES = "engine.layers.modules"
"""LayerLab's own modules: exported source copies their classes, so it names them bare (`Add()`)."""


@dataclass(frozen=True)
class Call:
    """`target(*args, **kwargs)`. `defaults` names keyword values to leave out of the source besides
    the class's own defaults (MaxPool2d's stride defaults to its kernel)."""

    target: type
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    init: str = DEFAULT_INIT
    """How the module's starting weights are drawn (`INIT_SCHEMES`): 'default' leaves PyTorch's,
    another scheme passes the new module through `init_weights` (engine.layers.modules)."""

    def make(self) -> nn.Module:
        module = self.target(*self.args, **self.kwargs)
        if self.init == DEFAULT_INIT:
            return module
        from engine.layers.modules import init_weights  # imports torch

        return init_weights(module, self.init)

    def source(self) -> str:
        """Python that makes an equal module, e.g. `nn.Conv2d(1, 6, kernel_size=(5, 5), padding=(2, 2))`:
        positional values, then each keyword whose value differs from its default."""
        signature = {**_signature_defaults(self.target), **self.defaults}
        parts = [repr(v) for v in self.args]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()
                  if k not in signature or not same_value(v, signature[k])]
        return with_init(f"{source_name(self.target)}({', '.join(parts)})", self.init)

    def with_defaults(self, **defaults: Any) -> Call:
        return replace(self, defaults={**self.defaults, **defaults})

    def with_init(self, scheme: str) -> Call:
        return replace(self, init=scheme)


def call(target: type, *args: Any, **kwargs: Any) -> Call:
    return Call(target, args, kwargs)


def with_init(source: str, scheme: str) -> str:
    """Source of a module made by `source` with its starting weights drawn by `scheme`:
    `init_weights(nn.Linear(784, 32), 'he_normal')`, or `source` itself for the default."""
    return source if scheme == DEFAULT_INIT else f"init_weights({source}, {scheme!r})"


def source_name(target: type) -> str:
    """How exported source names a module class: `nn.Conv2d` (it imports torch's nn) or `Add`
    (LayerLab's own classes are copied into it)."""
    module = target.__module__
    if module == CUSTOM_MODULES:
        return target.__name__
    if module.startswith("torch.nn."):
        return f"nn.{target.__name__}"
    raise ValueError(f"{target.__name__} is neither a torch.nn module nor one of LayerLab's own "
                     f"({CUSTOM_MODULES}), so exported source cannot name it")


def _signature_defaults(target: type) -> dict[str, Any]:
    parameters = inspect.signature(target.__init__).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def same_value(value: Any, default: Any) -> bool:
    """Equal, counting a per-axis tuple of one repeated number as that number: (0, 0) == 0."""
    a, b = _as_tuple(value), _as_tuple(default)
    if a is not None and b is None:
        return all(e == default for e in a)
    if b is not None and a is None:
        return all(e == value for e in b)
    return value == default if a is None else a == b


def _as_tuple(value: Any) -> tuple | None:
    return tuple(value) if isinstance(value, (tuple, list)) else None


_MISSING = object()
_IGNORED = {"inplace"}  # changes memory use, not the result
_PLAIN = (bool, int, float, str, tuple, list, type(None))


def differing_argument(a: nn.Module, b: nn.Module) -> tuple[str, Any, Any] | None:
    """The first constructor argument of `a`'s class that `a` and `b` keep (as attributes of the
    same name) with different plain values, as (name, a's value, b's value); None when there is none.
    Weights are not compared, nor `inplace`."""
    parameters = inspect.signature(type(a).__init__).parameters.values()
    for p in parameters:
        if p.name == "self" or p.name in _IGNORED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        mine, theirs = getattr(a, p.name, _MISSING), getattr(b, p.name, _MISSING)
        if isinstance(mine, _PLAIN) and isinstance(theirs, _PLAIN) and not same_value(mine, theirs):
            return p.name, mine, theirs
    return None
