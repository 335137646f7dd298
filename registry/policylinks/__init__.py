"""Policy links (notice 五): how a certificate counts toward professional titles, per level, and
whether a training certificate qualifies for a training subsidy; national defaults from the
notice, per-province entries where provinces differ, with effective dates and history."""
