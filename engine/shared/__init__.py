"""What every layer of the engine shares: the one error hierarchy and the one `Settings`.

It sits at the bottom so that any layer may raise a domain error or read a setting without
reaching up; it imports nothing of the engine.
"""
