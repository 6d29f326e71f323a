"""Recommendations, the layer above search: which practices and advice fit a situation.

Its modules are layered too (pyproject.toml): `recommender` on top reads the others;
`advice`, `reasons` and `practice_match` are independent of each other; `eligibility`, the
rule for what the evidence allows, is below them all. This file imports nothing, so that
reading one of them does not load the rest.
"""
