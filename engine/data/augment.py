"""Training-time augmentation with torchvision.transforms.v2, applied per sample."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset as TorchDataset

from engine.data.idx import DatasetError
from engine.data.settings import AugmentSettings


def build_augmentation(settings: AugmentSettings, sample_shape: tuple[int, ...]):
    """A v2.Compose for one image tensor (C, H, W), or None when every augmentation is off."""
    if not settings.active:
        return None
    if len(sample_shape) != 3:
        raise DatasetError(f"Augmentation works on images (channels, height, width); these samples have shape "
                           f"{list(sample_shape)}. Turn dataset.augment off for this source.")
    if settings.hue and sample_shape[0] != 3:
        raise DatasetError("dataset.augment.hue needs colour (3-channel) images; set it to 0 for these "
                           f"{sample_shape[0]}-channel samples.")
    from torchvision.transforms import v2

    steps = []
    if settings.hflip:
        steps.append(v2.RandomHorizontalFlip())
    if settings.translate or settings.scale or settings.rotate:
        steps.append(v2.RandomAffine(degrees=settings.rotate,
                                     translate=(settings.translate, settings.translate) if settings.translate else None,
                                     scale=(1 - settings.scale, 1 + settings.scale) if settings.scale else None))
    if settings.elastic:
        steps.append(v2.ElasticTransform(alpha=settings.elastic, sigma=5.0))
    if settings.hue:
        steps.append(v2.ColorJitter(hue=settings.hue))
    if settings.noise:
        steps.append(v2.GaussianNoise(sigma=settings.noise, clip=False))
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
