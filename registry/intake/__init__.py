"""Checking what comes in: identifiers and the rows of a batch."""
