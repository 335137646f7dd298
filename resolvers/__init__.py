"""The only way from the API (`schema/`) to the domain (`registry/`, `credentials/`).

Resolvers take plain arguments and a `Context`, call the domain, and return plain values: domain
models, small read-model dataclasses, a `Page` for lists, an `Outcome` for mutations. They import
nothing of GraphQL and build no GraphQL errors: domain errors pass through (or `ArgumentError`
for an argument refused here), and `schema/errors.py` alone decides how a client sees them.
Whatever `schema/` needs from the domain it names through `resolvers/api.py`. import-linter
holds both sides of this line (pyproject.toml).
"""
