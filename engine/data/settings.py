"""The project's `dataset` section as a typed, checked dataclass.

    settings = DatasetSettings.from_dict(project.dataset)   # SettingsError names a bad key
    project.dataset = settings.to_dict(only_changed=True)
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.data import catalog
from engine.data.schema import SettingsBase, SettingsError, setting

SOURCES = tuple(catalog.SOURCES)  # the names; what each source is and reads: engine.data.catalog
TASKS = ("classification", "regression", "reconstruction")
NORMALIZATIONS = ("auto", "none", "unit", "channel", "standardize")


@dataclass
class AugmentSettings(SettingsBase):
    """Random changes to training samples (torchvision.transforms.v2); 0 or false turns one off."""

    SECTION = "dataset.augment"
    translate: float = setting(0.0, "Random shift as a share of the image size (0.1 = up to 10%).",
                               minimum=0.0, maximum=0.5, example=0.1, meaning="a share of the image size")
    scale: float = setting(0.0, "Random zoom range (0.1 = between 90% and 110%).", minimum=0.0, maximum=0.9,
                           example=0.1, meaning="0.1 zooms between 90% and 110%")
    rotate: float = setting(0.0, "Random rotation up to this many degrees either way.", minimum=0.0,
                            maximum=180.0, example=10, label="Rotate", meaning="degrees either way")
    noise: float = setting(0.0, "Standard deviation of added Gaussian noise.", minimum=0.0, maximum=10.0,
                           example=0.05)
    elastic: float = setting(0.0, "Elastic deformation strength (displacement in pixels, e.g. 30).",
                             minimum=0.0, maximum=500.0, example=30)
    hflip: bool = setting(False, "Flip images left-right at random (not for digits!).", label="Flip left-right")
    hue: float = setting(0.0, "Random hue shift (colour images only), up to 0.5.", minimum=0.0, maximum=0.5,
                         example=0.05)

    @property
    def active(self) -> bool:
        return any((self.translate, self.scale, self.rotate, self.noise, self.elastic, self.hflip, self.hue))


@dataclass
class DatasetSettings(SettingsBase):
    """Where the samples come from, how they are split and prepared. Which source reads which of
    these settings is declared in engine.data.catalog."""

    SECTION = "dataset"
    source: str = setting("mnist", "Where the samples come from: MNIST (shipped), a synthetic set, or your own "
                          "data (a CSV or NPZ file, an image folder, a torchvision set).", choices=SOURCES)
    task: str = setting("classification", "classification (class labels), regression (numeric targets) or "
                        "reconstruction (the target is the input, for autoencoders).", choices=TASKS)
    path: str = setting("", "File or folder for csv, npz and image_folder; the root folder for torchvision "
                        "(default: ~/.cache/layerlab/torchvision).", example="data/iris.csv",
                        label="File or folder")
    name: str = setting("", "torchvision dataset class, e.g. FashionMNIST or CIFAR10.", example="FashionMNIST",
                        label="Dataset name")
    download: bool = setting(False, "Let torchvision download the dataset when its files are missing.",
                             label="Allow download")
    samples: int = setting(1000, "Number of points to generate.", minimum=4, maximum=10_000_000)
    noise: float = setting(0.1, "Amount of noise added to the points.", minimum=0.0, maximum=10.0)
    classes: int = setting(2, "Number of classes (spiral arms, rings, blobs).", minimum=2, maximum=100)
    validation_split: float = setting(0.0, "Share of the training samples held out for validation "
                                      "(early stopping, best weights).", minimum=0.0, maximum=1.0, example=0.1,
                                      meaning="a share of the training data",
                                      special={0: "no validation set"})
    test_split: float = setting(0.2, "Share held out for testing when the source has no test set of its own.",
                                minimum=0.0, maximum=1.0, example=0.2, meaning="a share of all samples",
                                special={0: "no test set"})
    subset: int | None = setting(None, "Use at most this many training samples (quick experiments).",
                                 minimum=1, example=2000, special={None: "off: every training sample"})
    test_subset: int | None = setting(None, "Use at most this many test samples.", minimum=1, example=1000,
                                      special={None: "off: every test sample"})
    normalize: str = setting("auto", "auto (images to [0, 1], tables standardized, points unchanged), none, "
                             "unit (divide 8-bit values by 255), channel (images: zero mean, unit variance per "
                             "channel) or standardize (zero mean, unit variance per feature); statistics come "
                             "from the training split.", choices=NORMALIZATIONS)
    label_column: str = setting("", "The CSV file's label/target column, by name or number (default: the last).",
                                example="species", special={"": "the last column"})
    image_size: list[int] | None = setting(None, "Resize every image to [height, width].", minimum=1, example=[32, 32],
                                           special={None: "off: images keep their size"})
    grayscale: bool = setting(False, "Convert images to one grey channel.")
    seed: int = setting(0, "Seed for synthetic data, the splits and the subset.", minimum=0)
    augment: AugmentSettings = setting(AugmentSettings(), "Random changes to training samples; 0 (or unticked) "
                                       "turns each one off.", label="Augmentation")

    def validate(self) -> None:
        source = catalog.source(self.source)
        needed = source.required
        if needed is not None and not getattr(self, needed.setting):
            key = f"dataset.{needed.setting}"
            raise SettingsError(f"dataset.source '{self.source}' needs {needed.what}: set {key} (for example "
                                f"{key}={needed.example}).", key=key,
                                problem=f"is empty: the {self.source} source needs {needed.what}", fix=needed.fix,
                                value="", kind="missing")
        if self.image_size is not None and len(self.image_size) != 2:
            raise SettingsError(f"'dataset.image_size' must be [height, width], not {self.image_size}.",
                                key="dataset.image_size", problem="must be two numbers: height, width",
                                fix="for example 32, 32", value=self.image_size, kind="type")
        test_split = 0.0 if source.own_test_set else self.test_split
        if self.validation_split + test_split >= 0.95:
            both = test_split > 0
            raise SettingsError("dataset.validation_split and dataset.test_split together leave almost no "
                                "training samples; lower one of them.", key="dataset.validation_split",
                                problem="and test split together leave almost no training samples" if both else
                                "leaves almost no training samples", fix="lower " + ("one of them" if both else "it"),
                                value=self.validation_split, kind="combination")
        if self.task == "regression" and not source.numeric_targets:
            raise SettingsError(f"dataset.source '{self.source}' has class labels, not numeric targets: use "
                                "dataset.task=classification (or reconstruction), or a csv/npz file.",
                                key="dataset.task", problem=f"cannot be regression with {self.source}: its samples "
                                "have class labels, not numeric targets",
                                fix="choose classification (or reconstruction), or use a CSV or NPZ file",
                                value=self.task, kind="combination")
