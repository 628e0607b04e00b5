"""rreview: feedback from a research log."""

__version__ = "0.1.0"
