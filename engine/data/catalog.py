"""The dataset sources LayerLab knows, declared once: what each one is, which dataset settings it
reads, what it cannot do without, and what is known of it before it is loaded.

Plain data (no torch): the settings checks (engine.data.settings), the loaders
(engine.data.sources), the training panel (which fields it shows), `layerlab datasets` and the
table in docs/training.md (`python -m engine.data.doc_tables`) all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

COMMON = ("task", "validation_split", "subset", "test_subset", "normalize", "seed", "augment")
"""The settings every source reads: what is done with the samples once loaded (the splits,
subsets, normalization and augmentation)."""


@dataclass(frozen=True)
class Required:
    """A setting a source cannot do without, and how to ask for it: `what` it names in words
    ('a CSV file'), an `example` value, and the `fix` in plain words."""

    setting: str
    what: str
    example: str
    fix: str


@dataclass(frozen=True)
class PathKind:
    """What dataset.path names for a source: a file (with its `suffix` and the file dialog's
    `filter`) or a folder; `title` is the dialog's title."""

    folder: bool
    title: str
    suffix: str = ""
    filter: str = ""


@dataclass(frozen=True)
class Source:
    """One dataset source. `reads`: the settings of its own (beyond COMMON, and test_split when
    it has no test set of its own); `numeric_targets`: it can give numeric targets (regression);
    `in_memory`: loaded whole (else read from disk per batch); `sample_shape` and `classes`:
    known before loading (None when the data decides)."""

    name: str
    description: str
    reads: tuple[str, ...] = ()
    own_test_set: bool = False
    numeric_targets: bool = False
    in_memory: bool = True
    required: Required | None = None
    path: PathKind | None = None
    sample_shape: tuple[int, ...] | None = None
    classes: int | None = None
    label: str = ""
    """How a person calls the data when no setting names it ('MNIST'); default: the name."""

    def settings(self) -> tuple[str, ...]:
        """Every dataset setting this source reads (`source` aside), in the form's order."""
        return (*COMMON, *(() if self.own_test_set else ("test_split",)), *self.reads)


_POINTS = ("samples", "noise", "classes")
_IMAGES = ("image_size", "grayscale")

SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("mnist", "MNIST handwritten digits shipped with LayerLab (60,000 train / 10,000 test, 1x28x28)",
           own_test_set=True, sample_shape=(1, 28, 28), classes=10, label="MNIST"),
    Source("spiral", "interleaved 2-D spirals, one arm per class", _POINTS, sample_shape=(2,)),
    Source("circles", "concentric 2-D rings, one per class", _POINTS, sample_shape=(2,)),
    Source("xor", "2-D points labeled by the sign of x*y (two classes)", ("samples", "noise"), sample_shape=(2,),
           classes=2),
    Source("blobs", "Gaussian 2-D clusters, one per class", _POINTS, sample_shape=(2,)),
    Source("moons", "two interleaving 2-D half circles", ("samples", "noise"), sample_shape=(2,), classes=2),
    Source("one_hot_8", "the eight 8-bit one-hot vectors (8-3-8 encoder)", own_test_set=True,
           sample_shape=(8,), classes=8),
    Source("torchvision", "a torchvision dataset by class name (FashionMNIST, CIFAR10, ...), local files or "
           "download", ("name", "path", "download", *_IMAGES), own_test_set=True, numeric_targets=True,
           required=Required("name", "a dataset class name", "FashionMNIST",
                             "type one, for example FashionMNIST or CIFAR10"),
           path=PathKind(True, "Choose the folder of the torchvision data sets")),
    Source("image_folder", "a folder with one sub-folder of images per class (read from disk per batch)",
           ("path", *_IMAGES), in_memory=False,
           required=Required("path", "an image folder", "data/images", "choose an image folder"),
           path=PathKind(True, "Choose an image folder (one sub-folder per class)")),
    Source("csv", "a CSV file: numeric feature columns and one label (or target) column", ("path", "label_column"),
           numeric_targets=True, required=Required("path", "a CSV file", "data/my_data.csv", "choose a CSV file"),
           path=PathKind(False, "Choose a data file", ".csv", "CSV files (*.csv)")),
    Source("npz", "a NumPy .npz archive with arrays X and y (optional X_test, y_test)", ("path",),
           numeric_targets=True, required=Required("path", "an NPZ file", "data/my_data.npz", "choose an NPZ file"),
           path=PathKind(False, "Choose a data file", ".npz", "NumPy archives (*.npz)")),
)}


def source(name: str) -> Source:
    """The declaration of one source (KeyError for an unknown name: settings checks come first)."""
    return SOURCES[name]


def reads(name: str, setting: str) -> bool:
    """Whether source `name` reads dataset setting `setting` (a top-level key, e.g. 'noise');
    False for a name that is no source (e.g. '' while none is chosen)."""
    return name in SOURCES and setting in SOURCES[name].settings()


def path_suits(name: str, path: str, is_dir: bool) -> bool:
    """Whether a path chosen for another source can serve source `name`: a folder (or a name
    without a suffix) for a folder source, a file whose suffix no other file source claims for a
    file source."""
    kind = SOURCES[name].path
    if kind is None:
        return False
    suffix = PurePath(path).suffix.lower()
    if kind.folder:
        return is_dir or not suffix
    others = {s.path.suffix for s in SOURCES.values() if s.path and not s.path.folder and s.name != name}
    return not is_dir and suffix not in others


def data_name(name: str, values: dict) -> str:
    """How a person calls the chosen data: MNIST, FashionMNIST, spiral, iris.csv, ... (`values`:
    the dataset settings by key)."""
    src = SOURCES[name]
    given = values.get(src.required.setting) if src.required else None
    if given:
        return str(given).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] if src.required.setting == "path" \
            else str(given)
    return src.label or name
