"""`registry certificate pdf NUMBER --holder-name NAME -o FILE`: the printable certificate, found
by the public look-up's rules (number and holder's name; an unknown number and another name
answer the same), written as a one-page A4 PDF (docs/printing.md)."""

from __future__ import annotations

from pathlib import Path

import click

from registry.certificates.printable import printable
from registry.errors import RegistryError
from registry.printing.certificate_pdf import PrintedCertificate, render
from registry.printing.fonts import cjk_font
from registry.storage.db import Database
from service.runner import run_with_db, settings_or_exit


@click.group("certificate")
def certificate_group() -> None:
    """Published certificates."""


@certificate_group.command("pdf")
@click.argument("number")
@click.option("--holder-name", required=True, help="The holder's name, as on the certificate.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
def certificate_pdf(number: str, holder_name: str, output: Path) -> None:
    """Write the printable certificate NUMBER of the holder named --holder-name as a PDF."""
    base_url = settings_or_exit().base_url

    async def work(db: Database) -> PrintedCertificate | None:
        return await printable(db, number, holder_name, base_url)

    found = run_with_db(work)
    if found is None:
        raise click.ClickException("no certificate with this number and name")
    try:
        pdf = render(found)
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    output.write_bytes(pdf)
    click.echo(
        f"wrote {output} ({len(pdf):,} bytes; certificate {found.number}; "
        f"font {cjk_font().source})",
        err=True,
    )
