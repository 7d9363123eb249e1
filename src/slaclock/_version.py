"""The version of slaclock (one constant: reading package metadata costs ~50 ms)."""

__version__ = "0.2.0"
