"""Adaptive: mastery per person and skill, spaced reinforcement (FSRS), the daily budget.

Delivery's widget and help center call `today`, `answer_review` and `on_statements`;
guidance calls the budget functions (`budget_left`, `spend_budget`) for its nudges and
`mastery_of_units` for ranking. The models are explained in docs/guidance.md.
"""

from __future__ import annotations

import math
import re
import uuid
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from fsrs import Card, Rating, Scheduler, State

from unstuck.content.models import Kind, Status, Unit
from unstuck.errors import ApiError, NotFound
from unstuck.lrs import profile as p

from .models import (
    BudgetSource,
    BudgetSpend,
    FsrsParameters,
    ItemStat,
    Mastery,
    ReviewCard,
    ReviewLogEntry,
)

# --- mastery: Elo-style logistic model -------------------------------------------------
#
# P(correct) = sigmoid(theta_person_skill - b_item). After an answer y in {0, 1}:
#   theta += K_person * (y - P),  b -= K_item * (y - P)
# K shrinks with the number of attempts (uncertainty falls as evidence grows), like
# the adaptive-K Elo used for educational item banks (Pelanek 2016).
K_PERSON = 0.8
K_ITEM = 0.4
K_DECAY = 0.08
TASK_K_FACTOR = 0.4  # a task outcome is weaker evidence about a skill than a quiz answer
MASTERED_P = 0.85  # sigmoid(theta) at or above this, after MASTERED_MIN_ATTEMPTS, is "mastered"
MASTERED_MIN_ATTEMPTS = 3
REVIEW_ESTIMATE_S = 30  # a quiz item takes about 30 s (DESIGN: unit durations)
MAX_CARDS_PER_COMPLETION = 10


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _k(base: float, attempts: int) -> float:
    return base / (1.0 + K_DECAY * attempts)


def update_mastery(
    *,
    workspace,
    person,
    skill_ids: list,
    is_correct: bool,
    item: ItemStat | None = None,
    weight: float = 1.0,
) -> list[Mastery]:
    """Apply one piece of evidence to each of these skills; returns the updated rows."""
    b = item.difficulty if item is not None else 0.0
    rows = []
    deltas = []
    for skill_id in skill_ids:
        m, _ = Mastery.objects.get_or_create(workspace=workspace, person=person, skill_id=skill_id)
        expected = sigmoid(m.theta - b)
        delta = (1.0 if is_correct else 0.0) - expected
        deltas.append(delta)
        m.theta = max(-6.0, min(6.0, m.theta + weight * _k(K_PERSON, m.attempts) * delta))
        m.attempts += 1
        m.correct += int(is_correct)
        m.failure_streak = 0 if is_correct else m.failure_streak + 1
        m.save()
        rows.append(m)
    if item is not None and deltas:
        item.difficulty = max(
            -6.0, min(6.0, item.difficulty - _k(K_ITEM, item.attempts) * sum(deltas) / len(deltas))
        )
        item.attempts += 1
        item.save(update_fields=["difficulty", "attempts"])
    return rows


def mastery_of_units(*, workspace, person, unit_ids: list) -> dict[str, float]:
    """unit id -> mean P(correct) over the unit's skills the person has evidence on."""
    through = Unit.skills.through
    skills_of: dict[str, list] = {}
    for uid, skill_id in through.objects.filter(unit_id__in=unit_ids).values_list(
        "unit_id", "skill_id"
    ):
        skills_of.setdefault(str(uid), []).append(skill_id)
    all_skills = {s for v in skills_of.values() for s in v}
    if not all_skills:
        return {}
    theta = dict(
        Mastery.objects.filter(
            workspace=workspace, person=person, skill_id__in=all_skills
        ).values_list("skill_id", "theta")
    )
    out: dict[str, float] = {}
    for unit_id, skills in skills_of.items():
        known = [sigmoid(theta[s]) for s in skills if s in theta]
        if known:
            out[unit_id] = sum(known) / len(known)
    return out


def mastery_of_person(*, workspace, person) -> list[dict[str, Any]]:
    rows = (
        Mastery.objects.filter(workspace=workspace, person=person)
        .select_related("skill")
        .order_by("skill__name")
    )
    return [
        {
            "skill_id": str(m.skill_id),
            "skill": m.skill.name,
            "p_correct": round(sigmoid(m.theta), 3),
            "theta": round(m.theta, 3),
            "attempts": m.attempts,
            "is_mastered": is_mastered(m),
            "failure_streak": m.failure_streak,
        }
        for m in rows
    ]


def is_mastered(m: Mastery) -> bool:
    return m.attempts >= MASTERED_MIN_ATTEMPTS and sigmoid(m.theta) >= MASTERED_P


# --- the daily learning budget ----------------------------------------------------------


def local_day(workspace, moment: datetime | None = None) -> date:
    moment = moment or timezone.now()
    try:
        tz = zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return moment.astimezone(tz).date()


def budget_used(*, workspace, person, day: date | None = None) -> int:
    day = day or local_day(workspace)
    total = BudgetSpend.objects.filter(workspace=workspace, person=person, day=day).aggregate(
        s=Sum("seconds")
    )["s"]
    return int(total or 0)


def budget_left(*, workspace, person, day: date | None = None) -> int:
    """Seconds of proactive learning (nudges and reviews) this person may still get today."""
    return max(
        0, workspace.daily_budget_s - budget_used(workspace=workspace, person=person, day=day)
    )


def spend_budget(
    *, workspace, person, seconds: int, source: str, ref: str = "", allow_over: bool = False
) -> bool:
    """Take `seconds` from today's budget. Returns False (and takes nothing) when it does
    not fit, unless `allow_over` (an answer to a review already shown is always counted)."""
    if source not in BudgetSource.values:
        raise ValueError(f"unknown budget source {source!r}")
    with transaction.atomic():
        # Serialise spends of one person so two requests cannot both take the last seconds.
        from unstuck.accounts.models import Person

        Person.objects.select_for_update().filter(pk=person.pk).first()
        if not allow_over and budget_left(workspace=workspace, person=person) < seconds:
            return False
        BudgetSpend.objects.create(
            workspace=workspace,
            person=person,
            day=local_day(workspace),
            source=source,
            ref=ref[:64],
            seconds=max(0, int(seconds)),
        )
    return True


# --- FSRS review cards ------------------------------------------------------------------


def scheduler_for(workspace) -> Scheduler:
    row = FsrsParameters.objects.filter(workspace=workspace).first()
    if row is not None:
        return Scheduler(parameters=row.parameters)
    return Scheduler()


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _to_fsrs(card: ReviewCard) -> Card:
    return Card(
        card_id=card.pk.int % (2**53),
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due),
        last_review=_utc(card.last_review),
    )


def _questions(unit: Unit) -> list[dict]:
    if unit.kind != Kind.QUIZ:
        return []
    qs = (unit.payload or {}).get("questions") or []
    return [q for q in qs if isinstance(q, dict) and q.get("choices")]


def _item_key(question: dict, index: int) -> str:
    return str(question.get("id") or f"q{index + 1}")


def create_cards(*, workspace, person, unit: Unit, learned_at=None) -> int:
    """Make review cards of a learned unit's quiz items (a quiz unit's own questions, or
    the questions of published quizzes on the same skills). Existing cards are kept.

    `learned_at` is when the person finished the unit (default now); imports and the demo
    pass an earlier time so that the first review is already due."""
    if unit.kind == Kind.QUIZ:
        sources = [unit]
    else:
        skill_ids = list(unit.skills.values_list("id", flat=True))
        if not skill_ids:
            return 0
        sources = list(
            Unit.objects.for_workspace(workspace)
            .published()
            .filter(kind=Kind.QUIZ, skills__in=skill_ids)
            .distinct()[:3]
        )
    now = learned_at or timezone.now()
    made = 0
    for source in sources:
        for i, q in enumerate(_questions(source)):
            if made >= MAX_CARDS_PER_COMPLETION:
                return made
            # The first review comes a day later: right after learning, recall is trivial.
            _, created = ReviewCard.objects.get_or_create(
                workspace=workspace,
                person=person,
                unit=source,
                item_key=_item_key(q, i),
                defaults={"due": now + timedelta(days=1)},
            )
            made += int(created)
    return made


def _question_for(card: ReviewCard) -> dict | None:
    for i, q in enumerate(_questions(card.unit)):
        if _item_key(q, i) == card.item_key:
            return q
    return None


def today(*, workspace, person) -> dict[str, Any]:
    """The Today list: reviews due that fit in what is left of today's budget.

    Returns {"budget_s": int, "used_s": int, "items": [{"card_id": str, "unit_id": str,
    "unit_title": str, "question": str, "choices": [{"id": str, "text": str}], "due": iso str,
    "estimate_s": int}]}.
    """
    used = budget_used(workspace=workspace, person=person)
    left = max(0, workspace.daily_budget_s - used)
    items: list[dict[str, Any]] = []
    if person is not None and left >= REVIEW_ESTIMATE_S:
        due = (
            ReviewCard.objects.filter(
                workspace=workspace,
                person=person,
                is_suspended=False,
                due__lte=timezone.now(),
                unit__status=Status.PUBLISHED,
            )
            .select_related("unit")
            .order_by("due")[:50]
        )
        for card in due:
            if (len(items) + 1) * REVIEW_ESTIMATE_S > left:
                break
            q = _question_for(card)
            if q is None:
                continue  # the question was edited away; the card waits for a republish
            items.append(
                {
                    "card_id": str(card.id),
                    "unit_id": str(card.unit_id),
                    "unit_title": card.unit.title,
                    "question": q.get("prompt") or q.get("text") or "",
                    "choices": [
                        {"id": str(c.get("id")), "text": c.get("text", "")}
                        for c in q.get("choices", [])
                    ],
                    "multiple": bool(q.get("multiple")),
                    "due": card.due.isoformat(),
                    "estimate_s": REVIEW_ESTIMATE_S,
                }
            )
    return {"budget_s": workspace.daily_budget_s, "used_s": used, "items": items}


def answer_review(
    *, workspace, person, card_id: str, choice_id: str, duration_ms: int | None = None
) -> dict[str, Any]:
    """Grade a review answer, reschedule the card, update mastery.

    `choice_id` is one choice id, or several separated by commas for a select-all question.
    Returns {"correct": bool, "feedback": str, "next_due": iso str}.
    """
    from unstuck.lrs.services import record_statements

    try:
        card_uuid = uuid.UUID(str(card_id))
    except ValueError:
        raise NotFound("No such review card.", field="card_id") from None
    card = (
        ReviewCard.objects.select_related("unit")
        .filter(workspace=workspace, person=person, pk=card_uuid)
        .first()
    )
    if card is None:
        raise NotFound("No such review card.", field="card_id")
    q = _question_for(card)
    if q is None:
        raise ApiError(
            "This question no longer exists in its unit.",
            status=409,
            code="conflict",
            field="card_id",
        )
    chosen = {c.strip() for c in str(choice_id or "").split(",") if c.strip()}
    ids = {str(c.get("id")) for c in q["choices"]}
    if not chosen or not chosen <= ids:
        raise ApiError("Choose one of the question's choices.", field="choice_id")
    correct_ids = {str(c.get("id")) for c in q["choices"] if c.get("correct")}
    is_correct = chosen == correct_ids
    feedback = " ".join(
        c.get("feedback", "")
        for c in q["choices"]
        if str(c.get("id")) in chosen and c.get("feedback")
    ) or (q.get("explanation") or ("Correct." if is_correct else "Not quite."))
    now = timezone.now()
    rating = Rating.Good if is_correct else Rating.Again
    if is_correct and duration_ms is not None and duration_ms < 8000:
        rating = Rating.Easy
    with transaction.atomic():
        due_before = card.due
        new_card, _ = scheduler_for(workspace).review_card(
            _to_fsrs(card), rating, review_datetime=now.astimezone(UTC)
        )
        card.state = int(new_card.state)
        card.step = new_card.step
        card.stability = new_card.stability
        card.difficulty = new_card.difficulty
        card.due = new_card.due
        card.last_review = new_card.last_review
        card.reps += 1
        card.lapses += int(not is_correct)
        card.save()
        ReviewLogEntry.objects.create(
            workspace=workspace,
            card=card,
            person=person,
            rating=int(rating),
            is_correct=is_correct,
            reviewed_at=now,
            duration_ms=duration_ms,
            due_before=due_before,
            due_after=card.due,
        )
        item, _ = ItemStat.objects.get_or_create(
            workspace=workspace, unit=card.unit, item_key=card.item_key
        )
        update_mastery(
            workspace=workspace,
            person=person,
            skill_ids=list(card.unit.skills.values_list("id", flat=True)),
            is_correct=is_correct,
            item=item,
        )
        spend_budget(
            workspace=workspace,
            person=person,
            seconds=REVIEW_ESTIMATE_S,
            source=BudgetSource.REVIEW,
            ref=str(card.id),
            allow_over=True,
        )
        result: dict[str, Any] = {"success": is_correct, "response": ",".join(sorted(chosen))}
        if duration_ms is not None:
            result["extensions"] = {p.RESULT_EXT_DURATION_MS: int(duration_ms)}
        record_statements(
            workspace=workspace,
            statements=[
                p.statement(
                    actor=p.actor_for_person(person),
                    verb=p.VERB_REVIEWED,
                    object_id=f"{p.PROFILE_BASE}/review-cards/{card.id}",
                    object_type=p.ACTIVITY_REVIEW,
                    object_name=(q.get("prompt") or "")[:200] or None,
                    result=result,
                    extensions={p.EXT_UNIT: str(card.unit_id), p.EXT_CHANNEL: "widget"},
                )
            ],
        )
    return {
        "correct": is_correct,
        "feedback": feedback,
        "next_due": card.due.isoformat(),
        "correct_choice_ids": sorted(correct_ids),
    }


# --- reacting to statements -------------------------------------------------------------

_UNIT_RE = re.compile(
    re.escape(p.PROFILE_BASE) + r"/units/([0-9a-fA-F-]{32,36})(?:/questions/(\d+|[\w-]+))?$"
)


def _ext(stmt: dict, key: str) -> Any:
    return ((stmt.get("context") or {}).get("extensions") or {}).get(key)


def _unit(workspace, unit_id: str) -> Unit | None:
    try:
        pk = uuid.UUID(str(unit_id))
    except ValueError:
        return None
    return Unit.objects.for_workspace(workspace).filter(pk=pk).first()


def on_statements(*, workspace, person, statements: list[dict[str, Any]]) -> None:
    """Update mastery and review cards from statements just recorded for `person`:
    quiz answers move mastery, a completed unit makes review cards, a task outcome is
    weaker evidence on the skills of the unit the person used for it."""
    if person is None:
        return
    for stmt in statements or []:
        verb = (stmt.get("verb") or {}).get("id", "")
        obj_id = (stmt.get("object") or {}).get("id", "")
        result = stmt.get("result") or {}
        match = _UNIT_RE.match(obj_id)
        if (
            verb == p.VERB_ANSWERED
            and match
            and match.group(2) is not None
            and isinstance(result.get("success"), bool)
        ):
            unit = _unit(workspace, match.group(1))
            if unit is None:
                continue
            ref = match.group(2)
            qs = _questions(unit)
            key = _item_key(qs[int(ref)], int(ref)) if ref.isdigit() and int(ref) < len(qs) else ref
            item, _ = ItemStat.objects.get_or_create(workspace=workspace, unit=unit, item_key=key)
            update_mastery(
                workspace=workspace,
                person=person,
                skill_ids=list(unit.skills.values_list("id", flat=True)),
                is_correct=result["success"],
                item=item,
            )
        elif verb in (p.VERB_COMPLETED, p.VERB_PASSED) and match and match.group(2) is None:
            unit = _unit(workspace, match.group(1))
            if unit is not None and unit.status == Status.PUBLISHED:
                create_cards(workspace=workspace, person=person, unit=unit)
        elif (
            verb in (p.VERB_COMPLETED, p.VERB_FAILED)
            and "/tasks/" in obj_id
            and isinstance(result.get("success"), bool)
        ):
            unit_id = _ext(stmt, p.EXT_UNIT)
            unit = _unit(workspace, unit_id) if unit_id else None
            if unit is not None:
                update_mastery(
                    workspace=workspace,
                    person=person,
                    skill_ids=list(unit.skills.values_list("id", flat=True)),
                    is_correct=result["success"],
                    weight=TASK_K_FACTOR,
                )


# --- adaptive collections ---------------------------------------------------------------


def collection_path(*, workspace, person, collection) -> list[dict[str, Any]]:
    """A person's path through a collection: units whose every skill they have mastered
    are skipped; units on a skill they keep failing (2+ misses in a row) come again at the end."""
    items = list(
        collection.items.select_related("unit")
        .filter(unit__status=Status.PUBLISHED)
        .order_by("position")
    )
    through = Unit.skills.through
    skills_of: dict = {}
    for unit_id, skill_id in through.objects.filter(
        unit_id__in=[i.unit_id for i in items]
    ).values_list("unit_id", "skill_id"):
        skills_of.setdefault(unit_id, []).append(skill_id)
    rows = (
        {m.skill_id: m for m in Mastery.objects.filter(workspace=workspace, person=person)}
        if person
        else {}
    )
    path: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    for item in items:
        skills = skills_of.get(item.unit_id, [])
        known = [rows[s] for s in skills if s in rows]
        entry = {
            "unit_id": str(item.unit_id),
            "title": item.unit.title,
            "kind": item.unit.kind,
            "duration_s": item.unit.duration_s,
            "position": item.position,
        }
        if skills and len(known) == len(skills) and all(is_mastered(m) for m in known):
            path.append({**entry, "action": "skip", "reason": "you have mastered its skills"})
            continue
        path.append({**entry, "action": "learn", "reason": "next in the collection"})
        if any(m.failure_streak >= 2 for m in known):
            repeats.append(
                {
                    **entry,
                    "action": "repeat",
                    "reason": "you missed questions on this skill recently",
                }
            )
    return path + repeats


# --- refitting FSRS parameters (no torch needed) ----------------------------------------

MIN_REVIEWS_TO_REFIT = 512
# Parameters the refit tunes: initial stabilities per rating, and the decay. The rest
# (difficulty dynamics) needs far more data than a workspace has to move reliably.
REFIT_INDICES = (0, 1, 2, 3, 8, 9, 10, 20)


def _log_loss(parameters: list[float], histories: list[list[tuple[datetime, int]]]) -> float:
    scheduler = Scheduler(parameters=parameters, enable_fuzzing=False)
    total, n = 0.0, 0
    for history in histories:
        card = Card(card_id=1, due=history[0][0])
        for when, rating in history:
            if card.last_review is not None:
                r = min(max(scheduler.get_card_retrievability(card, when), 1e-4), 1 - 1e-4)
                y = 1.0 if rating > 1 else 0.0
                total -= y * math.log(r) + (1 - y) * math.log(1 - r)
                n += 1
            card, _ = scheduler.review_card(card, Rating(rating), review_datetime=when)
    return total / n if n else 0.0


def refit_fsrs(*, workspace, min_reviews: int = MIN_REVIEWS_TO_REFIT) -> dict[str, Any]:
    """Refit the workspace's FSRS parameters from its review log by coordinate descent on
    the log loss of predicted recall (the fsrs package's own optimizer needs torch, which
    Unstuck does not install). Skipped below `min_reviews` reviews."""
    from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    count = ReviewLogEntry.objects.filter(workspace=workspace).count()
    if count < min_reviews:
        return {
            "refitted": False,
            "reviews": count,
            "message": f"{count} reviews; refitting needs at least {min_reviews}.",
        }
    histories: dict = {}
    for card_id, when, rating in (
        ReviewLogEntry.objects.filter(workspace=workspace)
        .order_by("reviewed_at")
        .values_list("card_id", "reviewed_at", "rating")
    ):
        histories.setdefault(card_id, []).append((when.astimezone(UTC), rating))
    seqs = [h for h in histories.values() if len(h) >= 2]
    current = FsrsParameters.objects.filter(workspace=workspace).first()
    params = list(current.parameters if current else DEFAULT_PARAMETERS)
    before = best = _log_loss(params, seqs)
    step = 0.2
    for _ in range(4):
        for i in REFIT_INDICES:
            for direction in (1 + step, 1 - step):
                trial = list(params)
                trial[i] = min(
                    max(params[i] * direction, LOWER_BOUNDS_PARAMETERS[i]),
                    UPPER_BOUNDS_PARAMETERS[i],
                )
                loss = _log_loss(trial, seqs)
                if loss < best - 1e-6:
                    params, best = trial, loss
                    break
        step /= 2
    FsrsParameters.objects.update_or_create(
        workspace=workspace,
        defaults={
            "parameters": params,
            "review_count": count,
            "log_loss_before": before,
            "log_loss_after": best,
        },
    )
    return {
        "refitted": True,
        "reviews": count,
        "log_loss_before": round(before, 4),
        "log_loss_after": round(best, 4),
        "message": f"Refitted from {count} reviews: log loss {before:.4f} -> {best:.4f}.",
    }
