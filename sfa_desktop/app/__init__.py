"""Qt glue without widgets: task manager, app signals, settings, the context views receive."""
