"""Each training view renders plain numpy data and saves PNG and CSV."""

from __future__ import annotations

import csv

import numpy as np

from gui.plots.confusion import ConfusionPanel
from gui.plots.decision_boundary import DecisionBoundaryPanel, grid_points
from gui.plots.gradient_flow import GradientFlowPanel
from gui.plots.histograms import HistogramsPanel
from gui.plots.image_grid import ActivationsPanel, FiltersPanel
from gui.plots.loss_plot import LossPlot
from gui.plots.series import Smoother
from gui.plots.tiling import tile


def saved(panel, tmp_path) -> list[list[str]]:
    png = panel.save_png(tmp_path / "plot.png")
    assert png.stat().st_size > 1000
    with panel.save_csv(tmp_path / "plot.csv").open() as handle:
        return list(csv.reader(handle))


def test_loss_plot_keeps_every_point_and_smooths(qtbot, tmp_path):
    plot = LossPlot()
    qtbot.addWidget(plot)
    for step in range(1, 2001):
        plot.train_loss.append(step, 2.0 / step)
    plot.val_loss.append(2000, 0.01)
    plot.refresh()
    x, y = plot.smooth_curve.getData()
    assert len(plot.train_loss.x) == 2000 and y[-1] > 2.0 / 2000  # smoothed lags the raw curve
    plot.log_box.setChecked(True)
    plot.add_overlay("run 1", [1, 2, 3], [3, 2, 1])
    rows = saved(plot, tmp_path)
    assert rows[0][:2] == ["step", "train_loss"] and len(rows) == 2001


def test_smoother_extends_incrementally_and_matches_full_recompute():
    values = np.random.default_rng(0).random(500)
    smoother = Smoother()
    smoother(values[:200], 0.9)
    incremental = smoother(values, 0.9).copy()
    assert np.allclose(incremental, Smoother()(values, 0.9))


def test_tiling_places_each_image():
    images = np.stack([np.full((2, 3), i, np.float32) for i in range(5)])
    grid = tile(images, columns=3, gap=1)
    assert grid.shape == (2 * 3 - 1, 3 * 4 - 1)  # 2 rows of height 2, 3 columns of width 3, gaps of 1
    assert grid[3, 4] == 4  # second row, second column -> image 4


def test_activation_and_filter_grids(qtbot, tmp_path):
    activations = ActivationsPanel()
    qtbot.addWidget(activations)
    activations.set_data("conv1: 6x28x28", np.random.rand(6, 28, 28))
    activations.refresh()
    assert activations.grid.shape == (2 * 29 - 1, 3 * 29 - 1)  # 6 maps: 2 rows of 3
    filters = FiltersPanel()
    qtbot.addWidget(filters)
    filters.image_shape = (1, 28, 28)
    filters.set_data("fc1 weights", np.random.rand(16, 784))
    filters.refresh()
    assert filters.grid.shape == (4 * 29 - 1, 4 * 29 - 1)  # 16 pictures of 28x28
    assert saved(filters, tmp_path)[0][0] == "index"


def test_gradient_flow_bars_and_heatmap(qtbot, tmp_path):
    panel = GradientFlowPanel()
    qtbot.addWidget(panel)
    for step in range(10):
        panel.add(step, {"fc1": 1e-6, "fc2": 1e-3, "fc3": 1.0})
    panel.refresh()
    assert panel.heat.image.shape == (3, 10)
    assert np.allclose(panel.heat.image[:, 0], [-6, -3, 0])
    assert len(saved(panel, tmp_path)) == 11


def test_histograms(qtbot, tmp_path):
    panel = HistogramsPanel()
    qtbot.addWidget(panel)
    for step in range(3):
        counts, edges = np.histogram(np.random.randn(100), bins=20)
        panel.add(step, "fc1", "weights", edges, counts)
        panel.add(step, "fc1", "gradients", edges, counts)
    panel.refresh()
    assert panel.heats["weights"].image.shape == (20, 3)
    assert len(saved(panel, tmp_path)) == 1 + 2 * 3 * 20


def test_confusion_matrix_click_shows_its_samples(qtbot, tmp_path):
    panel = ConfusionPanel()
    qtbot.addWidget(panel)
    labels = np.array([0, 0, 1, 1, 2, 2])
    predictions = np.array([0, 1, 1, 1, 2, 0])
    images = np.random.rand(6, 1, 8, 8)
    panel.set_results(labels, predictions, images, ["0", "1", "2"], "validation")
    assert panel.matrix.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    with qtbot.waitSignal(panel.cell_selected):
        panel._clicked(0, 1)
    assert panel.sample_indices(0, 1).tolist() == [1]
    assert panel.samples.array.shape == (1, 8, 8)
    assert saved(panel, tmp_path)[1] == ["0", "1", "1", "0"]


def test_decision_boundary(qtbot, tmp_path):
    panel = DecisionBoundaryPanel()
    qtbot.addWidget(panel)
    points = np.random.randn(50, 2).astype(np.float32)
    panel.set_points(points, (points[:, 0] > 0).astype(int))
    grid = grid_points(panel.bounds, 20)
    probabilities = np.stack([grid[:, 0] <= 0, grid[:, 0] > 0], axis=1).astype(np.float32)
    panel.set_probabilities(probabilities, 20)
    panel.refresh()
    assert panel.image.shape == (20, 20, 3)
    assert not np.array_equal(panel.image[:, 0], panel.image[:, -1])  # left and right differ
    assert len(saved(panel, tmp_path)) == 51


def test_autoencoder_pairs_and_code_interpolation(qtbot, tmp_path):
    from gui.plots.autoencoder_view import AutoencoderPanel

    panel = AutoencoderPanel()
    qtbot.addWidget(panel)
    inputs = np.random.rand(4, 1, 28, 28)
    panel.set_pairs(inputs, inputs * 0.9)
    panel.refresh()
    assert panel.pairs.grid is not None
    assert not panel.slider.isEnabled()
    panel.set_decoder(np.zeros(3), np.ones(3),
                      lambda code, done: done(np.repeat(code.mean(axis=1), 16).reshape(1, 16)))
    panel.slider.setValue(50)
    assert np.allclose(panel.morph.array, 0.5)
    assert len(saved(panel, tmp_path)) == 5
