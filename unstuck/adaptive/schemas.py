"""Request and response shapes of the adaptive API."""

from __future__ import annotations

from ninja import Field, Schema


class ChoiceOut(Schema):
    id: str
    text: str


class TodayItemOut(Schema):
    card_id: str
    unit_id: str
    unit_title: str
    question: str
    choices: list[ChoiceOut]
    multiple: bool = False
    due: str
    estimate_s: int


class TodayOut(Schema):
    budget_s: int
    used_s: int
    items: list[TodayItemOut]


class ReviewAnswerIn(Schema):
    choice_id: str = Field(..., min_length=1, max_length=200)
    duration_ms: int | None = Field(None, ge=0, le=3_600_000)


class ReviewAnswerOut(Schema):
    correct: bool
    feedback: str
    next_due: str
    correct_choice_ids: list[str]


class MasteryOut(Schema):
    skill_id: str
    skill: str
    p_correct: float
    theta: float
    attempts: int
    is_mastered: bool
    failure_streak: int


class PathStepOut(Schema):
    unit_id: str
    title: str
    kind: str
    duration_s: int
    position: int
    action: str
    reason: str


class RefitOut(Schema):
    refitted: bool
    reviews: int
    message: str
