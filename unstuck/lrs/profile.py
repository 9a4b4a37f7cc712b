"""The Unstuck xAPI profile: the verbs, activity types and extensions Unstuck records.

Established IRIs are used where they exist (ADL vocabulary, the xAPI registry); the
rest live under PROFILE_BASE. docs/xapi-profile.md documents each one with an example
statement; a test keeps that page and these constants equal.

Everything Unstuck records goes through `unstuck.lrs.services.record_statements`;
`statement()` below builds a statement in this profile's shape.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.utils import timezone

PROFILE_BASE = "https://unstuck.dev/xapi"
PROFILE_ID = f"{PROFILE_BASE}/profile"

# --- verbs ----------------------------------------------------------------------------
ADL = "http://adlnet.gov/expapi/verbs"
ACTIVITYSTREAMS = "http://activitystrea.ms/schema/1.0"

VERB_EXPERIENCED = f"{ADL}/experienced"  # opened / viewed a unit
VERB_COMPLETED = (
    f"{ADL}/completed"  # finished a unit (last step, all checklist items, scenario end)
)
VERB_ANSWERED = f"{ADL}/answered"  # answered a quiz question or a review card
VERB_ASKED = f"{ADL}/asked"  # asked a colleague or the assistant a question
VERB_RESPONDED = f"{ADL}/responded"  # answered a colleague's question
VERB_SEARCHED = "https://w3id.org/xapi/acrossx/verbs/searched"
VERB_RATED = "http://id.tincanapi.com/verb/rated"  # "was this helpful?" and confidence pulses
VERB_STARTED = f"{ACTIVITYSTREAMS}/start"  # started a work task
VERB_FAILED = f"{ADL}/failed"  # failed a work task (or a quiz)
VERB_PASSED = f"{ADL}/passed"
VERB_VOIDED = f"{ADL}/voided"
VERB_REQUESTED_HELP = f"{PROFILE_BASE}/verbs/requested-help"  # pressed "Help, I'm stuck!"
VERB_ENCOUNTERED_ERROR = f"{PROFILE_BASE}/verbs/encountered-error"
VERB_RECEIVED = f"{ACTIVITYSTREAMS}/receive"  # a nudge was delivered
VERB_OPENED = f"{ACTIVITYSTREAMS}/open"  # a nudge was opened
VERB_REVIEWED = f"{PROFILE_BASE}/verbs/reviewed"  # answered a spaced-reinforcement review
VERB_PROGRESSED = f"{ADL}/progressed"  # ticked a checklist item, moved a guide step
VERB_MISSED_TARGET = (
    f"{PROFILE_BASE}/verbs/missed-target"  # a placed element was not found on the page
)
VERB_TRACKED = f"{PROFILE_BASE}/verbs/tracked"  # a custom event from the host app

VERB_DISPLAY: dict[str, str] = {
    VERB_EXPERIENCED: "experienced",
    VERB_COMPLETED: "completed",
    VERB_ANSWERED: "answered",
    VERB_ASKED: "asked",
    VERB_RESPONDED: "responded",
    VERB_SEARCHED: "searched",
    VERB_RATED: "rated",
    VERB_STARTED: "started",
    VERB_FAILED: "failed",
    VERB_PASSED: "passed",
    VERB_VOIDED: "voided",
    VERB_REQUESTED_HELP: "requested help",
    VERB_ENCOUNTERED_ERROR: "encountered error",
    VERB_RECEIVED: "received",
    VERB_OPENED: "opened",
    VERB_REVIEWED: "reviewed",
    VERB_PROGRESSED: "progressed",
    VERB_MISSED_TARGET: "missed target",
    VERB_TRACKED: "tracked",
}

# --- activity types ---------------------------------------------------------------------
ACTIVITY_UNIT = f"{PROFILE_BASE}/activities/unit"  # a micro-learning unit (any kind)
ACTIVITY_QUESTION = "http://adlnet.gov/expapi/activities/cmi.interaction"  # a quiz question
ACTIVITY_TASK = f"{PROFILE_BASE}/activities/work-task"  # a task in a host app ("Log a call")
ACTIVITY_PAGE = (
    f"{PROFILE_BASE}/activities/page"  # a page/field in a host app (help requests, errors)
)
ACTIVITY_SEARCH = "https://w3id.org/xapi/acrossx/activities/search-engine"
ACTIVITY_NUDGE = f"{PROFILE_BASE}/activities/nudge"
ACTIVITY_REVIEW = f"{PROFILE_BASE}/activities/review-card"
ACTIVITY_SURVEY = "http://id.tincanapi.com/activitytype/survey"  # confidence pulse
ACTIVITY_QUESTION_TO_PEER = "http://id.tincanapi.com/activitytype/forum-reply"
ACTIVITY_ASSISTANT = f"{PROFILE_BASE}/activities/assistant"
ACTIVITY_EVENT = f"{PROFILE_BASE}/activities/host-event"

# --- context extensions (keys of context.extensions) --------------------------------------
EXT = f"{PROFILE_BASE}/extensions"
EXT_HOST_APP = f"{EXT}/host-app"  # host app slug
EXT_PAGE = f"{EXT}/page"  # page path in the host app, e.g. /opportunities/new
EXT_FIELD = f"{EXT}/field"  # field key, e.g. stage
EXT_TASK = f"{EXT}/task"  # task key, e.g. create-opportunity
EXT_UNIT = f"{EXT}/unit"  # unit id (UUID string)
EXT_SESSION = f"{EXT}/session"  # widget session id: one page-view sequence of one person
EXT_PLACEMENT = f"{EXT}/placement"  # placement id
EXT_ERROR_CODE = f"{EXT}/error-code"
EXT_ERROR_MESSAGE = f"{EXT}/error-message"
EXT_QUERY = f"{EXT}/query"  # search text
EXT_RESULTS = f"{EXT}/results-count"  # number of search results (0 = a content gap)
EXT_CHANNEL = f"{EXT}/channel"  # widget, help-center, slack, teams, email
EXT_TRIGGER = (
    f"{EXT}/trigger"  # what brought the help: stuck-button, tooltip, error-tip, nudge, search
)
EXT_NUDGE = f"{EXT}/nudge"  # nudge id
EXT_DETECTOR = f"{EXT}/detector"  # which need detector fired
EXT_PILOT = f"{EXT}/pilot"  # pilot id, when the event happened inside a pilot
EXT_EVENT_NAME = f"{EXT}/event-name"  # custom host event name
EXT_STEP = f"{EXT}/step"  # guide step or checklist item index

# Result extensions
RESULT_EXT_CONFIDENCE = f"{EXT}/confidence"  # 1..5
RESULT_EXT_HELPFUL = f"{EXT}/helpful"  # true/false
RESULT_EXT_DURATION_MS = f"{EXT}/duration-ms"

CONTEXT_COLUMNS = {
    EXT_HOST_APP: "host_app",
    EXT_PAGE: "page",
    EXT_FIELD: "field",
    EXT_TASK: "task",
    EXT_UNIT: "unit_id",
    EXT_SESSION: "session_id",
}

# People known to a workspace are xAPI Agents with an account on this home page.
# It is a fixed IRL (not the server's address) so that ids stay equal across
# deployments, exports and imports.
PERSON_HOMEPAGE = "https://unstuck.dev/people"


def actor_for_person(person: Any) -> dict[str, Any]:
    """The xAPI Agent for an accounts.Person."""
    agent: dict[str, Any] = {
        "objectType": "Agent",
        "account": {
            "homePage": f"{PERSON_HOMEPAGE}/{person.workspace.slug}",
            "name": person.external_id,
        },
    }
    if getattr(person, "name", ""):
        agent["name"] = person.name
    return agent


def unit_activity_id(unit_id: Any) -> str:
    return f"{PROFILE_BASE}/units/{unit_id}"


def task_activity_id(host_app_slug: str, task_key: str) -> str:
    return f"{PROFILE_BASE}/apps/{host_app_slug}/tasks/{task_key}"


def page_activity_id(host_app_slug: str, page: str) -> str:
    return (
        f"{PROFILE_BASE}/apps/{host_app_slug}/pages{page if page.startswith('/') else '/' + page}"
    )


def statement(
    *,
    actor: dict[str, Any],
    verb: str,
    object_id: str,
    object_type: str | None = None,
    object_name: str | None = None,
    result: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
    timestamp: datetime | None = None,
    registration: str | None = None,
    statement_id: str | None = None,
) -> dict[str, Any]:
    """Build a statement in the Unstuck profile (not yet validated or stored)."""
    definition: dict[str, Any] = {}
    if object_type:
        definition["type"] = object_type
    if object_name:
        definition["name"] = {"en-US": object_name}
    obj: dict[str, Any] = {"objectType": "Activity", "id": object_id}
    if definition:
        obj["definition"] = definition
    context: dict[str, Any] = {
        "platform": "Unstuck",
        "contextActivities": {"category": [{"id": PROFILE_ID, "objectType": "Activity"}]},
    }
    clean_ext = {k: v for k, v in (extensions or {}).items() if v is not None and v != ""}
    if clean_ext:
        context["extensions"] = clean_ext
    if registration:
        context["registration"] = registration
    stmt: dict[str, Any] = {
        "id": statement_id or str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb, "display": {"en-US": VERB_DISPLAY.get(verb, verb.rsplit("/", 1)[-1])}},
        "object": obj,
        "context": context,
        "timestamp": (timestamp or timezone.now()).isoformat(),
    }
    if result:
        stmt["result"] = result
    return stmt
