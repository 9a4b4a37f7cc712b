"""The statement rules of the specification, table-driven: each bad statement names its path."""

import pytest

from unstuck.lrs import validation
from unstuck.lrs.validation import StatementError, check_statement

VERB = {"id": "http://adlnet.gov/expapi/verbs/experienced"}
ACTOR = {"mbox": "mailto:a@example.com"}
OBJ = {"id": "http://example.com/a"}


def base(**extra):
    s = {"actor": ACTOR, "verb": VERB, "object": OBJ}
    s.update(extra)
    return s


GOOD = [
    base(),
    base(id="3f2c8a4e-9b1d-4c5e-8f7a-1b2c3d4e5f60", timestamp="2024-05-01T12:00:00.123+02:00"),
    base(
        actor={
            "objectType": "Group",
            "member": [ACTOR, {"account": {"homePage": "http://x.y", "name": "n"}}],
        }
    ),
    base(actor={"mbox_sha1sum": "a" * 40}),
    base(object={"objectType": "SubStatement", "actor": ACTOR, "verb": VERB, "object": OBJ}),
    base(object={"objectType": "Agent", "openid": "http://openid.example.com/me"}),
    base(
        result={"score": {"raw": 5, "min": 0, "max": 10, "scaled": 0.5}, "duration": "P1DT2H3M4.5S"}
    ),
    base(
        object={
            "id": "http://x.y/q",
            "definition": {
                "interactionType": "choice",
                "correctResponsesPattern": ["a"],
                "choices": [{"id": "a"}, {"id": "b"}],
            },
        }
    ),
    base(
        context={
            "language": "zh-Hant-TW",
            "revision": "2",
            "platform": "web",
            "contextActivities": {"parent": OBJ, "other": [OBJ]},
        }
    ),
    base(result={"duration": "PT0.05S"}),
    base(
        object={"objectType": "StatementRef", "id": "3f2c8a4e-9b1d-4c5e-8f7a-1b2c3d4e5f60"},
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
    ),
]


@pytest.mark.parametrize("statement", GOOD)
def test_it_accepts_statements_the_specification_allows(statement):
    check_statement(statement)


BAD = [
    (base(actor={}), "actor"),
    (base(actor={"objectType": "Group"}), "actor.member"),
    (
        base(actor={"objectType": "Group", "member": [{"objectType": "Group", "member": []}]}),
        "actor.member.0.member",
    ),
    (base(actor={"mbox_sha1sum": "xyz"}), "actor.mbox_sha1sum"),
    (base(actor={"account": {"homePage": "http://x.y"}}), "actor.account.name"),
    (base(verb={"display": {"en-US": "x"}}), "verb.id"),
    (base(object={"objectType": "Thing", "id": "http://x.y"}), "object.objectType"),
    (
        base(
            object={
                "objectType": "SubStatement",
                "actor": ACTOR,
                "verb": VERB,
                "object": {
                    "objectType": "SubStatement",
                    "actor": ACTOR,
                    "verb": VERB,
                    "object": OBJ,
                },
            }
        ),
        "object.object.objectType",
    ),
    (
        base(
            object={
                "objectType": "SubStatement",
                "id": "3f2c8a4e-9b1d-4c5e-8f7a-1b2c3d4e5f60",
                "actor": ACTOR,
                "verb": VERB,
                "object": OBJ,
            }
        ),
        "object.id",
    ),
    (base(object={"objectType": "StatementRef", "id": "not-a-uuid"}), "object.id"),
    (base(result={"score": {"raw": 11, "max": 10}}), "result.score.raw"),
    (base(result={"score": {"min": 5, "max": 5}}), "result.score.max"),
    (base(result={"completion": "yes"}), "result.completion"),
    (base(timestamp="2024-05-01T12:00:00-00:00"), "timestamp"),
    (base(timestamp="2024-05-01 12:00:00Z"), "timestamp"),
    (base(timestamp="2024-13-01T12:00:00Z"), "timestamp"),
    (base(id="3F2C8A4E9B1D4C5E8F7A1B2C3D4E5F60"), "id"),
    (
        base(
            object={
                "id": "http://x.y/q",
                "definition": {"interactionType": "true-false", "choices": [{"id": "a"}]},
            }
        ),
        "object.definition.choices",
    ),
    (
        base(
            object={
                "id": "http://x.y/q",
                "definition": {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]},
            }
        ),
        "object.definition.choices.1.id",
    ),
    (
        base(object={"id": "http://x.y/q", "definition": {"interactionType": "essay"}}),
        "object.definition.interactionType",
    ),
    (
        base(
            object={"objectType": "Agent", "mbox": "mailto:b@example.com"},
            context={"platform": "web"},
        ),
        "context.platform",
    ),
    (base(context={"contextActivities": {"sibling": [OBJ]}}), "context.contextActivities.sibling"),
    (
        base(context={"contextActivities": {"parent": [{"id": "nope"}]}}),
        "context.contextActivities.parent.0.id",
    ),
    (base(context={"team": ACTOR}), "context.team.objectType"),
    (base(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}), "object.objectType"),
    (
        base(
            attachments=[
                {
                    "usageType": "http://x.y/u",
                    "display": {"en-US": "a"},
                    "contentType": "text/plain",
                    "length": -1,
                    "sha2": "a" * 64,
                }
            ]
        ),
        "attachments.0.length",
    ),
    (base(version="0.95"), "version"),
    (base(authority={"objectType": "Group", "member": [ACTOR]}), "authority.member"),
]


@pytest.mark.parametrize(("statement", "path"), BAD, ids=[p for _, p in BAD])
def test_it_rejects_what_the_specification_forbids_naming_the_path(statement, path):
    with pytest.raises(StatementError) as exc:
        check_statement(statement)
    assert exc.value.path == path


@pytest.mark.parametrize(("statement", "path"), BAD, ids=[p for _, p in BAD])
def test_it_names_the_path_under_the_statements_index_in_a_batch(statement, path):
    # Paths are joined only on failure, from (parent, key) pairs; a batch's index is the root.
    with pytest.raises(StatementError) as exc:
        check_statement(statement, "3")
    assert exc.value.path == f"3.{path}"
    assert str(exc.value) == f"3.{path}: {exc.value.message}"


def test_it_still_rejects_near_copies_of_iris_and_language_tags_it_has_accepted():
    check_statement(base(verb={"id": "http://x.y/v", "display": {"en-US": "v"}}))
    for verb, path in (
        ({"id": "http://x.y/v "}, "verb.id"),
        ({"id": "http://x.y/v", "display": {"en-US ": "v"}}, "verb.display.en-US "),
    ):
        for _ in range(2):  # a rejected string is not remembered either
            with pytest.raises(StatementError) as exc:
                check_statement(base(verb=verb))
            assert exc.value.path == path


def test_it_keeps_the_memo_of_valid_iris_bounded():
    long_iri = "http://x.y/" + "a" * validation.MEMO_CHARS
    check_statement(base(object={"id": long_iri}))
    assert long_iri not in validation._VALID_IRIS
    for i in range(validation.MEMO_ENTRIES + 10):
        check_statement(base(object={"id": f"http://x.y/a{i}"}))
        assert len(validation._VALID_IRIS) <= validation.MEMO_ENTRIES
