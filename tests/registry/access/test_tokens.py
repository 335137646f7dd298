"""Bearer tokens on the real embedded database."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from bson import json_util

from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.errors import InvalidInput
from registry.intake.identifiers import uscc_check_character
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.trust import audit
from tests.factories import MASTER_KEY

USCC = "91110108MA01ABCDX" + uscc_check_character("91110108MA01ABCDX")


async def _create(db: Database, role: Role, **scope: Any) -> tuple[str, tokens.TokenInfo]:
    return await tokens.create_token(
        db,
        MASTER_KEY,
        role=role,
        name=scope.pop("name", "test holder"),
        institution=scope.pop("institution", None),
        province=scope.pop("province", None),
        sector=scope.pop("sector", None),
        created_by=SYSTEM,
    )


async def test_a_token_authenticates_as_its_role_and_scope(db: Database) -> None:
    # Spaces and lower case are normalised away.
    messy = " ".join([USCC[:9], USCC[9:].lower()])
    text, info = await _create(db, Role.EVALUATION_INSTITUTION, institution=messy)
    assert text.startswith("dte_") and len(text) == 47
    assert info.id.startswith("tok_") and info.institution == USCC and info.province is None
    principal = await tokens.authenticate(db, MASTER_KEY, text)
    assert principal.role is Role.EVALUATION_INSTITUTION
    assert (principal.token_id, principal.institution, principal.province) == (info.id, USCC, None)
    assert principal.name == "test holder"


async def test_only_a_keyed_hash_is_stored(db: Database) -> None:
    text, info = await _create(db, Role.PROVINCIAL_REVIEWER, province="44")
    stored = await db[Collection.TOKENS].find_one({"_id": info.id})
    assert stored is not None
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert "hash" not in stored and stored["mac"] == tokens.token_mac(MASTER_KEY, digest)
    assert stored["mac"] != tokens.token_mac(b"k" * 32, digest)  # keyed: another key, another mac
    everything = ""
    for name in await db.list_collection_names():
        everything += json_util.dumps([doc async for doc in db[name].find({})])
    assert text not in everything
    assert text[4:] not in everything
    assert digest not in everything


async def test_a_token_works_only_under_its_master_key(db: Database) -> None:
    text, _ = await _create(db, Role.OFFICE_ADMIN)
    with pytest.raises(tokens.Unauthenticated):
        await tokens.authenticate(db, b"k" * 32, text)


async def test_a_row_written_around_the_api_authenticates_nothing(db: Database) -> None:
    """Issue 14, item 17: a row inserted into `tokens` gave a working OFFICE_ADMIN token."""
    text = "dte_" + "A" * 43
    digest = hashlib.sha256(text.encode()).hexdigest()
    row = {"role": "OFFICE_ADMIN", "name": "forged", "institution": None, "province": None}
    row |= {"created_at": audit.now(), "created_by": "x", "revoked_at": None, "revoked_by": None}
    await db[Collection.TOKENS].insert_one({"_id": "tok_0badf00d", "hash": digest, **row})
    with pytest.raises(tokens.Unauthenticated):
        await tokens.authenticate(db, MASTER_KEY, text)
    # Even with the right mac (copied from a real token's row, say), the seal is missing.
    mac = tokens.token_mac(MASTER_KEY, digest)
    await db[Collection.TOKENS].update_one({"_id": "tok_0badf00d"}, {"$set": {"mac": mac}})
    with pytest.raises(tokens.Unauthenticated):
        await tokens.authenticate(db, MASTER_KEY, text)


@pytest.mark.parametrize(
    "change",
    [
        {"role": "OFFICE_ADMIN", "institution": None},
        {"institution": "91350100DTE000990" + uscc_check_character("91350100DTE000990")},
        {"_id": "tok_00000001"},
    ],
)
async def test_a_role_or_scope_changed_around_the_api_breaks_the_seal(
    db: Database, change: dict[str, Any]
) -> None:
    text, info = await _create(db, Role.EVALUATION_INSTITUTION, institution=USCC)
    row = await db[Collection.TOKENS].find_one({"_id": info.id})
    assert row is not None
    await db[Collection.TOKENS].delete_one({"_id": info.id})
    await db[Collection.TOKENS].insert_one(row | change)
    with pytest.raises(tokens.Unauthenticated):
        await tokens.authenticate(db, MASTER_KEY, text)


async def test_list_never_returns_the_hash(db: Database) -> None:
    _, info = await _create(db, Role.CETTIC_REVIEWER)
    listed = await tokens.list_tokens(db)
    assert info in listed
    assert all(not hasattr(t, f) for t in listed for f in ("hash", "mac", "seal"))


@pytest.mark.parametrize(
    ("role", "scope", "field"),
    [
        (Role.TRAINING_INSTITUTION, {}, "institution"),
        (Role.EVALUATION_INSTITUTION, {"institution": USCC, "province": "11"}, "province"),
        (Role.PROVINCIAL_REVIEWER, {}, "province"),
        (Role.PROVINCIAL_REVIEWER, {"province": "99"}, "province"),
        (Role.PROVINCIAL_REVIEWER, {"province": "4"}, "province"),
        (Role.PROVINCIAL_REVIEWER, {"province": "44", "institution": USCC}, "institution"),
        (Role.CETTIC_REVIEWER, {"province": "44"}, "province"),
        (Role.OFFICE_ADMIN, {"institution": USCC}, "institution"),
        (Role.MINISTRY_RECOMMENDER, {}, "sector"),
        (Role.MINISTRY_RECOMMENDER, {"sector": "NOPE"}, "sector"),
        (Role.MINISTRY_RECOMMENDER, {"sector": "MIIT", "province": "11"}, "province"),
        (Role.PROVINCIAL_REVIEWER, {"province": "44", "sector": "MIIT"}, "sector"),
        (Role.OFFICE_ADMIN, {"sector": "MIIT"}, "sector"),
    ],
)
async def test_scope_rules(db: Database, role: Role, scope: dict[str, str], field: str) -> None:
    count = await db[Collection.TOKENS].count_documents({})
    with pytest.raises(tokens.TokenScopeError) as caught:
        await _create(db, role, **scope)
    assert caught.value.code == "TOKEN_SCOPE"
    assert caught.value.field == field
    assert role.value in caught.value.message or field in caught.value.message
    assert await db[Collection.TOKENS].count_documents({}) == count


async def test_an_invalid_institution_code_is_refused(db: Database) -> None:
    wrong_check = USCC[:17] + ("0" if USCC[17] != "0" else "1")
    with pytest.raises(InvalidInput) as caught:
        await _create(db, Role.TRAINING_INSTITUTION, institution=wrong_check)
    assert caught.value.code == "USCC_CHECK"


async def test_an_empty_name_is_refused(db: Database) -> None:
    with pytest.raises(InvalidInput, match="name"):
        await _create(db, Role.OFFICE_ADMIN, name="   ")


async def test_unknown_revoked_and_malformed_tokens_get_the_same_answer(db: Database) -> None:
    text, info = await _create(db, Role.OFFICE_ADMIN)
    await tokens.revoke_token(db, info.id, SYSTEM)
    unknown = "dte_" + "A" * 43
    candidates = [text, unknown, "", "dte_", "Bearer x", text + "\n", "xyz_" + text[4:], text[:-1]]
    messages = set()
    for candidate in candidates:
        with pytest.raises(tokens.Unauthenticated) as caught:
            await tokens.authenticate(db, MASTER_KEY, candidate)
        assert caught.value.code == "UNAUTHENTICATED"
        messages.add(caught.value.message)
    assert len(messages) == 1


async def test_revocation_is_audited_once_and_idempotent(db: Database) -> None:
    text, info = await _create(db, Role.TRAINING_INSTITUTION, institution=USCC)
    first = await tokens.revoke_token(db, info.id, SYSTEM)
    again = await tokens.revoke_token(db, info.id, SYSTEM)
    assert first.revoked_at is not None and again.revoked_at == first.revoked_at
    assert first.revoked_by == SYSTEM.actor
    history = await audit.entries_for(db, f"token:{info.id}")
    assert [e.action for e in history] == ["token.revoke", "token.create"]
    assert {e.actor for e in history} == {SYSTEM.actor}
    with pytest.raises(tokens.Unauthenticated):
        await tokens.authenticate(db, MASTER_KEY, text)
    listed = {t.id: t for t in await tokens.list_tokens(db)}
    assert listed[info.id].revoked


async def test_revoking_an_unknown_token_says_so(db: Database) -> None:
    with pytest.raises(tokens.TokenNotFound, match="tok_0000dead"):
        await tokens.revoke_token(db, "tok_0000dead", SYSTEM)


async def test_the_audit_log_holds_neither_token_nor_hash(db: Database) -> None:
    text, _ = await _create(db, Role.CETTIC_REVIEWER)
    log = json_util.dumps([doc async for doc in db[Collection.AUDIT_LOG].find({})])
    assert text not in log
    assert hashlib.sha256(text.encode()).hexdigest() not in log
    stored = await db[Collection.TOKENS].find_one({"mac": {"$exists": True}})
    assert stored is not None and stored["mac"] not in log and stored["seal"] not in log
    assert (await audit.verify_chain(db)).ok


async def test_a_pasted_token_is_not_echoed_in_the_error(db: Database) -> None:
    text, _ = await _create(db, Role.CETTIC_REVIEWER)
    with pytest.raises(tokens.TokenNotFound) as caught:
        await tokens.revoke_token(db, text, SYSTEM)
    assert text not in caught.value.message
    assert text[4:20] not in caught.value.message


async def test_a_ministry_token_carries_its_sector_and_the_seal_binds_it(db: Database) -> None:
    text, info = await _create(db, Role.MINISTRY_RECOMMENDER, sector="MIIT")
    assert (info.sector, info.scope, info.province, info.institution) == (
        "MIIT",
        "MIIT",
        None,
        None,
    )
    principal = await tokens.authenticate(db, MASTER_KEY, text)
    assert (principal.role, principal.sector) == (Role.MINISTRY_RECOMMENDER, "MIIT")
    assert principal.actor == f"MINISTRY_RECOMMENDER:{info.id}@MIIT"
    # Moved to another sector, or stripped of its sector, around the API: no token any more.
    for change in ({"$set": {"sector": "CAC"}}, {"$unset": {"sector": ""}}):
        await db[Collection.TOKENS].update_one({"_id": info.id}, change)
        with pytest.raises(tokens.Unauthenticated):
            await tokens.authenticate(db, MASTER_KEY, text)
    await db[Collection.TOKENS].update_one({"_id": info.id}, {"$set": {"sector": "MIIT"}})
    assert (await tokens.authenticate(db, MASTER_KEY, text)).sector == "MIIT"


async def test_a_token_made_before_sectors_keeps_its_seal(db: Database) -> None:
    # Its stored row has no `sector` key, as every row written before this version.
    text, info = await _create(db, Role.PROVINCIAL_REVIEWER, province="35")
    stored = await db[Collection.TOKENS].find_one({"_id": info.id})
    assert stored is not None and "sector" not in stored
    assert (await tokens.authenticate(db, MASTER_KEY, text)).province == "35"
