"""Statement output formats (exact, ids, canonical) and multipart/mixed bodies."""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from .models import Activity

HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


def sha2_of(content: bytes, declared: str) -> str:
    """The SHA-2 of `content` in the variant the declared digest's length names."""
    algorithm = HASHES.get(len(declared), hashlib.sha256)
    return algorithm(content).hexdigest()


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, dict[str, str], bytes]]:
    """Split a multipart/mixed body into (content type, lower-cased headers, bytes) parts."""
    m = re.search(r'boundary="?([^";]+)"?', content_type, re.IGNORECASE)
    if not m:
        raise ValueError_("multipart/mixed needs a boundary parameter")
    delimiter = b"--" + m.group(1).encode()
    sections = body.split(delimiter)
    parts: list[tuple[str, dict[str, str], bytes]] = []
    for section in sections[1:]:
        if section.startswith(b"--"):
            break
        section = section.removeprefix(b"\r\n").removeprefix(b"\n")
        head, sep, content = section.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = section.partition(b"\n\n")
        if not sep:
            raise ValueError_("a multipart part has no header block")
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").splitlines():
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        ptype = headers.get("content-type", "").split(";")[0].strip().lower()
        parts.append((ptype, headers, content))
    return parts


def ValueError_(message: str) -> Exception:  # noqa: N802 - reads as an exception at the raise site
    from unstuck.errors import ApiError

    return ApiError(message, status=400, code="invalid", field="Content-Type")


# --- formats ---------------------------------------------------------------------------------


def _ids_agent(agent: dict) -> dict:
    out = {
        k: agent[k]
        for k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account")
        if k in agent
    }
    if "member" in agent and not any(
        k in agent for k in ("mbox", "mbox_sha1sum", "openid", "account")
    ):
        out["member"] = [_ids_agent(m) for m in agent["member"]]
    return out


def _ids(stmt: dict) -> dict:
    out = copy.deepcopy(stmt)
    out["actor"] = _ids_agent(out["actor"])
    out["verb"] = {"id": out["verb"]["id"]}
    obj = out["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        out["object"] = (
            {"objectType": "Activity", "id": obj["id"]}
            if "objectType" in obj
            else {"id": obj["id"]}
        )
    elif kind in ("Agent", "Group"):
        out["object"] = _ids_agent(obj)
    elif kind == "SubStatement":
        out["object"] = _ids(obj)
    if "authority" in out:
        out["authority"] = _ids_agent(out["authority"])
    ctx = out.get("context", {})
    for key in ("instructor", "team"):
        if key in ctx:
            ctx[key] = _ids_agent(ctx[key])
    for key, items in ctx.get("contextActivities", {}).items():
        lst = [items] if isinstance(items, dict) else items
        ctx["contextActivities"][key] = [{"id": a["id"], "objectType": "Activity"} for a in lst]
    return out


def _languages(accept: str) -> list[str]:
    langs = []
    for part in accept.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0
        if tag:
            langs.append((q, tag.strip()))
    return [t for _, t in sorted(langs, key=lambda p: -p[0])]


def _pick(lang_map: dict, langs: list[str]) -> dict:
    if not lang_map:
        return lang_map
    lower = {k.lower(): k for k in lang_map}
    for tag in langs:
        if tag == "*":
            break
        t = tag.lower()
        if t in lower:
            return {lower[t]: lang_map[lower[t]]}
        for key in lower:
            if key.split("-")[0] == t.split("-")[0]:
                return {lower[key]: lang_map[lower[key]]}
    first = next(iter(lang_map))
    return {first: lang_map[first]}


def _canonical(stmt: dict, definitions: dict[str, dict], langs: list[str]) -> dict:
    out = copy.deepcopy(stmt)
    if "display" in out["verb"]:
        out["verb"]["display"] = _pick(out["verb"]["display"], langs)

    def fix_activity(act: dict) -> None:
        definition = definitions.get(act["id"]) or act.get("definition")
        if not definition:
            return
        definition = copy.deepcopy(definition)
        for key in ("name", "description"):
            if key in definition:
                definition[key] = _pick(definition[key], langs)
        for key in ("choices", "scale", "source", "target", "steps"):
            for comp in definition.get(key, ()):
                if "description" in comp:
                    comp["description"] = _pick(comp["description"], langs)
        act["definition"] = definition

    obj = out["object"]
    if obj.get("objectType", "Activity") == "Activity":
        fix_activity(obj)
    elif obj.get("objectType") == "SubStatement":
        out["object"] = _canonical(obj, definitions, langs)
    for items in out.get("context", {}).get("contextActivities", {}).values():
        for act in [items] if isinstance(items, dict) else items:
            fix_activity(act)
    for att in out.get("attachments", ()):
        for key in ("display", "description"):
            if key in att:
                att[key] = _pick(att[key], langs)
    return out


def format_statement(stmt: dict, fmt: str, workspace: Any, accept_language: str = "") -> dict:
    if fmt == "ids":
        return _ids(stmt)
    if fmt == "canonical":
        ids = []
        obj = stmt["object"]
        if obj.get("objectType", "Activity") == "Activity":
            ids.append(obj["id"])
        for items in stmt.get("context", {}).get("contextActivities", {}).values():
            ids.extend(a["id"] for a in ([items] if isinstance(items, dict) else items))
        definitions = dict(
            Activity.objects.filter(workspace=workspace, activity_id__in=ids).values_list(
                "activity_id", "definition"
            )
        )
        return _canonical(stmt, definitions, _languages(accept_language))
    return stmt
