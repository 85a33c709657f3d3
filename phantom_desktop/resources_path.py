"""Runtime resources (icons, desktop entry, style sheet) wherever the app runs.

The repository's `resources/` folder is installed as the package `phantom_desktop.resources`
(pyproject.toml maps it), and build.spec puts it at the same package path in the bundle, where
PyInstaller's importer serves `importlib.resources`. One lookup therefore works from a source
checkout, an editable or normal pip install and the frozen app. Qt is imported only by
`app_icon`, so the rest stays usable without a display or Qt.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

PACKAGE = "phantom_desktop.resources"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)


def resource_path(name: str) -> Path:
    """The file `name` (e.g. "style.qss", "phantom-desktop-64.png") on disk."""
    path = Path(str(resources.files(PACKAGE))).joinpath(name)
    if not path.is_file():
        raise FileNotFoundError(f"no resource {name!r} in {path.parent}")
    return path


def read_resource(name: str) -> bytes:
    """The contents of the resource `name`."""
    return resource_path(name).read_bytes()


def style_sheet() -> str:
    """The application's Qt style sheet, for `QApplication.setStyleSheet`."""
    return read_resource("style.qss").decode("utf-8")


def app_icon() -> QIcon:
    """The application icon with every rendered size, for the window and the taskbar."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(resource_path(f"phantom-desktop-{size}.png")), QSize(size, size))
    return icon
