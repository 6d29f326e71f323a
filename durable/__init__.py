"""Crash-safe files on a POSIX file system, shared by every layer that writes to disk.

It sits below `index/` and `engine/` and imports neither, so the page store, the index store
and the model export all write, sync and lock files the same way.
"""
