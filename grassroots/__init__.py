"""grassroots: the four-grassroots method of local governance, as software."""

__version__ = "0.1.0"
