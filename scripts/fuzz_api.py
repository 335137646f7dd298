"""A longer schemathesis run against a running registry (see docs/api-fuzzing.md).

    .venv/bin/python scripts/fuzz_api.py http://127.0.0.1:8000 --examples 60 [--tokens var/demo/tokens.json]

Sends every generated operation anonymously and with each token of the tokens file, and prints a
summary; exits 1 if any response broke a rule (5xx, traceback, internal error, error without code).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.service.fuzz import generate, problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--examples", type=int, default=60, help="examples per operation")
    parser.add_argument("--tokens", type=Path, default=Path("var/demo/tokens.json"))
    args = parser.parse_args()
    callers: dict[str, str | None] = {"anonymous": None}
    if args.tokens.exists():
        callers |= {
            role: entry["token"] for role, entry in json.loads(args.tokens.read_text()).items()
        }
    started = time.monotonic()
    corpus = generate(args.examples)
    generated = time.monotonic() - started
    statuses: Counter[int] = Counter()
    broken: list[str] = []
    with httpx.Client(base_url=args.url, timeout=60) as http:
        for caller, token in callers.items():
            headers = {"authorization": f"Bearer {token}"} if token else {}
            for label, query in corpus:
                response = http.post("/graphql", json={"query": query}, headers=headers)
                statuses[response.status_code] += 1
                broken += [
                    f"{caller} {label}: {p}" for p in problems(response.status_code, response.text)
                ]
    total = sum(statuses.values())
    print(
        json.dumps(
            {
                "operations": len({label for label, _ in corpus}),
                "corpus": len(corpus),
                "requests": total,
                "callers": list(callers),
                "statuses": dict(statuses),
                "broken": len(broken),
                "generation_s": round(generated, 1),
                "total_s": round(time.monotonic() - started, 1),
            }
        )
    )
    for line in broken[:20]:
        print(line)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
