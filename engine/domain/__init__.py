"""The domain: initiative pages as frozen records, how they are read and written, and the
practice catalogue with its evidence. Imports nothing of the engine but `errors`."""
