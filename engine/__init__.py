"""Indsatsfinder: semantic search and recommendations over Danish jobcenter initiatives."""

__version__ = "0.2.0"
