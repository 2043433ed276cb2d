"""What opens the import wizard: the File menu and the lists' "Import…" buttons.

The wizard's modules (and the interchange package behind them) load on first use, so a
cold start does not pay for them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import MODELS
from sfa_desktop.core.enums import EntityKind


def open_import(ctx: AppContext, parent: QWidget | None, kind: EntityKind | None = None) -> QWidget:
    """Show the import wizard, `kind` preselected (contacts, accounts or leads)."""
    from sfa_desktop.operations.interchange import offer_custom_fields
    from sfa_desktop.ui.imports.import_wizard import open_import_wizard

    offer_custom_fields(ctx.store)
    return open_import_wizard(ctx, parent, kind)


def import_button(ctx: AppContext, kind: EntityKind, parent: QWidget) -> QPushButton:
    """An "Import…" button for a list of `kind`."""
    button = QPushButton("Import…")
    button.setToolTip(f"Import {MODELS[kind].plural_name()} from a CSV or vCard file")
    button.clicked.connect(lambda: open_import(ctx, parent.window(), kind))
    return button
