"""Dataset sources, splits, normalization and augmentation (no Qt)."""

from engine.data.dataset import Dataset, Split, load_dataset
from engine.data.idx import DatasetError
from engine.data.schema import SettingsError
from engine.data.settings import AugmentSettings, DatasetSettings

__all__ = ["AugmentSettings", "Dataset", "DatasetError", "DatasetSettings", "SettingsError", "Split",
           "load_dataset"]
