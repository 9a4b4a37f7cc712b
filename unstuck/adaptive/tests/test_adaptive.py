"""Mastery (Elo), FSRS review cards, Today within the budget, adaptive paths, refits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from unstuck.adaptive import services
from unstuck.adaptive.models import Mastery, ReviewCard, ReviewLogEntry
from unstuck.guidance.tests.factories import make_person, make_quiz, make_skill, make_unit
from unstuck.lrs import profile as p


@pytest.fixture
def quiz(ws_a):
    skill = make_skill(ws_a, "stages")
    return make_quiz(
        ws_a,
        "stage-quiz",
        "Stage quiz",
        [
            ("Which stage comes after Qualify?", ["Propose", "Closed lost"], 0),
            ("Who approves a 15% discount?", ["Nobody", "Your manager"], 1),
            ("When is a deal Closed won?", ["Signed contract", "First call"], 0),
        ],
        skills=[skill],
    )


def completed(person, unit):
    return p.statement(
        actor=p.actor_for_person(person),
        verb=p.VERB_COMPLETED,
        object_id=p.unit_activity_id(unit.id),
        object_type=p.ACTIVITY_UNIT,
        result={"completion": True},
    )


def answered(person, unit, index, correct):
    return p.statement(
        actor=p.actor_for_person(person),
        verb=p.VERB_ANSWERED,
        object_id=f"{p.unit_activity_id(unit.id)}/questions/{index}",
        result={"success": correct},
    )


def make_due(person):
    ReviewCard.objects.filter(person=person).update(due=timezone.now() - timedelta(minutes=1))


# (answers as booleans, expected direction of P(correct) from 0.5)
MASTERY_CASES = [
    ([True, True, True], "up"),
    ([False, False, False], "down"),
    ([True, False], "near"),
]


@pytest.mark.parametrize("answers, direction", MASTERY_CASES)
def test_quiz_answers_move_mastery(ws_a, quiz, answers, direction):
    person = make_person(ws_a, "m")
    services.on_statements(
        workspace=ws_a,
        person=person,
        statements=[answered(person, quiz, i % 3, ok) for i, ok in enumerate(answers)],
    )
    [row] = services.mastery_of_person(workspace=ws_a, person=person)
    assert row["attempts"] == len(answers)
    if direction == "up":
        assert row["p_correct"] > 0.7
    elif direction == "down":
        assert row["p_correct"] < 0.3 and row["failure_streak"] == 3
    else:
        assert 0.35 < row["p_correct"] < 0.65


def test_elo_learns_item_difficulty_from_everyone(ws_a, quiz):
    from unstuck.adaptive.models import ItemStat

    for i in range(5):
        person = make_person(ws_a, f"x{i}")
        services.on_statements(
            workspace=ws_a, person=person, statements=[answered(person, quiz, 1, False)]
        )
    assert ItemStat.objects.get(unit=quiz, item_key="q2").difficulty > 0.5


def test_completing_a_unit_makes_review_cards_due_tomorrow(ws_a, quiz):
    person = make_person(ws_a, "c")
    services.on_statements(workspace=ws_a, person=person, statements=[completed(person, quiz)])
    cards = ReviewCard.objects.filter(person=person)
    assert cards.count() == 3
    assert all(c.due > timezone.now() + timedelta(hours=23) for c in cards)
    assert services.today(workspace=ws_a, person=person)["items"] == []


def test_completing_a_guide_makes_cards_from_quizzes_on_its_skills(ws_a, quiz):
    guide = make_unit(ws_a, "stage-guide", "Stages guide", skills=list(quiz.skills.all()))
    person = make_person(ws_a, "g")
    services.on_statements(workspace=ws_a, person=person, statements=[completed(person, guide)])
    assert ReviewCard.objects.filter(person=person, unit=quiz).count() == 3


@pytest.mark.parametrize(
    "budget_s, used_s, shown",
    [(240, 0, 3), (240, 180, 2), (240, 200, 1), (240, 220, 0), (60, 0, 2)],
)
def test_today_holds_the_due_reviews_that_fit_in_the_budget(ws_a, quiz, budget_s, used_s, shown):
    ws_a.daily_budget_s = budget_s
    ws_a.save()
    person = make_person(ws_a, "t")
    services.create_cards(workspace=ws_a, person=person, unit=quiz)
    make_due(person)
    if used_s:
        services.spend_budget(workspace=ws_a, person=person, seconds=used_s, source="nudge")
    today = services.today(workspace=ws_a, person=person)
    assert (today["budget_s"], today["used_s"], len(today["items"])) == (budget_s, used_s, shown)


def test_answering_a_review_reschedules_updates_mastery_and_records_it(ws_a, quiz):
    from unstuck.lrs.models import Statement

    person = make_person(ws_a, "r")
    services.create_cards(workspace=ws_a, person=person, unit=quiz)
    make_due(person)
    item = services.today(workspace=ws_a, person=person)["items"][0]
    right = "a"  # q1's first choice is correct
    result = services.answer_review(
        workspace=ws_a, person=person, card_id=item["card_id"], choice_id=right
    )
    assert result["correct"] is True
    card = ReviewCard.objects.get(pk=item["card_id"])
    assert card.due > timezone.now() and card.reps == 1 and card.last_review is not None
    assert Mastery.objects.get(person=person).attempts == 1
    assert ReviewLogEntry.objects.filter(card=card, is_correct=True).count() == 1
    assert Statement.objects.filter(workspace=ws_a, verb_id=p.VERB_REVIEWED).count() == 1
    assert services.budget_used(workspace=ws_a, person=person) == services.REVIEW_ESTIMATE_S
    assert item["card_id"] not in [
        i["card_id"] for i in services.today(workspace=ws_a, person=person)["items"]
    ]


def test_a_wrong_answer_comes_back_sooner_than_a_right_one(ws_a, quiz):
    person = make_person(ws_a, "w")
    services.create_cards(workspace=ws_a, person=person, unit=quiz)
    make_due(person)
    items = services.today(workspace=ws_a, person=person)["items"]
    wrong = services.answer_review(
        workspace=ws_a, person=person, card_id=items[0]["card_id"], choice_id="b"
    )
    right = services.answer_review(
        workspace=ws_a, person=person, card_id=items[1]["card_id"], choice_id="b"
    )
    assert wrong["correct"] is False and right["correct"] is True
    assert wrong["next_due"] < right["next_due"]


def test_adaptive_path_skips_mastered_units_and_repeats_failed_ones(ws_a):
    from unstuck.content.models import Collection, CollectionItem

    known, weak, fresh = (
        make_skill(ws_a, "known"),
        make_skill(ws_a, "weak"),
        make_skill(ws_a, "fresh"),
    )
    units = [
        make_unit(ws_a, f"c{i}", f"Course part {i}", skills=[s])
        for i, s in enumerate([known, weak, fresh])
    ]
    collection = Collection.objects.create(workspace=ws_a, slug="course", title="Course")
    for i, u in enumerate(units):
        CollectionItem.objects.create(collection=collection, unit=u, position=i)
    person = make_person(ws_a, "path")
    for _ in range(12):
        services.update_mastery(
            workspace=ws_a, person=person, skill_ids=[known.id], is_correct=True
        )
    for _ in range(2):
        services.update_mastery(
            workspace=ws_a, person=person, skill_ids=[weak.id], is_correct=False
        )
    path = services.collection_path(workspace=ws_a, person=person, collection=collection)
    assert [(s["title"], s["action"]) for s in path] == [
        ("Course part 0", "skip"),
        ("Course part 1", "learn"),
        ("Course part 2", "learn"),
        ("Course part 1", "repeat"),
    ]


def test_refit_is_skipped_below_512_reviews_and_lowers_the_loss_above(ws_a, quiz):
    import random

    assert services.refit_fsrs(workspace=ws_a)["refitted"] is False
    rng = random.Random(7)
    person = make_person(ws_a, "f")
    start = timezone.now() - timedelta(days=200)
    entries = []
    for c in range(130):
        card = ReviewCard.objects.create(
            workspace=ws_a, person=person, unit=quiz, item_key=f"k{c}", due=start
        )
        when = start
        for gap in (1, 3, 8, 20):
            when += timedelta(days=gap)
            # People here forget faster than FSRS's defaults assume.
            ok = rng.random() < (0.95 if gap <= 1 else 0.55)
            entries.append(
                ReviewLogEntry(
                    workspace=ws_a,
                    card=card,
                    person=person,
                    rating=3 if ok else 1,
                    is_correct=ok,
                    reviewed_at=when,
                    due_after=when,
                )
            )
    ReviewLogEntry.objects.bulk_create(entries)
    result = services.refit_fsrs(workspace=ws_a)
    assert result["refitted"] is True and result["reviews"] == 520
    assert result["log_loss_after"] < result["log_loss_before"]
    assert services.scheduler_for(ws_a).parameters != services.Scheduler().parameters


def test_the_refit_command_says_why_it_skipped(ws_a, capsys):
    from django.core.management import call_command

    call_command("refit_fsrs", "ws-a")
    assert "refitting needs at least 512" in capsys.readouterr().out
