"""`registry tokens`, `registry audit` and `registry stats` through click, against the real embedded database.

`run_with_db` calls `asyncio.run`, so each command runs in a worker thread while this test's
event loop waits."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
import pytest_asyncio
from click.testing import CliRunner, Result

from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.intake.identifiers import uscc_check_character
from registry.storage.collections import Collection
from registry.storage.db import Database, make_client
from registry.trust import audit
from service.cli_admin import audit_group, stats_group, tokens_group
from tests.conftest import free_port
from tests.factories import MASTER_KEY, MASTER_KEY_B64

USCC = "91440300MA5ABCDEF" + uscc_check_character("91440300MA5ABCDEF")
TOKEN = re.compile(r"dte_[A-Za-z0-9_-]{43}")


@click.group()
def cli() -> None:
    pass


cli.add_command(tokens_group)
cli.add_command(audit_group)
cli.add_command(stats_group)


@dataclass
class Cli:
    db: Database
    env: dict[str, str]

    async def __call__(self, *args: str) -> Result:
        runner = CliRunner()
        return await asyncio.to_thread(runner.invoke, cli, list(args), env=self.env)


@pytest_asyncio.fixture(loop_scope="session")
async def registry_cli(mongodb_uri: str) -> AsyncIterator[Cli]:
    client = make_client(mongodb_uri)
    name = f"t_cli_admin_{uuid.uuid4().hex[:8]}"
    try:
        env = {"REGISTRY_MONGODB_URI": mongodb_uri, "REGISTRY_DATABASE": name}
        yield Cli(client[name], env | {"REGISTRY_MASTER_KEY": MASTER_KEY_B64})
    finally:
        await client.drop_database(name)
        await client.close()


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


async def test_create_prints_the_token_once_and_it_works(registry_cli: Cli) -> None:
    result = await registry_cli(
        "tokens", "create", "--role", "EVALUATION_INSTITUTION", "--institution", USCC.lower()
    )
    assert result.exit_code == 0, result.output
    assert TOKEN.fullmatch(result.stdout.strip())  # standard output is the token alone
    assert "shown only once" in result.stderr
    principal = await tokens.authenticate(registry_cli.db, MASTER_KEY, result.stdout.strip())
    assert principal.role is Role.EVALUATION_INSTITUTION and principal.institution == USCC
    # Without --name the holder is named by role and (normalised) scope.
    assert principal.name == f"EVALUATION_INSTITUTION {USCC}"


async def test_scope_errors_are_one_clean_line(registry_cli: Cli) -> None:
    result = await registry_cli("tokens", "create", "--role", "PROVINCIAL_REVIEWER")
    assert result.exit_code == 1
    assert "needs a province code" in result.stderr
    _no_traceback(result)
    assert await registry_cli.db[Collection.TOKENS].count_documents({}) == 0


async def test_a_ministry_token_is_made_for_its_sector(registry_cli: Cli) -> None:
    result = await registry_cli(
        "tokens", "create", "--role", "MINISTRY_RECOMMENDER", "--sector", "MIIT"
    )
    assert result.exit_code == 0, result.output
    assert "(MINISTRY_RECOMMENDER @ MIIT)" in result.stderr
    principal = await tokens.authenticate(registry_cli.db, MASTER_KEY, result.stdout.strip())
    assert (principal.role, principal.sector) == (Role.MINISTRY_RECOMMENDER, "MIIT")
    assert principal.name == "MINISTRY_RECOMMENDER MIIT"
    unknown = await registry_cli(
        "tokens", "create", "--role", "MINISTRY_RECOMMENDER", "--sector", "NOPE"
    )
    assert unknown.exit_code == 1 and "sector 'NOPE' is not one of" in unknown.stderr
    _no_traceback(unknown)


async def test_an_unknown_role_is_a_usage_error(registry_cli: Cli) -> None:
    result = await registry_cli("tokens", "create", "--role", "ROOT")
    assert result.exit_code == 2
    _no_traceback(result)


async def test_list_and_revoke(registry_cli: Cli) -> None:
    created = await registry_cli(
        "tokens",
        "create",
        "--role",
        "PROVINCIAL_REVIEWER",
        "--province",
        "44",
        "--name",
        "广东省人社厅",
    )
    assert created.exit_code == 0, created.output
    token_text = created.stdout.strip()
    [info] = await tokens.list_tokens(registry_cli.db)

    listed = await registry_cli("tokens", "list")
    assert listed.exit_code == 0
    header, row = listed.stdout.splitlines()
    assert header.split() == ["ID", "ROLE", "SCOPE", "NAME", "CREATED", "REVOKED"]
    assert row.split()[:4] == [info.id, "PROVINCIAL_REVIEWER", "44", "广东省人社厅"]
    assert row.split()[-1] == "-"
    assert token_text not in listed.output

    revoked = await registry_cli("tokens", "revoke", info.id)
    assert revoked.exit_code == 0, revoked.output
    assert f"token {info.id} revoked" in revoked.stdout
    listed = await registry_cli("tokens", "list")
    assert listed.stdout.splitlines()[1].split()[-1] != "-"

    unknown = await registry_cli("tokens", "revoke", "tok_00000000")
    assert unknown.exit_code == 1
    assert "no token with id 'tok_00000000'" in unknown.stderr
    _no_traceback(unknown)


async def test_audit_verify_ok_then_names_an_altered_entry(registry_cli: Cli) -> None:
    empty = await registry_cli("audit", "verify")
    assert (empty.exit_code, empty.stdout.strip()) == (0, "audit chain OK: 0 entries")
    for _ in range(3):
        assert (await registry_cli("tokens", "create", "--role", "CETTIC_REVIEWER")).exit_code == 0
    good = await registry_cli("audit", "verify")
    assert (good.exit_code, good.stdout.strip()) == (0, "audit chain OK: 3 entries")

    await registry_cli.db[Collection.AUDIT_LOG].update_one(
        {"seq": 2}, {"$set": {"action": "token.revoke"}}
    )
    broken = await registry_cli("audit", "verify")
    assert broken.exit_code == 1
    assert broken.stderr.startswith("audit chain BROKEN at entry 2: ")
    _no_traceback(broken)


def test_a_database_that_does_not_answer_is_a_clean_error(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    result = CliRunner().invoke(
        cli,
        ["tokens", "list"],
        env={
            "REGISTRY_MONGODB_URI": f"mongodb://127.0.0.1:{port}/",
            "REGISTRY_DATA_DIR": str(tmp_path),
            "REGISTRY_MASTER_KEY": MASTER_KEY_B64,
        },
    )
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "Error: database error (ServerSelectionTimeoutError)"
    assert result.exception is None or isinstance(result.exception, SystemExit)


async def _legacy_token(db: Database, token_id: str, role: Role, *, audited: bool) -> str:
    """A token row as versions before the MACs stored it (a plain SHA-256), with its
    `token.create` audit entry when `audited` (as the API wrote it) and without (as a row
    inserted around the API)."""
    text = "dte_" + secrets.token_urlsafe(32)
    row = {
        "_id": token_id,
        "hash": hashlib.sha256(text.encode()).hexdigest(),
        "role": role.value,
        "name": f"legacy {token_id}",
        "institution": None,
        "province": None,
        "created_at": audit.now(),
        "created_by": SYSTEM.actor,
        "revoked_at": None,
        "revoked_by": None,
        "schema_version": 1,
    }
    await db[Collection.TOKENS].insert_one(row)
    if audited:
        public = {k: v for k, v in row.items() if k != "hash"}
        entity = f"token:{token_id}"
        await audit.append(
            db, actor=SYSTEM, action="token.create", entity=entity, before=None, after=public
        )
    return text


async def test_upgrade_keeps_audited_tokens_and_refuses_rows_written_around_the_api(
    registry_cli: Cli,
) -> None:
    db = registry_cli.db
    kept = await _legacy_token(db, "tok_1e9a0001", Role.CETTIC_REVIEWER, audited=True)
    forged = await _legacy_token(db, "tok_1e9a0002", Role.OFFICE_ADMIN, audited=False)
    raised = await _legacy_token(db, "tok_1e9a0003", Role.CETTIC_REVIEWER, audited=True)
    await db[Collection.TOKENS].update_one(
        {"_id": "tok_1e9a0003"}, {"$set": {"role": Role.OFFICE_ADMIN.value}}
    )
    for text in (kept, forged, raised):  # before the upgrade, no old row works
        with pytest.raises(tokens.Unauthenticated):
            await tokens.authenticate(db, MASTER_KEY, text)
    result = await registry_cli("tokens", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "upgraded 1 token(s): tok_1e9a0001"
    assert "refused 2 row(s)" in result.stderr and "tok_1e9a0002 tok_1e9a0003" in result.stderr
    assert (await tokens.authenticate(db, MASTER_KEY, kept)).role is Role.CETTIC_REVIEWER
    for text in (forged, raised):
        with pytest.raises(tokens.Unauthenticated):
            await tokens.authenticate(db, MASTER_KEY, text)
    again = await registry_cli("tokens", "upgrade")
    assert again.stdout.strip() == "upgraded 0 token(s)"
    assert (await audit.verify_chain(db)).ok
    assert [e.action for e in await audit.entries_for(db, "token:tok_1e9a0001")] == [
        "token.upgrade",
        "token.create",
    ]


async def test_stats_check_names_a_counter_that_differs_and_rebuild_repairs_it(
    registry_cli: Cli,
) -> None:
    assert (await registry_cli("stats", "check")).exit_code == 0
    # A published certificate written around the registry: the counters never saw it.
    await registry_cli.db[Collection.CERTIFICATES].insert_one(
        {
            "_id": "Z3500012500000019",
            "status": "PUBLISHED",
            "published_at": datetime(2025, 6, 1, 4, tzinfo=UTC),
            "field": "01",
            "occupation": "2-02-10-09",
            "level": 1,
            "id_hash": "h" * 64,
        }
    )
    differs = await registry_cli("stats", "check")
    _no_traceback(differs)
    assert differs.exit_code == 1
    assert "g|2025|01|2-02-10-09|1|35.certificates_issued: stored 0, recounted 1" in differs.stderr
    assert "h" * 10 not in differs.output  # a person's keyed hash is not printed
    rebuilt = await registry_cli("stats", "rebuild")
    assert rebuilt.exit_code == 0 and "rebuilt" in rebuilt.stdout, rebuilt.output
    ok = await registry_cli("stats", "check")
    assert (ok.exit_code, ok.stdout.strip()) == (
        0,
        "statistics counters OK: they agree with a recount",
    )
    assert (await registry_cli("audit", "verify")).exit_code == 0  # the rebuild is audited
