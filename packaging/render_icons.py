"""Render the app icon's PNG sizes and the Windows .ico from resources/phantom-desktop.svg.

The SVG is the source of truth; run this after editing it and commit the outputs:

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py

PNGs are drawn with Qt's own SVG renderer; ImageMagick's `convert` packs the .ico.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SVG = RESOURCES / "phantom-desktop.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 64, 128, 256)


def render_png(renderer: QSvgRenderer, size: int) -> Path:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    path = RESOURCES / f"phantom-desktop-{size}.png"
    if not image.save(str(path)):
        raise OSError(f"cannot write {path}")
    return path


def main() -> int:
    app = QGuiApplication(sys.argv)  # QPainter needs one
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"invalid SVG: {SVG}", file=sys.stderr)
        return 1
    pngs = {size: render_png(renderer, size) for size in PNG_SIZES}
    ico = RESOURCES / "phantom-desktop.ico"
    subprocess.run(["convert", *(str(pngs[s]) for s in ICO_SIZES), str(ico)], check=True)
    print(f"wrote {len(pngs)} PNGs and {ico.name} in {RESOURCES}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
