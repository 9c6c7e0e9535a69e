"""Blocks in project files: round trips, older files, and broken block input that still loads."""

from __future__ import annotations

import json

import pytest

from engine.compiler import compile_network
from engine.project import FORMAT_VERSION, Project, project_from_dict, project_from_json
from engine.shapes import infer_shapes
from tests.conftest import SAMPLES
from tests.engine.blocks.resnet import small_resnet


def _resnet_document() -> dict:
    return Project(small_resnet(), "small resnet").to_dict()


def test_a_project_with_blocks_round_trips() -> None:
    project = Project(small_resnet(), "small resnet")
    document = project.to_dict()
    assert document["format_version"] == FORMAT_VERSION == 2
    assert [d["name"] for d in document["blocks"]] == ["basic", "stage"]
    assert document["blocks"][0]["args"] == {"channels": 8, "stride": 1}
    again = project_from_json(project.to_json())
    assert again.to_dict() == document and again.problems == []
    assert again.network.library is again.blocks
    assert set(compile_network(again.network).state_dict()) == set(compile_network(project.network).state_dict())


def test_nested_definitions_load_before_the_definitions_using_them() -> None:
    document = _resnet_document()
    document["blocks"].reverse()  # 'stage' (which uses 'basic') first
    project = project_from_dict(document)
    assert project.problems == [] and project.blocks.names == ["basic", "stage"]
    assert infer_shapes(project.network).ok


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_loads_unchanged_in_both_formats(path) -> None:
    old = json.loads(path.read_text())
    project = project_from_dict(json.loads(path.read_text()))
    assert project.problems == [] and project.to_dict() == old
    if "blocks" in old:  # a sample built from blocks (resnet_mnist, vgg_mnist): format 2, only what it uses
        assert old["format_version"] == 2 and len(project.blocks) == len(old["blocks"]) > 0
        assert set(project.blocks.names) == {n for d in project.blocks for n in d.used_definitions()} | {
            project.network.params_view(b)["definition"] for b in project.network.nodes_of_type("Block")}
        assert infer_shapes(project.network).ok
        return
    assert old["format_version"] == 1 and len(project.blocks) == 0  # no blocks: written as before
    upgraded = project_from_dict({**old, "format_version": 2, "blocks": []})
    assert upgraded.to_dict() == old


def test_a_missing_definition_leaves_its_wires_out_and_names_the_block() -> None:
    document = _resnet_document()
    document["blocks"] = [d for d in document["blocks"] if d["name"] != "stage"]
    project = project_from_dict(document)
    assert any("Block 'stage2' uses the definition 'stage', which is missing" in p for p in project.problems)
    stage2 = project.network.find("stage2")
    assert project.network.in_edges(stage2) == [] and len(project.network) == 8
    assert "its definition 'stage' is missing" in infer_shapes(project.network).error_for(stage2)


def test_a_recursive_definition_is_left_out_and_the_rest_loads() -> None:
    document = _resnet_document()
    stage = document["blocks"][1]
    inner = next(n for n in stage["graph"]["nodes"] if n["type"] == "Block")
    inner["params"]["definition"] = "stage"
    project = project_from_dict(document)
    assert any("Block definition 'stage' contains itself (stage › stage)" in p for p in project.problems)
    assert project.blocks.names == ["basic"]
    analysis = infer_shapes(project.network)
    assert analysis.error_for(project.network.find("stage1")) is None


def test_ports_that_do_not_match_are_named() -> None:
    document = _resnet_document()
    wire = next(e for e in document["graph"]["edges"] if e["target_port"] == "in" and e["source_port"] == "out"
                and any(n["id"] == e["target"] and n["type"] == "Block" for n in document["graph"]["nodes"]))
    wire["target_port"] = "in_x"
    project = project_from_dict(document)
    (problem,) = project.problems
    assert "its definition 'basic' has no input port 'in_x' (its inputs: in)" in problem


def test_a_broken_definition_is_left_out_with_the_reason() -> None:
    document = _resnet_document()
    document["blocks"][0]["graph"]["nodes"][1]["type"] = "Conv9d"
    document["blocks"].append({"description": "no name"})
    project = project_from_dict(document)
    assert any(p.startswith("Block definition 'basic' cannot be read (node 'n2': Unknown layer type 'Conv9d'")
               for p in project.problems)
    assert "Block definition #3 has no name, so it is left out." in project.problems
    assert project.blocks.names == ["stage"]


def test_a_snapshot_copies_the_definitions() -> None:
    project = Project(small_resnet())
    snapshot = project.snapshot()
    assert snapshot.to_dict() == project.to_dict()
    basic = project.blocks.definition("basic").network
    basic.set_param(basic.find("conv1"), "kernel", 5)
    assert snapshot.to_dict() != project.to_dict()
    assert snapshot.blocks.definition("stage").network.library is snapshot.blocks
