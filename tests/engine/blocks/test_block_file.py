"""`.layerlab-block` files: save a definition with its nested ones, import it into another project."""

from __future__ import annotations

import json

import pytest

from engine.blocks.block_file import import_block, load_block_file, save_block
from engine.errors import ProjectError
from engine.graph import Network
from engine.shapes import infer_shapes
from tests.engine.blocks.resnet import small_resnet


def test_a_block_file_holds_the_block_and_those_nested_in_it(tmp_path) -> None:
    net = small_resnet()
    path = save_block(net.library, "stage", tmp_path / "stage.layerlab-block")
    document = json.loads(path.read_text())
    assert document["kind"] == "layerlab-block" and document["block"] == "stage"
    assert [d["name"] for d in document["blocks"]] == ["basic", "stage"]
    library, name, problems = load_block_file(path)
    assert (library.names, name, problems) == (["basic", "stage"], "stage", [])


def test_importing_shares_identical_definitions_and_renames_different_ones(tmp_path) -> None:
    path = save_block(small_resnet().library, "stage", tmp_path / "stage.layerlab-block")
    same, name, _ = import_block(small_resnet(), path)
    assert name == "stage" and same.library.names == ["basic", "stage"]
    other = small_resnet()
    basic = other.library.definition("basic").network
    basic.set_param(basic.find("conv1"), "bias", True)  # now differs from the file's 'basic'
    imported, name, _ = import_block(other, path)
    assert name == "stage_2" and imported.library.names == ["basic", "stage", "basic_2", "stage_2"]
    stage2 = imported.library.definition("stage_2").network
    assert stage2.params_view(stage2.find("blocks"))["definition"] == "basic_2"
    assert other.library.names == ["basic", "stage"]  # the original is left alone
    assert infer_shapes(imported).ok


def test_an_empty_project_takes_a_block(tmp_path) -> None:
    path = save_block(small_resnet().library, "basic", tmp_path / "basic.layerlab-block")
    imported, name, problems = import_block(Network(), path)
    assert imported.library.names == ["basic"] and name == "basic" and problems == []


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not a readable block file"),
    ('{"format_version": 2, "graph": {}}', "not a LayerLab block file"),
    ('{"format_version": 9, "kind": "layerlab-block", "block": "b", "blocks": []}', "newer LayerLab"),
    ('{"format_version": 2, "kind": "layerlab-block", "block": "b", "blocks": []}', "its block 'b' cannot be used"),
])
def test_bad_block_files_are_refused_with_the_reason(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "bad.layerlab-block"
    path.write_text(content)
    with pytest.raises(ProjectError, match=message):
        load_block_file(path)
