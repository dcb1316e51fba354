"""Headless sub-commands (``gdplay fit regression|network|svm ...``). Each module exposes
``add_arguments(parser)`` and ``run(args) -> int`` (0 on success, 2 on bad input with a one-line message
on stderr). They drive the same core trainers as the window."""
