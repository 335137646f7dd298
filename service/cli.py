"""The `registry` command line.

Commands that need the database use the embedded server already running for the data directory
(its address is recorded there) or start one for the command's duration.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from registry.errors import RegistryError
from registry.storage.embedded import read_state
from service.cli_admin import audit_group, stats_group, tokens_group
from service.cli_backup import backup_command, restore_command
from service.cli_certificate import certificate_group
from service.cli_import import import_group
from service.cli_keys import bundle_group, keys_group
from service.cli_log import log_group
from service.cli_root import root_group
from service.cli_supervision import supervision_group
from service.runner import run_with_db, settings_or_exit
from service.verify_cli import verify_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """dte-registry: the public registry of the Digital Technology Engineer programme."""


@main.command()
@click.option("--demo", is_flag=True, help="Load the demo data on start-up.")
@click.option("--host", default=None, help="Listen address (default REGISTRY_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default REGISTRY_PORT or 8000).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes on one port, sharing one database (started once when embedded).",
)
@click.option("--log-level", default="info", show_default=True)
def serve(demo: bool, host: str | None, port: int | None, workers: int, log_level: str) -> None:
    """Run the registry (GraphQL on /graphql) until Ctrl-C or SIGTERM (a second Ctrl-C forces)."""
    from service.app import create_app
    from service.logs import configure_logging
    from service.serving import Listen, serve_one, serve_workers

    settings = settings_or_exit()
    if settings.embedded:
        running = read_state(settings.data_dir)
        if running is not None:
            raise click.ClickException(
                f"another registry server is already using the data directory "
                f"{settings.data_dir} (database pid {running.pid}); stop it first or set "
                "REGISTRY_DATA_DIR to another directory"
            )
    configure_logging(log_level)
    listen = Listen(host or settings.host, port or settings.port, log_level)
    try:
        settings.master_key()  # generate (with a warning) before anything needs it
        app = create_app(settings, demo_data=demo)  # reads and checks the API settings
    except RegistryError as error:
        raise click.ClickException(error.message) from None
    # uvicorn re-raises the stop signal after its graceful shutdown; with these no-op handlers in
    # place that re-raise is swallowed, so Ctrl-C and SIGTERM end with status 0, not "Aborted!".
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    if workers == 1:
        if not serve_one(app, listen):
            sys.exit(1)
        return
    try:
        serve_workers(settings, workers, listen, demo)
    except RegistryError as error:
        raise click.ClickException(error.message) from None


@main.group()
def seed() -> None:
    """Load data into the database."""


@seed.command("reference")
def seed_reference() -> None:
    """Load the reference catalogue (idempotent: never overwrites the office's edits)."""
    from registry.catalogue.reference_data import seed_reference as load

    report = run_with_db(load)
    for name, count in report.inserted.items():
        click.echo(f"{name}: {count} inserted, {report.unchanged[name]} already present")


@main.group("schema")
def schema_group() -> None:
    """The GraphQL schema (SDL)."""


@schema_group.command("print")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def schema_print(output: Path | None) -> None:
    """Print the SDL (`registry schema print -o schema/schema.graphql` refreshes the repo copy)."""
    from schema.build import sdl

    text = sdl()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


main.add_command(tokens_group)
main.add_command(audit_group)
main.add_command(stats_group)
main.add_command(verify_command)
main.add_command(import_group)
main.add_command(keys_group)
main.add_command(root_group)
main.add_command(bundle_group)
main.add_command(supervision_group)
main.add_command(certificate_group)
main.add_command(log_group)
main.add_command(backup_command)
main.add_command(restore_command)
