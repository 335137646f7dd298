"""Training (notice 三(四), 五(一)): cohorts and completions with P-numbered training certificates,
continuing-education hours per holder and year, and the link check for assessment results that
cite a training certificate."""
