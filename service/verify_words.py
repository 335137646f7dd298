"""The words `registry verify` prints before the checks: whose credential was just checked.

The content is the report's `Description` (`credentials.describe`), the same one the page shows
(`web/verifier/src/describe.js`, in Chinese or English); here it is English, with the level's
Chinese name. Every value is the credential's text and goes through `printable`, so a name can
carry no terminal control sequence to the screen.
"""

from __future__ import annotations

from typing import Final

from credentials import Description, printable

_TITLES: Final = {
    "certificate": "Certificate",
    "ce_record": "Continuing-education record",
    "credential": "Credential",
}
_LABELS: Final = {
    "holder": "Holder",
    "number": "Number",
    "occupation": "Occupation",
    "direction": "Direction",
    "level": "Level",
    "year": "Year",
    "hours": "Total hours",
    "trainings": "Training certificates",
    "issuer": "Issuer",
}
_LEVELS: Final = {"1": "1 初级 (junior)", "2": "2 中级 (intermediate)", "3": "3 高级 (senior)"}
_ISSUER_SOURCES: Final = {
    "bundle": "(name from the trust bundle)",
    "claim_not_in_bundle": "(the credential's own claim: the trust bundle does not list it)",
    "claim_no_bundle": "(the credential's own claim: no trust bundle was given)",
}
CONFIRMED: Final = "confirmed: the verdict below is VALID"
NOT_CONFIRMED: Final = "NOT confirmed: these are the credential's claims, not checked facts"


def render_description(description: Description) -> list[str]:
    """The lines naming the credential: a title saying whether it is confirmed, then one line
    per field (labels aligned), or a line saying that nothing could be read."""
    status = CONFIRMED if description.confirmed else NOT_CONFIRMED
    lines = [f"{_TITLES[description.kind]} ({status})"]
    if not description.fields:
        return [*lines, "  (no holder, number or issuer could be read from it)"]
    width = max(len(_LABELS[name]) for name, _ in description.fields) + 1
    for name, value in description.fields:
        shown = _LEVELS.get(value, value) if name == "level" else printable(value)
        if name == "issuer" and description.issuer_source is not None:
            shown = f"{shown} {_ISSUER_SOURCES[description.issuer_source]}"
        lines.append(f"  {_LABELS[name] + ':':<{width}} {shown}")
    return lines
