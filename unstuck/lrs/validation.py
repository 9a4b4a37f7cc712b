"""Strict validation of xAPI statements, agents and activity ids.

No maintained Python library validates xAPI 1.0.3 / 2.0 statements strictly (the PyPI
`tincan` package builds objects but accepts unknown properties, bad IRIs and out-of-range
scores, and has not been released since 2020). The rules below are derived by hand from
the specification text (adlnet/xAPI-Spec, xAPI-Data.md: "Statement Properties",
"Actor", "Verb", "Object", "Result", "Context", "Timestamp", "Attachments",
"Language Maps", "Extensions", "IRIs", "Duration") and kept as plain functions because
they run on every ingested statement: a JSON Schema validator is several times slower.

Every error raises `StatementError` with a dotted path to the offending property
(`context.contextActivities.parent.0.id`), which the API returns as a 400.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)
# An absolute IRI: a scheme, a colon, then no whitespace or characters IRIs exclude.
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
# RFC 5646 language tag (the common forms: language, extlang, script, region, variants,
# extensions, private use, and the grandfathered irregular tags are not special-cased).
LANG_RE = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?|[xX](?:-[A-Za-z0-9]{1,8})+)$"
)
MBOX_RE = re.compile(r"^mailto:[^@\s:/]+@[^@\s/]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2_RE = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
TIMESTAMP_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
)
DURATION_RE = re.compile(
    r"^P(?:(?=\d|T\d)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?|\d+(?:\.\d+)?W)$"
)
VERSION_RE = re.compile(r"^(?:1\.0(?:\.\d+)?|2\.0(?:\.\d+)?)$")

INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
# Which interaction component lists each interaction type may carry.
COMPONENTS_FOR = {
    "choice": {"choices"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "matching": {"source", "target"},
    "performance": {"steps"},
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


class StatementError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _fail(path: str, message: str) -> None:
    raise StatementError(path, message)


def _object(
    value: Any, path: str, allowed: set[str] | frozenset[str], required: tuple[str, ...] = ()
) -> dict:
    if not isinstance(value, dict):
        _fail(path, "must be a JSON object")
    for key, item in value.items():
        if key not in allowed:
            _fail(_join(path, key), "is not a property the specification allows here")
        if item is None:
            _fail(_join(path, key), "must not be null")
    for key in required:
        if key not in value:
            _fail(_join(path, key), "is required")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        _fail(path, "must be a string")
    return value


def _bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        _fail(path, "must be true or false")


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, "must be a number")
    return value


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and UUID_RE.match(value) is not None


def check_uuid(value: Any, path: str) -> None:
    if not is_uuid(value):
        _fail(path, "must be a UUID (RFC 4122, e.g. 3f2c8a4e-9b1d-4c5e-8f7a-1b2c3d4e5f60)")


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and IRI_RE.match(value) is not None


def check_iri(value: Any, path: str) -> None:
    if not is_iri(value):
        _fail(path, "must be an absolute IRI (e.g. http://example.com/verbs/did)")


def check_lang_map(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        _fail(path, 'must be a language map: {"en-US": "text"}')
    for tag, text in value.items():
        if not LANG_RE.match(tag):
            _fail(_join(path, tag), "is not an RFC 5646 language tag")
        if not isinstance(text, str):
            _fail(_join(path, tag), "must be a string")


def check_extensions(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        _fail(path, "must be an object whose keys are IRIs")
    for key in value:
        if not is_iri(key):
            _fail(_join(path, key), "extension keys must be absolute IRIs")


# xAPI 2.0 (IEEE 9274.1.1) takes timestamps as RFC 3339 date-times: seconds and an offset
# are required, and RFC 3339 §5.6 lets a space (or a lowercase t) separate date and time.
TIMESTAMP_V2_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(value: Any, path: str, *, version: str = "1.0.3") -> datetime:
    """A statement timestamp (or since/until) as an aware datetime.

    1.0.3: ISO 8601 extended date and time with a time zone. 2.0: RFC 3339 (the space
    separator allowed, seconds required). Both forbid the "unknown offset" -00:00."""
    if version.startswith("2"):
        if not isinstance(value, str) or not TIMESTAMP_V2_RE.match(value):
            _fail(
                path,
                "must be an RFC 3339 date and time with seconds and a time zone "
                "(2024-05-01T12:00:00Z)",
            )
    elif not isinstance(value, str) or not TIMESTAMP_RE.match(value):
        _fail(path, "must be an ISO 8601 date and time with a time zone (2024-05-01T12:00:00Z)")
    if value.endswith("-00:00") or value.endswith("-0000") or value.endswith("-00"):
        _fail(path, "must not use the offset -00:00 (use Z or +00:00)")
    try:
        text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
        return datetime.fromisoformat(text)
    except ValueError:
        _fail(path, "is not a valid date and time")
    raise AssertionError  # unreachable


def utc_timestamp(moment: datetime) -> str:
    """A moment as the LRS returns it under 2.0: UTC with Z, milliseconds at least
    (microseconds when the value has them)."""
    moment = moment.astimezone(UTC)
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def check_duration(value: Any, path: str) -> None:
    if not isinstance(value, str) or not DURATION_RE.match(value):
        _fail(path, "must be an ISO 8601 duration (e.g. PT1M30S)")


# --- agents ------------------------------------------------------------------------

AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
GROUP_KEYS = AGENT_KEYS | {"member"}
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _check_ifis(value: dict, path: str, *, required: bool) -> int:
    found = [k for k in IFIS if k in value]
    if len(found) > 1:
        _fail(path, f"must have exactly one identifier, found {', '.join(found)}")
    if required and not found:
        _fail(path, "must have one identifier: mbox, mbox_sha1sum, openid or account")
    if "mbox" in value:
        mbox = value["mbox"]
        if not isinstance(mbox, str) or not MBOX_RE.match(mbox):
            _fail(_join(path, "mbox"), "must be a mailto IRI (mailto:name@example.com)")
    if "mbox_sha1sum" in value and (
        not isinstance(value["mbox_sha1sum"], str) or not SHA1_RE.match(value["mbox_sha1sum"])
    ):
        _fail(_join(path, "mbox_sha1sum"), "must be a SHA-1 hex digest (40 characters)")
    if "openid" in value:
        check_iri(value["openid"], _join(path, "openid"))
    if "account" in value:
        account = _object(
            value["account"], _join(path, "account"), {"homePage", "name"}, ("homePage", "name")
        )
        check_iri(account["homePage"], _join(path, "account.homePage"))
        _string(account["name"], _join(path, "account.name"))
    return len(found)


def check_agent(value: Any, path: str, *, version: str = "1.0.3") -> None:
    """An Agent (objectType absent or "Agent")."""
    _object(value, path, AGENT_KEYS)
    if value.get("objectType", "Agent") != "Agent":
        _fail(_join(path, "objectType"), 'must be "Agent"')
    if "name" in value:
        _string(value["name"], _join(path, "name"))
    _check_ifis(value, path, required=True)


def check_group(value: Any, path: str, *, version: str = "1.0.3") -> None:
    _object(value, path, GROUP_KEYS, ("objectType",))
    if value["objectType"] != "Group":
        _fail(_join(path, "objectType"), 'must be "Group"')
    if "name" in value:
        _string(value["name"], _join(path, "name"))
    identified = _check_ifis(value, path, required=False)
    if "member" in value:
        members = value["member"]
        if not isinstance(members, list):
            _fail(_join(path, "member"), "must be an array of Agents")
        for i, member in enumerate(members):
            check_agent(member, _join(_join(path, "member"), i), version=version)
    elif not identified:
        _fail(_join(path, "member"), "an anonymous Group must list its members")


def check_actor(value: Any, path: str, *, version: str = "1.0.3") -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        check_group(value, path, version=version)
    else:
        check_agent(value, path, version=version)


# --- activities ------------------------------------------------------------------------

DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *COMPONENT_LISTS,
    }
)


def check_definition(value: Any, path: str) -> None:
    _object(value, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in value:
            check_lang_map(value[key], _join(path, key))
    for key in ("type", "moreInfo"):
        if key in value:
            check_iri(value[key], _join(path, key))
    if "extensions" in value:
        check_extensions(value["extensions"], _join(path, "extensions"))
    itype = value.get("interactionType")
    if itype is not None and itype not in INTERACTION_TYPES:
        _fail(
            _join(path, "interactionType"), f"must be one of {', '.join(sorted(INTERACTION_TYPES))}"
        )
    if "correctResponsesPattern" in value:
        if itype is None:
            _fail(_join(path, "correctResponsesPattern"), "needs an interactionType")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            _fail(_join(path, "correctResponsesPattern"), "must be an array of strings")
    allowed = COMPONENTS_FOR.get(itype or "", set())
    for key in COMPONENT_LISTS:
        if key not in value:
            continue
        if key not in allowed:
            _fail(_join(path, key), f"is not allowed for interactionType {itype!r}")
        items = value[key]
        if not isinstance(items, list):
            _fail(_join(path, key), "must be an array of interaction components")
        seen: set[str] = set()
        for i, item in enumerate(items):
            ipath = _join(_join(path, key), i)
            _object(item, ipath, {"id", "description"}, ("id",))
            _string(item["id"], _join(ipath, "id"))
            if item["id"] in seen:
                _fail(_join(ipath, "id"), "interaction component ids must be distinct")
            seen.add(item["id"])
            if "description" in item:
                check_lang_map(item["description"], _join(ipath, "description"))


def check_activity(value: Any, path: str) -> None:
    _object(value, path, {"objectType", "id", "definition"}, ("id",))
    if value.get("objectType", "Activity") != "Activity":
        _fail(_join(path, "objectType"), 'must be "Activity"')
    check_iri(value["id"], _join(path, "id"))
    if "definition" in value:
        check_definition(value["definition"], _join(path, "definition"))


def check_statement_ref(value: Any, path: str) -> None:
    _object(value, path, {"objectType", "id"}, ("objectType", "id"))
    if value["objectType"] != "StatementRef":
        _fail(_join(path, "objectType"), 'must be "StatementRef"')
    check_uuid(value["id"], _join(path, "id"))


# --- statements -------------------------------------------------------------------------

STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
CONTEXT_KEYS_1 = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_KEYS_2 = CONTEXT_KEYS_1 | {"contextAgents", "contextGroups"}
ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)


def check_verb(value: Any, path: str) -> None:
    _object(value, path, {"id", "display"}, ("id",))
    check_iri(value["id"], _join(path, "id"))
    if "display" in value:
        check_lang_map(value["display"], _join(path, "display"))


def check_object(value: Any, path: str, *, version: str, sub: bool) -> str:
    if not isinstance(value, dict):
        _fail(path, "must be a JSON object")
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        check_activity(value, path)
    elif kind == "Agent":
        check_agent(value, path, version=version)
    elif kind == "Group":
        check_group(value, path, version=version)
    elif kind == "StatementRef":
        check_statement_ref(value, path)
    elif kind == "SubStatement":
        if sub:
            _fail(_join(path, "objectType"), "a SubStatement must not contain another SubStatement")
        check_statement(value, path, version=version, sub=True)
    else:
        _fail(
            _join(path, "objectType"),
            "must be Activity, Agent, Group, StatementRef or SubStatement",
        )
    return kind


def check_result(value: Any, path: str) -> None:
    _object(value, path, RESULT_KEYS)
    if "score" in value:
        spath = _join(path, "score")
        score = _object(value["score"], spath, {"scaled", "raw", "min", "max"})
        for key in score:
            _number(score[key], _join(spath, key))
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            _fail(_join(spath, "scaled"), "must be between -1 and 1")
        if "min" in score and "max" in score and score["min"] >= score["max"]:
            _fail(_join(spath, "max"), "must be greater than min")
        if "raw" in score:
            if "min" in score and score["raw"] < score["min"]:
                _fail(_join(spath, "raw"), "must not be less than min")
            if "max" in score and score["raw"] > score["max"]:
                _fail(_join(spath, "raw"), "must not be more than max")
    for key in ("success", "completion"):
        if key in value:
            _bool(value[key], _join(path, key))
    if "response" in value:
        _string(value["response"], _join(path, "response"))
    if "duration" in value:
        check_duration(value["duration"], _join(path, "duration"))
    if "extensions" in value:
        check_extensions(value["extensions"], _join(path, "extensions"))


def _activity_list(value: Any, path: str) -> None:
    if isinstance(value, dict):
        check_activity(value, path)
        return
    if not isinstance(value, list):
        _fail(path, "must be an Activity or an array of Activities")
    for i, item in enumerate(value):
        check_activity(item, _join(path, i))


def check_context(value: Any, path: str, *, version: str, object_kind: str) -> None:
    is_v2 = version.startswith("2")
    _object(value, path, CONTEXT_KEYS_2 if is_v2 else CONTEXT_KEYS_1)
    if "registration" in value:
        check_uuid(value["registration"], _join(path, "registration"))
    if "instructor" in value:
        check_actor(value["instructor"], _join(path, "instructor"), version=version)
    if "team" in value:
        check_group(value["team"], _join(path, "team"), version=version)
    if "contextActivities" in value:
        cpath = _join(path, "contextActivities")
        ca = _object(value["contextActivities"], cpath, {"parent", "grouping", "category", "other"})
        for key, item in ca.items():
            _activity_list(item, _join(cpath, key))
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], _join(path, key))
            if object_kind != "Activity":
                _fail(_join(path, key), "is only allowed when the object is an Activity")
    if "language" in value and (
        not isinstance(value["language"], str) or not LANG_RE.match(value["language"])
    ):
        _fail(_join(path, "language"), "must be an RFC 5646 language tag")
    if "statement" in value:
        check_statement_ref(value["statement"], _join(path, "statement"))
    if "extensions" in value:
        check_extensions(value["extensions"], _join(path, "extensions"))
    for key, kind, inner in (
        ("contextAgents", "contextAgent", "agent"),
        ("contextGroups", "contextGroup", "group"),
    ):
        if key not in value:
            continue
        kpath = _join(path, key)
        if not isinstance(value[key], list):
            _fail(kpath, "must be an array")
        for i, item in enumerate(value[key]):
            ipath = _join(kpath, i)
            _object(item, ipath, {"objectType", inner, "relevantTypes"}, ("objectType", inner))
            if item["objectType"] != kind:
                _fail(_join(ipath, "objectType"), f'must be "{kind}"')
            if inner == "agent":
                check_agent(item[inner], _join(ipath, inner), version=version)
            else:
                check_group(item[inner], _join(ipath, inner), version=version)
            if "relevantTypes" in item:
                types = item["relevantTypes"]
                if not isinstance(types, list) or not types:
                    _fail(_join(ipath, "relevantTypes"), "must be a non-empty array of IRIs")
                for j, t in enumerate(types):
                    check_iri(t, _join(_join(ipath, "relevantTypes"), j))


def check_attachment(value: Any, path: str) -> None:
    _object(value, path, ATTACHMENT_KEYS, ("usageType", "display", "contentType", "length", "sha2"))
    check_iri(value["usageType"], _join(path, "usageType"))
    check_lang_map(value["display"], _join(path, "display"))
    if "description" in value:
        check_lang_map(value["description"], _join(path, "description"))
    _string(value["contentType"], _join(path, "contentType"))
    if (
        isinstance(value["length"], bool)
        or not isinstance(value["length"], int)
        or value["length"] < 0
    ):
        _fail(_join(path, "length"), "must be a non-negative integer")
    if not isinstance(value["sha2"], str) or not SHA2_RE.match(value["sha2"]):
        _fail(_join(path, "sha2"), "must be a SHA-2 hex digest")
    if "fileUrl" in value:
        check_iri(value["fileUrl"], _join(path, "fileUrl"))


def check_authority(value: Any, path: str, *, version: str) -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        check_group(value, path, version=version)
        members = value.get("member", [])
        if len(members) != 2:
            _fail(_join(path, "member"), "an OAuth authority Group has exactly two members")
    else:
        check_agent(value, path, version=version)


def check_statement(
    value: Any, path: str = "", *, version: str = "1.0.3", sub: bool = False
) -> None:
    """Validate one statement (or a SubStatement when `sub`); raise StatementError."""
    _object(value, path, SUBSTATEMENT_KEYS if sub else STATEMENT_KEYS, ("actor", "verb", "object"))
    if sub and value.get("objectType") != "SubStatement":
        _fail(_join(path, "objectType"), 'must be "SubStatement"')
    if "id" in value:
        check_uuid(value["id"], _join(path, "id"))
    check_actor(value["actor"], _join(path, "actor"), version=version)
    check_verb(value["verb"], _join(path, "verb"))
    kind = check_object(value["object"], _join(path, "object"), version=version, sub=sub)
    if value["verb"]["id"] == VOIDED and kind != "StatementRef":
        _fail(
            _join(path, "object.objectType"), "a voiding statement's object must be a StatementRef"
        )
    if "result" in value:
        check_result(value["result"], _join(path, "result"))
    if "context" in value:
        check_context(value["context"], _join(path, "context"), version=version, object_kind=kind)
    for key in ("timestamp", "stored"):
        if key in value:
            parse_timestamp(value[key], _join(path, key), version=version)
    if "authority" in value:
        check_authority(value["authority"], _join(path, "authority"), version=version)
    if "version" in value and (
        not isinstance(value["version"], str) or not VERSION_RE.match(value["version"])
    ):
        _fail(_join(path, "version"), "must be 1.0.x or 2.0.x")
    if "version" in value and value["version"].startswith("2") and not version.startswith("2"):
        _fail(
            _join(path, "version"),
            "a 2.0 statement needs a request with X-Experience-API-Version 2.0.0",
        )
    if "attachments" in value:
        apath = _join(path, "attachments")
        if not isinstance(value["attachments"], list):
            _fail(apath, "must be an array")
        for i, item in enumerate(value["attachments"]):
            check_attachment(item, _join(apath, i))


# --- agent keys --------------------------------------------------------------------------


def agent_key(agent: dict) -> str:
    """A canonical string for an Agent's or identified Group's identifier ('' for anonymous groups).

    mbox addresses compare case-insensitively in the domain only, but clients differ;
    the key keeps the address as sent except for lowercasing the `mailto:` scheme.
    """
    if "mbox" in agent:
        mbox = agent["mbox"]
        return "mbox:mailto:" + mbox[7:] if mbox[:7].lower() == "mailto:" else "mbox:" + mbox
    if "mbox_sha1sum" in agent:
        return "sha1:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']}|{account['name']}"
    return ""
