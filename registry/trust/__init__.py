"""What the registry's trust rests on: the audit chain, signing keys, revocation status lists, the signed trust bundle."""
