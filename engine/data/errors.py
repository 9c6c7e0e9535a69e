"""DatasetError: what LayerLab says when a dataset source is missing, malformed or does not fit."""

from __future__ import annotations

from engine.errors import LayerLabError


class DatasetError(LayerLabError):
    """A dataset source is missing, malformed or does not fit the task."""
