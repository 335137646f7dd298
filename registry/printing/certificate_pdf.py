"""The printable certificate: one A4 page in the layout of a professional technical level
certificate (专业技术等级证书), with its QR code drawn as vector squares and the Chinese font
embedded as a subset (`fonts.cjk_font`), so that it prints the same everywhere.

Only rendering: what to print is handed in as a `PrintedCertificate` (no database, no HTTP, no
GraphQL). It never holds an ID number, so none can be printed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from fpdf import FPDF

from credentials import qr
from registry.printing.fonts import CjkFont, cjk_font

PROGRAMME: Final = "专业技术人才知识更新工程 · 数字技术工程师培育项目"
TITLE: Final = "专业技术等级证书"
TITLE_EN: Final = "Professional and Technical Level Certificate"
# fontTools reports every table it prunes while subsetting at INFO: noise in the service's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

_FONT: Final = "cjk"
_RED: Final = (140, 26, 26)
_INK: Final = (20, 20, 20)
_GREY: Final = (90, 90, 90)
_LEFT: Final = 28.0  # mm
_LABEL_W: Final = 44.0
_VALUE_W: Final = 210.0 - 2 * _LEFT - _LABEL_W
_QR_SIDE: Final = 62.0  # mm with the quiet zone: about 0.4 mm a module at version 31
_QR_TOP: Final = 297.0 - 13 - 6 - _QR_SIDE  # inside the inner frame
_TABLE_TOP: Final = 74.0
_TABLE_BOTTOM: Final = _QR_TOP - 18  # room for the statement above the code


@dataclass(frozen=True)
class PrintedCertificate:
    """Everything the page shows, already chosen and worded by the caller."""

    number: str
    holder_name: str
    occupation_name: str
    occupation_codes: Sequence[str]  # each with its edition, e.g. "2-02-38-01（2022年版）"
    direction: str | None
    level: str  # e.g. "初级 Junior"
    issuer_name: str
    issuer_uscc: str
    exam_date: dt.date
    issued_on: dt.date
    qr_text: str  # the `DTE1:` text of the signed credential
    verify_url: str  # the offline verifier page, e.g. https://registry.example/verify


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def render(certificate: PrintedCertificate, font: CjkFont | None = None) -> bytes:
    """The certificate as a one-page A4 PDF (bytes). Raises `fonts.FontMissing` when there is no
    Chinese font to embed; a `CredentialError` when the QR text is not a DTE1 code."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    chosen = font or cjk_font()
    pdf.add_font(_FONT, fname=str(chosen.path), collection_font_number=chosen.index)
    pdf.set_lang("zh-CN")
    pdf.set_title(f"{TITLE} {certificate.number}")
    pdf.set_creator("dte-registry")
    pdf.set_creation_date(dt.datetime.combine(certificate.issued_on, dt.time(), tzinfo=dt.UTC))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _frame(pdf)
    _heading(pdf)
    _statement(pdf, _fields(pdf, certificate) + 2)
    _qr_code(pdf, certificate.qr_text, x=210 - _LEFT - _QR_SIDE, y=_QR_TOP)
    _how_to_verify(pdf, certificate.verify_url, y=_QR_TOP + 4)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*_RED)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 190, 277)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 184, 271)


def _centred(pdf: FPDF, y: float, size: float, text: str, colour: tuple[int, int, int]) -> None:
    pdf.set_text_color(*colour)
    pdf.set_font(_FONT, size=size)
    pdf.set_xy(15, y)
    pdf.cell(180, size * 0.5, text, align="C")


def _heading(pdf: FPDF) -> None:
    _centred(pdf, 24, 11, PROGRAMME, _GREY)
    _centred(pdf, 38, 32, TITLE, _RED)
    _centred(pdf, 56, 11, TITLE_EN, _GREY)
    pdf.set_draw_color(*_RED)
    pdf.set_line_width(0.4)
    pdf.line(_LEFT, 66, 210 - _LEFT, 66)


def _rows(certificate: PrintedCertificate) -> list[tuple[str, str, str]]:
    occupation = "\n".join([certificate.occupation_name, *certificate.occupation_codes])
    return [
        ("姓名", "Name", certificate.holder_name),
        ("证书编号", "Certificate No.", certificate.number),
        ("职业", "Occupation", occupation),
        ("职业方向", "Direction", certificate.direction or "—"),
        ("等级", "Level", certificate.level),
        ("评价机构", "Issued by", f"{certificate.issuer_name}\n{certificate.issuer_uscc}"),
        ("考核日期", "Date of assessment", chinese_date(certificate.exam_date)),
        ("发证日期", "Date of issue", chinese_date(certificate.issued_on)),
    ]


def _value_size(pdf: FPDF, rows: list[tuple[str, str, str]]) -> float:
    """The largest type size (pt) at which the table ends above the statement and the QR code:
    a long institution name or direction is set smaller, never cut or run into the code."""
    for size in (13.0, 12.0, 11.0, 10.0, 9.0, 8.0):
        pdf.set_font(_FONT, size=size)
        height = _TABLE_TOP
        for _, _, value in rows:
            lines = pdf.multi_cell(_VALUE_W, size * 0.48, value, dry_run=True, output="LINES")
            assert isinstance(lines, list)  # what output="LINES" answers
            height += max(len(lines) * size * 0.48, 10) + 2
        if height <= _TABLE_BOTTOM:
            return size
    return 7.0


def _fields(pdf: FPDF, certificate: PrintedCertificate) -> float:
    """The table of what is certified; returns where it ends (mm from the top)."""
    rows = _rows(certificate)
    size = _value_size(pdf, rows)
    y = _TABLE_TOP
    for label, label_en, value in rows:
        pdf.set_text_color(*_INK)
        pdf.set_font(_FONT, size=12)
        pdf.set_xy(_LEFT, y)
        pdf.cell(_LABEL_W, 6, label)
        pdf.set_text_color(*_GREY)
        pdf.set_font(_FONT, size=7.5)
        pdf.set_xy(_LEFT, y + 6)
        pdf.cell(_LABEL_W, 4, label_en)
        pdf.set_text_color(*_INK)
        pdf.set_font(_FONT, size=size)
        pdf.set_xy(_LEFT + _LABEL_W, y)
        pdf.multi_cell(_VALUE_W, size * 0.48, value, align="L")
        y = max(pdf.get_y(), y + 10) + 2
    return y


def _statement(pdf: FPDF, y: float) -> None:
    pdf.set_text_color(*_INK)
    pdf.set_font(_FONT, size=12)
    pdf.set_xy(_LEFT, y)
    pdf.multi_cell(210 - 2 * _LEFT, 6, "经评价考核合格，准予颁发本专业技术等级证书。", align="L")
    pdf.set_text_color(*_GREY)
    pdf.set_font(_FONT, size=8)
    pdf.set_x(_LEFT)
    pdf.multi_cell(
        210 - 2 * _LEFT,
        4.5,
        "Having passed the assessment, the holder is awarded this professional and technical "
        "level certificate.",
        align="L",
    )


def _qr_code(pdf: FPDF, text: str, *, x: float, y: float) -> None:
    """The DTE1 code as black squares on white, with the standard four-module quiet zone; each
    run of dark modules in a row is one rectangle, a hair taller than a module so that no
    renderer leaves light seams between rows."""
    rows = qr.modules(text)
    module = _QR_SIDE / (len(rows) + 8)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, _QR_SIDE, _QR_SIDE, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            left, top = x + (start + 4) * module, y + (r + 4) * module
            pdf.rect(left, top, (c - start) * module, module * 1.02, style="F")


def _how_to_verify(pdf: FPDF, verify_url: str, *, y: float) -> None:
    width = 210 - 2 * _LEFT - _QR_SIDE - 8
    pdf.set_text_color(*_RED)
    pdf.set_font(_FONT, size=12)
    pdf.set_xy(_LEFT, y)
    pdf.cell(width, 7, "如何查验 How to verify")
    pdf.set_text_color(*_INK)
    pdf.set_font(_FONT, size=10)
    pdf.set_xy(_LEFT, y + 10)
    pdf.multi_cell(
        width, 5.5, f"打开 {verify_url}\n扫描右侧二维码，即可离线查验本证书。", align="L"
    )
    pdf.set_text_color(*_GREY)
    pdf.set_font(_FONT, size=8)
    pdf.set_x(_LEFT)
    pdf.multi_cell(
        width,
        4.2,
        f"Open {verify_url} and scan the code on the right: the certificate is checked "
        "offline against the registry's signed trust bundle. The code holds the signed "
        "electronic certificate, which prevails.",
        align="L",
    )
