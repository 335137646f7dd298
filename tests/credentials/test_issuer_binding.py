"""A certificate is tied to its issuer: institution C, signing with its own valid key, cannot
make a certificate carrying institution A's number or A's status-list index.

The bundle states each institution's number digits (positions 2-7: province and institution
number) and its own status-index ranges; both verifiers check them (the page's side runs the
same attack in the conformance corpus, tests/web/test_conformance.py)."""

from __future__ import annotations

from typing import Any

import pytest

from credentials.bundle import TrustBundle, load_bundle
from credentials.verifier import Status, Verdict, Verifier, verify_credential
from tests.credentials._support import (
    C_INDEX,
    C_KEY,
    C_PREFIX,
    ISSUER_C,
    NOW,
    REVOKED_INDEX,
    USCC_C,
    bundle_document,
    issue,
    root_public,
)


@pytest.fixture(scope="module")
def bundle() -> TrustBundle:
    return load_bundle(bundle_document(), root_public())


def codes(credential: dict[str, Any], bundle: TrustBundle) -> tuple[Verdict, dict[str, str]]:
    report = verify_credential(credential, bundle=bundle, now=NOW)
    return report.verdict, {c.name: c.code for c in report.checks}


def test_c_with_its_own_number_and_index_is_valid(bundle: TrustBundle) -> None:
    verdict, found = codes(issue(key=C_KEY, uscc=USCC_C, prefix=C_PREFIX, index=C_INDEX), bundle)
    assert verdict is Verdict.VALID, found


def test_a_number_and_index_of_another_institution_are_invalid(bundle: TrustBundle) -> None:
    """C signs, as itself and with its own key, A's certificate number and A's status index."""
    verdict, found = codes(issue(key=C_KEY, uscc=USCC_C), bundle)
    assert verdict is Verdict.INVALID
    assert found["proof"] == "PROOF_OK"
    assert found["issuer_key"] == "KEY_VALID_AT_ISSUANCE"
    assert found["issuer_listed"] == "NUMBER_NOT_ISSUERS"
    assert found["status"] == "STATUS_INDEX_NOT_ISSUERS"


def test_its_own_number_with_another_institutions_index_is_invalid(bundle: TrustBundle) -> None:
    verdict, found = codes(issue(key=C_KEY, uscc=USCC_C, prefix=C_PREFIX, index=1000), bundle)
    assert verdict is Verdict.INVALID
    assert found["issuer_listed"] == "LISTED_IN_SCOPE"
    assert found["status"] == "STATUS_INDEX_NOT_ISSUERS"


def test_revoking_a_certificate_does_not_reach_a_copy_under_another_issuer(
    bundle: TrustBundle,
) -> None:
    """C's copy of A's revoked index is refused as not C's own, not reported as A's revocation."""
    verdict, found = codes(
        issue(key=C_KEY, uscc=USCC_C, prefix=C_PREFIX, index=REVOKED_INDEX), bundle
    )
    assert verdict is Verdict.INVALID
    assert found["status"] == "STATUS_INDEX_NOT_ISSUERS"


def test_an_index_of_its_own_list_range_but_another_list_is_invalid(bundle: TrustBundle) -> None:
    other = "https://dte-registry.cn/status/9"
    verdict, found = codes(
        issue(key=C_KEY, uscc=USCC_C, prefix=C_PREFIX, index=C_INDEX, status_url=other), bundle
    )
    assert verdict is Verdict.INVALID
    assert found["status"] == "STATUS_INDEX_NOT_ISSUERS"


def test_the_issuer_itself_cannot_use_another_institutions_digits(bundle: TrustBundle) -> None:
    """A signs a number with C's digits; a reused `Verifier` that has just passed one of A's
    genuine certificates still refuses it (the digits are part of what it remembers)."""
    verifier = Verifier(bundle)
    genuine = verifier.verify(issue(), now=NOW)
    assert genuine.verdict is Verdict.VALID
    borrowed = verifier.verify(issue(prefix=C_PREFIX, serial=2), now=NOW)
    assert borrowed.verdict is Verdict.INVALID
    assert borrowed.check("issuer_listed").code == "NUMBER_NOT_ISSUERS"
    assert borrowed.check("issuer_listed").status is Status.FAIL


def test_digits_are_counted_the_same_way_as_the_page_counts_them(bundle: TrustBundle) -> None:
    """A first character outside ASCII never matches: the page counts UTF-16 units, Python
    code points, and with an ASCII first character both read the same six digits."""
    c = bundle.institutions[ISSUER_C]
    assert c.numbers("Z" + C_PREFIX + "251010000015")
    assert not c.numbers("\U0001f600" + C_PREFIX + "251010000015")
    assert not c.numbers("")
    assert not c.numbers(None)
