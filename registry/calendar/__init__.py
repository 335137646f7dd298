"""Dates as the programme counts them: China Standard Time days, holidays, working days."""
