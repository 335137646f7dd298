"""Printed documents: the CJK font they embed (`fonts`) and the printable certificate
(`certificate_pdf`). No database, no HTTP: what to print is handed in."""
