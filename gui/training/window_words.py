"""Settings values and problems in the window's words: 'Learning rate must be greater than 0'
instead of the command line's "'training.lr' must be greater than 0; for example training.lr=0.01",
and special values explained ('0 = full batch')."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from engine.data.schema import SettingsBase, SettingsError


def shown_value(value: Any) -> str:
    """A value as the form shows it (None: 0 for the optional numbers, which read 0 as off)."""
    if value is None:
        return "0"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value) if value != "" else "empty"


def special_words(meta: dict, only: Any = dataclasses.MISSING, none: str = "0") -> str:
    """'0 = no limit' for a setting's special values ('' without any); `only` picks one value;
    `none` is how the empty value of an optional setting is typed (0 for numbers, empty text)."""
    special = meta.get("special") or {}
    return "; ".join(f"{none if key is None else 'empty' if key == '' else shown_value(key)} = {text}"
                     for key, text in special.items() if only is dataclasses.MISSING or key == only)


def window_message(error: Exception, cls: type[SettingsBase]) -> str:
    """A settings problem in the window's words: 'Learning rate must be greater than 0.'
    (the command line says "'training.lr' must be greater than 0; got -0.1; for example
    training.lr=0.01")."""
    if not isinstance(error, SettingsError) or not error.key or not error.problem or \
            error.section != cls.SECTION.split(".")[0]:
        return window_words(str(error))
    path = error.path[len(cls.SECTION.split(".")) - 1:]
    meta = cls.metadata(path)
    if not meta:
        return window_words(str(error))
    text = f"{meta['label']} {error.problem}"
    extras = []
    if error.kind == "range":
        if meta.get("meaning"):
            extras.append(meta["meaning"])
        low = meta.get("minimum")
        special = meta.get("special") or {}
        too_low = low is not None and isinstance(error.value, (int, float)) and error.value <= low
        lowest = next((key for key in special if key is None or key == low), dataclasses.MISSING)
        if too_low and lowest is not dataclasses.MISSING:
            extras.append(special_words(meta, lowest))
    if extras:
        text += f" ({'; '.join(extras)})"
    if error.fix:
        text += f": {error.fix}"
    return text.rstrip(".") + "."


_KEY = re.compile(r"\b(dataset|training)\.([a-z_]+(?:\.[a-z_]+)?)(?:=(\[[^\]]*\]|[^\s,;)]+))?")


def window_words(text: str) -> str:
    """Free-text engine messages in the window's words: the command line's setting keys
    (`dataset.image_size=[64,64]`, `(dataset.path)`) become the form's labels."""
    from engine.data.settings import DatasetSettings
    from engine.training.settings import TrainingSettings

    def label(match: re.Match) -> str:
        cls = DatasetSettings if match.group(1) == "dataset" else TrainingSettings
        meta = cls.metadata(match.group(2).rstrip("."))
        if not meta:
            return match.group(0)
        name = f"“{meta['label']}”"
        value = match.group(3)
        if value is None:
            return name
        end = "." if value.endswith(".") else ""  # the sentence's full stop, not the value's
        value = value.rstrip(".").strip("[]").replace(",", ", ").replace(",  ", ", ")
        return f"{name} {'on' if value == 'true' else 'off' if value == 'false' else value}{end}"

    text = _KEY.sub(label, text)
    return re.sub(r" \((“[^”]+”)\)", "", text)  # "(dataset.path)" after a file name says nothing more
