"""The transparency log commands: `registry log checkpoint|verify|monitor|backfill` (and the witness
commands of `service/cli_witness.py`).

`verify` checks the log against itself (leaves, tiles, every checkpoint it signed, consistency
from each to the next) and against the database both ways; `monitor` lists what was logged in
an institution's name, each entry proven included in the latest checkpoint, optionally only
since a checkpoint kept from an earlier run (proven consistent with it). Exit status 1 when a
check fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from credentials.transparency import Checkpoint, TransparencyError
from registry.access.auth import SYSTEM
from registry.storage.db import Database
from registry.transparency import backfill, checkpoints, checks
from registry.trust.bundles import ISSUER_PREFIX
from service.cli_keys import uscc_option_value, write_atomically
from service.cli_witness import COMMANDS as WITNESS_COMMANDS
from service.runner import master_key_or_exit, run_with_db, settings_or_exit


@click.group("log")
def log_group() -> None:
    """The registry's public transparency log (C2SP tlog-tiles, served at /log/)."""


@log_group.command("checkpoint")
def log_checkpoint() -> None:
    """Print the latest signed checkpoint (signing one if the log grew past it)."""
    settings = settings_or_exit()
    master_key = master_key_or_exit()

    async def work(db: Database) -> str:
        return (await checkpoints.current(db, master_key, settings.base_url)).note

    click.echo(run_with_db(work), nl=False)


@log_group.command("verify")
def log_verify() -> None:
    """Check the log against itself and the database; exit 1 naming every problem found."""
    settings = settings_or_exit()
    master_key = master_key_or_exit()

    async def work(db: Database) -> checks.Report:
        key = await checkpoints.note_key(db, master_key, settings.base_url)
        return await checks.verify_log(db, key)

    report = run_with_db(work)
    for problem in report.problems:
        click.echo(f"log BROKEN: {problem}", err=True)
    if not report.ok:
        click.get_current_context().exit(1)
    click.echo(
        f"log OK: {report.leaves} leaves, {report.checkpoints} checkpoints consistent, "
        f"{report.certificates} certificates logged"
    )


@log_group.command("backfill")
def log_backfill() -> None:
    """Log the certificates published before the log existed (once; again logs nothing)."""
    settings = settings_or_exit()
    master_key = master_key_or_exit()

    async def work(db: Database) -> int:
        count = await backfill.backfill(db, by=SYSTEM)
        await checkpoints.sign(db, master_key, settings.base_url)
        return count

    click.echo(f"{run_with_db(work)} certificates logged")


def _summary(record: dict[str, object]) -> str:
    fields = ("number", "verificationMethod", "change", "statusListIndex", "at", "compromisedAt")
    return "  ".join(f"{name}={record[name]}" for name in fields if name in record)


@log_group.command("monitor")
@click.option("--institution", required=True, help="Unified social credit code.")
@click.option(
    "--since",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A checkpoint kept from an earlier run: list only what was logged after it.",
)
@click.option(
    "--save",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the latest checkpoint here (the --since of the next run).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON record a line.")
def log_monitor(institution: str, since: Path | None, save: Path | None, as_json: bool) -> None:
    """List every leaf logged in the institution's name (certificates, revocations, keys,
    directory changes), each proven to be in the latest checkpoint."""
    uscc = uscc_option_value(institution)
    settings = settings_or_exit()
    master_key = master_key_or_exit()
    old = since.read_text(encoding="utf-8") if since is not None else None

    async def work(db: Database) -> tuple[Checkpoint, list[checks.Logged], str]:
        key = await checkpoints.note_key(db, master_key, settings.base_url)
        latest, found = await checks.monitor(db, key, ISSUER_PREFIX + uscc, old)
        signed = await checkpoints.at_size(db, latest.size)
        return latest, found, signed.note if signed else ""

    try:
        latest, found, note = run_with_db(work)
    except TransparencyError as error:
        raise click.ClickException(f"the log does not check out: {error.code}") from None
    for item in found:
        if as_json:
            click.echo(json.dumps({"leafIndex": item.index, **item.record}, ensure_ascii=False))
        else:
            click.echo(f"{item.index}  {item.record.get('kind')}  {_summary(item.record)}")
    click.echo(f"{len(found)} entries for {uscc} up to tree size {latest.size}", err=True)
    if save is not None:
        write_atomically(save, note)


for command in WITNESS_COMMANDS:
    log_group.add_command(command)
