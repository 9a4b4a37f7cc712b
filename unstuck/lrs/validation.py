"""Strict validation of xAPI statements, agents and activity ids.

No maintained Python library validates xAPI 1.0.3 / 2.0 statements strictly (the PyPI
`tincan` package builds objects but accepts unknown properties, bad IRIs and out-of-range
scores, and has not been released since 2020). The rules below are derived by hand from
the specification text (adlnet/xAPI-Spec, xAPI-Data.md: "Statement Properties",
"Actor", "Verb", "Object", "Result", "Context", "Timestamp", "Attachments",
"Language Maps", "Extensions", "IRIs", "Duration") and kept as plain functions because
they run on every ingested statement: a JSON Schema validator is several times slower.

Every error raises `StatementError` with a dotted path to the offending property
(`context.contextActivities.parent.0.id`), which the API returns as a 400. The path is
carried down as (parent, key) pairs and only joined into that string when a property
fails, and IRIs and language tags already seen valid skip their regex (a bounded memo):
valid statements, nearly all of them, pay for neither.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, NoReturn, TypeAlias

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


# Where a value sits in the statement: the caller's dotted string, or (parent, key) pairs
# built while descending. Pairs cost a tuple; the dotted string is only rendered when a
# property fails, which valid statements never do.
Where: TypeAlias = "str | tuple[Where, Any]"


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _render(path: Where) -> str:
    if isinstance(path, str):
        return path
    parent, key = path
    return _join(_render(parent), key)


def _fail(path: Where, message: str) -> NoReturn:
    raise StatementError(_render(path), message)


def _object(
    value: Any, path: Where, allowed: frozenset[str], required: tuple[str, ...] = ()
) -> dict:
    if not isinstance(value, dict):
        _fail(path, "must be a JSON object")
    # Two C-level tests settle a valid object; the loop only runs to name the first
    # offending property, in the order the client sent them.
    if not value.keys() <= allowed or None in value.values():
        for key, item in value.items():
            if key not in allowed:
                _fail((path, key), "is not a property the specification allows here")
            if item is None:
                _fail((path, key), "must not be null")
    for key in required:
        if key not in value:
            _fail((path, key), "is required")
    return value


def _string(value: Any, path: Where) -> str:
    if not isinstance(value, str):
        _fail(path, "must be a string")
    return value


def _number(value: Any, path: Where) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, "must be a number")
    return value


# Strings already proven valid IRIs or language tags. Statements repeat a few of them
# (verb ids, activity types, extension keys, "en-US") thousands of times; a set lookup
# is several times cheaper than the regex. Bounded: short strings only, and the set
# starts over when full, so a stream of distinct IRIs costs memory once, not forever.
MEMO_ENTRIES = 4096
MEMO_CHARS = 512
_VALID_IRIS: set[str] = set()
_VALID_LANGS: set[str] = set()


def _remember(memo: set[str], value: str) -> None:
    if len(value) <= MEMO_CHARS:
        if len(memo) >= MEMO_ENTRIES:
            memo.clear()
        memo.add(value)


# The hottest call sites test is_uuid / is_iri / isinstance inline and name these
# messages, sparing a call per property; the messages stay in one place.
UUID_MESSAGE = "must be a UUID (RFC 4122, e.g. 3f2c8a4e-9b1d-4c5e-8f7a-1b2c3d4e5f60)"
IRI_MESSAGE = "must be an absolute IRI (e.g. http://example.com/verbs/did)"


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and UUID_RE.match(value) is not None


def check_uuid(value: Any, path: Where) -> None:
    if not is_uuid(value):
        _fail(path, UUID_MESSAGE)


def is_iri(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if value in _VALID_IRIS:
        return True
    if IRI_RE.match(value) is None:
        return False
    _remember(_VALID_IRIS, value)
    return True


def check_iri(value: Any, path: Where) -> None:
    if not is_iri(value):
        _fail(path, IRI_MESSAGE)


def check_lang_map(value: Any, path: Where) -> None:
    if not isinstance(value, dict):
        _fail(path, 'must be a language map: {"en-US": "text"}')
    for tag, text in value.items():
        if tag not in _VALID_LANGS:
            if not LANG_RE.match(tag):
                _fail((path, tag), "is not an RFC 5646 language tag")
            _remember(_VALID_LANGS, tag)
        if not isinstance(text, str):
            _fail((path, tag), "must be a string")


def check_extensions(value: Any, path: Where) -> None:
    if not isinstance(value, dict):
        _fail(path, "must be an object whose keys are IRIs")
    if value.keys() <= _VALID_IRIS:
        return
    for key in value:
        if not is_iri(key):
            _fail((path, key), "extension keys must be absolute IRIs")


# xAPI 2.0 (IEEE 9274.1.1) takes timestamps as RFC 3339 date-times: seconds and an offset
# are required, and RFC 3339 §5.6 lets a space (or a lowercase t) separate date and time.
TIMESTAMP_V2_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
UNKNOWN_OFFSETS = ("-00:00", "-0000", "-00")


def parse_timestamp(value: Any, path: Where, *, version: str = "1.0.3") -> datetime:
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
    if value.endswith(UNKNOWN_OFFSETS):
        _fail(path, "must not use the offset -00:00 (use Z or +00:00)")
    try:
        text = value[:-1] + "+00:00" if value[-1] in "Zz" else value
        return datetime.fromisoformat(text)
    except ValueError:
        _fail(path, "is not a valid date and time")


def utc_timestamp(moment: datetime) -> str:
    """A moment as the LRS returns it under 2.0: UTC with Z, milliseconds at least
    (microseconds when the value has them)."""
    moment = moment.astimezone(UTC)
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def check_duration(value: Any, path: Where) -> None:
    if not isinstance(value, str) or not DURATION_RE.match(value):
        _fail(path, "must be an ISO 8601 duration (e.g. PT1M30S)")


# --- agents ------------------------------------------------------------------------

AGENT_KEYS = frozenset({"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"})
GROUP_KEYS = AGENT_KEYS | {"member"}
ACCOUNT_KEYS = frozenset({"homePage", "name"})
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _check_ifis(value: dict, path: Where, *, required: bool) -> int:
    count = ("mbox" in value) + ("mbox_sha1sum" in value) + ("openid" in value)
    count += "account" in value
    if count > 1:
        found = [k for k in IFIS if k in value]
        _fail(path, f"must have exactly one identifier, found {', '.join(found)}")
    if required and not count:
        _fail(path, "must have one identifier: mbox, mbox_sha1sum, openid or account")
    if "mbox" in value:
        mbox = value["mbox"]
        if not isinstance(mbox, str) or not MBOX_RE.match(mbox):
            _fail((path, "mbox"), "must be a mailto IRI (mailto:name@example.com)")
    if "mbox_sha1sum" in value and (
        not isinstance(value["mbox_sha1sum"], str) or not SHA1_RE.match(value["mbox_sha1sum"])
    ):
        _fail((path, "mbox_sha1sum"), "must be a SHA-1 hex digest (40 characters)")
    if "openid" in value:
        check_iri(value["openid"], (path, "openid"))
    if "account" in value:
        apath = (path, "account")
        account = _object(value["account"], apath, ACCOUNT_KEYS, ("homePage", "name"))
        if not is_iri(account["homePage"]):
            _fail((apath, "homePage"), IRI_MESSAGE)
        if not isinstance(account["name"], str):
            _fail((apath, "name"), "must be a string")
    return count


def check_agent(value: Any, path: Where, *, version: str = "1.0.3") -> None:
    """An Agent (objectType absent or "Agent")."""
    _object(value, path, AGENT_KEYS)
    if value.get("objectType", "Agent") != "Agent":
        _fail((path, "objectType"), 'must be "Agent"')
    if "name" in value:
        _string(value["name"], (path, "name"))
    _check_ifis(value, path, required=True)


def check_group(value: Any, path: Where, *, version: str = "1.0.3") -> None:
    _object(value, path, GROUP_KEYS, ("objectType",))
    if value["objectType"] != "Group":
        _fail((path, "objectType"), 'must be "Group"')
    if "name" in value:
        _string(value["name"], (path, "name"))
    identified = _check_ifis(value, path, required=False)
    if "member" in value:
        members = value["member"]
        mpath = (path, "member")
        if not isinstance(members, list):
            _fail(mpath, "must be an array of Agents")
        for i, member in enumerate(members):
            check_agent(member, (mpath, i), version=version)
    elif not identified:
        _fail((path, "member"), "an anonymous Group must list its members")


def check_actor(value: Any, path: Where, *, version: str = "1.0.3") -> None:
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
ACTIVITY_KEYS = frozenset({"objectType", "id", "definition"})
COMPONENT_KEYS = frozenset({"id", "description"})
NO_COMPONENTS: frozenset[str] = frozenset()


def check_definition(value: Any, path: Where) -> None:
    _object(value, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in value:
            check_lang_map(value[key], (path, key))
    for key in ("type", "moreInfo"):
        if key in value:
            check_iri(value[key], (path, key))
    if "extensions" in value:
        check_extensions(value["extensions"], (path, "extensions"))
    itype = value.get("interactionType")
    if itype is not None and itype not in INTERACTION_TYPES:
        _fail((path, "interactionType"), f"must be one of {', '.join(sorted(INTERACTION_TYPES))}")
    if "correctResponsesPattern" in value:
        if itype is None:
            _fail((path, "correctResponsesPattern"), "needs an interactionType")
        pattern = value["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            _fail((path, "correctResponsesPattern"), "must be an array of strings")
    if value.keys().isdisjoint(COMPONENT_LISTS):
        return  # most definitions carry no interaction components
    allowed = COMPONENTS_FOR.get(itype or "", NO_COMPONENTS)
    for key in COMPONENT_LISTS:
        if key not in value:
            continue
        kpath = (path, key)
        if key not in allowed:
            _fail(kpath, f"is not allowed for interactionType {itype!r}")
        items = value[key]
        if not isinstance(items, list):
            _fail(kpath, "must be an array of interaction components")
        seen: set[str] = set()
        for i, item in enumerate(items):
            ipath = (kpath, i)
            _object(item, ipath, COMPONENT_KEYS, ("id",))
            _string(item["id"], (ipath, "id"))
            if item["id"] in seen:
                _fail((ipath, "id"), "interaction component ids must be distinct")
            seen.add(item["id"])
            if "description" in item:
                check_lang_map(item["description"], (ipath, "description"))


def check_activity(value: Any, path: Where) -> None:
    _object(value, path, ACTIVITY_KEYS, ("id",))
    if value.get("objectType", "Activity") != "Activity":
        _fail((path, "objectType"), 'must be "Activity"')
    if not is_iri(value["id"]):
        _fail((path, "id"), IRI_MESSAGE)
    if "definition" in value:
        check_definition(value["definition"], (path, "definition"))


STATEMENT_REF_KEYS = frozenset({"objectType", "id"})


def check_statement_ref(value: Any, path: Where) -> None:
    _object(value, path, STATEMENT_REF_KEYS, ("objectType", "id"))
    if value["objectType"] != "StatementRef":
        _fail((path, "objectType"), 'must be "StatementRef"')
    check_uuid(value["id"], (path, "id"))


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
VERB_KEYS = frozenset({"id", "display"})
RESULT_KEYS = frozenset({"score", "success", "completion", "response", "duration", "extensions"})
SCORE_KEYS = frozenset({"scaled", "raw", "min", "max"})
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
CONTEXT_ACTIVITIES_KEYS = frozenset({"parent", "grouping", "category", "other"})
CONTEXT_AGENT_KEYS = frozenset({"objectType", "agent", "relevantTypes"})
CONTEXT_GROUP_KEYS = frozenset({"objectType", "group", "relevantTypes"})
ATTACHMENT_KEYS = frozenset(
    {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}
)


def check_verb(value: Any, path: Where) -> None:
    _object(value, path, VERB_KEYS, ("id",))
    if not is_iri(value["id"]):
        _fail((path, "id"), IRI_MESSAGE)
    if "display" in value:
        check_lang_map(value["display"], (path, "display"))


def check_object(value: Any, path: Where, *, version: str, sub: bool) -> str:
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
            _fail((path, "objectType"), "a SubStatement must not contain another SubStatement")
        check_statement(value, path, version=version, sub=True)
    else:
        _fail(
            (path, "objectType"),
            "must be Activity, Agent, Group, StatementRef or SubStatement",
        )
    return kind


def check_result(value: Any, path: Where) -> None:
    _object(value, path, RESULT_KEYS)
    if "score" in value:
        spath = (path, "score")
        score = _object(value["score"], spath, SCORE_KEYS)
        for key in score:
            _number(score[key], (spath, key))
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            _fail((spath, "scaled"), "must be between -1 and 1")
        if "min" in score and "max" in score and score["min"] >= score["max"]:
            _fail((spath, "max"), "must be greater than min")
        if "raw" in score:
            if "min" in score and score["raw"] < score["min"]:
                _fail((spath, "raw"), "must not be less than min")
            if "max" in score and score["raw"] > score["max"]:
                _fail((spath, "raw"), "must not be more than max")
    for key in ("success", "completion"):
        if key in value and not isinstance(value[key], bool):
            _fail((path, key), "must be true or false")
    if "response" in value:
        _string(value["response"], (path, "response"))
    if "duration" in value:
        check_duration(value["duration"], (path, "duration"))
    if "extensions" in value:
        check_extensions(value["extensions"], (path, "extensions"))


def _activity_list(value: Any, path: Where) -> None:
    if isinstance(value, dict):
        check_activity(value, path)
        return
    if not isinstance(value, list):
        _fail(path, "must be an Activity or an array of Activities")
    for i, item in enumerate(value):
        check_activity(item, (path, i))


def check_context(value: Any, path: Where, *, version: str, object_kind: str) -> None:
    is_v2 = version.startswith("2")
    _object(value, path, CONTEXT_KEYS_2 if is_v2 else CONTEXT_KEYS_1)
    if "registration" in value and not is_uuid(value["registration"]):
        _fail((path, "registration"), UUID_MESSAGE)
    if "instructor" in value:
        check_actor(value["instructor"], (path, "instructor"), version=version)
    if "team" in value:
        check_group(value["team"], (path, "team"), version=version)
    if "contextActivities" in value:
        cpath = (path, "contextActivities")
        ca = _object(value["contextActivities"], cpath, CONTEXT_ACTIVITIES_KEYS)
        for key, item in ca.items():
            _activity_list(item, (cpath, key))
    for key in ("revision", "platform"):
        if key in value:
            if not isinstance(value[key], str):
                _fail((path, key), "must be a string")
            if object_kind != "Activity":
                _fail((path, key), "is only allowed when the object is an Activity")
    if "language" in value and (
        not isinstance(value["language"], str) or not LANG_RE.match(value["language"])
    ):
        _fail((path, "language"), "must be an RFC 5646 language tag")
    if "statement" in value:
        check_statement_ref(value["statement"], (path, "statement"))
    if "extensions" in value:
        check_extensions(value["extensions"], (path, "extensions"))
    if not is_v2:
        return  # contextAgents and contextGroups are 2.0 properties, refused above
    for key, kind, inner, allowed in (
        ("contextAgents", "contextAgent", "agent", CONTEXT_AGENT_KEYS),
        ("contextGroups", "contextGroup", "group", CONTEXT_GROUP_KEYS),
    ):
        if key not in value:
            continue
        kpath = (path, key)
        if not isinstance(value[key], list):
            _fail(kpath, "must be an array")
        for i, item in enumerate(value[key]):
            ipath = (kpath, i)
            _object(item, ipath, allowed, ("objectType", inner))
            if item["objectType"] != kind:
                _fail((ipath, "objectType"), f'must be "{kind}"')
            if inner == "agent":
                check_agent(item[inner], (ipath, inner), version=version)
            else:
                check_group(item[inner], (ipath, inner), version=version)
            if "relevantTypes" in item:
                types = item["relevantTypes"]
                tpath = (ipath, "relevantTypes")
                if not isinstance(types, list) or not types:
                    _fail(tpath, "must be a non-empty array of IRIs")
                for j, t in enumerate(types):
                    check_iri(t, (tpath, j))


def check_attachment(value: Any, path: Where) -> None:
    _object(value, path, ATTACHMENT_KEYS, ("usageType", "display", "contentType", "length", "sha2"))
    check_iri(value["usageType"], (path, "usageType"))
    check_lang_map(value["display"], (path, "display"))
    if "description" in value:
        check_lang_map(value["description"], (path, "description"))
    _string(value["contentType"], (path, "contentType"))
    if (
        isinstance(value["length"], bool)
        or not isinstance(value["length"], int)
        or value["length"] < 0
    ):
        _fail((path, "length"), "must be a non-negative integer")
    if not isinstance(value["sha2"], str) or not SHA2_RE.match(value["sha2"]):
        _fail((path, "sha2"), "must be a SHA-2 hex digest")
    if "fileUrl" in value:
        check_iri(value["fileUrl"], (path, "fileUrl"))


def check_authority(value: Any, path: Where, *, version: str) -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        check_group(value, path, version=version)
        members = value.get("member", [])
        if len(members) != 2:
            _fail((path, "member"), "an OAuth authority Group has exactly two members")
    else:
        check_agent(value, path, version=version)


def check_statement(
    value: Any, path: Where = "", *, version: str = "1.0.3", sub: bool = False
) -> None:
    """Validate one statement (or a SubStatement when `sub`); raise StatementError."""
    _object(value, path, SUBSTATEMENT_KEYS if sub else STATEMENT_KEYS, ("actor", "verb", "object"))
    if sub and value.get("objectType") != "SubStatement":
        _fail((path, "objectType"), 'must be "SubStatement"')
    if "id" in value and not is_uuid(value["id"]):
        _fail((path, "id"), UUID_MESSAGE)
    check_actor(value["actor"], (path, "actor"), version=version)
    check_verb(value["verb"], (path, "verb"))
    kind = check_object(value["object"], (path, "object"), version=version, sub=sub)
    if value["verb"]["id"] == VOIDED and kind != "StatementRef":
        _fail((path, "object.objectType"), "a voiding statement's object must be a StatementRef")
    if "result" in value:
        check_result(value["result"], (path, "result"))
    if "context" in value:
        check_context(value["context"], (path, "context"), version=version, object_kind=kind)
    for key in ("timestamp", "stored"):
        if key in value:
            parse_timestamp(value[key], (path, key), version=version)
    if "authority" in value:
        check_authority(value["authority"], (path, "authority"), version=version)
    if "version" in value and (
        not isinstance(value["version"], str) or not VERSION_RE.match(value["version"])
    ):
        _fail((path, "version"), "must be 1.0.x or 2.0.x")
    if "version" in value and value["version"].startswith("2") and not version.startswith("2"):
        _fail(
            (path, "version"),
            "a 2.0 statement needs a request with X-Experience-API-Version 2.0.0",
        )
    if "attachments" in value:
        apath = (path, "attachments")
        if not isinstance(value["attachments"], list):
            _fail(apath, "must be an array")
        for i, item in enumerate(value["attachments"]):
            check_attachment(item, (apath, i))


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
