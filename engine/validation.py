"""Scalar checks, written once for layer parameters (engine.layers.spec) and for the dataset and
training settings (engine.data.schema): whole numbers, finite numbers, true/false, text, a choice
from a list (with a "did you mean" from difflib) and a range.

Each check returns the value in its canonical form or raises `Invalid`, which keeps the parts of
the reason apart so that each caller words it its own way:

    try:
        units = in_range(whole_number(value), minimum=1)
    except Invalid as error:
        raise ParamError(error.sentence("units")) from None   # 'units' must be at least 1; got 0
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from typing import Any


class Invalid(ValueError):
    """A refused value. `kind`: 'type', 'choice' or 'range'; `problem`: what is wrong, to follow
    the value's name ('must be a finite number'); `got`: the given value as the sentence ends
    with it (', not 'fast'', '; got -1'); `plain`: the problem in the window's plainer words
    ('must be a number', 'cannot be negative'); `suggestion`: the closest allowed word, if any."""

    def __init__(self, kind: str, problem: str, value: Any, got: str, *, plain: str = "",
                 suggestion: str | None = None) -> None:
        super().__init__(f"{problem}{got}")
        self.kind, self.problem, self.value, self.got = kind, problem, value, got
        self.plain, self.suggestion = plain or problem, suggestion

    def sentence(self, name: str) -> str:
        """The reason as one clause about `name`: "'lr' must be greater than 0; got -0.1"."""
        return f"'{name}' {self.problem}{self.got}"


def _not(problem: str, value: Any, plain: str = "") -> Invalid:
    return Invalid("type", problem, value, f", not {value!r}", plain=plain)


def whole_number(value: Any) -> int:
    """An int, or a float without a fractional part, as an int (never a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value):
        raise _not("must be a whole number", value)
    return int(value)


def finite_number(value: Any) -> float:
    """An int or a finite float, as a float (never a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _not("must be a finite number", value, plain="must be a number")
    return float(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _not("must be true or false", value, plain="must be on or off (true or false)")
    return value


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise _not("must be text", value)
    return value


def closest(word: Any, options: Iterable[str]) -> str | None:
    """The option most like `word` (difflib), for a "did you mean"; None when none is close."""
    found = difflib.get_close_matches(str(word), list(options), n=1)
    return found[0] if found else None


def choice(value: Any, choices: Sequence[str]) -> Any:
    """One of `choices`; the refusal suggests the closest one."""
    if value not in choices:
        suggestion = closest(value, choices) if isinstance(value, str) else None
        raise Invalid("choice", f"must be one of {', '.join(choices)}", value, f"; got {value!r}",
                      suggestion=suggestion)
    return value


def in_range(value: float, minimum: float | None = None, maximum: float | None = None,
             exclusive_minimum: bool = False) -> Any:
    """`value` when it lies in the range (bounds included, but for an exclusive minimum)."""
    plain = range_words(minimum, maximum, exclusive_minimum)
    got = f"; got {value:g}"
    if minimum is not None and exclusive_minimum and value <= minimum:
        raise Invalid("range", f"must be greater than {minimum:g}", value, got, plain=plain)
    if minimum is not None and value < minimum:
        raise Invalid("range", f"must be at least {minimum:g}", value, got, plain=plain)
    if maximum is not None and value > maximum:
        raise Invalid("range", f"must be at most {maximum:g}", value, got, plain=plain)
    return value


def range_words(minimum: float | None, maximum: float | None, exclusive_minimum: bool = False) -> str:
    """The allowed range in words, to follow a value's name: 'must be greater than 0', 'must be
    between 0 and 1', 'cannot be negative' ('' without a range)."""
    if minimum is not None and maximum is not None:
        return f"must be greater than {minimum:g} and at most {maximum:g}" if exclusive_minimum else \
            f"must be between {minimum:g} and {maximum:g}"
    if minimum is not None:
        return f"must be greater than {minimum:g}" if exclusive_minimum else "cannot be negative" \
            if minimum == 0 else f"must be at least {minimum:g}"
    if maximum is not None:
        return f"must be at most {maximum:g}"
    return ""
