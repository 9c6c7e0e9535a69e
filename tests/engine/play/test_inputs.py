"""Play inputs: drawings made MNIST-like (centred, scaled), image files converted to the Input's
shape with a note, bad files refused, test samples and the project's normalization."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.io import encode_png

from engine.play.inputs import (
    PlayInputError,
    image_file_to_input,
    input_shape,
    mnist_like,
    project_dataset,
    remember_dataset,
    test_samples,
    to_model_input,
)
from tests.engine.play.conftest import sample

ROWS, COLS = np.indices((28, 28))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    return float((ROWS * image).sum() / image.sum()), float((COLS * image).sum() / image.sum())


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(image > 0.05)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def test_a_stroke_in_a_corner_is_centred_and_scaled_to_20_pixels():
    canvas = np.zeros((280, 280), np.float32)
    canvas[10:70, 20:50] = 1.0  # 60 tall, 30 wide, in the top-left corner
    digit = mnist_like(canvas)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0.0 and digit.max() <= 1.0
    cy, cx = centre_of_mass(digit)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1
    height, width = ink_box(digit)
    assert height == 20 and 9 <= width <= 11  # the longer side is 20 px, the aspect kept


def test_an_off_centre_shape_puts_its_mass_not_its_box_at_the_centre():
    canvas = np.zeros((100, 100), np.float32)
    canvas[50:90, 5:15] = 1.0  # a heavy bar on the left...
    canvas[50:52, 15:85] = 1.0  # ...and a thin line to the right
    digit = mnist_like(canvas)
    cy, cx = centre_of_mass(digit)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1


def test_an_empty_drawing_gives_zeros():
    assert not mnist_like(np.zeros((280, 280))).any()
    with pytest.raises(PlayInputError):
        mnist_like(np.zeros((3, 28, 28)))


def test_mnist_digits_remade_stay_as_they_are_and_keep_their_centre():
    digits = test_samples(sample("lenet5"), 40).images[:, 0]
    for digit in digits:
        again = mnist_like(digit)
        assert np.abs(again - digit).max() < 0.05
        big = np.kron(digit, np.ones((10, 10), np.float32))  # painted pixel by pixel on a 280×280 canvas
        painted = mnist_like(big)
        assert np.abs(painted - digit).max() < 0.1
        cy, cx = centre_of_mass(painted)
        assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1


def test_test_samples_are_in_display_range_with_labels():
    samples = test_samples(sample("lenet5"), 16)
    assert samples.images.shape == (16, 1, 28, 28)
    assert samples.images.min() >= -1e-5 and samples.images.max() <= 1 + 1e-5
    assert samples.labels.shape == (16,) and samples.class_names == [str(i) for i in range(10)]
    assert test_samples(sample("conv_autoencoder"), 4).labels is None


def test_to_model_input_normalizes_as_the_dataset_does():
    project = sample("lenet5")  # normalize: channel
    dataset = project_dataset(project)
    image = test_samples(project, 1).images[0]
    x = to_model_input(image[0], project)
    assert x.shape == (1, 1, 28, 28) and x.dtype == torch.float32
    assert torch.allclose(x, dataset.test.x[:1], atol=1e-5)
    mlp = sample("mnist_mlp")  # normalize: auto (unit)
    assert torch.allclose(to_model_input(image, mlp), torch.from_numpy(image)[None])
    with pytest.raises(PlayInputError, match="784"):
        to_model_input(np.zeros(10), project)


def write_png(path, image: np.ndarray) -> None:
    """`image` C×H×W in 0..1 as an 8-bit PNG."""
    path.write_bytes(encode_png(torch.from_numpy((image * 255).round().astype(np.uint8))).numpy().tobytes())


def test_a_photo_of_a_dark_digit_on_paper_is_inverted_and_centred(tmp_path):
    paper = np.ones((3, 48, 64), np.float32)
    paper[:, 10:40, 40:48] = 0.1  # a dark "1" on white, to the right
    write_png(tmp_path / "one.png", paper)
    array, note = image_file_to_input(tmp_path / "one.png", (1, 28, 28))
    assert array.shape == (1, 28, 28)
    assert note == "converted 64×48 RGB to 1×28×28 grayscale, inverted (light background), centred like MNIST"
    cy, cx = centre_of_mass(array[0])
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1 and ink_box(array[0])[0] == 20


def test_colour_and_gray_files_take_the_inputs_channels_and_size(tmp_path):
    write_png(tmp_path / "gray.png", np.full((1, 64, 64), 0.5, np.float32))
    array, note = image_file_to_input(tmp_path / "gray.png", (3, 32, 32))
    assert array.shape == (3, 32, 32) and np.allclose(array, 128 / 255, atol=1e-3)
    assert note == "converted 64×64 grayscale to 3×32×32 RGB (gray copied to each channel)"
    write_png(tmp_path / "wide.png", np.random.default_rng(0).random((3, 20, 40), np.float32))
    array, note = image_file_to_input(tmp_path / "wide.png", (1, 16, 16))
    assert array.shape == (1, 16, 16) and note == "converted 40×20 RGB to 1×16×16 grayscale, stretched to fit"


def test_bmp_and_16_bit_png_files_are_read_too(tmp_path):
    from PIL import Image

    Image.fromarray(np.full((30, 30), 200, np.uint8)).save(tmp_path / "x.bmp")
    array, note = image_file_to_input(tmp_path / "x.bmp", (1, 10, 10))
    assert array.shape == (1, 10, 10) and note.startswith("converted 30×30 grayscale")
    Image.fromarray(np.full((20, 30), 40000, np.uint16)).save(tmp_path / "deep.png")
    array, _ = image_file_to_input(tmp_path / "deep.png", (1, 10, 10))
    assert np.allclose(array, 40000 / 65535, atol=1e-3)


def test_bad_files_and_inputs_are_refused_with_the_file_named(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(PlayInputError, match=r"broken\.png.*damaged"):
        image_file_to_input(tmp_path / "broken.png", (1, 28, 28))
    with pytest.raises(PlayInputError, match=r"missing\.png"):
        image_file_to_input(tmp_path / "missing.png", (1, 28, 28))
    write_png(tmp_path / "ok.png", np.zeros((3, 8, 8), np.float32))
    with pytest.raises(PlayInputError, match=r"ok\.png.*5 channels"):
        image_file_to_input(tmp_path / "ok.png", (5, 8, 8))
    with pytest.raises(PlayInputError, match=r"ok\.png.*not an image"):
        image_file_to_input(tmp_path / "ok.png", (2,))


def test_the_input_shape_is_the_input_nodes():
    assert input_shape(sample("lenet5")) == (1, 28, 28)
    assert input_shape(sample("spiral_playground")) == (2,)


def test_a_project_without_a_dataset_takes_inputs_as_they_are():
    project = sample("lenet5")
    project.dataset = {}
    image = np.random.default_rng(1).random((1, 28, 28), np.float32)
    assert torch.equal(to_model_input(image, project), torch.from_numpy(image)[None])
    with pytest.raises(PlayInputError, match="no dataset"):
        test_samples(project, 4)


def test_a_loaded_dataset_can_be_handed_over():
    project = sample("mnist_mlp")
    project.dataset = {**project.dataset, "subset": 64}  # settings of their own
    dataset = project_dataset(sample("mnist_mlp"))
    remember_dataset(project, dataset)
    kept = project_dataset(project)
    assert kept.normalization == dataset.normalization and torch.equal(kept.test.x, dataset.test.x)
    assert len(kept.train) == 0  # only what Play needs is kept
