"""`registry supervision list|export|redraw`: the 双随机 draws, re-run by anyone.

    registry supervision redraw CAMPAIGN      # a campaign id (reads the database) or a JSON file
    registry supervision export CAMPAIGN OUT  # the published document, for anyone to redraw

`redraw FILE` needs no database and no key: the published document (also the GraphQL field
`publishedDocument`) holds the seed, the rules, the population (with the digest published at
announcement) and the roster. Exit status: 0 the same selection as published, 1 a different one,
2 the input cannot be read (or its population is not the digested one).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pymongo.errors import PyMongoError

from registry.errors import RegistryError
from registry.storage.db import Database
from registry.supervision import campaigns
from registry.supervision.draw import Assignment, DrawInputError
from service.runner import run_with_db

T = TypeVar("T")
MAX_FILE = 64 * 1024 * 1024


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    try:
        return run_with_db(work)
    except PyMongoError as error:
        raise click.ClickException(f"database error ({type(error).__name__})") from None


@click.group("supervision")
def supervision_group() -> None:
    """Inspection campaigns (双随机、一公开): list, export and re-run their draws."""


@supervision_group.command("list")
def supervision_list() -> None:
    """Every campaign: id, status, year, title."""

    async def work(db: Database) -> list[campaigns.Campaign]:
        found, _ = await campaigns.page(db, year=None, limit=100, after=None)
        return found

    rows = _run(work)
    if not rows:
        click.echo("no campaigns")
    for c in rows:
        click.echo(f"{c.id}  {c.status:<17}  {c.year}  {c.title}")


def _read_file(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_FILE:
            raise click.ClickException(f"{path} is larger than {MAX_FILE // (1024 * 1024)} MiB")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"{path} is not JSON text: {error}") from None


def _lines(selection: tuple[Assignment, ...]) -> list[str]:
    return [
        f"{n:>3}. {a.uscc}  inspectors: {', '.join(a.inspectors) or '-'}"
        + ("  (short of inspectors)" if a.short else "")
        for n, a in enumerate(selection, start=1)
    ]


@supervision_group.command("redraw")
@click.argument("campaign")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def supervision_redraw(ctx: click.Context, campaign: str, as_json: bool) -> None:
    """Re-run the draw of CAMPAIGN (an id, or a published campaign JSON file) from its seed."""
    path = Path(campaign)
    try:
        if path.is_file():
            report = campaigns.redraw_document(_read_file(path))
        else:
            report = _run(lambda db: campaigns.redraw(db, campaign))
    except DrawInputError as error:
        click.echo(f"error: {error.message}", err=True)
        ctx.exit(2)
    except click.ClickException as error:
        click.echo(f"error: {error.message}", err=True)
        ctx.exit(2)
    except RegistryError as error:
        click.echo(f"error: {error.message}", err=True)
        ctx.exit(2)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "campaign": report.campaign,
                    "seed": report.seed,
                    "matches": report.matches,
                    "populationMatches": report.population_matches,
                    "selection": [a.to_json() for a in report.selection],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(f"campaign {report.campaign}, seed {report.seed!r}")
        for line in _lines(report.selection):
            click.echo(line)
        if report.published is None:
            click.echo("no published selection to compare with")
        elif report.matches:
            click.echo("MATCH: the same selection as published")
        else:
            click.echo("MISMATCH: the published selection differs from the re-run draw")
        if report.population_matches is False:
            click.echo("WARNING: the frozen population differs from the directory's history")
    ctx.exit(0 if report.matches and report.population_matches is not False else 1)


@supervision_group.command("export")
@click.argument("campaign")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def supervision_export(campaign: str, out: Path) -> None:
    """Write the published document of CAMPAIGN to OUT (what `redraw FILE` reads)."""

    async def work(db: Database) -> dict[str, Any]:
        found = await campaigns.get(db, campaign)
        if found is None:
            raise click.ClickException(f"no campaign {campaign[:40]}")
        return found.published()

    document = _run(work)
    try:
        out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"wrote {out}; re-run with: registry supervision redraw {out}", err=True)
