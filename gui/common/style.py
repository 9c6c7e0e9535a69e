"""Colours, fonts and sizes shared by the canvas and the panels (one place to restyle the app)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

CATEGORY_COLORS: dict[str, str] = {
    "Input / Output": "#2e7d6b",
    "Dense": "#3b6fb6",
    "Convolution": "#7b4fb0",
    "Pooling": "#b0621f",
    "Upsampling": "#a8527a",
    "Activation": "#c28a12",
    "Normalization": "#2f8fa3",
    "Regularization": "#6d7a86",
    "Shape": "#5f7d3a",
    "Merge": "#b0403d",
}
DEFAULT_CATEGORY_COLOR = "#60707f"

CANVAS_BACKGROUND = QColor("#f1f3f7")
GRID_MINOR = QColor("#e8ebf0")
GRID_MAJOR = QColor("#dde1e8")
CARD_FILL = QColor("#ffffff")
CARD_BORDER = QColor("#c5ccd6")
CARD_TEXT = QColor("#1f2933")
CARD_MUTED = QColor("#6b7785")
SELECTION = QColor("#2f7ff0")
ERROR = QColor("#d93a3a")
ERROR_FILL = QColor("#fff1f0")
WARNING = QColor("#c98a00")
WIRE = QColor("#7d8ba0")
WIRE_BY_RANK = {1: QColor("#3b6fb6"), 2: QColor("#2f8fa3"), 3: QColor("#7b4fb0")}  # vectors, sequences, images
WIRE_LABEL_FILL = QColor("#ffffff")
DEAD_UNITS = QColor("#8a5a00")
FLOW_WEAK, FLOW_STRONG = QColor("#b9c4d0"), QColor("#e8590c")  # gradient flow along wires while training
PORT_FILL = QColor("#ffffff")
PORT_BORDER = QColor("#5b6878")

NODE_WIDTH = 160.0  # the engine's layout (engine/layout.py NODE_SIZE) spaces cards of this size
NODE_HEIGHT = 84.0
HEADER_HEIGHT = 24.0
PORT_RADIUS = 6.0
GRID_STEP = 20

APP_STYLESHEET = """
QMainWindow::separator { background: #d9dee5; width: 3px; height: 3px; }
QDockWidget { font-weight: 600; }
QDockWidget::title { background: #e6eaf0; padding: 5px 8px; border-bottom: 1px solid #d0d6de; }
QTreeWidget, QTableView, QListWidget { border: none; }
QLineEdit#paletteSearch { border: 1px solid #c5ccd6; border-radius: 6px; padding: 4px 8px; background: white; }
QLabel#inspectorTitle { font-size: 15px; font-weight: 700; }
QLabel#inspectorHelp, QLabel.help { color: #6b7785; }
QLabel#paramError { color: #d93a3a; }
QLabel#toast { background: rgba(40, 44, 52, 235); color: white; border-radius: 6px; padding: 6px 10px; }
QLabel#errorCount[errors="true"] { color: #d93a3a; font-weight: 700; }
QStatusBar QLabel { padding: 0 8px; }
QFrame#welcomeBanner { background: #eef5ff; border: 1px solid #9cc0f5; border-radius: 8px; }
QWidget#startBody { background: #f5f7fa; }
QFrame#sampleCard { background: white; border: 1px solid #d5dbe3; border-radius: 8px; }
QFrame#sampleCard:hover { border: 1px solid #2f7ff0; }
QLabel#sampleDescription { color: #4a5664; }
QToolBar#mainToolbar { spacing: 4px; padding: 2px 6px; border-bottom: 1px solid #d0d6de; }
QLabel#runDevice { color: #4a5664; }
"""


def flow_color(strength: float) -> QColor:
    """Colour for a wire's gradient flow, from weak (grey-blue) to strong (orange), strength in 0..1."""
    t = min(1.0, max(0.0, strength))
    mix = [a + (b - a) * t for a, b in zip(FLOW_WEAK.getRgbF()[:3], FLOW_STRONG.getRgbF()[:3])]
    return QColor.fromRgbF(*mix)


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, DEFAULT_CATEGORY_COLOR))


def font(point_size: float, bold: bool = False, mono: bool = False) -> QFont:
    f = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    if mono:
        f.setStyleHint(QFont.StyleHint.Monospace)
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f
