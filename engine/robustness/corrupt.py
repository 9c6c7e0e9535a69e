"""Damaged project files: truncated, bytes flipped, values of the wrong JSON type, keys missing,
huge numbers, binary junk. Each mutation takes a good file's bytes and returns damaged bytes."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

_OTHER_VALUES: tuple[Any, ...] = (None, True, False, 0, -1, 2.5, "", "text", [], {}, [1, 2], {"a": 1})
_HUGE = ("1" + "0" * 5000, "1e999", "-1e999", "NaN", "Infinity", "-Infinity", str(2 ** 64 + 1),
         str(-(2 ** 63)), "1e308", "-1e308", "123456789012345678901234567890", "1e-400")
_MARK = "\u2063huge\u2063"
Path = list[Any]
"""Keys and indices from the document's root to one value."""


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        damaged[rng.randrange(len(damaged))] ^= rng.randint(1, 255)
    return bytes(damaged)


def wrong_type(rng: random.Random, data: bytes) -> bytes:
    """One value (an object, a list or a leaf, the root included) replaced by one of another type."""
    document = json.loads(data)
    path = rng.choice(_paths(document))
    old = _get(document, path)
    value = rng.choice([v for v in _OTHER_VALUES if type(v) is not type(old)])
    return json.dumps(_set(document, path, value), indent=2).encode()


def missing_key(rng: random.Random, data: bytes) -> bytes:
    document = json.loads(data)
    objects = [p for p in _paths(document) if isinstance(_get(document, p), dict) and _get(document, p)]
    path = rng.choice(objects)
    del _get(document, path)[rng.choice(list(_get(document, path)))]
    return json.dumps(document, indent=2).encode()


def huge_number(rng: random.Random, data: bytes) -> bytes:
    """A number (or, now and then, any value) replaced by a huge, tiny or non-finite literal."""
    document = json.loads(data)
    paths = _paths(document)
    numbers = [p for p in paths
               if isinstance(_get(document, p), (int, float)) and not isinstance(_get(document, p), bool)]
    path = rng.choice(numbers if numbers and rng.random() < 0.8 else paths[1:] or paths)
    text = json.dumps(_set(document, path, _MARK), indent=2)
    return text.replace(json.dumps(_MARK), rng.choice(_HUGE)).encode()


def binary_junk(rng: random.Random, data: bytes) -> bytes:
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 2000)))
    kind = rng.randrange(6)
    if kind == 0:
        return junk
    if kind == 1:
        at = rng.randrange(len(data))
        return data[:at] + junk + data[at:]
    if kind == 2:
        return data.decode("utf-8").encode(rng.choice(("utf-16", "utf-32", "latin-1")))
    if kind == 3:
        return b"[" * rng.randint(1000, 200_000) + b"]" * rng.choice((0, 1))  # nested too deep to parse
    if kind == 4:
        return bytes(rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"PK\x03\x04"))) + data
    return data + junk


MUTATIONS: dict[str, Callable[[random.Random, bytes], bytes]] = {
    f.__name__: f for f in (truncate, flip_bytes, wrong_type, missing_key, huge_number, binary_junk)}


def corrupt(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """(mutation name, damaged bytes) for a good project file's bytes."""
    name = rng.choice(sorted(MUTATIONS))
    return name, MUTATIONS[name](rng, data)


def _paths(value: Any, path: Path | None = None) -> list[Path]:
    """Every value's path, the root's ([]) first."""
    path = path or []
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, [*path, index])
    return found


def _get(document: Any, path: Path) -> Any:
    for key in path:
        document = document[key]
    return document


def _set(document: Any, path: Path, value: Any) -> Any:
    """The document with the value at `path` replaced (the root itself when `path` is empty)."""
    if not path:
        return value
    _get(document, path[:-1])[path[-1]] = value
    return document
