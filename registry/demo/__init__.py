"""Demo data for `registry serve --demo`."""
