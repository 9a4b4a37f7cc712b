"""Strict xAPI statement validation: CPU time of `check_statement` per valid statement.

    .venv/bin/python bench/lrs_validate.py [--calls 20000] [--repeat 5]

Validates the statements bench/lrs_ingest.py sends (actor with an account, verb with a
display, activity with a definition, result, context with a registration, context
activities and extensions, timestamp) mixed with a few richer shapes (a Group actor,
a scored result, an interaction definition, a SubStatement, a 2.0 statement with
context agents, an attachment), one in ten. Prints, for the lrs_ingest statements alone
and for the mix, the best of `--repeat` runs of `--calls` calls in microseconds per
statement. In-process and single-threaded: a few seconds, no database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from lrs_ingest import statements  # noqa: E402

from unstuck.lrs.validation import check_statement  # noqa: E402

ACTOR = {"objectType": "Agent", "mbox": "mailto:bob@example.com", "name": "Bob"}
VERB = {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}}
UNIT = {"objectType": "Activity", "id": "https://unstuck.dev/xapi/units/u1"}
RICHER: list[tuple[dict, str]] = [
    (
        {
            "actor": {
                "objectType": "Group",
                "name": "Team",
                "member": [ACTOR, {"account": {"homePage": "https://x.example", "name": "c"}}],
            },
            "verb": VERB,
            "object": {
                "id": "https://unstuck.dev/xapi/units/u1/q1",
                "definition": {
                    "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                    "name": {"en-US": "Question 1", "fr-FR": "Question 1"},
                    "description": {"en-US": "Pick one"},
                    "interactionType": "choice",
                    "correctResponsesPattern": ["b"],
                    "choices": [
                        {"id": "a", "description": {"en-US": "A"}},
                        {"id": "b", "description": {"en-US": "B"}},
                    ],
                },
            },
            "result": {
                "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10},
                "success": True,
                "completion": True,
                "response": "b",
                "duration": "PT1M30.5S",
            },
            "context": {
                "registration": "3f2c8a4e-9b1d-4c5e-8f7a-1b2c3d4e5f60",
                "instructor": {"mbox": "mailto:alice@example.com"},
                "contextActivities": {"parent": UNIT, "grouping": [UNIT], "other": [UNIT]},
                "language": "en-US",
                "statement": {
                    "objectType": "StatementRef",
                    "id": "8f7a1b2c-9b1d-4c5e-8f7a-3f2c8a4e5f60",
                },
            },
            "timestamp": "2025-03-04T09:15:00+01:00",
        },
        "1.0.3",
    ),
    (
        {
            "actor": ACTOR,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/planned"},
            "object": {
                "objectType": "SubStatement",
                "actor": ACTOR,
                "verb": VERB,
                "object": UNIT,
                "result": {"score": {"raw": 3}},
                "timestamp": "2025-03-05T09:15:00Z",
            },
            "version": "1.0.3",
        },
        "1.0.3",
    ),
    (
        {
            "id": "3f2c8a4e-9b1d-4c5e-8f7a-1b2c3d4e5f60",
            "actor": ACTOR,
            "verb": VERB,
            "object": UNIT,
            "context": {
                "contextAgents": [
                    {
                        "objectType": "contextAgent",
                        "agent": {"mbox": "mailto:carol@example.com"},
                        "relevantTypes": ["https://unstuck.dev/xapi/roles/coach"],
                    }
                ],
                "extensions": {"https://unstuck.dev/xapi/extensions/page": "/a"},
            },
            "attachments": [
                {
                    "usageType": "https://unstuck.dev/xapi/attachments/notes",
                    "display": {"en-US": "Notes"},
                    "contentType": "text/plain",
                    "length": 12,
                    "sha2": "a" * 64,
                }
            ],
            "timestamp": "2025-03-04T09:15:00.250Z",
            "version": "2.0.0",
        },
        "2.0.0",
    ),
]


def workload(calls: int) -> list[tuple[dict, str]]:
    """`calls` statements: nine in ten from lrs_ingest, the rest the richer shapes."""
    plain = [(s, "1.0.3") for s in statements(calls - calls // 10, 0)]
    rich = [RICHER[i % len(RICHER)] for i in range(calls // 10)]
    mixed = []
    for i, item in enumerate(plain):
        mixed.append(item)
        if i % 9 == 8 and rich:
            mixed.append(rich.pop())
    return mixed + rich


def best_us(work: list[tuple[dict, str]], repeat: int) -> float:
    best_s = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for statement, version in work:
            check_statement(statement, version=version)
        best_s = min(best_s, time.perf_counter() - start)
    return best_s / len(work) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for label, work in (
        ("lrs_ingest statements", [(s, "1.0.3") for s in statements(args.calls, 0)]),
        ("mixed (1 in 10 richer)", workload(args.calls)),
    ):
        print(
            f"check_statement, {label:23s} {best_us(work, args.repeat):6.2f} µs/statement "
            f"(best of {args.repeat} runs of {len(work)} calls)"
        )


if __name__ == "__main__":
    main()
