"""Public figures: statistics and per-institution metrics."""
