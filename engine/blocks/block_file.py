"""`.layerlab-block` files: one block definition, with the definitions nested in it, to share between
projects. The document is a project's 'blocks' section with a header:
`{"format_version": 2, "kind": "layerlab-block", "block": name, "blocks": [nested first, ..., name]}`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from engine.atomic import atomic_write_text
from engine.blocks.definition import BlockDefinition, BlockLibrary
from engine.blocks.files import load_library
from engine.errors import ProjectError
from engine.graph import Network
from engine.layers.blocks import BLOCK

BLOCK_EXTENSION = ".layerlab-block"
KIND = "layerlab-block"


def definition_dict(definition: BlockDefinition) -> dict[str, Any]:
    """A definition as the project file writes it."""
    from engine.project import _graph_dict  # the project writer is built on engine.blocks

    return {"name": definition.name, "description": definition.description, "args": definition.args,
            "graph": _graph_dict(definition.network)}


def block_document(library: BlockLibrary, name: str) -> dict[str, Any]:
    """The `.layerlab-block` document of the definition `name` and those nested in it."""
    from engine.project import FORMAT_VERSION

    order: list[str] = []

    def visit(current: str) -> None:
        if current in order:
            return
        for used in sorted(library.definition(current).used_definitions()):
            if used in library and library.recursion(used) is None:
                visit(used)
        order.append(current)

    visit(library.definition(name).name)
    return {"format_version": FORMAT_VERSION, "kind": KIND, "block": name,
            "blocks": [definition_dict(library.definition(n)) for n in order]}


def save_block(library: BlockLibrary, name: str, path: str | os.PathLike) -> Path:
    target = Path(path)
    try:
        atomic_write_text(target, json.dumps(block_document(library, name), indent=2) + "\n")
    except OSError as error:
        raise ProjectError(f"Cannot save '{target}': {error.strerror or error}.") from None
    return target


def load_block_file(path: str | os.PathLike) -> tuple[BlockLibrary, str, list[str]]:
    """The definitions of a `.layerlab-block` file, the name of its block, and what was left out."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ProjectError(f"Cannot open '{path}': it is not a readable block file ({error}).") from None
    if not isinstance(document, dict) or document.get("kind") != KIND or not isinstance(document.get("block"), str):
        raise ProjectError(f"Cannot open '{path}': it is not a LayerLab block file.")
    from engine.project import migrate

    try:
        document = migrate(document)
        problems: list[str] = []
        library = load_library(document.get("blocks", []), problems)
    except ProjectError as error:
        raise ProjectError(f"Cannot open '{path}': {error}") from None
    name = document["block"]
    if name not in library:
        raise ProjectError(f"Cannot open '{path}': its block '{name}' cannot be used. {' '.join(problems)}")
    return library, name, problems


def import_block(network: Network, path: str | os.PathLike) -> tuple[Network, str, list[str]]:
    """The network with the block of a `.layerlab-block` file (and those nested in it) in a copy of
    its library; a definition of the same name that differs is renamed ('basic_2'), an identical one
    is shared. Returns the network, the block's name in it, and what was left out."""
    loaded, name, problems = load_block_file(path)
    outer, renamed = merge_definitions(network, loaded)
    return outer, renamed.get(name, name), problems


def merge_definitions(network: Network, loaded: BlockLibrary) -> tuple[Network, dict[str, str]]:
    """The network with the definitions of `loaded` (nested ones first) in a copy of its library: an
    identical definition of the same name is shared, a different one is renamed ('basic_2'). Returns
    the network and the renamings (old name -> new name)."""
    library = network.library.copy() if network.library is not None else BlockLibrary()
    renamed: dict[str, str] = {}
    for definition in loaded:  # nested definitions come first
        for node_id in definition.network.nodes_of_type(BLOCK):
            used = definition.network.params_view(node_id)["definition"]
            if used in renamed:
                definition.network.set_param(node_id, "definition", renamed[used])
        existing = library.get(definition.name)
        if existing is not None and definition_dict(existing) == definition_dict(definition):
            continue
        if existing is not None:
            renamed[definition.name] = definition.name = library.unique_name(definition.name)
        library.add(definition)
    outer = network.copy()
    outer.library = library
    return outer, renamed


def definitions_document(library: BlockLibrary, names: list[str]) -> list[dict[str, Any]]:
    """The definitions `names` and those nested in them, nested first, each once (for the clipboard)."""
    found: dict[str, dict[str, Any]] = {}
    for name in names:
        for entry in block_document(library, name)["blocks"]:
            found.setdefault(entry["name"], entry)
    return list(found.values())
