"""The certificate page's download of the printable certificate (docs/printing.md): a POST form
whose hidden fields are the number and the holder's name (neither in a URL), which answers the
PDF of that certificate; a revoked certificate's page offers none."""

from __future__ import annotations

import html
import re

import httpx

from tests.pdf import is_pdf, pdf_text
from tests.privacy import CAPTURED_BODIES

from .data import PagesData

FORM = re.compile(r'<form method="post" action="/certificate\.pdf".*?</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


async def test_the_certificate_page_downloads_its_pdf_by_post(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    page = await web.post("/lookup/number", data={"number": data.number, "name": data.name})
    forms = FORM.findall(page.text)
    assert len(forms) == 1, page.text
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(forms[0])}
    assert fields == {"number": data.number, "holderName": data.name}
    pdf = await web.post("/certificate.pdf", data=fields)
    assert pdf.status_code == 200 and is_pdf(pdf.content)
    assert pdf.headers["cache-control"] == "no-store"
    CAPTURED_BODIES.append(pdf.content)
    text = pdf_text(pdf.content)
    assert data.number in text and data.name in text and data.card not in text


async def test_a_revoked_certificate_page_offers_no_print(
    web: httpx.AsyncClient, data: PagesData
) -> None:
    page = await web.post(
        "/lookup/number", data={"number": data.revoked, "name": data.revoked_name}
    )
    assert 'data-status="REVOKED"' in page.text
    assert FORM.findall(page.text) == []
