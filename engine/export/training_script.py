"""`training_script` (.py): one standalone file that trains the model on the project's data with
the project's settings, under plain `python` or `torchrun` (DistributedDataParallel). It needs
only torch and torchvision.

The file is engine/export/train_template.py with its marked blocks filled in: the settings, the
model (as in the `python` export) and LayerLab's own loss, optimizer, schedule, step and
early-stopping code, copied verbatim so the script trains as LayerLab does.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

from engine.data import synthetic
from engine.data.schema import SettingsError
from engine.data.settings import SYNTHETIC, DatasetSettings
from engine.export import train_template
from engine.export.base import ExportError, ExportFormat, Outputs, Runner
from engine.export.codegen import CodegenError, class_name, model_source
from engine.export.python_code import import_file
from engine.export.source import ExportSource
from engine.training import device as device_code, early_stopping, losses, optim, steps
from engine.training.settings import TrainingSettings

SUPPORTED_SOURCES = ("mnist", "one_hot_8", "torchvision") + SYNTHETIC
KNOWN_SHAPES = {"mnist": (1, 28, 28), "one_hot_8": (8,), **{name: (2,) for name in SYNTHETIC}}
VIEW_ONLY = ("probe_every", "probe_samples", "histogram_bins")
"""Settings of LayerLab's live views; they do not change training and have no place in a script."""
NORMALIZATIONS = ("auto", "none", "unit", "channel", "standardize")

# The settings the script carries out. A setting added to LayerLab later is refused by name when it
# is not at its default, until the template learns it (never silently ignored).
TRAINING_KEYS = frozenset((
    "epochs", "max_steps", "batch_size", "drop_last", "optimizer", "lr", "momentum", "nesterov", "beta1", "beta2",
    "eps", "rms_alpha", "lbfgs_max_iter", "lbfgs_history", "lbfgs_line_search", "weight_decay", "l1", "grad_clip",
    "schedule", "step_size", "gamma", "power_t", "min_lr", "plateau_factor", "plateau_patience", "plateau_threshold",
    "eval_every", "early_stopping", "patience", "min_delta", "monitor", "restore_best", "eval_batch_size", "seed",
    "device", "amp", "workers", "log_every", "checkpoint_every", *VIEW_ONLY))
DATASET_KEYS = frozenset((
    "source", "task", "path", "name", "download", "samples", "noise", "classes", "validation_split", "test_split",
    "subset", "test_subset", "normalize", "label_column", "image_size", "grayscale", "seed", "augment"))
AUGMENT_KEYS = frozenset(("translate", "scale", "rotate", "noise", "elastic", "hflip", "hue"))

_ENGINE_CODE = ((losses, ("make_loss", "make_correct")),
                (optim, ("split_decay", "build_optimizer", "Schedule")),
                (steps, ("make_step",)),
                (early_stopping, ("BestTracker",)),
                (device_code, ("amp_context",)))
_SYNTHETIC_CODE = (synthetic, ("make_points", "_split_counts", "_spiral", "_circles", "_xor", "_blobs", "_moons",
                               "one_hot_8"))


_ENGINE_HEADER = (
    "from typing import Any, Callable\n\n"
    "# Names used in the type hints of LayerLab's code below.\n"
    "LossFn = CorrectFn = StepFn = Callable\n"
    "TrainingSettings = SimpleNamespace  # the TRAINING dict, read as attributes\n\n\n")
_NOT_SYNTHETIC = "make_points = one_hot_8 = None  # generators of synthetic data; this project does not use them\n\n\n"


def settings_of(source: ExportSource) -> tuple[TrainingSettings, DatasetSettings]:
    """The project's settings, checked; anything the script cannot do is refused by name."""
    project = source.project
    try:
        training = TrainingSettings.from_dict(project.training)
        data = DatasetSettings.from_dict(project.dataset)
    except SettingsError as error:
        raise ExportError(f"The training_script format needs valid settings: {error}") from None
    _refuse_unknown("training", training.to_dict(), TrainingSettings().to_dict(), TRAINING_KEYS)
    _refuse_unknown("dataset", data.to_dict(), DatasetSettings().to_dict(), DATASET_KEYS)
    _refuse_unknown("dataset.augment", data.to_dict()["augment"], DatasetSettings().to_dict()["augment"],
                    AUGMENT_KEYS)
    if data.normalize not in NORMALIZATIONS:
        raise ExportError(f"The training_script format cannot express dataset.normalize '{data.normalize}' (it "
                          f"supports {', '.join(NORMALIZATIONS)}); train in LayerLab or choose another.")
    if data.normalize == "channel" and len(source.input_shape) != 3:
        raise ExportError("dataset.normalize 'channel' is for images (channels, height, width); the network's "
                          f"Input is {list(source.input_shape)}. Use standardize.")
    if data.source not in SUPPORTED_SOURCES:
        raise ExportError(f"The training_script format cannot express dataset.source '{data.source}' (it supports "
                          f"{', '.join(SUPPORTED_SOURCES)}); train in LayerLab or export the model as python.")
    if data.source == "torchvision" and (data.image_size or data.grayscale):
        setting = "dataset.image_size" if data.image_size else "dataset.grayscale"
        raise ExportError(f"The training_script format cannot express {setting} for torchvision datasets; "
                          "remove it or train in LayerLab.")
    expected = KNOWN_SHAPES.get(data.source)
    if expected is not None and tuple(source.input_shape) != expected:
        raise ExportError(f"dataset.source '{data.source}' gives samples of shape {list(expected)}, but the "
                          f"network's Input is {list(source.input_shape)}; set the Input shape to match.")
    return training, data


def _refuse_unknown(section: str, values: dict, defaults: dict, known: frozenset) -> None:
    for key, value in values.items():
        if key not in known and value != defaults.get(key):
            raise ExportError(f"The training_script format cannot express {section}.{key} = {value!r} yet; "
                              f"reset it to {defaults.get(key)!r} for the export or train in LayerLab.")


def render(source: ExportSource, target: Path) -> str:
    training, data = settings_of(source)
    project = source.project
    name = class_name(project.name)
    try:
        model = model_source(source.model, name, f"{project.name} (layers as in the LayerLab project).")
    except CodegenError as error:
        raise ExportError(f"The training_script format cannot write this model: {error}.") from None
    (output_id,) = project.network.nodes_of_type("Output")
    output = project.network.node(output_id).params
    settings_block = (f"TRAINING = {_literal(training.to_dict())}\n"
                      f"DATASET = {_literal(data.to_dict())}\n"
                      f"LOSS, LABEL_SMOOTHING = {output['loss']!r}, {output['label_smoothing']!r}\n"
                      f"INPUT_SHAPE = {tuple(source.input_shape)!r}\n")
    synthetic_data = data.source in SYNTHETIC + ("one_hot_8",)
    code_parts = list(_ENGINE_CODE) + ([_SYNTHETIC_CODE] if synthetic_data else [])
    engine_block = _ENGINE_HEADER + ("" if synthetic_data else _NOT_SYNTHETIC) + "\n\n\n".join(
        f"# From LayerLab {Path(module.__file__).relative_to(Path(module.__file__).parents[2])}\n"
        f"{inspect.getsource(getattr(module, item)).rstrip()}"
        for module, items in code_parts for item in items) + "\n"
    text = Path(train_template.__file__).read_text(encoding="utf-8")
    text = _fill(text, "DOC", _doc(source, target, training, data), inline=True)
    text = _fill(text, "SETTINGS", settings_block)
    text = _fill(text, "MODEL", f"{model}\n\n\nMODEL_CLASS = {name}\n")
    text = _fill(text, "ENGINE", engine_block)
    return _drop_template_note(text)


def _doc(source: ExportSource, target: Path, training: TrainingSettings, data: DatasetSettings) -> str:
    file = target.name
    where = ("--data DIR: the folder with the four MNIST IDX .gz files (LayerLab ships them in "
             "resources/datasets/mnist); without it they are looked for beside this script."
             if data.source == "mnist" else "--data DIR: the torchvision dataset root."
             if data.source == "torchvision" else f"The {data.source} data is generated by the script itself.")
    ignored = ", ".join(VIEW_ONLY)
    summary = (f"Trains the network on {data.source} ({data.task}) with the project's settings (TRAINING and "
               f"DATASET below: {training.optimizer}, lr {training.lr:g}, batch {training.batch_size}, "
               f"{training.epochs} epochs). Needs only torch and torchvision.")
    notes = (f"{where} Other options: --epochs N, --max-steps N, --subset N (a quick run), --device, --out DIR. "
             f"Writes weights.pt (a state dict LayerLab can import) and history.json to --out (default: "
             f"{target.stem}_run beside this file). Not used here (LayerLab's live views only): {ignored}.")
    return (f"{source.project.name}: training script written by LayerLab.\n\n{textwrap.fill(summary, 96)}\n\n"
            f"    python {file} [--data DIR]                          # one process\n"
            f"    torchrun --nproc_per_node=2 {file} [--data DIR]     # DistributedDataParallel\n\n"
            f"{textwrap.fill(notes, 96)}\n")


def _fill(text: str, name: str, content: str, inline: bool = False) -> str:
    if inline:
        return text.replace(f"<<{name}>>", content.rstrip("\n"), 1)
    pattern = re.compile(rf"^# <<{name}>>\n.*?^# <</{name}>>\n", re.S | re.M)
    if not pattern.search(text):
        raise ExportError(f"The training script template has no {name} block; reinstall LayerLab.")
    return pattern.sub(lambda _: content, text, count=1)


def _drop_template_note(text: str) -> str:
    return re.sub(r"^# This module is the template.*?\n(?=\n)", "", text, count=1, flags=re.S | re.M)


def _literal(value: dict) -> str:
    """A dict as Python source, one key per line."""
    items = "".join(f"    {k!r}: {v!r},\n" for k, v in value.items())
    return "{\n" + items + "}"


def write(source: ExportSource, out: Outputs) -> None:
    out.path.write_text(render(source, out.target), encoding="utf-8")


def load(source: ExportSource, out: Outputs) -> Runner:
    """The script's model class with the source's weights (the script itself trains from scratch)."""
    module = import_file(out.path, "layerlab_exported_training_script")
    model = module.MODEL_CLASS()
    model.load_state_dict(source.state_dict())
    return model.eval()


FORMAT = ExportFormat("training_script", ".py", "standalone training script (torch + torchvision; python or torchrun "
                      "with DistributedDataParallel)", write, load)
