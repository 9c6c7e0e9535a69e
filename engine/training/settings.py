"""The project's `training` section as a typed, checked dataclass.

    settings = TrainingSettings.from_dict(project.training)  # SettingsError names a bad key and the fix
    settings.to_dict()                                       # plain JSON-ready dict (exporters read this)
    TrainingSettings.describe()                              # name, type, default, help, choices, range

Label smoothing is not here: it is a parameter of the Output layer, next to the loss it changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.data.schema import SettingsBase, SettingsError, setting

OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "adagrad", "lbfgs")
SCHEDULES = ("constant", "step", "cosine", "invscaling", "plateau", "adaptive")
DEVICES = ("auto", "cpu", "cuda", "mps")
MONITORS = ("val_loss", "val_accuracy")
CUDA_GRAPHS = ("auto", "off")
DEFAULT_PROBE_EVERY = 50
"""The probe interval the app uses for its live views (the CLI keeps probes off)."""


@dataclass
class TrainingSettings(SettingsBase):
    """How a network is trained. Every key is optional; see docs/training.md."""

    SECTION = "training"
    ALIASES = {"l2": "weight_decay", "learning_rate": "lr"}

    # -- length and batches -----------------------------------------------------------------
    epochs: int = setting(10, "Passes over the training set.", minimum=1, maximum=1_000_000, example=10)
    max_steps: int = setting(0, "Stop after this many optimizer steps (0: no limit).", minimum=0,
                             special={0: "no limit"})
    batch_size: int = setting(32, "Samples per step; 0 means the whole training set (full-batch gradient "
                              "descent), 1 pure stochastic gradient descent.", minimum=0, example=64,
                              special={0: "the whole training set, full-batch gradient descent", 1: "pure SGD"})
    drop_last: bool = setting(False, "Skip the last, smaller batch of each epoch.", label="Drop last batch")
    # -- optimizer --------------------------------------------------------------------------
    optimizer: str = setting("sgd", "sgd, adam, adamw, rmsprop, adagrad or lbfgs.", choices=OPTIMIZERS)
    lr: float = setting(0.01, "Learning rate: the size of each step down the gradient.", minimum=0.0,
                        exclusive_minimum=True, example=0.01, label="Learning rate")
    momentum: float = setting(0.0, "sgd and rmsprop: momentum (0.9 is common).", minimum=0.0, maximum=0.9999,
                              special={0: "off: plain gradient descent"})
    nesterov: bool = setting(False, "sgd: Nesterov momentum (needs momentum > 0).", label="Nesterov momentum")
    beta1: float = setting(0.9, "adam/adamw: decay of the gradient average.", minimum=0.0, maximum=0.9999,
                           label="Beta 1")
    beta2: float = setting(0.999, "adam/adamw: decay of the squared-gradient average.", minimum=0.0,
                           maximum=0.99999, label="Beta 2")
    eps: float = setting(1e-8, "adam/adamw/rmsprop/adagrad: term added to the denominator.", minimum=0.0,
                         exclusive_minimum=True, label="Epsilon")
    rms_alpha: float = setting(0.99, "rmsprop: smoothing constant.", minimum=0.0, maximum=0.9999,
                               label="RMSprop alpha")
    lbfgs_max_iter: int = setting(20, "lbfgs: iterations per step.", minimum=1, label="L-BFGS iterations")
    lbfgs_history: int = setting(100, "lbfgs: update history size.", minimum=1, label="L-BFGS history")
    lbfgs_line_search: bool = setting(True, "lbfgs: strong-Wolfe line search.", label="L-BFGS line search")
    # -- regularization ---------------------------------------------------------------------
    weight_decay: float = setting(0.0, "L2 penalty on weights (not biases or norm scales); adamw decouples it.",
                                  minimum=0.0, example=1e-4, label="Weight decay (L2)", special={0: "off"})
    l1: float = setting(0.0, "L1 penalty on weights (with weight_decay too: elastic net).", minimum=0.0,
                        label="L1 penalty", special={0: "off"})
    grad_clip: float = setting(0.0, "Clip the global gradient norm to this value (0: off).", minimum=0.0,
                               label="Gradient clipping", special={0: "off"})
    # -- learning-rate schedule -------------------------------------------------------------
    schedule: str = setting("constant", "constant, step (x gamma every step_size epochs), cosine (to min_lr "
                            "over the run), invscaling (lr / (samples seen + 1) ** power_t, per epoch, as "
                            "scikit-learn) or plateau (x plateau_factor when the monitored loss stops "
                            "improving; scikit-learn's 'adaptive', also accepted as a name).", choices=SCHEDULES,
                            label="LR schedule")
    step_size: int = setting(10, "step: epochs between decays.", minimum=1, label="Step every (epochs)")
    gamma: float = setting(0.1, "step: decay factor.", minimum=0.0, maximum=1.0, exclusive_minimum=True,
                           label="Step factor")
    power_t: float = setting(0.5, "invscaling: exponent.", minimum=0.0, label="Power t")
    min_lr: float = setting(0.0, "cosine: final learning rate; plateau: floor.", minimum=0.0,
                            label="Minimum LR")
    plateau_factor: float = setting(0.2, "plateau: factor applied to the lr.", minimum=0.0, maximum=1.0,
                                    exclusive_minimum=True)
    plateau_patience: int = setting(2, "plateau: epochs without improvement before the lr drops.", minimum=0)
    plateau_threshold: float = setting(1e-4, "plateau: smallest loss decrease that counts.", minimum=0.0)
    # -- evaluation and early stopping ------------------------------------------------------
    eval_every: int = setting(0, "Evaluate on the validation split every n steps (0: at each epoch end).",
                              minimum=0, label="Evaluate every", special={0: "at each epoch end"})
    early_stopping: bool = setting(False, "Stop when the monitored value has not improved for `patience` "
                                   "evaluations (needs dataset.validation_split > 0).")
    patience: int = setting(10, "Early stopping: evaluations without improvement before stopping.", minimum=1)
    min_delta: float = setting(0.0, "Early stopping: smallest change that counts as an improvement.", minimum=0.0,
                               label="Min delta")
    monitor: str = setting("val_loss", "What decides the best weights: val_loss or val_accuracy.",
                           choices=MONITORS)
    restore_best: bool = setting(True, "At the end, go back to the weights of the best evaluation.",
                                 label="Restore best weights")
    eval_batch_size: int = setting(1000, "Samples per batch when evaluating.", minimum=1, label="Eval batch size")
    # -- starting point ---------------------------------------------------------------------
    init_from: str = setting("", "Start from the weights of this run directory or weights file (.safetensors, "
                             "or a .pt/.pth state dict) instead of fresh ones: each tensor whose name and shape "
                             "fit is copied; the others (a new head, say) start fresh, and the run's notes say "
                             "which. Empty: fresh weights.", label="Start from weights",
                             example="runs/lenet5-20261128-101500", special={"": "fresh weights"})
    # -- machine ----------------------------------------------------------------------------
    seed: int = setting(0, "Seed for weights, shuffling and dropout: the same seed gives the same run, "
                        "bit for bit on the CPU; on a GPU close, but not guaranteed identical.", minimum=0)
    device: str = setting("auto", "auto (CUDA, then Apple MPS, then CPU), cpu, cuda, cuda:N or mps.",
                          example="cpu")
    amp: bool = setting(False, "Mixed precision on CUDA (bfloat16 where supported, else float16).",
                        label="Mixed precision")
    cuda_graphs: str = setting("auto", "auto: on CUDA, capture the training step once as a CUDA graph and replay "
                               "it for every full batch, where the network and settings allow (else eager "
                               "steps, with a note why); off: always eager steps.", choices=CUDA_GRAPHS,
                               label="CUDA graphs")
    workers: int = setting(0, "DataLoader worker processes (image folders and augmentation only).", minimum=0,
                           label="Loader workers", special={0: "none: load in the training process"})
    # -- records, probes, checkpoints -------------------------------------------------------
    log_every: int = setting(0, "Report the running loss every n steps (0: about 20 times per epoch); records "
                                     "also come after the first step and at growing time intervals early in a run.",
                             minimum=0, label="Report every", special={0: "about 20 times per epoch"})
    probe_every: int = setting(0, "Collect probe data (activations, gradient flow, filters, histograms) every "
                               f"n steps (0: off; the app uses {DEFAULT_PROBE_EVERY}).", minimum=0,
                               special={0: "off"})
    probe_samples: int = setting(8, "Number of fixed samples whose activations the probes record.", minimum=1,
                                 maximum=256)
    histogram_bins: int = setting(30, "Bins of the weight and gradient histograms.", minimum=2, maximum=1000)
    checkpoint_every: int = setting(1, "Write checkpoint.pt every n epochs, at most every 5 seconds (0: only at the "
                                  "end; the end of a run always writes one).", minimum=0,
                                  label="Checkpoint every", special={0: "only at the end"})
    snapshot_every: int = setting(1, "Keep a copy of the weights every n epochs in the run directory "
                                  "(snapshots/epoch-0003.safetensors) to replay training in the Play panel; "
                                  "0: off. Models over 5 million parameters keep none unless it is set.",
                                  minimum=0, label="Snapshot every", special={0: "off"})

    def validate(self) -> None:
        if self.device not in DEVICES and not (self.device.startswith("cuda:") and self.device[5:].isdigit()):
            raise SettingsError(f"'training.device' must be one of {', '.join(DEVICES)} or cuda:N; got "
                                f"'{self.device}'.", key="training.device",
                                problem=f"must be one of {', '.join(DEVICES)} or cuda:N", value=self.device,
                                kind="choice")
        if self.nesterov and (self.optimizer != "sgd" or self.momentum <= 0):
            raise SettingsError("'training.nesterov' needs optimizer sgd with momentum > 0 (for example "
                                "training.momentum=0.9).", key="training.nesterov",
                                problem="needs the sgd optimizer with momentum above 0",
                                fix="turn it off, or set the momentum first (0.9 is common)", value=True,
                                kind="combination")
        if self.momentum and self.optimizer not in ("sgd", "rmsprop"):
            raise SettingsError(f"'training.momentum' applies to sgd and rmsprop, not {self.optimizer}; set it "
                                "to 0 (adam and adamw use beta1).", key="training.momentum",
                                problem=f"applies to sgd and rmsprop, not {self.optimizer}",
                                fix="set it to 0 (adam and adamw use beta 1)", value=self.momentum,
                                kind="combination")
        if self.optimizer == "lbfgs" and (self.amp or self.grad_clip):
            raise SettingsError("lbfgs does not combine with training.amp or training.grad_clip; turn them off.",
                                key="training.optimizer", problem="lbfgs does not combine with mixed precision "
                                "or gradient clipping", fix="turn them off", value=self.optimizer,
                                kind="combination")

    def batch_for(self, train_size: int) -> int:
        """The batch size in samples for a training set of `train_size` (0 means all of it)."""
        from engine.training.batching import batch_size_for  # torch: only when training

        return batch_size_for(self.batch_size, train_size)


def parse_assignment(text: str) -> tuple[str, str, object]:
    """'training.lr=0.1' -> ('training', 'lr', 0.1); values are JSON where possible, else text."""
    import json

    key, sep, value = text.partition("=")
    section, dot, name = key.strip().partition(".")
    if not sep or not dot or section not in ("training", "dataset") or not name:
        raise SettingsError(f"--set expects section.key=value with section training or dataset, e.g. "
                            f"training.lr=0.1; got '{text}'.")
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = value
    return section, name, parsed
