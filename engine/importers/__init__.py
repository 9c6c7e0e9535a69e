"""Start from a known architecture (torchvision, via torch.fx) and load weights into a project
from safetensors or weights-only state dicts, never running code from a file."""

from engine.importers.torchvision_import import (
                                                 DEFAULT_INPUT_SHAPE,
                                                 ImportRefused,
                                                 ImportResult,
                                                 import_module,
                                                 import_torchvision,
                                                 parse_source,
                                                 torchvision_names,
)
from engine.importers.weights import (
                                                 WeightsError,
                                                 WeightsReport,
                                                 load_weights,
                                                 load_weights_file,
                                                 normalize_key,
                                                 read_weights,
)

__all__ = ["DEFAULT_INPUT_SHAPE", "ImportRefused", "ImportResult", "WeightsError", "WeightsReport", "import_module",
           "import_torchvision", "load_weights", "load_weights_file", "normalize_key", "parse_source",
           "read_weights", "torchvision_names"]
