"""The desktop user interface: main window, views, dialogs and item models."""
