"""Backup and restore of the whole registry (issue 17): `registry backup OUT`, `registry restore IN`."""
