"""The opportunity pipeline: the board of cards by stage and the filtered table."""
