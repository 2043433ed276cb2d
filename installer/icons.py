"""Render the app icon (resources/sfa-desktop.svg) to the PNG, ICO and ICNS files the
installers use: `python -m installer icons` after editing the SVG (the results are kept in git).
"""

from __future__ import annotations

import os
from pathlib import Path

from installer.layout import RESOURCES

PNG_SIZES = (256, 128, 48, 32, 16)


def render(resources: Path = RESOURCES) -> list[Path]:
    """Write sfa-desktop-<size>.png for each size, sfa-desktop.ico and sfa-desktop.icns."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(resources / "sfa-desktop.svg"))
    if not renderer.isValid():
        raise ValueError("resources/sfa-desktop.svg is not a valid SVG")
    written: list[Path] = []
    images: dict[int, QImage] = {}
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        images[size] = image
        path = resources / f"sfa-desktop-{size}.png"
        if not image.save(str(path)):
            raise OSError(f"could not write {path}")
        written.append(path)
    for suffix, size in ((".ico", 256), (".icns", 256)):
        path = resources / f"sfa-desktop{suffix}"
        if not images[size].save(str(path)):
            raise OSError(f"Qt could not write {path} (no {suffix} image plugin)")
        written.append(path)
    return written
