"""Open Models: a static-site generator for an atlas of how open each large language model is."""

__version__ = "0.1.0"
