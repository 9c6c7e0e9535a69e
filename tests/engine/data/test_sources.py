"""Dataset sources: shipped MNIST, synthetic sets, CSV, NPZ, image folders, torchvision by name."""

import gzip

import numpy as np
import pytest
import torch

from engine.data import DatasetError, load_dataset, sources
from engine.data.idx import IdxError, read_idx, read_mnist
from engine.data.sources import MNIST_DIR


def test_shipped_mnist_has_60k_train_and_10k_test_digits():
    images = read_idx(MNIST_DIR / "train-images-idx3-ubyte.gz")
    labels = read_idx(MNIST_DIR / "t10k-labels-idx1-ubyte.gz")
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and set(np.unique(labels)) == set(range(10))
    data = load_dataset({"source": "mnist", "subset": 500, "test_subset": 100, "validation_split": 0.2})
    assert (len(data.train), len(data.val), len(data.test)) == (400, 100, 100)
    assert data.sample_shape == (1, 28, 28) and data.num_classes == 10
    assert data.train.x.dtype == torch.float32 and data.train.x.min() >= 0.0 and data.train.x.max() <= 1.0


def test_malformed_idx_files_name_the_file_and_the_problem(tmp_path):
    """The reader is torch-only (exported scripts embed it): IdxError, a ValueError."""
    bad = tmp_path / "bad.gz"
    bad.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x05ab"))
    with pytest.raises(IdxError, match=r"bad.gz.*truncated"):
        read_idx(bad)
    (tmp_path / "magic").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(IdxError, match=r"magic.*not an IDX file"):
        read_idx(tmp_path / "magic")
    with pytest.raises(IdxError, match="does not exist"):
        read_idx(tmp_path / "missing.gz")
    with pytest.raises(IdxError, match="does not exist"):
        read_mnist(tmp_path)


def test_broken_mnist_files_are_a_dataset_error_in_the_app(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MNIST_DIR", tmp_path)
    with pytest.raises(DatasetError, match=r"train-images-idx3-ubyte.gz.*does not exist"):
        load_dataset({"source": "mnist"})


@pytest.mark.parametrize("source", ["spiral", "circles", "xor", "blobs", "moons"])
def test_synthetic_sets_are_balanced_2d_and_seeded(source):
    settings = {"source": source, "samples": 300, "noise": 0.05, "classes": 3, "test_split": 0.0}
    data = load_dataset(settings)
    again = load_dataset(settings)
    other = load_dataset({**settings, "seed": 1})
    classes = 2 if source in ("xor", "moons") else 3
    assert data.train.x.shape == (300, 2) and data.num_classes == classes
    counts = torch.bincount(data.train.y, minlength=classes)
    assert counts.min() >= (300 // classes - 1 if source != "xor" else 100)
    assert torch.equal(data.train.x, again.train.x) and not torch.equal(data.train.x, other.train.x)


def test_one_hot_8_is_its_own_test_set():
    data = load_dataset({"source": "one_hot_8", "task": "reconstruction"})
    assert torch.equal(data.train.x[data.train.x.argmax(1).argsort()], torch.eye(8))
    assert len(data.test) == 8 and data.train.y is None and data.target_shape() == (8,)


def test_csv_with_header_label_column_and_standardized_features(tmp_path):
    path = tmp_path / "iris.csv"
    rows = ["a,b,species"] + [f"{i},{2 * i + 1},{'setosa' if i % 2 else 'virginica'}" for i in range(20)]
    path.write_text("\n".join(rows))
    data = load_dataset({"source": "csv", "path": str(path), "label_column": "species", "test_split": 0.25})
    assert data.class_names == ["setosa", "virginica"] and data.sample_shape == (2,)
    assert (len(data.train), len(data.test)) == (15, 5)
    assert torch.allclose(data.train.x.mean(0), torch.zeros(2), atol=1e-5)
    numeric = tmp_path / "line.csv"
    numeric.write_text("\n".join(["a,b"] + [f"{i},{2 * i + 1}" for i in range(10)]))
    regression = load_dataset({"source": "csv", "path": str(numeric), "label_column": "b", "task": "regression",
                               "test_split": 0.0})
    assert regression.train.y.dtype == torch.float32 and regression.target_shape() == (1,)


def test_csv_problems_name_the_line_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("x,y,label\n1,2,a\n3,oops,b\n")
    with pytest.raises(DatasetError, match=r"bad.csv' line 3, column 'y': 'oops' is not a number"):
        load_dataset({"source": "csv", "path": str(path)})
    with pytest.raises(DatasetError, match=r"no column 'kind'.*x, y, label"):
        load_dataset({"source": "csv", "path": str(path), "label_column": "kind"})
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset({"source": "csv", "path": str(tmp_path / "none.csv")})


def test_npz_with_own_test_arrays_and_errors(tmp_path):
    path = tmp_path / "data.npz"
    rng = np.random.default_rng(0)
    np.savez(path, X=rng.random((40, 3)).astype(np.float32), y=rng.integers(0, 4, 40),
             X_test=rng.random((10, 3)), y_test=rng.integers(0, 4, 10))
    data = load_dataset({"source": "npz", "path": str(path), "normalize": "none"})
    assert (len(data.train), len(data.test)) == (40, 10) and data.num_classes == 4
    np.savez(tmp_path / "nolabels.npz", X=np.zeros((5, 2)))
    with pytest.raises(DatasetError, match="has no array 'y'"):
        load_dataset({"source": "npz", "path": str(tmp_path / "nolabels.npz")})
    (tmp_path / "junk.npz").write_text("not a zip")
    with pytest.raises(DatasetError, match=r"junk.npz' as an .npz archive"):
        load_dataset({"source": "npz", "path": str(tmp_path / "junk.npz")})


def make_image_folder(root, per_class=6, size=(12, 10)):
    from PIL import Image

    for name, colour in (("cats", 40), ("dogs", 200)):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            Image.new("RGB", size, (colour, i * 10, 0)).save(root / name / f"{i}.png")
    return root


def test_image_folder_is_streamed_with_classes_from_subfolders(tmp_path):
    root = make_image_folder(tmp_path / "pets")
    data = load_dataset({"source": "image_folder", "path": str(root), "test_split": 0.25, "image_size": [8, 8]})
    assert not data.in_memory and data.class_names == ["cats", "dogs"] and data.sample_shape == (3, 8, 8)
    assert (len(data.train), len(data.test)) == (9, 3)
    x, y = data.train.stream[0]
    assert x.shape == (3, 8, 8) and x.dtype == torch.float32 and y in (0, 1)
    grey = load_dataset({"source": "image_folder", "path": str(root), "grayscale": True})
    assert grey.sample_shape == (1, 10, 12)
    with pytest.raises(DatasetError, match="is not a folder"):
        load_dataset({"source": "image_folder", "path": str(tmp_path / "nothing")})


def test_torchvision_by_name_explains_missing_files_and_unknown_names(tmp_path):
    with pytest.raises(DatasetError, match=r"Cannot load torchvision FashionMNIST.*dataset.download=true"):
        load_dataset({"source": "torchvision", "name": "FashionMNIST", "path": str(tmp_path)})
    with pytest.raises(DatasetError, match="torchvision has no dataset 'Fashion'"):
        load_dataset({"source": "torchvision", "name": "Fashion", "path": str(tmp_path)})


def test_torchvision_mnist_from_local_files(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for path in MNIST_DIR.glob("*.gz"):
        (raw / path.stem).write_bytes(gzip.decompress(path.read_bytes()))
    data = load_dataset({"source": "torchvision", "name": "MNIST", "path": str(tmp_path), "subset": 100,
                         "test_subset": 50})
    assert data.sample_shape == (1, 28, 28) and data.num_classes == 10 and len(data.test) == 50
    assert data.train.x.max() <= 1.0
