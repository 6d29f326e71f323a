"""The `indsats` command line: an entry point over the one `Engine`, like the API."""
