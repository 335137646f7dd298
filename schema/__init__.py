"""The GraphQL API: strawberry types, the Query and Mutation roots, limits and error handling.

`schema/` reaches the domain only through `resolvers/` (domain names via `resolvers/api.py`);
it builds its objects from domain models with `convert.from_model`, lists with
`relay.connection`, mutation payloads with `payload.payload`, and shows errors by the one table
in `errors.py`. A field answering a named person's data carries `@personal` (`personal.py`).
"""
