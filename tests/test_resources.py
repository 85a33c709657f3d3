"""Runtime resources load through the package, and packaging ships every package and file."""

from __future__ import annotations

import configparser
import fnmatch
import struct
import tomllib
from pathlib import Path

import pytest

from phantom_desktop.resources_path import (
    ICON_SIZES,
    app_icon,
    read_resource,
    resource_path,
    style_sheet,
)

REPO = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_is_a_png_of_its_size(size):
    assert png_size(read_resource(f"phantom-desktop-{size}.png")) == (size, size)


def test_ico_and_svg_are_there():
    assert read_resource("phantom-desktop.ico")[:4] == b"\x00\x00\x01\x00"
    assert b"<svg" in read_resource("phantom-desktop.svg")


def test_desktop_entry_launches_the_installed_command():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read_string(read_resource("phantom-desktop.desktop").decode("utf-8"))
    section = entry["Desktop Entry"]
    assert section["Exec"] == "phantom-desktop"
    assert section["Icon"] == "phantom-desktop"
    assert section["Terminal"] == "false"
    assert "Utility" in section["Categories"].split(";")


def test_resource_path_is_a_file_and_missing_names_raise():
    assert resource_path("style.qss").is_file()
    with pytest.raises(FileNotFoundError, match=r"nope\.png"):
        resource_path("nope.png")


def test_app_icon_has_every_size(qapp):
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert sizes == set(ICON_SIZES)


def test_style_sheet_parses_without_qt_warnings(qapp):
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QLabel

    messages: list[str] = []
    previous = qInstallMessageHandler(lambda _type, _ctx, msg: messages.append(msg))
    try:
        label = QLabel("x")
        label.setStyleSheet(style_sheet())
        label.ensurePolished()
    finally:
        qInstallMessageHandler(previous)
    assert not [m for m in messages if "style" in m.lower()]


def _pyproject_setuptools() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def test_every_package_directory_is_listed_in_pyproject():
    config = _pyproject_setuptools()
    found = {"phantom_desktop.resources"}
    for top in ("phantom_desktop", "simulator"):
        for init_dir in {p.parent for p in (REPO / top).rglob("*.py")}:
            found.add(".".join(init_dir.relative_to(REPO).parts))
    assert sorted(found - set(config["packages"])) == []
    assert config["package-dir"] == {"phantom_desktop.resources": "resources"}


def test_every_resource_file_is_package_data():
    patterns = _pyproject_setuptools()["package-data"]["phantom_desktop.resources"]
    files = [p.name for p in (REPO / "resources").iterdir() if p.is_file() and p.suffix != ".py"]
    assert [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)] == []
