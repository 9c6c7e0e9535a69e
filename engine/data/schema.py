"""Typed settings sections: dataclasses whose fields carry help, choices and ranges in their
metadata, read from and written to plain dicts with errors that name the bad key and the fix.

    @dataclass
    class Section(SettingsBase):
        SECTION = "training"
        lr: float = setting(0.01, "Learning rate.", minimum=0.0, exclusive_minimum=True)
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from typing import Any, ClassVar, TypeVar

from engine.errors import LayerLabError


class SettingsError(LayerLabError):
    """A dataset or training setting is unknown, of the wrong type, or out of range."""


T = TypeVar("T", bound="SettingsBase")


def setting(default: Any, help: str, *, choices: tuple = (), minimum: float | None = None,
            maximum: float | None = None, exclusive_minimum: bool = False, example: Any = None) -> Any:
    """A dataclass field with its documentation and checks in `metadata`."""
    meta = {"help": help, "choices": tuple(choices), "minimum": minimum, "maximum": maximum,
            "exclusive_minimum": exclusive_minimum, "example": example}
    if isinstance(default, (list, dict)) or dataclasses.is_dataclass(default):
        return dataclasses.field(default_factory=lambda: _copy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def _copy(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value)
    return type(value)(value)


class SettingsBase:
    """Mixin for settings dataclasses: `from_dict`, `to_dict`, `describe`, `with_changes`."""

    SECTION: ClassVar[str] = "settings"
    ALIASES: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_dict(cls: type[T], raw: Any, *, section: str | None = None) -> T:
        """Check every key and value; missing keys take their defaults."""
        section = section or cls.SECTION
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise SettingsError(f"The '{section}' section must be an object (a dict of settings), "
                                f"not {type(raw).__name__}.")
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for key, value in raw.items():
            name = cls.ALIASES.get(key, key)
            if name not in fields:
                close = difflib.get_close_matches(str(key), list(fields) + list(cls.ALIASES), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise SettingsError(f"Unknown setting '{section}.{key}'.{hint} Known settings: "
                                    f"{', '.join(sorted(fields))}.")
            values[name] = _check(f"{section}.{key}", value, hints[name], fields[name].metadata)
        instance = cls(**values)  # type: ignore[call-arg]
        instance.validate()
        return instance

    def validate(self) -> None:
        """Cross-field checks; subclasses raise SettingsError naming the keys involved."""

    def to_dict(self, *, only_changed: bool = False) -> dict[str, Any]:
        """Plain JSON-ready dict (nested sections become dicts)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, SettingsBase):
                value = value.to_dict(only_changed=only_changed)
                if only_changed and not value:
                    continue
            elif only_changed and value == _default_of(f):
                continue
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def with_changes(self: T, **changes: Any) -> T:
        """A checked copy with some values replaced (keys as in the file)."""
        merged = {**self.to_dict(), **changes}
        return type(self).from_dict(merged)

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One entry per setting (name, type, default, help, choices, range) for docs and GUIs."""
        hints = typing.get_type_hints(cls)
        rows = []
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            rows.append({"name": f.name, "type": _type_name(hints[f.name]), "default": _default_of(f),
                         **{k: v for k, v in f.metadata.items() if v not in (None, (), False)}})
        return rows


def _default_of(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    value = f.default_factory()  # type: ignore[misc]
    return value.to_dict() if isinstance(value, SettingsBase) else value


def _type_name(hint: Any) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if _is_union(hint):
        return " or ".join(_type_name(a) for a in args) + " or null"
    return getattr(hint, "__name__", str(hint))


def _is_union(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _check(key: str, value: Any, hint: Any, meta: Any) -> Any:
    if _is_union(hint):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        hint = args[0]
    if isinstance(hint, type) and issubclass(hint, SettingsBase):
        return hint.from_dict(value, section=key)
    origin = typing.get_origin(hint)
    if origin in (list, tuple):
        return _check_list(key, value, typing.get_args(hint)[0], meta)
    checked = _check_scalar(key, value, hint, meta)
    return checked


def _check_scalar(key: str, value: Any, hint: Any, meta: Any) -> Any:
    example = meta.get("example")
    fix = f"; for example {key}={example}" if example is not None else ""
    if hint is bool:
        if not isinstance(value, bool):
            raise SettingsError(f"'{key}' must be true or false, not {value!r}.")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise SettingsError(f"'{key}' must be a whole number, not {value!r}{fix}.")
        value = int(value)
    elif hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise SettingsError(f"'{key}' must be a finite number, not {value!r}{fix}.")
        value = float(value)
    elif hint is str:
        if not isinstance(value, str):
            raise SettingsError(f"'{key}' must be text, not {value!r}{fix}.")
        choices = meta.get("choices") or ()
        if choices and value not in choices:
            close = difflib.get_close_matches(value, choices, n=1)
            hint_text = f" Did you mean '{close[0]}'?" if close else ""
            raise SettingsError(f"'{key}' must be one of {', '.join(choices)}; got '{value}'.{hint_text}")
        return value
    return _check_range(key, value, meta, fix)


def _check_range(key: str, value: float, meta: Any, fix: str) -> float:
    low, high = meta.get("minimum"), meta.get("maximum")
    if low is not None:
        if meta.get("exclusive_minimum") and value <= low:
            raise SettingsError(f"'{key}' must be greater than {low:g}; got {value:g}{fix}.")
        if value < low:
            raise SettingsError(f"'{key}' must be at least {low:g}; got {value:g}{fix}.")
    if high is not None and value > high:
        raise SettingsError(f"'{key}' must be at most {high:g}; got {value:g}{fix}.")
    return value


def _check_list(key: str, value: Any, item: Any, meta: Any) -> list:
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"'{key}' must be a list such as [28, 28], not {value!r}.")
    return [_check_scalar(f"{key}[{i}]", v, item, meta) for i, v in enumerate(value)]
