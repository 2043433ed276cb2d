"""The Help menu: keyboard shortcuts (read from the window's actions), where the data
lives, and About."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop import __version__
from sfa_desktop.operations.session import Session
from sfa_desktop.ui.common.widgets import caption, heading

NATIVE = QKeySequence.SequenceFormat.NativeText


def plain(text: str) -> str:
    """A menu text as read: "&Sign in…" -> "Sign in"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcuts(window: QWidget) -> list[tuple[str, list[tuple[str, str]]]]:
    """(menu, [(action, keys)]) for every menu of `window` with shortcuts, in menu order,
    then window-wide shortcuts that say what they do (their whatsThis)."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    bar = window.findChild(QMenuBar)
    for top in bar.actions() if bar is not None else []:
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        rows = [
            (plain(action.text()), action.shortcut().toString(NATIVE))
            for action in menu.actions()
            if not action.shortcut().isEmpty() and action.isVisible()
        ]
        if rows:
            groups.append((plain(top.text()), rows))
    others = [
        (s.whatsThis(), s.key().toString(NATIVE))
        for s in window.findChildren(QShortcut)
        if s.whatsThis() and not s.key().isEmpty()
    ]
    if others:
        groups.append(("Elsewhere", others))
    return groups


class ShortcutsDialog(QDialog):
    """Every shortcut of the window, grouped by menu; built from the live actions."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for menu, rows in shortcuts(window):
            group = QTreeWidgetItem([menu])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(group)
            group.addChildren([QTreeWidgetItem([name, keys]) for name, keys in rows])
        self.tree.expandAll()
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(heading("Keyboard shortcuts", 13))
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(460, 520)


def open_folder(path: Path) -> bool:
    """Show `path` (a folder) in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class DataDialog(QDialog):
    """Where this app keeps the rep's data, settings and logs, with buttons to open them."""

    def __init__(
        self,
        store: Path,
        settings: Path | None,
        site: Path | None,
        parent: QWidget | None = None,
        log: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Where your data is")
        self.setMinimumWidth(620)
        self.rows: dict[str, str] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        entries: list[tuple[str, Path | None, str]] = [
            ("Your data", store, "Accounts, contacts, deals… encrypted on this computer."),
            ("Settings", settings, "Your choices in File ▸ Settings."),
            ("Site settings", site, "Set by your administrator." if site else "None here."),
            (
                "Log",
                log,
                "What the app did (syncs, sign-ins, errors), kept to a few MB, no"
                " passwords or keys."
                if log
                else "Not written to a file in this session.",
            ),
        ]
        for row, (name, path, note) in enumerate(entries):
            label = QLabel(name)
            label.setStyleSheet("font-weight: 600;")
            value = QLabel(str(path) if path else "—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.rows[name] = value.text()
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(value)
            column.addWidget(caption(note))
            grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(column, row, 1)
            if path is not None:
                button = QPushButton("Open folder")
                button.clicked.connect(lambda _=False, p=path: open_folder(p.parent))
                grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(heading("Where your data is", 13))
        layout.addLayout(grid)
        layout.addWidget(buttons)


def about_rows(session: Session | None, store: Path) -> list[tuple[str, str]]:
    """What About shows: versions of the app and what it runs on, and the sign-in."""
    if session is not None and session.signed_in:
        server = f"{session.server}, signed in as {session.who}"
    elif session is not None and session.who:
        server = f"Not signed in (working offline as {session.who})"
    else:
        server = "Not signed in"
    return [
        ("Version", __version__),
        ("Server", server),
        ("Local data", str(store)),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
        ("Python", f"{platform.python_version()} ({sys.implementation.name})"),
        ("System", platform.platform(terse=True)),
    ]


class AboutDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About SFA Desktop")
        self.setMinimumWidth(520)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        for row, (name, text) in enumerate(rows):
            key = QLabel(name)
            key.setStyleSheet("color: #5f6368;")
            value = QLabel(text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(key, row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(heading("SFA Desktop", 14))
        layout.addWidget(
            caption(
                "Offline-first sales-force automation: your accounts, contacts and deals "
                "on this computer, synced with your company's server."
            )
        )
        layout.addLayout(grid)
        layout.addWidget(buttons)
