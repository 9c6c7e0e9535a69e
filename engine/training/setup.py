"""Everything a run needs before its first step: checked settings, the bound network, the data,
the compiled model on its device, the loss and the batches. Problems raise LayerLabError with a
message naming the setting or layer to change."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import fx

from engine.compiler import compile_network
from engine.data.bind import bind_input_shape, check_output
from engine.data.dataset import Dataset, build_augmentation, load_dataset
from engine.data.schema import SettingsError
from engine.data.settings import DatasetSettings
from engine.data.splits import to_device
from engine.errors import LayerLabError
from engine.graph import Network
from engine.shapes import infer_shapes
from engine.training.batching import BatchPlan, LoaderBatches, TensorBatches, epoch_permutation, plan_batches
from engine.training.device import DeviceError, select_device
from engine.training.distributed import DistContext, init_from_env, rank_device
from engine.training.losses import CorrectFn, LossFn, make_correct, make_loss
from engine.training.settings import TrainingSettings


class TrainingError(LayerLabError):
    """The network or the settings cannot be trained as they are."""


def check_network(network: Network) -> None:
    """Refuse a graph with errors before anything is loaded."""
    analysis = infer_shapes(network)
    if not analysis.ok:
        issues = analysis.blocking_issues
        listed = "\n".join(f"- {issue.message}" for issue in issues)
        raise TrainingError(f"The network has {len(issues)} problem(s) to fix before training:\n{listed}")


def check_combination(train: TrainingSettings, data: DatasetSettings) -> None:
    if train.early_stopping and data.validation_split <= 0:
        raise SettingsError("training.early_stopping needs a validation split: set dataset.validation_split "
                            "(for example 0.1).")
    if train.monitor == "val_accuracy" and data.task != "classification":
        raise SettingsError(f"training.monitor val_accuracy needs a classification task; with {data.task} use "
                            "val_loss.")


@dataclass
class Prepared:
    network: Network
    dataset: Dataset
    gm: fx.GraphModule
    device: torch.device
    ctx: DistContext
    loss_fn: LossFn
    correct_fn: CorrectFn | None
    plan: BatchPlan
    notes: list[str] = field(default_factory=list)

    @property
    def batches(self) -> TensorBatches | LoaderBatches:
        return self.plan.batches

    @property
    def batch_size(self) -> int:
        return self.plan.batch_size

    @property
    def local_batch(self) -> int:
        return self.plan.local_batch

    @property
    def steps_per_epoch(self) -> int:
        return self.plan.steps_per_epoch

    @property
    def train_size(self) -> int:
        return self.plan.train_size

    def epoch_permutation(self, seed: int, epoch: int) -> torch.Tensor:
        """The same shuffle for a given seed and epoch on every rank and after a resume."""
        return epoch_permutation(seed, epoch, self.train_size, self.ctx.rank, self.ctx.world_size)


def prepare(network: Network, train: TrainingSettings, data: DatasetSettings, dataset: Dataset | None = None,
            model: fx.GraphModule | None = None) -> Prepared:
    notes: list[str] = []
    try:
        device = select_device(train.device)
    except DeviceError as error:
        raise SettingsError(str(error), key="training.device", value=train.device) from None
    ctx = init_from_env(device)
    device = rank_device(device, ctx)
    if train.amp and device.type != "cuda":
        notes.append(f"Mixed precision (training.amp) works on CUDA only; training in float32 on {device}.")
    dataset = dataset or load_dataset(data)
    if len(dataset.train) == 0:
        raise TrainingError("The training split is empty; check dataset.subset and the splits.")
    network = network.copy()
    if bind_input_shape(network, dataset.sample_shape):
        notes.append(f"The Input shape was set to {list(dataset.sample_shape)} to match the dataset.")
    analysis = infer_shapes(network)
    if not analysis.ok:
        listed = "\n".join(f"- {issue.message}" for issue in analysis.errors)
        raise TrainingError(f"With the dataset's sample shape {list(dataset.sample_shape)} the network has "
                            f"errors:\n{listed}")
    check_output(network, analysis, data.task, dataset.num_classes, dataset.target_shape())
    (output_id,) = network.nodes_with_role("output")
    out_params = network.node(output_id).params
    torch.manual_seed(train.seed)
    gm = model if model is not None else compile_network(network, analysis)
    if train.init_from and model is None:
        from engine.training.start_weights import start_from  # reads files with the importers' rules

        notes.append(start_from(gm, train.init_from))
    gm.to(device)
    reconstruction = data.task == "reconstruction"
    transform = build_augmentation(data.augment, dataset.sample_shape)
    plan = plan_batches(dataset.train, train.batch_size, train.drop_last, device, transform, reconstruction,
                        train.workers, ctx.world_size)
    if plan.steps_per_epoch == 0:
        raise SettingsError(f"training.batch_size {plan.batch_size} is larger than the {plan.train_size} training "
                            "samples and drop_last is on, so no step would run; lower the batch size.")
    return Prepared(network, dataset, gm, device, ctx,
                    make_loss(out_params["loss"], out_params["label_smoothing"], data.task, dataset.num_classes),
                    make_correct(data.task), plan, notes + dataset.notes)


def move_eval_splits(dataset: Dataset, device: torch.device) -> None:
    """Keep in-memory validation and test data on the device (evaluated many times)."""
    for split in (dataset.val, dataset.test):
        to_device(split, device)
