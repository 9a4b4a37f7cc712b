import re
from pathlib import Path

import pytest

from unstuck.accounts.access import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    credentials_from_header,
    hash_secret,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


@pytest.mark.parametrize(
    "role,permission,allowed",
    [
        ("owner", "keys.manage", True),
        ("author", "content.edit", True),
        ("author", "keys.manage", False),
        ("manager", "insights.view", True),
        ("manager", "content.edit", False),
        ("learner", "content.view", True),
        ("learner", "content.view_drafts", False),
        ("learner", "people.view", False),
    ],
)
def test_role_table(role, permission, allowed):
    assert (permission in ROLE_PERMISSIONS[role]) is allowed


def test_every_permission_is_documented_with_its_roles():
    text = DOC.read_text()
    for permission in PERMISSIONS:
        row = re.search(rf"^\|\s*`{re.escape(permission)}`\s*\|(.*)$", text, re.M)
        assert row, f"{permission} missing from docs/permissions.md"
        cells = [c.strip() for c in row.group(1).split("|")][1:5]
        expected = [
            "yes" if permission in ROLE_PERMISSIONS[r] else ""
            for r in ("owner", "author", "manager", "learner")
        ]
        assert cells == expected, f"{permission}: docs say {cells}, code says {expected}"


@pytest.mark.parametrize(
    "header,expected",
    [
        ("Basic dWtfMTphYmM=", ("uk_1", "abc")),
        ("Bearer uk_1:abc", ("uk_1", "abc")),
        ("Basic !!!", None),
        ("Token x", None),
        ("Bearer nocolon", None),
        ("", None),
    ],
)
def test_credentials_are_parsed(header, expected):
    assert credentials_from_header(header) == expected


def test_the_secret_hash_depends_on_the_key():
    assert hash_secret("a", "s") != hash_secret("b", "s")
