"""Storage shared by every workflow: collection names, transition tables, the audited store and
idempotent creation. A workflow declares what it stores and which moves it allows; the writing
(revision check, history, audit entry, one transaction) happens here, once."""
