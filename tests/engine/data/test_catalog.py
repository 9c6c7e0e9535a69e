"""engine.data.catalog, the one declaration of the dataset sources: it matches the settings, the
loaders (each reads exactly the settings it declares), what loads, the CLI and docs/training.md."""

from __future__ import annotations

import dataclasses
import gzip
import json

import numpy as np
import pytest

from engine.cli.main import main as cli
from engine.data import catalog, doc_tables
from engine.data.settings import DatasetSettings
from engine.data.sources import LOADERS, MNIST_DIR
from tests.engine.data.test_sources import make_image_folder

FIELDS = {f.name for f in dataclasses.fields(DatasetSettings)}


class Recorder:
    """Settings that note which of them a loader reads."""

    def __init__(self, settings: DatasetSettings) -> None:
        self._settings, self.read = settings, set()

    def __getattr__(self, name: str):
        self.read.add(name)
        return getattr(self._settings, name)


def test_every_source_is_a_choice_with_a_loader_and_every_setting_is_read_by_some_source():
    assert tuple(catalog.SOURCES) == DatasetSettings.metadata("source")["choices"] == tuple(LOADERS)
    for source in catalog.SOURCES.values():
        assert set(source.settings()) <= FIELDS, source.name
        assert len(set(source.settings())) == len(source.settings()), source.name
    assert FIELDS - {"source"} == {name for s in catalog.SOURCES.values() for name in s.settings()}


def _files(tmp_path) -> dict[str, dict]:
    (tmp_path / "t.csv").write_text("a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
    np.savez(tmp_path / "d.npz", X=np.zeros((6, 3), np.float32), y=np.array([0, 1] * 3))
    raw = tmp_path / "tv" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for path in MNIST_DIR.glob("*.gz"):
        (raw / path.stem).write_bytes(gzip.decompress(path.read_bytes()))
    return {"csv": {"path": str(tmp_path / "t.csv")}, "npz": {"path": str(tmp_path / "d.npz")},
            "image_folder": {"path": str(make_image_folder(tmp_path / "pets"))},
            "torchvision": {"name": "MNIST", "path": str(tmp_path / "tv")}}


def test_each_loader_reads_exactly_the_settings_its_source_declares(tmp_path):
    given = _files(tmp_path)
    for name, source in catalog.SOURCES.items():
        settings = Recorder(DatasetSettings.from_dict({"source": name, **given.get(name, {})}))
        raw = LOADERS[name](settings)
        own = settings.read - set(catalog.COMMON) - {"source"}
        assert own == set(source.reads), name
        assert raw.has_test == source.own_test_set, name
        if source.sample_shape is not None:
            assert tuple(raw.sample_shape) == source.sample_shape, name
        if source.classes is not None:
            assert len(raw.class_names) == source.classes, name


def test_the_settings_checks_follow_the_declaration():
    with pytest.raises(Exception, match="needs an NPZ file: set dataset.path"):
        DatasetSettings.from_dict({"source": "npz"})
    with pytest.raises(Exception, match="has class labels"):
        DatasetSettings.from_dict({"source": "image_folder", "path": "x", "task": "regression"})
    DatasetSettings.from_dict({"source": "npz", "path": "x.npz", "task": "regression"})
    # one_hot_8 has a test set of its own, so its test_split cannot starve the training split
    DatasetSettings.from_dict({"source": "one_hot_8", "validation_split": 0.5, "test_split": 0.5})
    with pytest.raises(Exception, match="leave almost no training samples"):
        DatasetSettings.from_dict({"source": "spiral", "validation_split": 0.5, "test_split": 0.5})


def test_data_names_and_paths_that_suit_a_source():
    assert catalog.data_name("mnist", {}) == "MNIST"
    assert catalog.data_name("csv", {"path": "data/iris.csv/"}) == "iris.csv"
    assert catalog.data_name("torchvision", {"name": "CIFAR10", "path": "/data"}) == "CIFAR10"
    assert catalog.data_name("spiral", {"path": "x.csv"}) == "spiral"
    assert catalog.path_suits("csv", "a/b.csv", False) and not catalog.path_suits("csv", "a/b.npz", False)
    assert catalog.path_suits("npz", "b.npz", False) and not catalog.path_suits("npz", "a/b.csv", False)
    assert catalog.path_suits("image_folder", "a/pets", False)
    assert not catalog.path_suits("image_folder", "b.csv", False)
    assert not catalog.path_suits("csv", "a/pets", True) and not catalog.path_suits("mnist", "a", True)


def test_the_cli_lists_each_sources_settings_from_the_declaration(capsys):
    assert cli(["datasets", "--json"]) == 0
    rows = {row["source"]: row for row in json.loads(capsys.readouterr().out)}
    assert {name: tuple(row["settings"]) for name, row in rows.items()} == \
        {name: s.reads for name, s in catalog.SOURCES.items()}


def test_the_sources_table_in_docs_training_md_is_the_generated_one():
    text = doc_tables.DOC.read_text(encoding="utf-8")
    assert doc_tables.render(text) == text, "run python -m engine.data.doc_tables"
    assert "| `xor` | 2-D points labeled by the sign of x*y (two classes) | `samples`, `noise` |" in text


def test_the_generator_rewrites_only_the_marked_block(tmp_path):
    doc = tmp_path / "training.md"
    doc.write_text(f"before\n{doc_tables.BEGIN}\n| stale |\n{doc_tables.END}\nafter\n", encoding="utf-8")
    assert doc_tables.main(["--check", "--file", str(doc)]) == 1
    assert doc_tables.main(["--file", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith(f"{doc_tables.END}\nafter\n") and "stale" not in text
    assert doc_tables.main(["--check", "--file", str(doc)]) == 0
    doc.write_text("no markers", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        doc_tables.main(["--file", str(doc)])
