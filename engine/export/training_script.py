"""`training_script` (.py): one standalone file that trains the model on the project's data with
the project's settings, under plain `python` or `torchrun` (DistributedDataParallel). It needs
only torch and torchvision.

The file is engine/export/train_template.py with its marked blocks filled in: the settings, the
model (as in the `python` export) and LayerLab's torch-only modules (EMBEDDED: reading MNIST,
synthetic data, splits and normalization, augmentation, device choice, losses, optimizers and
schedules, the step, early stopping, DDP, batching, evaluation and the epoch loop), copied whole,
so the script trains as LayerLab's Trainer does: the same seed gives the same weights.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path
from types import ModuleType

from engine.data import augment, catalog, idx, splits, synthetic, torchvision_sets
from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.export.base import ExportError, ExportFormat, Outputs, Runner
from engine.export.codegen import CodegenError, class_name, model_source
from engine.export.python_code import import_file
from engine.export.source import ExportSource
from engine.training import (
    batching,
    device,
    distributed,
    early_stopping,
    evaluate,
    graphed_step,
    loop,
    losses,
    optim,
    steps,
)
from engine.training.settings import TrainingSettings

TEMPLATE = Path(__file__).with_name("train_template.py")
EMBEDDED: tuple[ModuleType, ...] = (idx, synthetic, torchvision_sets, splits, augment, losses, optim, steps,
                                    graphed_step, early_stopping, device, distributed, batching, evaluate, loop)
"""LayerLab's torch-only modules, in the order they are embedded (each after those it imports).
They import nothing of LayerLab but each other (TYPE_CHECKING blocks aside), so that the script
holds the very code the app trains with."""
ALLOWED_PACKAGES = ("numpy", "torch", "torchvision")
"""What embedded code may import besides the standard library and the other embedded modules."""

SUPPORTED_SOURCES = ("mnist", "one_hot_8", "torchvision", "spiral", "circles", "xor", "blobs", "moons")
"""The sources the template's load_data can load (not the user's own files)."""
VIEW_ONLY = ("probe_every", "probe_samples", "histogram_bins", "snapshot_every")
"""Settings of LayerLab's live views and Play panel (probes, weight snapshots); they do not change
training and have no place in a script."""
NORMALIZATIONS = ("auto", "none", "unit", "channel", "standardize")

# The settings the script carries out. A setting added to LayerLab later is refused by name when it
# is not at its default, until the template learns it (never silently ignored).
TRAINING_KEYS = frozenset((
    "epochs", "max_steps", "batch_size", "drop_last", "optimizer", "lr", "momentum", "nesterov", "beta1", "beta2",
    "eps", "rms_alpha", "lbfgs_max_iter", "lbfgs_history", "lbfgs_line_search", "weight_decay", "l1", "grad_clip",
    "schedule", "step_size", "gamma", "power_t", "min_lr", "plateau_factor", "plateau_patience", "plateau_threshold",
    "eval_every", "early_stopping", "patience", "min_delta", "monitor", "restore_best", "eval_batch_size", "seed",
    "device", "amp", "cuda_graphs", "workers", "log_every", "checkpoint_every", *VIEW_ONLY))
DATASET_KEYS = frozenset((
    "source", "task", "path", "name", "download", "samples", "noise", "classes", "validation_split", "test_split",
    "subset", "test_subset", "normalize", "label_column", "image_size", "grayscale", "seed", "augment"))
AUGMENT_KEYS = frozenset(augment.AUGMENTATIONS)

_ENGINE_HEADER = ("# The training settings in LayerLab's type hints are the TRAINING dict, read as attributes.\n"
                  "TrainingSettings = SimpleNamespace\n")


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
    try:
        augment.augmentation(data.augment, tuple(source.input_shape))
    except augment.AugmentError as error:
        raise ExportError(f"The training_script format cannot train with this dataset.augment: {error}") from None
    expected = catalog.source(data.source).sample_shape
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
        model = model_source(source.model, name, f"{project.name} (layers as in the LayerLab project).",
                             source.project.network)
    except CodegenError as error:
        raise ExportError(f"The training_script format cannot write this model: {error}.") from None
    (output_id,) = project.network.nodes_with_role("output")
    output = project.network.node(output_id).params
    settings_block = (f"TRAINING = {_literal(training.to_dict())}\n"
                      f"DATASET = {_literal(data.to_dict())}\n"
                      f"LOSS, LABEL_SMOOTHING = {output['loss']!r}, {output['label_smoothing']!r}\n"
                      f"INPUT_SHAPE = {tuple(source.input_shape)!r}\n")
    text = TEMPLATE.read_text(encoding="utf-8")
    template_imports = _block(text, "IMPORTS")
    imports, bodies = _Imports(), []
    imports.add_source(template_imports)
    for module in EMBEDDED:
        module_imports, body = embedded_code(module)
        imports.add(module_imports)
        bodies.append(body)
    text = _fill(text, "DOC", _doc(source, target, training, data), inline=True)
    text = _fill(text, "IMPORTS", imports.render())
    text = _fill(text, "SETTINGS", settings_block)
    text = _fill(text, "MODEL", f"\n{model}\n\n\nMODEL_CLASS = {name}\n")
    text = _fill(text, "ENGINE", _ENGINE_HEADER + "\n\n" + "\n\n".join(bodies))
    return _drop_template_note(text)


def embedded_code(module: ModuleType) -> tuple[list[ast.stmt], str]:
    """A torch-only module as the script holds it: (its imports, its code without them). The module
    docstring's first paragraph becomes a comment naming the file; imports of other embedded
    modules and TYPE_CHECKING blocks go (their names are defined in the script)."""
    path = Path(module.__file__)
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    drop: set[int] = set()
    imports: list[ast.stmt] = []
    body = list(tree.body)
    doc = ast.get_docstring(tree) or ""
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        drop.update(range(body[0].lineno, body[0].end_lineno + 1))
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            drop.update(range(node.lineno, node.end_lineno + 1))
            for package in _imported_packages(node):
                if package == "engine":
                    _check_embedded(node, module)
                elif package != "__future__":
                    _check_allowed(package, module)
                    imports.append(node)
        elif isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            drop.update(range(node.lineno, node.end_lineno + 1))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in body:
            for package in _imported_packages(node):
                if package == "engine" and not _in_type_checking(node, tree):
                    raise ExportError(f"{_where(module)} imports LayerLab inside its code ({ast.unparse(node)}); "
                                      "embedded code must be torch-only.")
                if package not in ("engine", "__future__"):
                    _check_allowed(package, module)
    code = "".join(line for number, line in enumerate(lines, start=1) if number not in drop)
    code = re.sub(r"\n{3,}", "\n\n\n", code).strip("\n")
    first = doc.split("\n\n")[0]
    heading = "\n".join(f"# {line}".rstrip() for line in first.splitlines())
    return imports, f"# -- from LayerLab {_where(module)} " + "-" * max(3, 76 - len(_where(module))) + \
        f"\n{heading}\n\n{code}\n"


def _where(module: ModuleType) -> str:
    return Path(module.__file__).relative_to(Path(module.__file__).parents[2]).as_posix()


def _imported_packages(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [(node.module or "").split(".")[0]] if node.level == 0 else ["engine"]
    return [alias.name.split(".")[0] for alias in node.names]


def _check_allowed(package: str, module: ModuleType) -> None:
    if package not in ALLOWED_PACKAGES and package not in sys.stdlib_module_names:
        raise ExportError(f"{_where(module)} imports {package}; code embedded in training scripts may import "
                          f"only the standard library, {', '.join(ALLOWED_PACKAGES)}.")


def _check_embedded(node: ast.Import | ast.ImportFrom, module: ModuleType) -> None:
    names = {m.__name__ for m in EMBEDDED}
    target = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
    if target not in names:
        raise ExportError(f"{_where(module)} imports {target}, which is not embedded in training scripts; "
                          "embedded code may import only the other torch-only modules (EMBEDDED).")


def _in_type_checking(node: ast.AST, tree: ast.Module) -> bool:
    return any(isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
               and any(inner is node for inner in ast.walk(block)) for block in tree.body)


class _Imports:
    """The script's imports: the template's and the embedded modules', merged, standard library
    first; TYPE_CHECKING goes with the blocks that used it."""

    def __init__(self) -> None:
        self.plain: dict[str, str] = {}
        self.names: dict[str, dict[str, str]] = {}

    def add_source(self, text: str) -> None:
        self.add(ast.parse(text).body)

    def add(self, nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    line = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                    self.plain[line] = alias.name
            elif isinstance(node, ast.ImportFrom):
                names = self.names.setdefault(node.module, {})
                for alias in node.names:
                    if alias.name != "TYPE_CHECKING":
                        names[alias.name] = alias.name + (f" as {alias.asname}" if alias.asname else "")

    def render(self) -> str:
        lines = [(module, line) for line, module in self.plain.items()]
        lines += [(module, f"from {module} import {', '.join(sorted(names.values(), key=str.lower))}")
                  for module, names in self.names.items() if names]
        stdlib = sorted((line for module, line in lines if module.split(".")[0] in sys.stdlib_module_names),
                        key=lambda line: (line.startswith("from"), line.split()[1]))
        others = sorted((line for module, line in lines if module.split(".")[0] not in sys.stdlib_module_names),
                        key=lambda line: (line.startswith("from"), line.split()[1]))
        return "\n".join(stdlib) + "\n\n" + "\n".join(others) + "\n"


def _doc(source: ExportSource, target: Path, training: TrainingSettings, data: DatasetSettings) -> str:
    file = target.name
    where = ("--data DIR: the folder with the four MNIST IDX .gz files (LayerLab ships them in "
             "resources/datasets/mnist); without it they are looked for beside this script."
             if data.source == "mnist" else "--data DIR: the torchvision dataset root."
             if data.source == "torchvision" else f"The {data.source} data is generated by the script itself.")
    ignored = ", ".join(VIEW_ONLY)
    summary = (f"Trains the network on {data.source} ({data.task}) with the project's settings (TRAINING and "
               f"DATASET below: {training.optimizer}, lr {training.lr:g}, batch {training.batch_size}, "
               f"{training.epochs} epochs). Needs only torch and torchvision. The data, evaluation, device and "
               "epoch code below is LayerLab's own, copied whole: with the same seed, machine and device this "
               "script ends with the same weights as LayerLab's trainer.")
    notes = (f"{where} Other options: --epochs N, --max-steps N, --subset N (a quick run), --seed N, --device, "
             "--out DIR. "
             f"Writes weights.pt (a state dict LayerLab can import) and history.json to --out (default: "
             f"{target.stem}_run beside this file). Not used here (LayerLab's live views only): {ignored}.")
    return (f"{source.project.name}: training script written by LayerLab.\n\n{textwrap.fill(summary, 96)}\n\n"
            f"    python {file} [--data DIR]                          # one process\n"
            f"    torchrun --nproc_per_node=2 {file} [--data DIR]     # DistributedDataParallel\n\n"
            f"{textwrap.fill(notes, 96)}\n")


def _block(text: str, name: str) -> str:
    match = re.search(rf"^# <<{name}>>\n(.*?)^# <</{name}>>\n", text, re.S | re.M)
    if match is None:
        raise ExportError(f"The training script template has no {name} block; reinstall LayerLab.")
    return match.group(1)


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
