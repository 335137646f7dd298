"""Turning domain errors into GraphQL errors with a stable `extensions.code`."""

from __future__ import annotations

from graphql import GraphQLError

from registry.errors import RegistryError


class PublicError(GraphQLError):
    """An error whose message is safe to show; everything else is masked."""

    def __init__(self, message: str, code: str, **extensions: object) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def public(error: RegistryError) -> PublicError:
    extra: dict[str, object] = {"field": error.field} if error.field else {}
    return PublicError(error.message, error.code, **extra)
