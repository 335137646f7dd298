"""Errors about a query's arguments, raised by the resolvers as domain errors.

Resolvers never build GraphQL errors: they call the domain and let its errors (`RegistryError` and
subclasses, `Rejected`, `IdNumberError`) pass, or raise `ArgumentError` for an argument they refuse
before asking the domain. How each error is shown to a client is decided in one table,
`schema/errors.py`.
"""

from __future__ import annotations

from registry.errors import InvalidInput


class ArgumentError(InvalidInput):
    """An argument refused before the domain is asked: `argument` names it as the client wrote it
    (`first`, `after`, `idNumber`), `details` are further stable facts such as `limit`."""

    def __init__(self, message: str, code: str, *, argument: str | None = None, **details: object):
        super().__init__(message, code=code)
        self.argument = argument
        self.details = details
