"""A published certificate as the pages show it: the look-up's answer with the names a reader
needs (the occupation with both codes, the level, the issuer's name from the directory) and its
downloads (the QR image, the credential file) inline, so nothing about a person is in a URL."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from resolvers import catalogue as rc
from resolvers import catalogue_edits as rce
from resolvers import certificates as rcert
from resolvers import institutions as ri
from resolvers import policylinks as rp
from resolvers.api import Level, Occupation, PublicCertificate, TitleLink, qr_png
from resolvers.context import Context


@dataclass(frozen=True)
class CertificateView:
    cert: PublicCertificate
    occupation: Occupation | None
    level: Level | None
    issuer_name: str | None
    # How it counts toward professional titles, in the issuing institution's province
    # (docs/policy-links.md); the province's name for the page.
    title_link: TitleLink | None
    province_name: str | None
    qr_data_uri: str
    credential_data_uri: str

    @property
    def file_name(self) -> str:
        return f"certificate-{self.cert.number}.json"


def _data_uri(media: str, data: bytes) -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def _credential_file(file: dict[str, object]) -> bytes:
    """The credential file as `registry verify` and the verifier page read it: the envelope
    with the log inclusion beside the signed credential (docs/transparency.md)."""
    return json.dumps(file, ensure_ascii=False, indent=2).encode("utf-8")


async def view(ctx: Context, cert: PublicCertificate) -> CertificateView:
    levels = {level.code: level for level in await rc.levels(ctx)}
    issuer = await ri.institution(ctx, cert.issuer)
    file = rcert.credential_file(cert.credential, await rcert.inclusion(ctx, cert.number))
    link = await rp.title_link(ctx, cert.number, cert.level, None, None)
    names = {p.code: p.name for p in await rc.provinces(ctx)}
    return CertificateView(
        cert=cert,
        # As the catalogue stated it at issue: a later edit leaves a certificate unchanged.
        occupation=(await rce.occupations_at(ctx, [(cert.occupation, cert.issued_at)]))[0],
        level=levels.get(cert.level),
        issuer_name=issuer.name if issuer else None,
        title_link=link,
        province_name=names.get(link.province) if link else None,
        qr_data_uri=_data_uri("image/png", qr_png(cert.credential)),
        credential_data_uri=_data_uri("application/json", _credential_file(file)),
    )
