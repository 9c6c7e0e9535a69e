"""Which packages go where (the rest of the configuration is in pyproject.toml).

A wheel (`pip install .`, `pip wheel .`, `python -m build`) lays out site-packages/layerlab/ like the
checkout: layerlab/engine, layerlab/gui, layerlab/resources, layerlab/sample_projects, with
layerlab/__init__.py (the console script) putting that folder on sys.path. An editable install
(`pip install -e .`) maps `engine`, `gui` and `layerlab` to the checkout as they are, so
`python benchmarks/...` and `python -m engine` keep importing the checkout. docs/packaging.md says why."""

from __future__ import annotations

import sys

from setuptools import find_namespace_packages, find_packages, setup

CODE = find_packages(include=["engine", "engine.*", "gui", "gui.*"])
DATA = find_namespace_packages(include=["resources", "resources.*", "sample_projects", "sample_projects.*"])


def editable() -> bool:
    """setuptools runs this file with the `editable_wheel` command for `pip install -e`."""
    return "editable_wheel" in sys.argv


if editable():
    setup(packages=["layerlab", *CODE])
else:
    setup(packages=["layerlab", *(f"layerlab.{name}" for name in CODE + DATA)],
          package_dir={f"layerlab.{top}": top for top in ("engine", "gui", "resources", "sample_projects")},
          package_data={f"layerlab.{name}": ["*"] for name in DATA})
