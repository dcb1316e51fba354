"""Widgets and plots: they draw and bind, and leave the numbers to gdplay.core."""
