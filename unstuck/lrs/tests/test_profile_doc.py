"""docs/xapi-profile.md and unstuck/lrs/profile.py say the same thing."""

import json
import re
from pathlib import Path

import pytest

from unstuck.lrs import profile
from unstuck.lrs.validation import StatementError, check_statement

DOC = (Path(__file__).resolve().parents[3] / "docs" / "xapi-profile.md").read_text()
ROW = re.compile(r"^\| `([A-Z_]+)` \| `([^`]+)` \|", re.M)


def _constants() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(profile).items()
        if name.isupper() and isinstance(value, str)
    }


def test_every_profile_constant_is_documented_with_its_iri():
    documented = dict(ROW.findall(DOC))
    missing = {name: iri for name, iri in _constants().items() if documented.get(name) != iri}
    assert missing == {}


def test_every_documented_constant_exists_in_code():
    constants = _constants()
    unknown = {name: iri for name, iri in ROW.findall(DOC) if constants.get(name) != iri}
    assert unknown == {}


def test_every_verb_has_a_display_name():
    verbs = {v for n, v in _constants().items() if n.startswith("VERB_")}
    assert verbs == set(profile.VERB_DISPLAY)


EXAMPLES = re.findall(r"```json\n(.*?)```", DOC, re.S)


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_every_example_is_a_valid_statement_in_the_profile(example):
    statement = json.loads(example)
    try:
        check_statement(statement)
    except StatementError as exc:  # pragma: no cover - the message is the point
        pytest.fail(str(exc))
    iris = set(_constants().values())
    assert statement["verb"]["id"] in iris
    for key in statement.get("context", {}).get("extensions", {}):
        assert key in iris
