"""Professional technical level certificates: assessment batches, review, numbering, publication
as signed credentials, public look-up and revocation (notice 三(五)-(七), 四(六)3)."""
