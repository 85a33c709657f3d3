"""Saves the History plot (curves and lanes) as PNG or SVG with pyqtgraph's exporters."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from phantom_desktop.ui.history.history_plot import HistoryPlot

FILTERS = "PNG image (*.png);;SVG drawing (*.svg)"


def write_plot_image(plot: HistoryPlot, path: Path) -> None:
    """Write the plot to `path`; the suffix (.png or .svg) chooses the format."""
    import pyqtgraph.exporters as exporters  # loaded on demand: listed in build.spec

    if path.suffix.lower() == ".svg":
        exporters.SVGExporter(plot.ci).export(str(path))
    else:
        exporter = exporters.ImageExporter(plot.ci)
        exporter.parameters()["width"] = max(1200, int(plot.width()))
        exporter.export(str(path.with_suffix(".png") if path.suffix == "" else path))


def save_plot_image(parent: QWidget, plot: HistoryPlot) -> Path | None:
    """Ask where, then save; says so if it cannot."""
    name, chosen = QFileDialog.getSaveFileName(parent, "Save the plot", "history.png", FILTERS)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() not in (".png", ".svg"):
        path = path.with_suffix(".svg" if "svg" in chosen.lower() else ".png")
    try:
        write_plot_image(plot, path)
    except OSError as exc:
        QMessageBox.warning(parent, "Save the plot", f"Cannot write {path}: {exc}")
        return None
    return path
