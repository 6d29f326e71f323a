"""Pages written through the engine, kept durably on disk beside the seed pages."""
