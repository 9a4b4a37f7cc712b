"""Ranking: one function that orders candidate units for a request from explainable
signals, each in [0, 1], combined by per-workspace weights:

  placement    how exactly a placement matches: error or field 1.0, page 0.6, whole app 0.3
  text         full-text relevance of the query / error message / field name
  fit          role and team fit (placement audience or unit tags name the person's team or role)
  locale       the unit is in the person's language
  need         1 - the person's mastery of the unit's skills (0.5 when unknown)
  helpful      "was this helpful?" ratings (Laplace-smoothed; the person's team when it has 3+)
  outcome      share of tasks that succeeded within 30 minutes after people viewed the unit
  fresh        verified within its review interval (1), decaying to 0 at twice the interval

Every result carries reasons in plain words for the signals that carried it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.utils import timezone

from unstuck.content.models import Unit

from . import search as searchmod

DEFAULT_WEIGHTS: dict[str, float] = {
    "placement": 3.0,
    "text": 2.0,
    "fit": 0.5,
    "locale": 0.6,
    "need": 0.4,
    "helpful": 0.8,
    "outcome": 0.6,
    "fresh": 0.3,
}


# Large columns a ranked or searched unit never needs (callers read id, slug, title, kind,
# summary, duration, locale, tags, verification dates; the studio's draft never).
HEAVY_UNIT_FIELDS = ("body_md", "body_html", "payload", "draft")


def published_units(workspace, unit_ids) -> dict[str, Unit]:
    """unit id -> the published unit of this workspace, for a few ids.

    Looked up by primary key and checked here: filtering on workspace and status in SQL
    lets SQLite's planner pick the (workspace, status) index and walk every published
    unit of a large workspace instead of fetching these few rows. Each unit gets the
    caller's workspace object (citation links read its slug) rather than a joined copy.
    """
    rows = Unit.objects.filter(pk__in=list(unit_ids)).order_by().defer(*HEAVY_UNIT_FIELDS)
    out = {}
    for u in rows:
        if u.workspace_id == workspace.pk and u.status == "published":
            u.workspace = workspace
            out[str(u.id)] = u
    return out


def translations_by_original(
    workspace, state: searchmod.WorkspaceIndex | None = None
) -> dict[str, list[str]]:
    """original unit id -> ids of the units that translate it, cached in process per index
    generation (which every content change moves, as a translation is one).

    Read once per generation rather than per request: looking translations up for a
    request's candidates was a scan of every unit whenever PostgreSQL lacked statistics
    on the column (after a bulk load, before autovacuum). The read goes through the
    translation_of index on both engines, statistics or not: "translation_of >= the nil
    UUID" (every translation) is a range SQLite reads from the index, and PostgreSQL is
    held to bitmap scans. It reads every workspace's translations (they are few) and
    keeps this one's: a condition on the workspace would let either planner walk all of
    the workspace's units instead (1.3 s at 100,000 units on SQLite).
    """
    state = state or searchmod.workspace_index(workspace)
    cached = state.extra.get("translations")
    if cached is None:
        cached = {}
        with searchmod.bitmap_scans_only():
            rows = list(
                Unit.objects.filter(translation_of__gte=uuid.UUID(int=0))
                .order_by()
                .values_list("id", "translation_of_id", "workspace_id")
            )
        for unit_id, original_id, workspace_id in rows:
            if workspace_id == workspace.pk:
                cached.setdefault(str(original_id), []).append(str(unit_id))
        state.extra["translations"] = cached
    return cached


def _in_language(
    workspace,
    units: dict[str, Unit],
    want: str,
    placed: dict,
    text_hits: dict,
    state: searchmod.WorkspaceIndex | None = None,
) -> dict[str, Unit]:
    """One language version per family of translations: the person's when it is
    published, else the original. The signals of the version that matched (placement,
    text) carry over to the version shown, so a Hungarian rep gets the Hungarian guide
    even when the English words matched."""
    if not units:
        return units
    translations = translations_by_original(workspace, state)
    roots = {str(u.translation_of_id or u.id) for u in units.values()}
    # The original first, then its translations in a fixed order.
    family_ids = {root: [root, *sorted(translations.get(root, ()))] for root in roots}
    # Members that are not candidates are read by key (see published_units on SQLite's
    # planner); in a workspace without translations there are none.
    missing = {i for ids in family_ids.values() for i in ids} - set(units)
    members = {**units, **(published_units(workspace, missing) if missing else {})}
    families: dict[str, list[Unit]] = {
        root: [members[i] for i in ids if i in members] for root, ids in family_ids.items()
    }
    out: dict[str, Unit] = {}
    for uid, unit in units.items():
        root = str(unit.translation_of_id or unit.id)
        family = families.get(root) or [unit]
        chosen = next((f for f in family if (f.locale or "en")[:2].lower() == want), None) or next(
            (f for f in family if str(f.id) == root), unit
        )
        cid = str(chosen.id)
        if cid != uid:
            if uid in placed and cid not in placed:
                placed[cid] = placed[uid]
            text_hits[cid] = max(text_hits.get(cid, 0.0), text_hits.get(uid, 0.0))
        out[cid] = chosen
    return out


def weights_for(workspace, state: searchmod.WorkspaceIndex | None = None) -> dict[str, float]:
    """The workspace's weights, cached in process per index generation (which
    update_settings bumps)."""
    from .models import GuidanceSettings

    state = state or searchmod.workspace_index(workspace)
    cached = state.extra.get("weights")
    if cached is not None:
        return dict(cached)
    stored = (
        GuidanceSettings.objects.filter(workspace=workspace)
        .values_list("ranking_weights", flat=True)
        .first()
    )
    merged = dict(DEFAULT_WEIGHTS)
    for k, v in (stored or {}).items():
        if k in merged:
            merged[k] = float(v)
    state.extra["weights"] = merged
    return dict(merged)


@dataclass
class Candidate:
    unit: Unit
    signals: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    placement_id: str | None = None
    score: float = 0.0


# --- URL patterns (same grammar as delivery's placements) ---------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    if pattern == "*":
        return re.compile(r".*", re.S)
    parts = []
    segments = pattern.strip("/").split("/") if pattern != "/" else []
    for i, segment in enumerate(segments):
        if segment == "*" and i == len(segments) - 1:
            parts.append(r"(?:/.*)?")
        elif segment.startswith(":") or segment == "*":
            parts.append(r"/[^/]+")
        else:
            parts.append("/" + "[^/]*".join(re.escape(p) for p in segment.split("*")))
    return re.compile("^" + "".join(parts) + "/?$" if parts else r"^/?$")


def _literal_segments(pattern: str) -> int:
    return sum(
        1
        for seg in pattern.strip("/").split("/")
        if seg and "*" not in seg and not seg.startswith(":")
    )


def url_path(url: str) -> str:
    if not url:
        return ""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0].split("#", 1)[0]
    return path or "/"


def _audience_ok(audience: dict, person) -> bool:
    if not audience or person is None:
        return True
    if audience.get("teams") and person.team not in audience["teams"]:
        return False
    if audience.get("roles") and person.job_role not in audience["roles"]:
        return False
    if audience.get("locales") and (person.locale or "")[:2] not in [
        str(x)[:2] for x in audience["locales"]
    ]:
        return False
    for key, allowed in (audience.get("attributes") or {}).items():
        if (person.attributes or {}).get(key) not in allowed:
            return False
    return True


def _placement_signals(
    workspace, host_app: str, path: str, field_key: str, error: str, person
) -> dict:
    """unit_id -> (strength, reason, placement_id, is_targeted) from the host app's placements."""
    try:
        from unstuck.delivery.models import Placement
    except ImportError:  # pragma: no cover - delivery not installed
        return {}
    if not host_app:
        return {}
    now = timezone.now()
    out: dict[str, tuple[float, str, str, bool]] = {}
    rows = (
        Placement.objects.for_workspace(workspace)
        .filter(host_app__slug=host_app, is_active=True, unit__status="published")
        .only(
            "id",
            "unit_id",
            "url_pattern",
            "field_key",
            "trigger",
            "trigger_config",
            "audience",
            "priority",
            "starts_at",
            "ends_at",
            "is_release_note",
        )
    )
    error_l = (error or "").lower()
    for pl in rows:
        if (pl.starts_at and pl.starts_at > now) or (pl.ends_at and pl.ends_at < now):
            continue
        if path and not _pattern_regex(pl.url_pattern or "*").match(path):
            continue
        if pl.audience and person is None:
            continue  # an audience cannot be checked without knowing who asks
        if not _audience_ok(pl.audience or {}, person):
            continue
        targeted = bool(pl.audience)
        config = pl.trigger_config or {}
        strength, reason = 0.0, ""
        is_error_tip = pl.trigger in ("error_shown", "error_event")
        field_match = bool(field_key) and pl.field_key == field_key
        if is_error_tip:
            wanted = str(config.get("text") or config.get("code") or "").lower()
            if error_l and (
                (wanted and (wanted in error_l or error_l == wanted))
                or (not wanted and field_match)
            ):
                strength, reason = 1.0, "placed on this error"
            elif field_match:
                strength, reason = 0.5, "placed on this field"
            else:
                # A tip for one error says little about the page when that error is absent.
                strength, reason = 0.15, "placed on this page"
        elif field_match:
            # With an error on the field, the tip made for that error is the better answer.
            strength, reason = (0.8 if error_l else 0.95), "placed on this field"
        elif path:
            literal = _literal_segments(pl.url_pattern or "*")
            if literal == 0:
                strength, reason = 0.3, "placed in this app"
            else:
                # The more of the path a pattern spells out, the more it is about this page.
                strength, reason = 0.3 + 0.1 * min(literal, 3), "placed on this page"
                if pl.field_key:
                    strength -= 0.15  # made for one field of the page, not the page
        else:
            strength, reason = 0.3, "placed in this app"
        if pl.is_release_note:
            # Announcements reach people through the release-note detector; as help
            # for a stuck moment they weigh less than a placement made for it.
            strength *= 0.7
        strength += min(max(pl.priority, 0), 100) / 10_000  # priority breaks ties only
        key = str(pl.unit_id)
        if key not in out or out[key][0] < strength:
            out[key] = (strength, reason, str(pl.id), targeted)
    return out


# --- measured effectiveness from the statement log --------------------------------------


def effectiveness(workspace) -> dict[str, Any]:
    """Per unit: helpful ratings overall and by team, and task success after viewing.

    Cached for 10 minutes per workspace: ratings move slowly and ranking runs per request.
    """
    key = f"guidance:effect:{workspace.id}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    from unstuck.lrs import profile as p

    data: dict[str, Any] = {"helpful": {}, "team": {}, "outcome": {}}
    try:
        from unstuck.lrs.models import Statement
    except ImportError:  # pragma: no cover
        return data
    since = timezone.now() - timedelta(days=90)
    base = Statement.objects.filter(workspace=workspace, stored__gte=since, voided=False)
    for unit_id, team, d in (
        base.filter(verb_id=p.VERB_RATED)
        .exclude(unit_id="")
        .values_list("unit_id", "person__team", "data")[:50_000]
    ):
        helpful = ((d or {}).get("result") or {}).get("extensions", {}).get(p.RESULT_EXT_HELPFUL)
        if helpful is None:
            continue
        yes, n = data["helpful"].get(unit_id, (0, 0))
        data["helpful"][unit_id] = (yes + bool(helpful), n + 1)
        if team:
            yes, n = data["team"].get((unit_id, team), (0, 0))
            data["team"][(unit_id, team)] = (yes + bool(helpful), n + 1)
    views = list(
        base.filter(verb_id=p.VERB_EXPERIENCED)
        .exclude(unit_id="")
        .exclude(person=None)
        .values_list("person_id", "unit_id", "timestamp")
        .order_by("timestamp")[:50_000]
    )
    outcomes: dict = {}
    for person_id, success, ts in (
        base.filter(verb_id__in=[p.VERB_COMPLETED, p.VERB_FAILED])
        .exclude(task="")
        .exclude(person=None)
        .values_list("person_id", "success", "timestamp")
        .order_by("timestamp")[:50_000]
    ):
        outcomes.setdefault(person_id, []).append((ts, success))
    window = timedelta(minutes=30)
    for person_id, unit_id, ts in views:
        for when, success in outcomes.get(person_id, ()):
            if ts <= when <= ts + window and success is not None:
                ok, n = data["outcome"].get(unit_id, (0, 0))
                data["outcome"][unit_id] = (ok + bool(success), n + 1)
                break
    cache.set(key, data, 600)
    return data


def _mastery(workspace, person, unit_ids: list) -> dict[str, float]:
    if person is None:
        return {}
    from unstuck.adaptive import services as adaptive

    return adaptive.mastery_of_units(workspace=workspace, person=person, unit_ids=unit_ids)


# --- the ranking function ----------------------------------------------------------------


def rank(
    *,
    workspace,
    host_app: str = "",
    url: str = "",
    field: str = "",
    error: str = "",
    query: str = "",
    person=None,
    limit: int = 5,
) -> list[Candidate]:
    """Order the units for this request, best first (see the module docstring)."""
    # One read of the index stamp serves the weights, the searches and the translations.
    state = searchmod.workspace_index(workspace)
    weights = weights_for(workspace, state)
    path = url_path(url)
    placed = _placement_signals(workspace, host_app, path, field, error, person)
    text_hits: dict[str, float] = {}
    groups: list[list[str]] = []
    # Error codes and field keys read as words: close_date_past -> "close date past".
    for text, factor in (
        (query, 1.0),
        (error.replace("_", " "), 0.9),
        (field.replace("_", " "), 0.5),
    ):
        if not text.strip():
            continue
        hits, parsed = searchmod.search(workspace, text, limit=30, state=state)
        groups += parsed.groups
        # Relative to the best hit: BM25 magnitudes vary with query length and corpus,
        # while "the best textual match for these words" is what the weight should mean.
        top = max((h.score for h in hits), default=0.0) or 1.0
        best_is_and = bool(hits) and hits[0].score == top
        for h in hits:
            value = (h.score / top) * factor * (1.0 if best_is_and else 0.6)
            text_hits[h.unit_id] = max(text_hits.get(h.unit_id, 0.0), value)
    ids = set(placed) | set(text_hits)
    if not ids:
        return []
    units = published_units(workspace, ids)
    want_locale = ((person.locale if person else "") or workspace.default_locale or "en")[
        :2
    ].lower()
    units = _in_language(workspace, units, want_locale, placed, text_hits, state)
    effect = effectiveness(workspace)
    mastery = _mastery(workspace, person, list(units))
    team = person.team if person else ""
    job_role = (person.job_role if person else "") or ""
    now = timezone.now()
    out: list[Candidate] = []
    for uid, unit in units.items():
        c = Candidate(unit=unit)
        s = c.signals
        if uid in placed:
            strength, reason, c.placement_id, targeted = placed[uid]
            s["placement"] = strength
            c.reasons.append(reason)
        else:
            s["placement"] = 0.0
            targeted = False
        s["text"] = text_hits.get(uid, 0.0)
        if s["text"] >= 0.3 and query.strip():
            c.reasons.append("matches your words")
        elif s["text"] >= 0.3 and error.strip():
            c.reasons.append("about this error")
        tags = {str(t).lower() for t in unit.tags or []}
        if targeted or (team and team.lower() in tags) or (job_role and job_role.lower() in tags):
            s["fit"] = 1.0
            c.reasons.append(
                f"made for {team or job_role}" if (team or job_role) else "made for you"
            )
        else:
            s["fit"] = 0.5
        s["locale"] = 1.0 if (unit.locale or "en")[:2].lower() == want_locale else 0.0
        m = mastery.get(uid)
        s["need"] = 0.5 if m is None else 1.0 - m
        if m is not None and m >= 0.85:
            c.reasons.append("you already know most of this")
        elif m is not None and m <= 0.3:
            c.reasons.append("covers a skill you are still building")
        yes, n = effect["team"].get((uid, team), (0, 0)) if team else (0, 0)
        if n >= 3:
            s["helpful"] = (yes + 1) / (n + 2)
            if s["helpful"] >= 0.65:
                c.reasons.append(f"people in {team} found it helpful")
        else:
            yes, n = effect["helpful"].get(uid, (0, 0))
            s["helpful"] = (yes + 1) / (n + 2)
            if n >= 3 and s["helpful"] >= 0.65:
                c.reasons.append(f"{yes} of {n} people found it helpful")
        ok, n = effect["outcome"].get(uid, (0, 0))
        s["outcome"] = (ok + 1) / (n + 2)
        if n >= 3 and s["outcome"] >= 0.65:
            c.reasons.append("tasks went better after people read it")
        if unit.last_verified_at:
            age_days = (now - unit.last_verified_at).days
            interval = max(unit.review_interval_days or 180, 1)
            s["fresh"] = 1.0 if age_days <= interval else max(0.0, 2 - age_days / interval)
            if age_days > interval:
                c.reasons.append("not verified recently")
        else:
            s["fresh"] = 0.5
        c.score = round(sum(weights.get(k, 0.0) * v for k, v in s.items()), 4)
        c.signals = {k: round(v, 3) for k, v in s.items()}
        if not c.reasons:
            c.reasons.append("related to where you are")
        out.append(c)
    out.sort(key=lambda c: (-c.score, c.unit.title))
    return out[:limit]
