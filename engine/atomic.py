"""Atomic file writes: a crash leaves either the old file or the new one, never half of one.

The one writer LayerLab uses for every file it saves (projects, runs, checkpoints, exports):

    with replacing(path) as (tmp,):          # write tmp (by name: a library may write it)
        torch.save(state, tmp)
    atomic_write_text(path, text)            # the same, for bytes or text in hand
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


def _current_umask() -> int:
    mask = os.umask(0o022)  # read once, at import: os.umask can only be read by setting it
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextlib.contextmanager
def replacing(*targets: str | os.PathLike) -> Iterator[tuple[Path, ...]]:
    """Temporary paths beside `targets` (same folder and suffix, the usual permissions) to write.

    When the block ends normally each temporary file is synced to disk and moved onto its target,
    in the order given. When it raises, every temporary file (and any file a library wrote beside
    one, e.g. ONNX external data) is removed and the targets are untouched."""
    paths = [Path(target) for target in targets]
    temps: list[Path] = []
    try:
        for target in paths:
            target.parent.mkdir(parents=True, exist_ok=True)
            temps.append(_temp_beside(target))
        yield tuple(temps)
        for tmp in temps:
            _sync(tmp)
        for tmp, target in zip(temps, paths):
            os.replace(tmp, target)
    except BaseException:
        _remove(temps)
        raise


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Call `write(handle)` on a temporary file beside `path`, then move it into place."""
    with replacing(path) as (tmp,), open(tmp, "wb") as handle:
        write(handle)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    atomic_write(path, lambda handle: handle.write(data))


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _temp_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}")
    os.close(fd)
    os.chmod(name, 0o666 & ~_UMASK)  # mkstemp makes private files; a saved file is an ordinary one
    return Path(name)


def _sync(path: Path) -> None:
    if not path.exists():  # a writer that wrote nothing by this name: os.replace will say so
        return
    fd = os.open(path, os.O_RDWR)  # writable: Windows syncs only handles open for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(temps: list[Path]) -> None:
    for tmp in temps:
        tmp.unlink(missing_ok=True)
        for extra in tmp.parent.glob(glob.escape(tmp.name) + "*"):
            extra.unlink(missing_ok=True)
