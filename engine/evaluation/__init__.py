"""Relevance evaluation: judged questions and situations against anything that searches
and recommends (the `Engine`, or a `Searcher` and `Recommender` in tests and benchmarks)."""
