"""The small text pieces every screen uses: headings, captions, badges, message styles,
and checking a file path typed into a save box."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

ERROR_STYLE = "color: #b3261e;"
# A checkable button of a segmented choice (calendar mode, pipeline board/table).
TOGGLE_STYLE = (
    "QPushButton { padding: 4px 14px; }"
    "QPushButton:checked { background: #d2e3fc; color: #174ea6; font-weight: 600;"
    " border: 1px solid #1a73e8; border-radius: 3px; }"
)


def heading(text: str, size: int = 16) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"font-size: {size}pt; font-weight: 600;")
    label.setWordWrap(True)
    return label


def caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("color: #5f6368;")
    label.setWordWrap(True)
    return label


def badge(text: str, colour: str = "#1a73e8") -> QLabel:
    """A small coloured pill, e.g. a grade or a do-not-contact warning."""
    label = QLabel(text)
    label.setStyleSheet(
        f"background: {colour}; color: white; border-radius: 8px; padding: 2px 8px;"
        "font-weight: 600;"
    )
    return label


def save_path(text: str, suffixes: tuple[str, ...]) -> tuple[Path, str]:
    """The file typed into a save dialog, and why it cannot be written there ("" if it can)."""
    path = Path(text.strip()).expanduser()
    if not path.name or path.suffix.lower() not in suffixes:
        return path, f"Choose a file ending in {suffixes[0]}."
    if not path.parent.is_dir():
        return path, f"The folder {path.parent} does not exist."
    return path, ""
