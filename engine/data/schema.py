"""Typed settings sections: dataclasses whose fields carry help, choices and ranges in their
metadata, read from and written to plain dicts with errors that name the bad key and the fix (the
checks themselves are engine.validation's, shared with the layer parameters).

    @dataclass
    class Section(SettingsBase):
        SECTION = "training"
        lr: float = setting(0.01, "Learning rate.", minimum=0.0, exclusive_minimum=True)
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, ClassVar, TypeVar

from engine import validation
from engine.errors import LayerLabError


class SettingsError(LayerLabError):
    """A dataset or training setting is unknown, of the wrong type, or out of range.

    `str(error)` is the command line's wording (`'training.lr' must be greater than 0; got -0.1;
    for example training.lr=0.01.`). The parts are also kept apart, so that each front end can
    phrase them in its own words: `key` ('training.lr', 'dataset.augment.rotate'), `problem` (what
    is wrong, to follow the setting's name: 'must be greater than 0'), `fix` (advice in plain words,
    or ''), `value` (what was given, or MISSING), `kind` ('range', 'type', 'choice', 'unknown',
    'missing' (a required value is empty) or 'combination' (settings that do not go together)).
    Errors raised without a key (free text) have `key` None."""

    def __init__(self, message: str, *, key: str | None = None, problem: str = "", fix: str = "",
                 value: Any = None, kind: str = "") -> None:
        super().__init__(message)
        self.key, self.problem, self.fix, self.value, self.kind = key, problem, fix, value, kind

    @property
    def section(self) -> str | None:
        """'training' or 'dataset' (None without a key)."""
        return self.key.split(".", 1)[0] if self.key else None

    @property
    def path(self) -> tuple[str, ...]:
        """The key inside its section: ('lr',), ('augment', 'rotate'); list items lose their index."""
        if not self.key:
            return ()
        return tuple(part.split("[", 1)[0] for part in self.key.split(".")[1:])


T = TypeVar("T", bound="SettingsBase")


def setting(default: Any, help: str, *, choices: tuple = (), minimum: float | None = None,
            maximum: float | None = None, exclusive_minimum: bool = False, example: Any = None,
            label: str = "", special: dict | None = None, meaning: str = "") -> Any:
    """A dataclass field with its documentation and checks in `metadata`.

    `label` names the setting for people ('Learning rate'; default: the key in words); `special`
    maps values with a meaning of their own to it ({0: 'the whole training set'}; None stands for
    the empty value of optional settings); `meaning` says what kind of number it is ('a share of
    the training data'), for range messages."""
    meta = {"help": help, "choices": tuple(choices), "minimum": minimum, "maximum": maximum,
            "exclusive_minimum": exclusive_minimum, "example": example, "label": label,
            "special": dict(special or {}), "meaning": meaning}
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
                                f"not {type(raw).__name__}.", key=section if "." in section else None,
                                problem="must be a group of settings", value=raw, kind="type")
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for key, value in raw.items():
            name = cls.ALIASES.get(key, key)
            if name not in fields:
                close = validation.closest(key, list(fields) + list(cls.ALIASES))
                hint = f" Did you mean '{close}'?" if close else ""
                raise SettingsError(f"Unknown setting '{section}.{key}'.{hint} Known settings: "
                                    f"{', '.join(sorted(fields))}.", key=f"{section}.{key}",
                                    problem="is not a known setting", fix=f"did you mean {close}?" if close
                                    else "", value=value, kind="unknown")
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
    def metadata(cls, path: str | tuple[str, ...]) -> dict[str, Any]:
        """The metadata of one setting, by its key inside the section ('lr', 'augment.rotate');
        {} for an unknown key. `label` is always filled in."""
        parts = path.split(".") if isinstance(path, str) else tuple(path)
        owner: Any = cls
        meta: dict[str, Any] = {}
        for part in parts:
            fields = {f.name: f for f in dataclasses.fields(owner)} if dataclasses.is_dataclass(owner) else {}
            part = getattr(owner, "ALIASES", {}).get(part, part)
            if part not in fields:
                return {}
            meta = dict(fields[part].metadata)
            meta["label"] = meta.get("label") or part.replace("_", " ").capitalize()
            hint, _ = _unwrap(typing.get_type_hints(owner)[part])
            owner = hint
        return meta

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One entry per setting (name, type, default, help, choices, range) for docs and GUIs."""
        hints = typing.get_type_hints(cls)
        rows = []
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            rows.append({"name": f.name, "type": _type_name(hints[f.name]), "default": _default_of(f),
                         **{k: v for k, v in f.metadata.items() if v not in (None, (), False, "", {})}})
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


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(the type inside Optional[...], whether it was optional)."""
    if _is_union(hint):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0], True
    return hint, False


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
    """One value checked by engine.validation against its type and its field's choices and range."""
    try:
        if hint is bool:
            return validation.boolean(value)
        if hint is str:
            choices = meta.get("choices") or ()
            return validation.choice(validation.text(value), choices) if choices else validation.text(value)
        number = validation.whole_number(value) if hint is int else validation.finite_number(value)
        return validation.in_range(number, meta.get("minimum"), meta.get("maximum"),
                                   bool(meta.get("exclusive_minimum")))
    except validation.Invalid as error:
        raise _settings_error(key, error, meta) from None


def _settings_error(key: str, error: validation.Invalid, meta: Any) -> SettingsError:
    """The refusal in the command line's words (with an example, or the closest choice) and in
    parts for the window."""
    example = meta.get("example")
    if error.kind == "choice":
        close = error.suggestion
        return SettingsError(f"{error.sentence(key)}.{f' Did you mean {close!r}?' if close else ''}", key=key,
                             problem=error.problem, fix=f"did you mean {close}?" if close else "",
                             value=error.value, kind="choice")
    fix = f"; for example {key}={example}" if example is not None else ""
    return SettingsError(f"{error.sentence(key)}{fix}.", key=key, problem=error.plain, value=error.value,
                         kind=error.kind)


def range_words(meta: Any) -> str:
    """The allowed range of a setting in words, to follow its name: 'must be greater than 0',
    'must be between 0 and 1', 'cannot be negative' ('' without a range)."""
    return validation.range_words(meta.get("minimum"), meta.get("maximum"), bool(meta.get("exclusive_minimum")))


def _check_list(key: str, value: Any, item: Any, meta: Any) -> list:
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"'{key}' must be a list such as [28, 28], not {value!r}.", key=key,
                            problem="must be a list of numbers", value=value, kind="type")
    return [_check_scalar(f"{key}[{i}]", v, item, meta) for i, v in enumerate(value)]
