"""Domain errors. Each carries a stable `code` that the API returns in `extensions.code` or
`userErrors`; messages say what is wrong and where, and never contain personal data: a message
may name the value it refuses, so whatever in it may be an ID number is withheld when the error
is made, whichever exit (GraphQL, a page, the command line, a log) shows it."""

from __future__ import annotations

from credentials import withhold_id_numbers


class RegistryError(Exception):
    code = "REGISTRY_ERROR"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        message = withhold_id_numbers(message)
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class ConfigurationError(RegistryError):
    code = "CONFIGURATION"


class DatabaseUnavailable(RegistryError):
    code = "DATABASE_UNAVAILABLE"


class DataDirectoryInUse(RegistryError):
    code = "DATA_DIRECTORY_IN_USE"


class NotFound(RegistryError):
    code = "NOT_FOUND"


class InvalidInput(RegistryError):
    code = "INVALID_INPUT"


class Forbidden(RegistryError):
    """The caller is known but may not do this (wrong role, or outside its institution/province)."""

    code = "FORBIDDEN"


class Conflict(RegistryError):
    """The record changed underneath the request; retrying it is safe."""

    code = "CONFLICT"


# Bearer tokens (registry.access.tokens)


class Unauthenticated(RegistryError):
    code = "UNAUTHENTICATED"


class TokenScopeError(InvalidInput):
    code = "TOKEN_SCOPE"


class TokenNotFound(NotFound):
    code = "TOKEN_NOT_FOUND"


# Signing keys (registry.trust.keystore)


class KeyDecryptionFailed(RegistryError):
    """The sealed seed does not open: the master key is not the one it was sealed under."""

    code = "KEY_DECRYPTION_FAILED"


class KeyRecordMismatch(RegistryError):
    """The seed opened but does not belong to the record's public key (records tampered with)."""

    code = "KEY_RECORD_MISMATCH"


class KeyRotationTooSoon(Conflict):
    code = "KEY_ROTATION_TOO_SOON"


# The registry's own signing (registry.trust.offline_root)


class SigningCertificateExpired(RegistryError):
    """The bundle key's certificate from the offline root is not valid now: the registry signs
    nothing (no bundle, status list, detached signature or record) until a new one is installed.
    `valid_until` is when the installed one ended (or `valid_from`, when it has not begun)."""

    code = "ROOT_CERTIFICATE_EXPIRED"

    def __init__(self, message: str, *, valid_until: str) -> None:
        super().__init__(message)
        self.valid_until = valid_until


class RootKeyDestroyed(RegistryError):
    """The one-machine root key's secret was destroyed when an offline root's certificate was
    installed; what it did is now done on the offline machine."""

    code = "ROOT_KEY_OFFLINE"


# Backup and restore (registry.backup)


class BackupInvalid(RegistryError):
    """Not a backup this version can read: another format, a newer version, a collection it does
    not know."""

    code = "BACKUP_INVALID"


class BackupCorrupt(RegistryError):
    """The backup is damaged or cut short: a count or SHA-256 differs from its manifest."""

    code = "BACKUP_CORRUPT"


class BackupWrongMasterKey(RegistryError):
    """The backup's sealed signing keys do not open with this master key."""

    code = "BACKUP_WRONG_MASTER_KEY"


class RestoreTargetNotEmpty(RegistryError):
    """A restore writes only into an empty data directory or database."""

    code = "RESTORE_TARGET_NOT_EMPTY"


class RestoreBundleUntrusted(RegistryError):
    """The bundle given to `registry restore --after-bundle` is not the backup's registry's."""

    code = "RESTORE_BUNDLE_UNTRUSTED"


class RestoreIncomplete(RegistryError):
    """The database holds a restore that did not finish: no command may use it."""

    code = "RESTORE_INCOMPLETE"
