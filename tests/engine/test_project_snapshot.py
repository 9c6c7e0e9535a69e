"""Project.snapshot() (what a run trains) and Network.architecture() (whether its weights still fit)."""

from __future__ import annotations

from engine.builder import NetworkBuilder
from engine.project import Project


def small_project() -> Project:
    b = NetworkBuilder()
    x = b.add("Input", shape=[4])
    x = b.chain(x, ("Dense", {"units": 3}, "hidden"), ("ReLU",), ("Dense", {"units": 2}, "scores"))
    b.add("Output", x)
    return Project(b.finish(), "small", "notes", {"source": "blobs", "augment": {"flip": True}},
                   {"optimizer": "adam", "lr": 0.01}, path=None)


def test_a_snapshot_is_independent_of_later_edits():
    project = small_project()
    snapshot = project.snapshot()
    assert snapshot.to_dict() == project.to_dict() and snapshot.path == project.path
    hidden = project.network.find("hidden")
    project.network.set_param(hidden, "units", 5)
    project.network.move(hidden, (300.0, 40.0))
    project.dataset["augment"]["flip"] = False
    project.training["lr"] = 0.5
    assert snapshot.network.node(hidden).params["units"] == 3
    assert snapshot.network.node(hidden).position != (300.0, 40.0)
    assert snapshot.dataset["augment"] == {"flip": True} and snapshot.training["lr"] == 0.01


def test_moving_cards_keeps_the_architecture_other_edits_change_it():
    network = small_project().network
    before = network.architecture()
    hidden, scores = network.find("hidden"), network.find("scores")
    network.move(hidden, (500.0, 500.0))
    assert network.architecture() == before
    network.set_param(hidden, "units", 4)
    assert network.architecture() != before
    network.set_param(hidden, "units", 3)
    assert network.architecture() == before
    network.rename(scores, "logits")  # the weights are keyed by the layer's name
    assert network.architecture() != before
    network.rename(scores, "scores")
    (wire,) = network.in_edges(scores)
    network.disconnect(wire)
    assert network.architecture() != before
    network.connect(wire.source, wire.target, wire.source_port, wire.target_port)
    assert network.architecture() == before
