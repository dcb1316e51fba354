"""Qt threads around the core: one worker per tab, no widgets."""
