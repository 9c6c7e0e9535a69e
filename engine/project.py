"""Project files: one versioned JSON document (`.layerlab`) holding the graph and sibling
sections for the dataset and the training settings. Weights never go into it."""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.atomic import atomic_write_text
from engine.blocks.block_file import definition_dict
from engine.blocks.definition import BlockLibrary
from engine.blocks.files import load_library, wire_problem
from engine.errors import GraphError, LayerLabError, ProjectError
from engine.graph import Edge, Network, NodeData
from engine.layers import get_spec

FORMAT_VERSION = 2
EXTENSION = ".layerlab"


def _add_block_library(document: dict) -> dict:
    """Format 2 adds the block library ('blocks', a list of definitions); older files have none."""
    document.setdefault("blocks", [])
    return document


# format_version N -> function turning a version-N document into version N+1.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: _add_block_library}


@dataclass
class Project:
    """A network plus the settings needed to train it."""

    network: Network = field(default_factory=Network)
    name: str = "Untitled"
    description: str = ""
    dataset: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)
    """What loading had to leave out (a broken block definition, a wire to a missing one), in words."""

    @property
    def blocks(self) -> BlockLibrary:
        """The block library: the network's own (`network.library`), made when first asked for."""
        if self.network.library is None:
            self.network.library = BlockLibrary()
        return self.network.library

    def to_dict(self) -> dict[str, Any]:
        """The document. A project without block definitions is written exactly as before blocks
        existed (format 1, no 'blocks' section), so older LayerLab versions still open it."""
        document = {"format_version": FORMAT_VERSION if len(self.blocks) else 1, "name": self.name,
                    "description": self.description, "graph": _graph_dict(self.network)}
        if len(self.blocks):
            document["blocks"] = [definition_dict(d) for d in self.blocks]
        return {**document, "dataset": self.dataset, "training": self.training}

    def snapshot(self) -> Project:
        """An independent copy to train or check while this one is edited: the network and the block
        definitions copied (same ids, no observers), the settings copied deeply, the same name,
        description and path."""
        network = self.network.copy()
        network.library = self.blocks.deep_copy()
        return Project(network=network, name=self.name, description=self.description,
                       dataset=copy.deepcopy(self.dataset), training=copy.deepcopy(self.training), path=self.path)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write atomically (temporary file, then replace)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ProjectError("This project has no file yet; choose where to save it.")
        try:
            atomic_write_text(target, self.to_json())
        except OSError as error:
            raise ProjectError(f"Cannot save '{target}': {error.strerror or error}.") from None
        self.path = target
        return target


def load_project(path: str | os.PathLike) -> Project:
    """Read a project file; any problem becomes one ProjectError naming the file and the problem."""
    path = Path(path)
    if path.is_dir():
        inside = " (a run's project is its project.layerlab)" if (path / "project.layerlab").is_file() else ""
        raise ProjectError(f"Cannot open '{path}': it is a folder; choose a .layerlab project file{inside}.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ProjectError(f"Cannot open '{path}': the file does not exist.") from None
    except OSError as error:
        raise ProjectError(f"Cannot open '{path}': {error.strerror or error}.") from None
    text = _text_of(data)
    if text is None:  # compressed, an image, weights, ...: not worth a decoder's message
        raise ProjectError(f"Cannot open '{path}': '{path.name}' is not a LayerLab project "
                           "(it is not a text file).")
    try:
        project = project_from_json(text)
    except LayerLabError as error:
        raise ProjectError(f"Cannot open '{path}': {error}") from None
    project.path = path
    return project


def _text_of(data: bytes) -> str | None:
    """The file's text (UTF-8, with or without a byte-order mark), or None for a binary file."""
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def project_from_json(text: str) -> Project:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProjectError(f"it is not valid JSON ({error.msg} at line {error.lineno}, "
                           f"column {error.colno}).") from None
    except RecursionError:
        raise ProjectError("it is not a LayerLab project (its JSON is nested too deeply to read).") from None
    except ValueError as error:  # a number of more digits than Python converts (4,300)
        raise ProjectError(f"it holds a value that cannot be read ({str(error).split(':')[0]}).") from None
    return project_from_dict(document)


def project_from_dict(document: Any) -> Project:
    document = migrate(document)
    graph = _field(document, "graph", dict, "the top level")
    problems: list[str] = []
    network = Network()
    network.library = load_library(document.get("blocks", []), problems)
    with network.bulk():
        _load_graph(network, graph, "'graph'", problems)
    return Project(network=network, name=str(document.get("name", "Untitled")),
                   description=str(document.get("description", "")),
                   dataset=_optional_section(document, "dataset"),
                   training=_optional_section(document, "training"), problems=problems)


def _graph_dict(net: Network) -> dict[str, list]:
    nodes = []
    for node_id in net.node_ids:
        node = net.node(node_id)
        nodes.append({"id": node.id, "type": node.type, "version": net.spec(node_id).version,
                      "name": node.name, "params": _jsonable(node.params),
                      "position": [round(node.position[0], 2), round(node.position[1], 2)]})
    edges = [{"source": e.source, "source_port": e.source_port, "target": e.target,
              "target_port": e.target_port} for e in net.edges()]
    return {"nodes": nodes, "edges": edges}


def _load_graph(network: Network, graph: dict, where: str, problems: list[str], place: str = "") -> None:
    """Add the nodes and edges of a 'graph' section; `place` starts each problem ('In block definition ...')."""
    for index, raw in enumerate(_field(graph, "nodes", list, where)):
        _add_node(network, raw, index)
    for index, raw in enumerate(_field(graph, "edges", list, where)):
        _add_edge(network, raw, index, problems, place)


def migrate(document: Any) -> dict:
    """Check the format version and bring an older document up to the current one."""
    if not isinstance(document, dict):
        raise ProjectError("it is not a LayerLab project (expected a JSON object at the top level).")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProjectError("it has no valid 'format_version'; is it a LayerLab project?")
    if version > FORMAT_VERSION:
        raise ProjectError(f"it was saved by a newer LayerLab (file format {version}; this version reads "
                           f"up to {FORMAT_VERSION}). Update LayerLab to open it.")
    while version < FORMAT_VERSION:
        if version not in MIGRATIONS:
            raise ProjectError(f"file format {version} is too old to read; no migration exists.")
        document = MIGRATIONS[version](dict(document))
        version += 1
        document["format_version"] = version
    return document


def _add_node(network: Network, raw: Any, index: int) -> None:
    where = f"node #{index + 1}"
    if not isinstance(raw, dict):
        raise ProjectError(f"{where} is not an object.")
    node_id = _field(raw, "id", str, where)
    where = f"node '{node_id}'"
    type_id = _field(raw, "type", str, where)
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise ProjectError(f"{where}: 'params' must be an object, not {type(params).__name__}.")
    position = raw.get("position", [0, 0])
    if (not isinstance(position, list) or len(position) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                       for v in position)):
        raise ProjectError(f"{where}: 'position' must be two finite numbers [x, y].")
    try:
        spec = get_spec(type_id)
        params = _migrate_params(spec, params, raw.get("version", spec.version), where)
        network.restore_node(NodeData(node_id, spec.type_id, str(raw.get("name", node_id)), params,
                                      (position[0], position[1])))
    except GraphError as error:
        raise ProjectError(f"{where}: {error}") from None


def _migrate_params(spec: Any, params: dict, version: Any, where: str) -> dict:
    if not isinstance(version, int) or version < 1:
        raise ProjectError(f"{where}: 'version' must be a positive whole number.")
    if version > spec.version:
        raise ProjectError(f"{where}: layer {spec.type_id} version {version} is newer than this LayerLab "
                           f"knows ({spec.version}); update LayerLab.")
    if version < spec.version and spec.migrate is not None:
        return spec.migrate(dict(params), version)
    return params


def _add_edge(network: Network, raw: Any, index: int, problems: list[str], place: str = "") -> None:
    """Wire one edge. A wire to a block whose definition is missing or lacks that port is left out
    (and said so in `problems`), so the rest of the project still loads."""
    where = f"edge #{index + 1}"
    if not isinstance(raw, dict):
        raise ProjectError(f"{where} is not an object.")
    edge = Edge(_field(raw, "source", str, where), _field(raw, "target", str, where),
                str(raw.get("source_port", "out")), str(raw.get("target_port", "in")))
    try:
        network.connect(edge.source, edge.target, edge.source_port, edge.target_port)
    except GraphError as error:
        problem = wire_problem(network, edge, error)
        if problem is None:
            raise ProjectError(f"{where} ({edge.source} -> {edge.target}): {error}") from None
        problems.append(place + problem)


def _field(container: dict, key: str, kind: type, where: str) -> Any:
    if key not in container:
        raise ProjectError(f"{where} is missing the field '{key}'.")
    value = container[key]
    if not isinstance(value, kind):
        raise ProjectError(f"in {where}, '{key}' must be a {kind.__name__}, not {type(value).__name__}.")
    return value


def _optional_section(document: dict, key: str) -> dict:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise ProjectError(f"the '{key}' section must be an object, not {type(value).__name__}.")
    return value


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
