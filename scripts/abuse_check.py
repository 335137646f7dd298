"""Send the graphql-cop-style attacks to a running registry and print status, code and server
time for each (see docs/api.md, "Limits").

    .venv/bin/python scripts/abuse_check.py http://127.0.0.1:8000
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.service.test_graphql_http import abusive


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    worst = 0.0
    with httpx.Client(base_url=url, timeout=30) as http:
        for name, (body, _code, _status) in abusive().items():
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            response = http.post(
                "/graphql",
                content=content,
                headers={
                    "content-type": "application/json",
                    "accept": "application/graphql-response+json",
                },
            )
            ms = float(response.headers["server-timing"].split("dur=")[1])
            worst = max(worst, ms)
            code = response.json()["errors"][0]["extensions"]["code"]
            print(f"{name:<22} {response.status_code} {code:<28} {ms:6.1f} ms")
        ready = http.get("/readyz")
        print(f"readyz {ready.status_code}; slowest refusal {worst:.1f} ms")
    return 0 if worst < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
