"""The front door: the `Engine`, the one thing the CLI and the API talk to.

It is the top layer of the engine, so every rule about stored pages, loading and writing
is reached through one object whatever the entry point; nothing below it knows the
entry points exist.
"""
