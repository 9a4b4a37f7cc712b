"""Request and response shapes of the guidance API."""

from __future__ import annotations

from uuid import UUID

from ninja import Field, Schema


class UnitHitOut(Schema):
    unit_id: str
    title: str
    kind: str
    summary: str
    duration_s: int
    score: float
    snippet: str
    reasons: list[str]
    url: str


class SuggestionOut(UnitHitOut):
    signals: dict[str, float]
    placement_id: str | None = None


class SearchOut(Schema):
    query: str
    count: int
    results: list[UnitHitOut]


class SuggestionsOut(Schema):
    results: list[SuggestionOut]
    weights: dict[str, float]


class AssistantIn(Schema):
    question: str = Field(..., max_length=1000)
    stream: bool = False
    channel: str = Field("widget", max_length=20)


class CitationOut(Schema):
    number: int
    unit_id: str
    title: str
    url: str


class AssistantOut(Schema):
    answer: str
    citations: list[CitationOut]
    mode: str
    found: bool


class SynonymIn(Schema):
    term: str = Field(..., max_length=100)
    alternatives: list[str] = Field(..., max_length=50)


class SynonymOut(Schema):
    id: UUID
    term: str
    alternatives: list[str]


class GuidanceSettingsIn(Schema):
    ranking_weights: dict[str, float] | None = None
    max_nudges_per_day: int | None = None
    min_minutes_between_nudges: int | None = None
    same_unit_cooldown_days: int | None = None


class GuidanceSettingsOut(Schema):
    ranking_weights: dict[str, float]
    max_nudges_per_day: int
    min_minutes_between_nudges: int
    same_unit_cooldown_days: int
    daily_budget_s: int


class NudgeOut(Schema):
    id: str
    unit_id: str
    title: str
    reason: str
    presentation: str
    placement_id: str | None = None
    field: str | None = None
    detector: str
    channel: str
    status: str


class NudgeStatusIn(Schema):
    status: str
    channel: str = ""
    person: str | None = None
