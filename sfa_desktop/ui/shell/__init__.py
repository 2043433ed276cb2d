"""The window around the pages: page factory, status bar, notifications, settings, sign-in
(dialog, progress, failure), passphrase, help dialogs, the welcome panel and the Ctrl+K
search popup.
"""
