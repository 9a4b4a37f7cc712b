"""The demo workspace's learning content, written for Acme's people.

Each module lists units as plain dicts (slug, kind, title, summary, body_md, payload,
skills, tags, locale, status, translation_of) so the content reads like a document and
`unstuck.demo.services` can load it through the content services. Slugs are stable:
placements, tests and the guidance ranking suite refer to units by slug.
"""

from __future__ import annotations

from typing import Any

from . import onboarding, projects, sales, support, translations
from .format import md_sections

# (slug, name, parent slug, description). Parents come before their children.
SKILLS: list[tuple[str, str, str | None, str]] = [
    ("crm-basics", "CRM basics", None, "Working day to day in Acme CRM."),
    ("logging-calls", "Logging calls", "crm-basics", "Recording calls with outcome and next step."),
    (
        "opportunity-stages",
        "Opportunity stages",
        "crm-basics",
        "What each stage means and when to move.",
    ),
    (
        "forecasting",
        "Forecasting",
        "crm-basics",
        "Commit, best case and pipeline categories; the forecast page.",
    ),
    (
        "pipeline-hygiene",
        "Pipeline hygiene",
        "crm-basics",
        "Amounts, close dates and next steps that stay true.",
    ),
    ("customer-support", "Customer support", None, "Helping customers through the support desk."),
    (
        "de-escalation",
        "De-escalation",
        "customer-support",
        "Turning a frustrated customer into a solved case.",
    ),
    ("ticket-triage", "Ticket triage", "customer-support", "Priorities, ownership and escalation."),
    ("project-management", "Project management", None, "Delivering work in sprints."),
    ("agile", "Agile", "project-management", "Scrum roles, events and artefacts in practice."),
    (
        "sprint-planning",
        "Sprint planning",
        "project-management",
        "Sprint goals, capacity and commitments.",
    ),
    ("retrospectives", "Retrospectives", "project-management", "Learning from each sprint."),
    ("onboarding", "Onboarding", None, "Getting started at Acme."),
    ("first-week", "First week", "onboarding", "What a new hire does in week one."),
    (
        "tools-and-access",
        "Tools and access",
        "onboarding",
        "Acme's systems and how to get into them.",
    ),
]


def all_units() -> list[dict[str, Any]]:
    """Every demo unit with defaults filled in; originals before their translations.

    A quick reference is written as Markdown with `### ` headings (`sections_md`) and
    becomes the kind's `sections`.
    """
    units: list[dict[str, Any]] = [
        *sales.UNITS,
        *support.UNITS,
        *projects.UNITS,
        *onboarding.UNITS,
        *translations.UNITS,
        *sales.DRAFTS,
        *onboarding.DRAFTS,
    ]
    out = []
    for raw in units:
        unit: dict[str, Any] = {
            "locale": "en",
            "status": "published",
            "translation_of": None,
            "body_md": "",
            **raw,
        }
        if "sections_md" in unit:
            unit["payload"] = {
                **unit["payload"],
                "sections": md_sections(unit.pop("sections_md"), unit["title"]),
            }
        out.append(unit)
    return out
