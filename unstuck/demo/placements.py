"""Where the demo content shows up in Acme CRM, and the demo's collections.

Each placement is the keyword arguments of `delivery.services.create_placement` (its
name is the natural key the loader uses to stay idempotent). Selectors name the CRM's
stable ids first, then `name` and `aria-label` as fallbacks — the CRM's templates keep
these ids on purpose (unstuck/demo/templates/demo/crm/).
"""

from __future__ import annotations

from typing import Any


def _field(name: str, label: str) -> list[dict[str, Any]]:
    return [{"id": name}, {"name": name}, {"aria_label": label}]


OPPORTUNITY_PAGES = "/crm/opportunities/*"

PLACEMENTS: list[dict[str, Any]] = [
    # Tooltips on the opportunity form's fields.
    {
        "name": "Stage field: stages at a glance",
        "unit": "opportunity-stages",
        "url_pattern": OPPORTUNITY_PAGES,
        "element": _field("stage", "Stage"),
        "field_key": "stage",
        "trigger": "field_focused",
        "presentation": "tooltip",
        "priority": 10,
    },
    {
        "name": "Amount field: when the amount is required",
        "unit": "amount-and-close-date-rules",
        "url_pattern": OPPORTUNITY_PAGES,
        "element": _field("amount", "Amount"),
        "field_key": "amount",
        "trigger": "field_focused",
        "presentation": "tooltip",
        "priority": 10,
    },
    {
        "name": "Close date field: honest close dates",
        "unit": "amount-and-close-date-rules",
        "url_pattern": OPPORTUNITY_PAGES,
        "element": _field("close_date", "Close date"),
        "field_key": "close_date",
        "trigger": "field_focused",
        "presentation": "tooltip",
        "priority": 5,
    },
    # Tips that open by themselves when the CRM refuses a save.
    {
        "name": "Close date in the past: error tip",
        "unit": "fix-close-date-in-the-past",
        "url_pattern": OPPORTUNITY_PAGES,
        "element": [
            {"id": "close_date-error"},
            {"data": {"attr": "error-code", "value": "close_date_past"}},
        ],
        "field_key": "close_date",
        "trigger": "error_shown",
        "trigger_config": {"selector": {"id": "close_date-error"}},
        "presentation": "error_tip",
        "audience": {"locales": ["en"]},
        "priority": 20,
    },
    {
        "name": "Close date in the past: error tip (Hungarian)",
        "unit": "fix-close-date-in-the-past-hu",
        "url_pattern": OPPORTUNITY_PAGES,
        "element": [{"id": "close_date-error"}],
        "field_key": "close_date",
        "trigger": "error_shown",
        "trigger_config": {"selector": {"id": "close_date-error"}},
        "presentation": "error_tip",
        "audience": {"locales": ["hu"]},
        "priority": 30,
    },
    {
        "name": "Amount missing at Proposal: error tip",
        "unit": "amount-and-close-date-rules",
        "url_pattern": OPPORTUNITY_PAGES,
        "element": [
            {"id": "amount-error"},
            {"data": {"attr": "error-code", "value": "amount_required"}},
        ],
        "field_key": "amount",
        "trigger": "error_event",
        "trigger_config": {"code": "amount_required"},
        "presentation": "error_tip",
        "priority": 20,
    },
    # Suggestions in the help panel, per page.
    {
        "name": "Opportunity pages: moving a stage",
        "unit": "move-opportunity-stage",
        "url_pattern": OPPORTUNITY_PAGES,
        "presentation": "panel",
        "priority": 5,
    },
    {
        "name": "Opportunity pages: the lifecycle",
        "unit": "opportunity-lifecycle",
        "url_pattern": OPPORTUNITY_PAGES,
        "presentation": "panel",
    },
    {
        "name": "Log a call page: the guide",
        "unit": "log-a-call",
        "url_pattern": "/crm/calls/*",
        "presentation": "panel",
        "audience": {"locales": ["en"]},
        "priority": 10,
    },
    {
        "name": "Log a call page: the guide (Hungarian)",
        "unit": "log-a-call-hu",
        "url_pattern": "/crm/calls/*",
        "presentation": "panel",
        "audience": {"locales": ["hu"]},
        "priority": 15,
    },
    {
        "name": "Log a call page: the walkthrough video",
        "unit": "logging-calls-video",
        "url_pattern": "/crm/calls/*",
        "presentation": "panel",
        "priority": 5,
    },
    {
        "name": "Contacts page: logging calls",
        "unit": "log-a-call",
        "url_pattern": "/crm/contacts/*",
        "presentation": "panel",
    },
    {
        "name": "Forecast page: the new categories",
        "unit": "forecast-categories",
        "url_pattern": "/crm/forecast/*",
        "presentation": "panel",
        "priority": 10,
    },
    {
        "name": "Forecast page: the launch video",
        "unit": "forecasting-video",
        "url_pattern": "/crm/forecast/*",
        "presentation": "panel",
        "priority": 5,
    },
    {
        "name": "Forecast page: Friday hygiene",
        "unit": "pipeline-hygiene-checklist",
        "url_pattern": "/crm/forecast/*",
        "presentation": "panel",
    },
    # The release note for the new forecasting feature, where it lives: once a fortnight. (Not
    # on every CRM page: a proactive note there would use up the nudge caps that a rep who is
    # stuck on an error needs.)
    {
        "name": "Release note: the new forecast page",
        "unit": "forecast-categories",
        "url_pattern": "/crm/forecast/*",
        "presentation": "panel",
        "is_release_note": True,
        "max_shows": 1,
        "per_days": 14,
        "audience": {"teams": ["Sales"]},
        "priority": 1,
    },
]

# (slug, title, description, unit slugs in order)
COLLECTIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "new-crm-for-sales",
        "The new Acme CRM for sales",
        "Everything a rep needs for the new call logging and forecasting, in 15 minutes split into short units.",
        [
            "log-a-call",
            "logging-calls-video",
            "opportunity-stages",
            "amount-and-close-date-rules",
            "forecast-categories",
            "forecasting-video",
            "opportunity-stages-quiz",
            "forecasting-quiz",
        ],
    ),
    (
        "support-de-escalation",
        "De-escalation for the support desk",
        "From the first 30 seconds of an angry call to a solved case.",
        [
            "heard-method",
            "calm-voice-audio",
            "frustrated-customer-scenario",
            "writing-a-calm-email",
            "de-escalation-quiz",
        ],
    ),
    (
        "new-hire-week-one",
        "New hire: week one",
        "The first-week checklist, who to ask, the tools map and access requests.",
        [
            "first-week-checklist",
            "who-to-ask",
            "tools-map",
            "request-tool-access",
            "onboarding-quiz",
        ],
    ),
    (
        "sprint-recovery",
        "After a missed sprint goal",
        "A refresher, a retro checklist and planning that keeps the next goal.",
        [
            "agile-refresher-missed-sprint-goal",
            "retro-checklist",
            "sprint-planning-video",
            "definition-of-done",
            "agile-basics-quiz",
        ],
    ),
]
