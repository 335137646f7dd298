"""A batch from submission to publication through the GraphQL API with real tokens; the public
look-ups; the credential verified offline against a bundle; revocation."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import httpx
import pytest

from credentials import CredentialError, PublicKey, SigningKey, load_bundle, verify_credential
from registry.access import tokens
from registry.access.auth import SYSTEM, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.db import Database
from registry.trust import bundles as trust
from registry.trust import keystore
from tests.client import gql
from tests.client import metrics as read_metrics
from tests.factories import MASTER_KEY, listed_institution, make_id_number, make_tokens, make_uscc

USCC = make_uscc(500)
EXAM = (clock.today() - dt.timedelta(days=5)).isoformat()
RNG = random.Random(50)
PEOPLE = [(f"李{n}", make_id_number(RNG)) for n in ("明", "华", "强", "芳", "静")]


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    specs = {
        "inst": (Role.EVALUATION_INSTITUTION, USCC, None),
        "prov": (Role.PROVINCIAL_REVIEWER, None, "35"),
        "cettic": (Role.CETTIC_REVIEWER, None, None),
        "office": (Role.OFFICE_ADMIN, None, None),
    }
    return await make_tokens(db, specs)


SUBMIT = """mutation ($input: AssessmentBatchInput!) { submitAssessmentBatch(input: $input) {
  replayed batch { id batchId status resultCount passedCount results { row name passed certificateNumber } }
  userErrors { field code message } } }"""
STEP = """mutation ($id: String!) { %s(batchId: $id) { batch { status } userErrors { code message } } }"""
LOOKUP = """query ($n: String!, $name: String!) { certificate(number: $n, holderName: $name) {
  number holderName status level occupation { name } issuerUscc credential qrText } }"""


def batch_input(key: str) -> dict[str, Any]:
    return {
        "idempotencyKey": key,
        "examDate": EXAM,
        "results": [
            {
                "name": name,
                "idNumber": idn,
                "occupation": "2-02-38-01",
                "level": "JUNIOR",
                "theoryScore": 59 if i == 4 else 85,
                "skillScore": 70,
            }
            for i, (name, idn) in enumerate(PEOPLE)
        ],
    }


async def test_submit_review_publish_look_up_verify_revoke(
    http: httpx.AsyncClient, t: dict[str, str], db: Database, settings: Settings
) -> None:
    submitted = (await gql(http, t["inst"], SUBMIT, input=batch_input("api-batch-0001")))[
        "submitAssessmentBatch"
    ]
    assert submitted["userErrors"] == [] and submitted["replayed"] is False
    batch = submitted["batch"]
    assert (batch["status"], batch["resultCount"], batch["passedCount"]) == ("SUBMITTED", 5, 4)
    numbers = {r["name"]: r["certificateNumber"] for r in batch["results"] if r["passed"]}
    again = (await gql(http, t["inst"], SUBMIT, input=batch_input("api-batch-0001")))[
        "submitAssessmentBatch"
    ]
    assert again["replayed"] is True and again["batch"]["id"] == batch["id"]

    # Not yet published: the public sees nothing.
    name, number = next(iter(numbers.items()))
    assert (await gql(http, None, LOOKUP, n=number, name=name))["certificate"] is None
    wrong_order = (await gql(http, t["office"], STEP % "publishBatch", id=batch["id"]))[
        "publishBatch"
    ]
    assert wrong_order["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"

    for token, mutation, status in [
        (t["prov"], "approveBatchProvince", "PROVINCE_APPROVED"),
        (t["cettic"], "checkBatchCettic", "CETTIC_CHECKED"),
        (t["office"], "publishBatch", "PUBLISHED"),
    ]:
        result = (await gql(http, token, STEP % mutation, id=batch["id"]))[mutation]
        assert result["userErrors"] == [] and result["batch"]["status"] == status
    retry = (await gql(http, t["office"], STEP % "publishBatch", id=batch["id"]))["publishBatch"]
    assert retry["batch"]["status"] == "PUBLISHED"
    assert (
        await db.certificates.count_documents({"batch": batch["batchId"], "status": "PUBLISHED"})
        == 4
    )

    found = (await gql(http, None, LOOKUP, n=number, name=name))["certificate"]
    assert found["number"] == number and found["status"] == "VALID" and found["level"] == "JUNIOR"
    assert found["occupation"]["name"] == "人工智能工程技术人员" and found["issuerUscc"] == USCC
    assert found["qrText"].startswith("DTE1:")
    # Another name, or an unknown number: the same "not found".
    assert (await gql(http, None, LOOKUP, n=number, name="王五"))["certificate"] is None
    bad_check = await http.post(
        "/graphql",
        json={
            "query": LOOKUP,
            "variables": {"n": number[:-1] + ("0" if number[-1] != "0" else "1"), "name": name},
        },
    )
    assert bad_check.json()["errors"][0]["extensions"]["code"] == "CERTIFICATE_NUMBER_CHECK"

    holder = await gql(
        http,
        None,
        "query ($i: String!, $n: String!) { certificatesByHolder(idNumber: $i, holderName: $n) { number } }",
        i=PEOPLE[0][1],
        n=PEOPLE[0][0],
    )
    assert holder["certificatesByHolder"] == [{"number": numbers[PEOPLE[0][0]]}]

    master = settings.master_key()
    root = await keystore.root_public_key(db, master)
    bundle = load_bundle(await trust.build_bundle(db, master, settings.base_url), [root])
    report = verify_credential(
        found["credential"],
        bundle=bundle,
        card_number=PEOPLE[0][1] if name == PEOPLE[0][0] else dict(PEOPLE)[name],
    )
    assert report.verdict.value == "VALID", report.to_json()
    wrong_card = verify_credential(
        found["credential"],
        bundle=bundle,
        card_number=PEOPLE[3][1] if name != PEOPLE[3][0] else PEOPLE[0][1],
    )
    assert wrong_card.verdict.value == "INVALID"

    revoked = (
        await gql(
            http,
            t["inst"],
            """mutation ($n: String!) { revokeCertificate(number: $n, reason: "考试作弊，经查实") {
             certificate { status revocationReason } userErrors { code } } }""",
            n=number,
        )
    )["revokeCertificate"]
    assert revoked["certificate"] == {"status": "REVOKED", "revocationReason": "考试作弊，经查实"}
    # The public look-up, answered from the look-up cache before, shows the revocation at once.
    public = (await gql(http, None, LOOKUP, n=number, name=name))["certificate"]
    assert public["status"] == "REVOKED"
    metrics = await read_metrics(http)
    assert "registry_lookup_cache_live 1" in metrics
    hits = next(
        line for line in metrics.splitlines() if line.startswith("registry_lookup_cache_hits")
    )
    assert int(hits.split()[1]) >= 1
    later = load_bundle(await trust.build_bundle(db, master, settings.base_url), [root])
    after = verify_credential(found["credential"], bundle=later)
    assert after.verdict.value == "INVALID"
    assert (
        after.check("status").code.startswith("REVOKED")
        or "revoked" in after.check("status").message.lower()
    )
    # The other certificates of the batch still verify.
    other_name, other_number = next((n, c) for n, c in numbers.items() if c != number)
    other = (await gql(http, None, LOOKUP, n=other_number, name=other_name))["certificate"]
    assert verify_credential(other["credential"], bundle=later).verdict.value == "VALID"
    # The bundle is trusted only under the pinned root key, never under another one.
    with pytest.raises(CredentialError):
        load_bundle(
            await trust.build_bundle(db, master, settings.base_url),
            [SigningKey.generate().public_key],
        )


# mutation -> (document, variables, labels allowed to call it). `batch` is filled in at run time.
MATRIX: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    # Any evaluation institution may submit its own batches.
    "submitAssessmentBatch": (
        SUBMIT,
        {"input": batch_input("matrix-batch-01")},
        {"inst", "other_inst"},
    ),
    "resubmitAssessmentBatch": (
        """mutation ($id: String!, $input: AssessmentBatchInput!) { resubmitAssessmentBatch(batchId: $id,
             input: $input) { userErrors { code } } }""",
        {"input": batch_input("matrix-batch-02")},
        {"inst"},
    ),
    # A batch in parts: opened by any evaluation institution, added to and closed by its own.
    "openAssessmentBatch": (
        """mutation ($input: OpenAssessmentBatchInput!) { openAssessmentBatch(input: $input) {
             userErrors { code } } }""",
        {"input": {"idempotencyKey": "matrix-open-01", "examDate": EXAM, "resultCount": 5}},
        {"inst", "other_inst"},
    ),
    "addAssessmentBatchPart": (
        """mutation ($id: String!, $r: [AssessmentResultInput!]!) { addAssessmentBatchPart(
             batchId: $id, part: 1, results: $r) { userErrors { code } } }""",
        {"r": batch_input("matrix-part-01")["results"]},
        {"inst"},
    ),
    "closeAssessmentBatch": (
        """mutation ($id: String!) { closeAssessmentBatch(batchId: $id) { userErrors { code } } }""",
        {},
        {"inst"},
    ),
    "approveBatchProvince": (STEP % "approveBatchProvince", {}, {"prov"}),
    "checkBatchCettic": (STEP % "checkBatchCettic", {}, {"cettic"}),
    "publishBatch": (STEP % "publishBatch", {}, {"office"}),
    "returnBatch": (
        """mutation ($id: String!) { returnBatch(batchId: $id, reason: "x") { userErrors { code } } }""",
        {},
        {"prov", "office"},
    ),
    "revokeCertificate": (
        """mutation ($n: String!) { revokeCertificate(number: $n, reason: "x") { userErrors { code } } }""",
        {},
        {"inst", "office"},
    ),
}


async def test_every_batch_mutation_is_refused_for_every_other_role(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    other_uscc = make_uscc(501)
    await listed_institution(db, other_uscc, province="11", filed="2025-02-03")
    extra = {
        "other_inst": (Role.EVALUATION_INSTITUTION, other_uscc, None),
        "training": (Role.TRAINING_INSTITUTION, USCC, None),
        "prov11": (Role.PROVINCIAL_REVIEWER, None, "11"),
    }
    callers = {**t, **await make_tokens(db, extra)}
    submitted = await gql(http, t["inst"], SUBMIT, input=batch_input("matrix-batch-00"))
    batch_id = submitted["submitAssessmentBatch"]["batch"]["id"]
    number = await db.certificates.find_one({"status": "PUBLISHED"})
    assert number is not None
    for mutation, (document, variables, allowed) in MATRIX.items():
        for caller in ["anonymous", *callers]:
            if caller in allowed:
                continue
            before = (
                await db.batches.find_one({"_id": batch_id}),
                await db.certificates.find_one({"_id": number["_id"]}),
            )
            headers = (
                {} if caller == "anonymous" else {"authorization": f"Bearer {callers[caller]}"}
            )
            response = await http.post(
                "/graphql",
                headers=headers,
                json={
                    "query": document,
                    "variables": {**variables, "id": batch_id, "n": number["_id"]},
                },
            )
            body = response.json()
            assert body.get("errors"), (mutation, caller, body)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (mutation, caller, body)
            after = (
                await db.batches.find_one({"_id": batch_id}),
                await db.certificates.find_one({"_id": number["_id"]}),
            )
            assert after == before, (mutation, caller)


async def test_trust_bundle_and_root_key_over_graphql(
    http: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    data = await gql(http, None, "{ trustBundle rootKey }")
    root = PublicKey.from_multibase(data["rootKey"])
    assert root == await keystore.root_public_key(db, settings.master_key())
    bundle = load_bundle(data["trustBundle"], [root])
    assert bundle.institution(f"urn:uscc:{USCC}") is not None


OPEN = """query ($id: String!) { assessmentBatch(id: $id) { batchId status } }"""
LIST = """query { assessmentBatches(first: 50) { edges { node { batchId } } } }"""


async def test_a_reviewer_of_another_province_neither_lists_opens_nor_moves_a_batch(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    other, _ = await tokens.create_token(
        db,
        MASTER_KEY,
        role=Role.PROVINCIAL_REVIEWER,
        name="p11",
        institution=None,
        province="11",
        created_by=SYSTEM,
    )
    submitted = (await gql(http, t["inst"], SUBMIT, input=batch_input("api-province-01")))[
        "submitAssessmentBatch"
    ]
    bid = submitted["batch"]["batchId"]

    def listed(data: dict[str, Any]) -> set[str]:
        return {e["node"]["batchId"] for e in data["assessmentBatches"]["edges"]}

    assert bid in listed(await gql(http, t["prov"], LIST))
    assert bid not in listed(await gql(http, other, LIST))
    assert (await gql(http, t["prov"], OPEN, id=bid))["assessmentBatch"]["batchId"] == bid
    assert (await gql(http, other, OPEN, id=bid))["assessmentBatch"] is None
    response = await http.post(
        "/graphql",
        json={"query": STEP % "approveBatchProvince", "variables": {"id": bid}},
        headers={"authorization": f"Bearer {other}"},
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert "province 35" in error["message"] and "you review 11" in error["message"]
    assert (await gql(http, t["prov"], OPEN, id=bid))["assessmentBatch"]["status"] == "SUBMITTED"
    # The public may not list batches at all.
    refused = await http.post("/graphql", json={"query": LIST})
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
