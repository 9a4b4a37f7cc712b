"""Small builders of work statements for insights tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from unstuck.lrs import profile as P
from unstuck.lrs.services import record_statements


class Log:
    """Collects statements for one workspace and records them at once."""

    def __init__(self, workspace, app: str = "crm"):
        self.workspace = workspace
        self.app = app
        self.statements: list[dict] = []

    def _add(self, person, verb, object_id, object_type, at, ext=None, result=None):
        self.statements.append(
            P.statement(
                actor=P.actor_for_person(person),
                verb=verb,
                object_id=object_id,
                object_type=object_type,
                timestamp=at,
                result=result,
                extensions={P.EXT_HOST_APP: self.app, **(ext or {})},
            )
        )

    def task(
        self,
        person,
        key,
        at: datetime,
        *,
        seconds: float,
        page="/calls/new",
        session="s1",
        ok=True,
        error_field: str = "",
    ):
        ext = {P.EXT_TASK: key, P.EXT_PAGE: page, P.EXT_SESSION: session}
        obj = P.task_activity_id(self.app, key)
        self._add(person, P.VERB_STARTED, obj, P.ACTIVITY_TASK, at, ext)
        if error_field:
            self._add(
                person,
                P.VERB_ENCOUNTERED_ERROR,
                P.page_activity_id(self.app, page),
                P.ACTIVITY_PAGE,
                at + timedelta(seconds=1),
                {**ext, P.EXT_FIELD: error_field},
            )
        ms = int(seconds * 1000)
        self._add(
            person,
            P.VERB_COMPLETED if ok else P.VERB_FAILED,
            obj,
            P.ACTIVITY_TASK,
            at + timedelta(milliseconds=ms),
            ext,
            {
                "success": ok,
                "duration": f"PT{ms / 1000:.3f}S",
                "extensions": {P.RESULT_EXT_DURATION_MS: ms},
            },
        )

    def help(self, person, at, *, page="/calls/new", field=""):
        self._add(
            person,
            P.VERB_REQUESTED_HELP,
            P.page_activity_id(self.app, page),
            P.ACTIVITY_PAGE,
            at,
            {P.EXT_PAGE: page, P.EXT_FIELD: field},
        )

    def search(self, person, at, *, page="/forecast", results=0):
        self._add(
            person,
            P.VERB_SEARCHED,
            f"{P.PROFILE_BASE}/search",
            P.ACTIVITY_SEARCH,
            at,
            {P.EXT_PAGE: page, P.EXT_QUERY: "forecast", P.EXT_RESULTS: results},
        )

    def view(self, person, unit, at, *, seconds=120, session="s1", helpful=None):
        ext = {P.EXT_UNIT: str(unit.pk), P.EXT_SESSION: session, P.EXT_PAGE: "/calls/new"}
        self._add(
            person,
            P.VERB_EXPERIENCED,
            P.unit_activity_id(unit.pk),
            P.ACTIVITY_UNIT,
            at,
            ext,
            {"duration": f"PT{seconds}S"},
        )
        if helpful is not None:
            self._add(
                person,
                P.VERB_RATED,
                P.unit_activity_id(unit.pk),
                P.ACTIVITY_UNIT,
                at,
                ext,
                {"extensions": {P.RESULT_EXT_HELPFUL: helpful}},
            )

    def confidence(self, person, at, value, *, task="log-call"):
        self._add(
            person,
            P.VERB_RATED,
            f"{P.PROFILE_BASE}/pulses/confidence",
            P.ACTIVITY_SURVEY,
            at,
            {P.EXT_TASK: task},
            {"extensions": {P.RESULT_EXT_CONFIDENCE: value}},
        )

    def record(self):
        for i in range(0, len(self.statements), 500):
            record_statements(workspace=self.workspace, statements=self.statements[i : i + 500])
        self.statements = []
