"""Search over the passages of a corpus: query types and their validation, the thesaurus,
the passage index, rank fusion and the `Searcher`."""
