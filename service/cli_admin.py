"""Administration commands: `registry tokens create|list|revoke|upgrade`, `registry audit
verify` and `registry stats rebuild|check`.

They act as `SYSTEM` (whoever can run them holds the database already). Domain and database
errors become one-line click errors: no traceback reaches the user.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import click

from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.reports import rebuild
from registry.storage.db import Database
from registry.transparency import checkpoints, checks
from registry.trust import audit
from service.runner import master_key_or_exit, run_with_db, settings_or_exit


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "-"


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in (header, *rows)
    ]
    return "\n".join(lines)


@click.group("tokens")
def tokens_group() -> None:
    """Bearer tokens: each bound to a role and a scope, shown once, stored as a keyed hash."""


@tokens_group.command("create")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="The token's role."
)
@click.option("--institution", default=None, help="Unified social credit code (institutions).")
@click.option("--province", default=None, help="Two-digit province code (provincial reviewers).")
@click.option(
    "--sector",
    default=None,
    help="Sector code (ministry recommenders; registry/data/sectors.json).",
)
@click.option("--name", default=None, help="Who holds the token (default: role and scope).")
def tokens_create(
    role: str, institution: str | None, province: str | None, sector: str | None, name: str | None
) -> None:
    """Create a token and print it (it is shown only this once)."""
    chosen = Role(role)
    master_key = master_key_or_exit()

    async def work(db: Database) -> tuple[str, tokens.TokenInfo]:
        # Normalised, for the name.
        inst, prov, sect = tokens.check_scope(chosen, institution, province, sector)
        label = name or " ".join(part for part in (chosen.value, inst, prov, sect) if part)
        return await tokens.create_token(
            db,
            master_key,
            role=chosen,
            name=label,
            institution=inst,
            province=prov,
            sector=sect,
            created_by=SYSTEM,
        )

    text, info = run_with_db(work)
    scope = f" @ {info.scope}" if info.scope else ""
    click.echo(f"created token {info.id} ({info.role.value}{scope})", err=True)
    click.echo(
        "WARNING: the token is shown only once and cannot be recovered (only a keyed hash is "
        "kept); "
        "store it now.",
        err=True,
    )
    # The token alone on standard output, so `TOKEN=$(registry tokens create ...)` works.
    click.echo(text)


@tokens_group.command("list")
def tokens_list() -> None:
    """List tokens (never their text or hash)."""
    found = run_with_db(tokens.list_tokens)
    if not found:
        click.echo("no tokens")
        return
    rows = [
        (t.id, t.role.value, t.scope or "-", t.name, _when(t.created_at), _when(t.revoked_at))
        for t in found
    ]
    click.echo(_table(("ID", "ROLE", "SCOPE", "NAME", "CREATED", "REVOKED"), rows))


@tokens_group.command("revoke")
@click.argument("token_id")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id (see `registry tokens list`)."""

    async def work(db: Database) -> tokens.TokenInfo:
        return await tokens.revoke_token(db, token_id, SYSTEM)

    info = run_with_db(work)
    click.echo(f"token {info.id} revoked at {_when(info.revoked_at)}")


@tokens_group.command("upgrade")
def tokens_upgrade() -> None:
    """Give tokens made before version 14's MACs a MAC under the master key (run once, after
    upgrading). Only rows the audit log vouches for are upgraded; the others stay unusable."""
    master_key = master_key_or_exit()

    async def work(db: Database) -> tuple[list[str], list[str]]:
        return await tokens.upgrade_legacy(db, master_key, SYSTEM)

    upgraded, refused = run_with_db(work)
    click.echo(f"upgraded {len(upgraded)} token(s){': ' if upgraded else ''}{' '.join(upgraded)}")
    if refused:
        click.echo(
            f"refused {len(refused)} row(s) the audit log does not vouch for (written around the "
            f"API, or changed since): {' '.join(refused)}; they authenticate nothing",
            err=True,
        )


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit log."""


@audit_group.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A log checkpoint published earlier (as served at /log/checkpoint): the chain must "
    "still hold the entries it pinned.",
)
def audit_verify(checkpoint_file: Path | None) -> None:
    """Recompute the whole chain; exit 1 and name the first broken entry if it is broken. With
    --checkpoint, also detect a chain rewritten or cut back since that checkpoint."""
    if checkpoint_file is not None:
        _verify_against(checkpoint_file.read_text(encoding="utf-8"))
        return
    report = run_with_db(audit.verify_chain)
    if report.ok:
        click.echo(f"audit chain OK: {report.entries} entries")
        return
    click.echo(f"audit chain BROKEN at entry {report.first_broken_seq}: {report.reason}", err=True)
    click.get_current_context().exit(1)


@click.group("stats")
def stats_group() -> None:
    """The public statistics' counters, kept by every write (docs/architecture.md)."""


@stats_group.command("rebuild")
def stats_rebuild() -> None:
    """Recount every counted record and replace the counters (audited); also done at start-up
    when the counters are absent or of an older layout."""
    written = run_with_db(rebuild.rebuild)
    click.echo(f"statistics counters rebuilt: {written} documents")


@stats_group.command("check")
def stats_check() -> None:
    """Recount without writing; exit 1 and name each counter that differs from the recount."""
    differences = run_with_db(rebuild.check)
    if not differences:
        click.echo("statistics counters OK: they agree with a recount")
        return
    for d in differences[:50]:
        click.echo(f"{d.counter}: stored {d.stored}, recounted {d.recounted}", err=True)
    click.echo(
        f"statistics counters DIFFER in {len(differences)} places; run `registry stats rebuild`",
        err=True,
    )
    click.get_current_context().exit(1)


def _verify_against(note: str) -> None:
    settings = settings_or_exit()
    master_key = master_key_or_exit()

    async def work(db: Database) -> checks.Report:
        key = await checkpoints.note_key(db, master_key, settings.base_url)
        return await checks.verify_audit(db, note, key)

    report = run_with_db(work)
    if report.ok:
        click.echo(f"audit chain OK against the checkpoint of {report.leaves} leaves")
        return
    for problem in report.problems:
        click.echo(f"audit chain BROKEN: {problem}", err=True)
    click.get_current_context().exit(1)
