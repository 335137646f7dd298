"""Exam sessions and candidate registration before results (notice 三(五)–(六))."""
