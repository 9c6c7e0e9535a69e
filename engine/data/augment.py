"""Training-time augmentation with torchvision.transforms.v2, applied per sample.

Torch-only (no LayerLab imports): the training_script export embeds this module, so an exported
script augments as the app does. engine.data.dataset.build_augmentation wraps `augmentation` for
the app (AugmentError becomes a DatasetError).
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset as TorchDataset

AUGMENTATIONS = ("translate", "scale", "rotate", "noise", "elastic", "hflip", "hue")


class AugmentError(ValueError):
    """The augmentation settings cannot apply to these samples."""


def augmentation(a, sample_shape: tuple[int, ...]):
    """A v2.Compose for one image tensor (C, H, W), or None when every augmentation is off.
    `a` has the attributes of AUGMENTATIONS (dataset.augment: AugmentSettings or a namespace)."""
    if not any(getattr(a, name) for name in AUGMENTATIONS):
        return None
    if len(sample_shape) != 3:
        raise AugmentError(f"Augmentation works on images (channels, height, width); these samples have shape "
                           f"{list(sample_shape)}. Turn dataset.augment off for this source.")
    if a.hue and sample_shape[0] != 3:
        raise AugmentError("dataset.augment.hue needs colour (3-channel) images; set it to 0 for these "
                           f"{sample_shape[0]}-channel samples.")
    from torchvision.transforms import v2

    steps = []
    if a.hflip:
        steps.append(v2.RandomHorizontalFlip())
    if a.translate or a.scale or a.rotate:
        steps.append(v2.RandomAffine(degrees=a.rotate, translate=(a.translate, a.translate) if a.translate else None,
                                     scale=(1 - a.scale, 1 + a.scale) if a.scale else None))
    if a.elastic:
        steps.append(v2.ElasticTransform(alpha=a.elastic, sigma=5.0))
    if a.hue:
        steps.append(v2.ColorJitter(hue=a.hue))
    if a.noise:
        steps.append(v2.GaussianNoise(sigma=a.noise, clip=False))
    return v2.Compose(steps)


class AugmentedTensors(TorchDataset):
    """In-memory samples with a per-sample transform (for a DataLoader); targets follow the input
    for reconstruction (`y` None)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor | None, transform) -> None:
        self.x, self.y, self.transform = x, y, transform

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int):
        sample = self.transform(self.x[index])
        return sample, (sample if self.y is None else self.y[index])


class TransformedStream(TorchDataset):
    """A streamed dataset of (x, label) with an extra per-sample transform; for reconstruction
    the target is the transformed input."""

    def __init__(self, stream: TorchDataset, transform, reconstruction: bool) -> None:
        self.stream, self.transform, self.reconstruction = stream, transform, reconstruction

    def __len__(self) -> int:
        return len(self.stream)  # type: ignore[arg-type]

    def __getitem__(self, index: int):
        x, y = self.stream[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, (x if self.reconstruction else y)
