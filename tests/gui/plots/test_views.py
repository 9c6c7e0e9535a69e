"""Each training view renders plain numpy data, says what it shows, and saves PNG and CSV."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QPushButton

from engine.training import records as R
from engine.training.boundary import fit_aspect, grid_points
from gui.plots.activations import ActivationsPanel, LayerOutput
from gui.plots.colors import DIVERGING
from gui.plots.confusion import ConfusionPanel
from gui.plots.decision_boundary import DecisionBoundaryPanel
from gui.plots.filters import FiltersPanel
from gui.plots.gradient_flow import GradientFlowPanel
from gui.plots.heatmap import time_columns
from gui.plots.histograms import HistogramsPanel, on_common_grid
from gui.plots.image_grid import ImageGridPanel
from gui.plots.loss_plot import LossPlot, padded_range
from gui.plots.series import Smoother


def saved(panel, tmp_path) -> list[list[str]]:
    png = panel.save_png(tmp_path / "plot.png")
    assert png.stat().st_size > 1000
    with panel.save_csv(tmp_path / "plot.csv").open() as handle:
        return list(csv.reader(handle))


def shown(widget, qtbot, size=(900, 500)):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# -- loss and accuracy ------------------------------------------------------------------------
def run_records(steps_per_epoch=100, epochs=50, end_step=1008, best_epoch=7, validation=True, test=True):
    """The records of a run that early-stops at `end_step` (of 50 planned epochs)."""
    records = [R.Started("cpu", 1, 10, 3200, 800 if validation else 0, 500, steps_per_epoch, 32, epochs)]
    for step in range(10, end_step + 1, 10):
        records.append(R.StepRecord(step, step // steps_per_epoch + 1, step % steps_per_epoch, steps_per_epoch,
                                    1.0 / (1 + step / 300), 0.01, step * 32, 1000.0, step / 1000))
        if step % steps_per_epoch == 0:
            epoch = step // steps_per_epoch
            records.append(R.EpochRecord(epoch, step, 0.5, 0.8 + 0.01 * epoch, 0.01, 1.0, 1000.0))
            if validation:
                records.append(R.EvalRecord(step, epoch, "val", 0.4 + abs(epoch - best_epoch) * 0.01, 0.9,
                                            is_best=epoch <= best_epoch, best_step=min(epoch, best_epoch) * 100))
    best_step = best_epoch * steps_per_epoch
    records.append(R.EvalRecord(end_step, 11, "train", 0.3, 0.93, final=True))
    if validation:
        records.append(R.EvalRecord(end_step, 11, "val", 0.41, 0.9, final=True))
    if test:
        records.append(R.EvalRecord(end_step, 11, "test", 0.42, 0.89, final=True))
    records.append(R.Finished("early_stopping" if validation else "completed", end_step, 11, best_step, best_epoch))
    return records


def test_loss_axis_is_in_epochs_and_ends_where_an_early_stopped_run_ended(qtbot):
    from gui.training.views import TrainingViews

    views = shown(TrainingViews(), qtbot, (1000, 600))
    records = run_records()
    views.consume(records[:30])
    views.refresh()
    plot = views.loss
    assert plot.loss_plot.getAxis("bottom").labelText == "epoch"
    assert plot.loss_plot.viewRange()[0][1] == pytest.approx(50, rel=0.02)  # planned: 50 epochs
    views.consume(records[30:])
    views.refresh()
    x_low, x_high = plot.loss_plot.viewRange()[0]
    assert x_low == pytest.approx(0, abs=0.2) and x_high == pytest.approx(10.08, rel=0.02)  # not 50
    x, _ = plot.smooth_curve.getData()
    assert x[-1] == pytest.approx(10.0) and x[0] == pytest.approx(0.1)  # steps 10 and 1000, 100 per epoch
    best = plot.best_lines[0]
    assert best.isVisible() and best.value() == pytest.approx(7.0)
    assert "best" in best.label.format and "7" in best.label.format
    assert plot.end_lines[0].isVisible() and plot.end_lines[0].value() == pytest.approx(10.08)
    assert "early stop" in plot.end_lines[0].label.format
    assert "test loss 0.42" in plot.final_label.text() and "accuracy 89.00%" in plot.final_label.text()
    final_x, final_y = plot.final_points[plot.loss_plot].getData()
    assert list(final_x) == [pytest.approx(10.08)] and list(final_y) == [pytest.approx(0.42)]


def test_legend_lists_only_series_that_exist(qtbot):
    plot = shown(LossPlot(), qtbot)
    assert plot.stack.currentWidget() is plot.empty and "Train" in plot.empty.text()  # no empty axes
    assert plot.legend.text() == "" and "appear here" in plot.final_label.text()  # no figures before a run
    from gui.training.views import TrainingViews

    views = shown(TrainingViews(), qtbot, (1000, 600))
    views.consume(run_records(validation=False, test=False))
    views.refresh()
    legend = views.loss.legend.text()
    assert "training loss" in legend and "training accuracy" in legend
    assert "validation" not in legend and "test" not in legend and "best" not in legend
    assert not views.loss.best_lines[0].isVisible()
    assert not views.loss.end_lines[0].isVisible()  # completed: no stop marker
    views.begin_run(views.network, "again")  # a second run: the first stays, named, in the legend
    views.consume(run_records()[:5])
    views.refresh()
    legend = views.loss.legend.text()
    assert "run 1" in legend and "validation" not in legend  # no validation yet in this run
    assert views.loss.legend.wordWrap()  # long legends wrap instead of being clipped


def test_near_constant_loss_gets_a_readable_range(qtbot):
    low, high = padded_range(1.19999047984245, 1.19999047984250)
    assert high - low > 0.05
    plot = shown(LossPlot(), qtbot)
    plot.begin(10, 100)
    for step in range(1, 50):
        plot.train_loss.append(step, 1.19999047984245 + (step % 2) * 5e-14)
    plot.refresh()
    low, high = plot.loss_plot.viewRange()[1]
    assert high - low > 0.05
    ticks = plot.loss_plot.getAxis("left").tickValues(low, high, 300)
    assert all(len(f"{v:g}") < 8 for _, values in ticks for v in values)


def test_loss_plot_keeps_every_point_and_smooths(qtbot, tmp_path):
    plot = shown(LossPlot(), qtbot)
    plot.begin(100, 2000)
    for step in range(1, 2001):
        plot.train_loss.append(step, 2.0 / step)
    plot.val_loss.append(2000, 0.01)
    plot.refresh()
    _, y = plot.smooth_curve.getData()
    assert len(plot.train_loss.x) == 2000 and y[-1] > 2.0 / 2000  # smoothed lags the raw curve
    plot.log_box.setChecked(True)
    plot.add_overlay("run 1", [0.1, 0.2, 0.3], [3, 2, 1])
    rows = saved(plot, tmp_path)
    assert rows[0] == ["series", "step", "epoch", "value"] and len(rows) == 1 + 2001
    assert rows[2][:3] == ["train_loss", "2", "0.02"]


def test_smoother_extends_incrementally_and_matches_full_recompute():
    values = np.random.default_rng(0).random(500)
    smoother = Smoother()
    smoother(values[:200], 0.9)
    incremental = smoother(values, 0.9).copy()
    assert np.allclose(incremental, Smoother()(values, 0.9))


# -- pictures ---------------------------------------------------------------------------------
def wheel(widget, dy: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, widget.mapToGlobal(centre), QPoint(0, 0), QPoint(0, dy), Qt.MouseButton.NoButton,
                        modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_scrolls_an_image_view_and_ctrl_wheel_zooms(qtbot):
    panel = shown(ImageGridPanel(), qtbot, (500, 300))
    panel.set_data("64 samples", np.random.rand(64, 28, 28))
    panel.refresh()
    canvas = panel.canvas
    zoom = canvas.zoom
    bar = canvas.verticalScrollBar()
    assert bar.maximum() == 0  # fitted: the whole page in view
    wheel(canvas.surface, 120, Qt.KeyboardModifier.ControlModifier)  # Ctrl+wheel: zoom in about the cursor
    assert canvas.zoom == pytest.approx(zoom * canvas.ZOOM_STEP) and not canvas.fitted
    assert bar.maximum() > 0
    start = bar.value()
    wheel(canvas.surface, -120)  # the plain wheel scrolls the page down, zoom unchanged
    assert bar.value() > start and canvas.zoom == pytest.approx(zoom * canvas.ZOOM_STEP)
    panel.reset_view_button.click()
    assert canvas.fitted and canvas.zoom == pytest.approx(zoom)
    assert panel.findChildren(QPushButton, "") and \
        [b.text() for b in panel.findChildren(QPushButton)].count("Save PNG") == 1


def test_filters_are_on_a_diverging_scale_centred_on_zero(qtbot, tmp_path):
    panel = shown(FiltersPanel(), qtbot)
    weights = np.random.default_rng(1).normal(size=(16, 6, 5, 5)).astype(np.float32)
    weights[0, 0, 0, 0] = 0.0
    weights[1, 0] *= 10  # one strong filter
    panel.set_data("c3", weights)
    panel.refresh()
    peak = float(np.abs(weights).max())
    assert (panel.colorbar.low, panel.colorbar.high) == pytest.approx((-peak, peak))
    assert len(panel.canvas.tiles) == 16 * 6 and panel.canvas.panels  # a montage on a grey ground
    zero = panel.canvas.tiles[0].image.pixelColor(0, 0)  # filter 1, input 1, the weight set to 0
    assert (zero.red(), zero.green(), zero.blue()) == tuple(DIVERGING[len(DIVERGING) // 2])
    assert zero.red() > 240 and zero.green() > 240 and zero.blue() > 240  # white, not red
    gap = panel.canvas.panels[0].color or panel.canvas.panels[0].rect
    assert gap is not None
    panel.per_filter_box.setChecked(True)  # each filter spans the scale: the colour bar says so
    assert panel.colorbar.labels() == ("+max", "0", "−max")
    assert "each filter on its own scale" in panel.caption.text()
    assert saved(panel, tmp_path)[0][0] == "filter"


def test_dense_weights_on_an_image_are_drawn_as_weight_images(qtbot):
    panel = shown(FiltersPanel(), qtbot)
    panel.image_shape = (1, 28, 28)
    panel.set_data("fc1", np.random.rand(16, 784) - 0.5)
    panel.refresh()
    assert len(panel.canvas.tiles) == 16 and panel.canvas.tiles[0].image.width() == 28
    assert "28×28 images" in panel.caption.text()
    panel.set_data("f5", np.random.rand(120, 400) - 0.5)  # not fed by the image: its matrix
    panel.refresh()
    assert len(panel.canvas.tiles) == 1 and "weight matrix" in panel.caption.text()


def test_activations_show_every_layer_without_a_selection(qtbot, tmp_path):
    panel = shown(ActivationsPanel(), qtbot, (1000, 500))
    layers = [LayerOutput("c1", "c1", "Conv2d", np.random.randn(8, 6, 28, 28).astype(np.float32)),
              LayerOutput("r1", "relu1", "ReLU", np.maximum(np.random.randn(8, 6, 28, 28), 0), "10% dead"),
              LayerOutput("f5", "f5", "Dense", np.random.randn(8, 120).astype(np.float32))]
    panel.set_probe(layers, np.random.rand(8, 1, 28, 28), [str(i) for i in range(8)], 50)
    panel.refresh()
    keys = [tile.key for tile in panel.overview.tiles]
    assert keys.count(("layer", "c1")) == 6 and keys.count(("layer", "f5")) == 1 and keys.count(("sample", 7)) == 1
    assert panel.array is None and panel.detail.empty
    panel.overview.tile_clicked.emit(("layer", "c1"))  # a click on the strip shows the layer in detail
    assert panel.array.shape == (6, 28, 28) and len(panel.detail.tiles) == 6
    panel.overview.tile_clicked.emit(("sample", 3))
    assert panel.sample == 3 and np.array_equal(panel.array, layers[0].values[3])
    assert saved(panel, tmp_path)[0][0] == "index"


def test_gradient_flow_heatmap_has_a_time_axis_and_a_colour_bar(qtbot, tmp_path):
    panel = shown(GradientFlowPanel(), qtbot)
    panel.set_time_unit(100, planned_steps=500)
    for step in range(10, 110, 10):
        panel.add(step, {"fc1": 1e-6, "fc2": 1e-3, "fc3": 1.0})
    panel.refresh()
    assert panel.heat.image.image.shape == (3, 10)
    assert np.allclose(panel.heat.image.image[:, 0], [-6, -3, 0])
    assert panel.heat_plot.getAxis("bottom").labelText == "epoch"
    assert panel.heat_plot.viewRange()[0] == pytest.approx([0.0, 5.0])  # the planned 5 epochs while running
    panel.set_end(100)
    assert panel.refresh()  # the end is drawn at the next refresh, like new data
    assert panel.heat_plot.viewRange()[0] == pytest.approx([0.0, 1.0])  # steps 0..100 = epoch 0..1: the run
    assert not panel.refresh()  # nothing new: nothing drawn
    low, high = panel.heat.bar.levels()
    assert low <= -6 and high >= 0 and high - low < 8  # the colour bar spans the values
    assert panel.heat.image.levels.tolist() == pytest.approx([low, high])
    assert len(saved(panel, tmp_path)) == 11


def test_irregular_probes_are_placed_in_time():
    start, stop, columns = time_columns(np.array([10, 20, 30, 33]), np.array([[1.0, 2.0, 3.0, 4.0]]))
    assert (start, stop) == (0, 33)
    assert columns.shape[1] > 4 and columns[0, -1] == 4 and columns[0, 0] == 1  # the short last interval is short


def test_histograms_over_time_on_one_value_axis(qtbot, tmp_path):
    panel = shown(HistogramsPanel(), qtbot)
    for step in range(3):
        counts, edges = np.histogram(np.random.randn(100) * (1 + step), bins=20)
        panel.add(step, "fc1", "weights", edges, counts)
        panel.add(step, "fc1", "gradients", edges, counts)
    panel.refresh()
    assert panel.heats["weights"].image.shape[1] == 3
    edges, matrix = on_common_grid(panel.history["fc1"]["weights"])
    assert np.allclose(matrix.sum(axis=0), 100)  # every sample kept when moved to the common grid
    assert panel.over_time["weights"].getAxis("left").labelText == "value"
    assert len(saved(panel, tmp_path)) == 1 + 2 * 3 * 20


def test_confusion_matrix_click_shows_its_samples(qtbot, tmp_path):
    panel = shown(ConfusionPanel(), qtbot)
    labels = np.array([0, 0, 1, 1, 2, 2])
    predictions = np.array([0, 1, 1, 1, 2, 0])
    images = np.random.rand(6, 1, 8, 8)
    panel.set_results(labels, predictions, images, ["0", "1", "2"], "validation")
    assert panel.matrix.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    with qtbot.waitSignal(panel.cell_selected):
        panel._clicked(0, 1)
    assert panel.sample_indices(0, 1).tolist() == [1]
    assert panel.samples.array.shape == (1, 1, 8, 8) and panel.shown_samples == 1
    with qtbot.waitSignal(panel.evaluate_requested, timeout=1000):
        panel.evaluate_button.click()
    assert saved(panel, tmp_path)[1] == ["0", "1", "1", "0"]


def test_decision_boundary_fills_its_panel_at_equal_scale(qtbot, tmp_path):
    panel = shown(DecisionBoundaryPanel(), qtbot, (1000, 400))
    points = np.random.randn(50, 2).astype(np.float32)
    panel.set_points(points, (points[:, 0] > 0).astype(int))
    aspect = panel.aspect()
    assert aspect > 1.5  # a wide panel
    bounds = fit_aspect(panel.bounds, aspect)
    assert (bounds[1] - bounds[0]) / (bounds[3] - bounds[2]) == pytest.approx(aspect)
    shape = (40, round(40 * aspect))
    grid = grid_points(bounds, shape)
    probabilities = np.stack([grid[:, 0] <= 0, grid[:, 0] > 0], axis=1).astype(np.float32)
    panel.set_probabilities(probabilities, shape, bounds, step=5)
    panel.refresh()
    assert panel.image.shape == (*shape, 3)
    assert not np.array_equal(panel.image[:, 0], panel.image[:, -1])  # left and right differ
    (x0, x1), (y0, y1) = panel.plot.getPlotItem().vb.viewRange()
    assert x0 == pytest.approx(bounds[0], rel=0.05, abs=0.05) and x1 == pytest.approx(bounds[1], rel=0.05, abs=0.05)
    assert y0 == pytest.approx(bounds[2], rel=0.05, abs=0.05) and y1 == pytest.approx(bounds[3], rel=0.05, abs=0.05)
    assert "class 1" in panel.caption.text()
    assert len(saved(panel, tmp_path)) == 51


def test_autoencoder_pairs_are_labelled_and_a_b_selectable(qtbot, tmp_path):
    from gui.plots.autoencoder_view import AutoencoderPanel

    panel = shown(AutoencoderPanel(), qtbot)
    inputs = np.random.rand(4, 1, 28, 28)
    panel.set_pairs(inputs, inputs * 0.9)
    panel.refresh()
    assert len(panel.pairs.tiles) == 8 and not panel.slider.isEnabled()
    texts = [label.text for label in panel.pairs.labels]
    assert "1 · A" in texts and "2 · B" in texts and "reconstruction" in texts
    frames = {(a, b): np.linspace(a, b, 21)[:, None, None, None] * np.ones((21, 1, 28, 28))
              for a in range(4) for b in range(a + 1, 4)}
    panel.set_walks(frames, step=12)
    panel.slider.setValue(50)
    assert np.allclose(panel.morph.array, 0.5)  # halfway from sample 0 to sample 1
    panel.pairs.tile_clicked.emit(3)  # a click makes sample 4 A: the walk now runs from 4 to 2
    assert panel.pair == (3, 1) and np.allclose(panel.morph.array, 2.0)
    assert "sample 4 (A)" in panel.morph_caption.text()
    assert len(saved(panel, tmp_path)) == 5


def test_the_grid_never_cuts_the_curves(qtbot):
    """The opaque grid is drawn under the data: a flat validation curve from epoch 1 to 3 is one
    unbroken red line (drawn over it, the grid cut it into dashes)."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(900, 500)
    plot.show()
    plot.begin(100, 300)
    for step in range(1, 301):
        plot.train_loss.append(step, 2.0)
    for epoch in (1, 2, 3):
        plot.val_loss.append(100 * epoch, 1.0)
    plot.refresh(force=True)
    qtbot.wait(200)
    image = plot.loss_widget.grab().toImage()
    red = np.array([[image.pixelColor(x, y).getRgb()[:3] == (0xd6, 0x27, 0x28) for x in range(image.width())]
                    for y in range(image.height())])
    row = red[red.sum(axis=1).argmax()]
    xs = np.flatnonzero(row)
    assert xs.size and row[xs[0]:xs[-1] + 1].mean() > 0.97  # no gaps between the first and last red pixel


def test_an_accuracy_plot_waiting_for_its_first_epoch_spans_0_to_100_percent(qtbot):
    """Shown from the start of a classification run, before any accuracy it reads 0-100 %, not
    pyqtgraph's meaningless 0.2-0.8 default."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.show()
    plot.begin(100, 300)
    plot.expect_accuracy_from("classification")
    plot.train_loss.append(1, 2.0)
    plot.refresh(force=True)
    assert plot.accuracy_widget.isVisible()
    low, high = plot.accuracy_plot.vb.viewRange()[1]
    assert low <= 0 and high >= 100
