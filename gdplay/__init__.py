"""gdplay: watch gradient descent work, and tune it live."""

__version__ = "0.1.0"
