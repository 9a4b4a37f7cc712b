"""Full-text search behind one interface: SQLite FTS5 by default, PostgreSQL full-text
(GIN over a generated tsvector) at scale.

Both engines index the same pre-stemmed terms (see text.py), so results are the same
on both apart from scoring: FTS5 ranks with BM25 (title weighted 3x), PostgreSQL with
ts_rank_cd over weighted A (title) / B (body) lexemes.

A query word becomes a group of alternatives: its English and Hungarian stems, the
workspace's synonyms, and -- when the vocabulary does not know it -- the closest indexed
terms (a known prefix of it, or an edit distance of 1 for words of up to 5 letters, 2 for
longer). Every alternative is also matched as a prefix, so "opp" finds "opportunity".
"""

from __future__ import annotations

import bisect
import html
import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from rapidfuzz import distance as rf_distance
from rapidfuzz import process as rf_process

from unstuck.content.models import Status, Unit

from . import text as textmod
from .models import SearchDoc, SearchIndexState, SearchTerm, Synonym

MAX_QUERY_WORDS = 12
SNIPPET_SCAN_WORDS = 600  # snippets come from the first 600 words of a unit
# Any-word matches are added when all-word matching finds fewer than this many units.
MIN_ALL_WORD_HITS = 5


@dataclass
class Hit:
    unit_id: str
    score: float  # higher is better, >= 0
    matched: set[str] = field(default_factory=set)


@dataclass
class ParsedQuery:
    groups: list[list[str]]  # one list of alternative stems per query word
    corrected: dict[str, str]  # word -> the term it was corrected to


# --- indexing ---------------------------------------------------------------------------


def _ws_token(workspace_id) -> str:
    return "w" + str(workspace_id).replace("-", "")


def _doc_fields(unit, skill_names: list[str]) -> dict:
    body = textmod.unit_text(unit)
    extra = " ".join(skill_names + [str(t) for t in (unit.tags or [])])
    return {
        "workspace_id": unit.workspace_id,
        "locale": unit.locale or "en",
        "ws_token": _ws_token(unit.workspace_id),
        "title_terms": " ".join(textmod.terms(unit.title, unit.locale)),
        "body_terms": " ".join(textmod.terms(body + "\n" + extra, unit.locale)),
        "text": body[:20000],
    }


def _bump_generation(workspace_id, **fields) -> None:
    state, _ = SearchIndexState.objects.get_or_create(workspace_id=workspace_id)
    state.generation += 1
    for k, v in fields.items():
        setattr(state, k, v)
    state.save()


def _add_terms(workspace_id, docs: list[dict]) -> None:
    vocab: set[str] = set()
    for d in docs:
        vocab.update(d["title_terms"].split())
        vocab.update(d["body_terms"].split())
    SearchTerm.objects.bulk_create(
        [SearchTerm(workspace_id=workspace_id, term=t, length=len(t)) for t in vocab if t],
        ignore_conflicts=True,
        batch_size=2000,
    )


def index_units(units: list) -> int:
    """(Re)index these units: published ones are upserted, others removed."""
    if not units:
        return 0
    by_ws: dict = {}
    for unit in units:
        by_ws.setdefault(unit.workspace_id, []).append(unit)
    done = 0
    for workspace_id, ws_units in by_ws.items():
        skills: dict = {}
        through = Unit.skills.through
        for unit_id, name in through.objects.filter(
            unit_id__in=[u.id for u in ws_units]
        ).values_list("unit_id", "skill__name"):
            skills.setdefault(unit_id, []).append(name)
        published = [u for u in ws_units if u.status == Status.PUBLISHED]
        gone = [u.id for u in ws_units if u.status != Status.PUBLISHED]
        with transaction.atomic():
            if gone:
                SearchDoc.objects.filter(unit_id__in=gone).delete()
            existing = dict(
                SearchDoc.objects.filter(unit_id__in=[u.id for u in published]).values_list(
                    "unit_id", "id"
                )
            )
            docs = []
            new_rows, changed_rows = [], []
            for unit in published:
                fields = _doc_fields(unit, skills.get(unit.id, []))
                docs.append(fields)
                if unit.id in existing:
                    changed_rows.append(SearchDoc(id=existing[unit.id], unit_id=unit.id, **fields))
                else:
                    new_rows.append(SearchDoc(unit_id=unit.id, **fields))
            # Row-by-row updates keep the FTS5 triggers simple (one row per statement).
            for row in changed_rows:
                row.save()
            # Another process may be indexing the same units (lazy syncs run per request).
            SearchDoc.objects.bulk_create(new_rows, batch_size=500, ignore_conflicts=True)
            _add_terms(workspace_id, docs)
            _bump_generation(workspace_id)
        done += len(ws_units)
    return done


def index_unit(unit) -> None:
    index_units([unit])


def sync_index(workspace) -> None:
    """Bring the index up to date with the workspace's content, lazily: only when the
    workspace's content version moved since the last sync, and then only units changed
    since (plus removal of units no longer published)."""
    state = SearchIndexState.objects.filter(workspace=workspace).first()
    if state is not None and state.content_version == workspace.content_version:
        return
    started = timezone.now()
    units = Unit.objects.for_workspace(workspace)
    if state is not None and state.synced_at is not None:
        changed = list(units.filter(updated_at__gte=state.synced_at))
    else:
        changed = list(units.filter(status=Status.PUBLISHED))
    # Units deleted or unpublished without touching updated_at (bulk updates).
    stale = SearchDoc.objects.for_workspace(workspace).exclude(
        unit_id__in=units.filter(status=Status.PUBLISHED).values("id")
    )
    with transaction.atomic():
        stale.delete()
        for i in range(0, len(changed), 500):
            index_units(changed[i : i + 500])
        _bump_generation(workspace.id, content_version=workspace.content_version, synced_at=started)


def rebuild_index(workspace) -> int:
    with transaction.atomic():
        SearchDoc.objects.for_workspace(workspace).delete()
        SearchTerm.objects.for_workspace(workspace).delete()
        SearchIndexState.objects.filter(workspace=workspace).delete()
    sync_index(workspace)
    return SearchDoc.objects.for_workspace(workspace).count()


# --- per-workspace state cached in process (vocabulary, synonyms, parsed queries) ---------
#
# Keyed on the index generation (SearchIndexState.generation), which every index write,
# synonym change and settings change bumps: one primary-key read per request tells whether
# the cache is current, so several processes stay consistent without talking to each other.

PARSED_CACHE_SIZE = 2000


@dataclass
class WorkspaceIndex:
    generation: int
    sorted_terms: list[str]
    buckets: dict[tuple[int, str], list[str]]
    vocab: frozenset[str]
    synonyms: dict[str, set[str]]
    # Whether queries name the workspace token. When the workspace holds most of the
    # index, its token is in nearly every row and scoring it costs a scan of the whole
    # index per query; then matches are scoped by joining on workspace_id instead.
    use_ws_token: bool
    parsed: OrderedDict = field(default_factory=OrderedDict)
    # Matches of recent queries: the index cannot change within a generation, and the
    # same field names and error codes come with every request on a page.
    hits: OrderedDict = field(default_factory=OrderedDict)
    extra: dict = field(default_factory=dict)  # other per-generation caches (ranking weights)


_state_lock = threading.Lock()
_states: dict[str, WorkspaceIndex] = {}


def _db_id(value):
    """A primary key as raw SQL takes it (Django stores UUIDs in SQLite as 32 hex chars)."""
    return value.hex if connection.vendor == "sqlite" and isinstance(value, uuid.UUID) else value


def _stamp(workspace) -> tuple[int, int] | None:
    """(content_version, generation) of the workspace's index, by one primary-key read."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content_version, generation FROM guidance_searchindexstate WHERE workspace_id = %s",
            [_db_id(workspace.pk)],
        )
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else None


def bump_generation(workspace) -> None:
    """Invalidate every process's cached vocabulary, synonyms, parsed queries and weights."""
    _bump_generation(workspace.pk)


def workspace_index(workspace) -> WorkspaceIndex:
    """The workspace's search state, re-syncing the index first when content changed."""
    stamp = _stamp(workspace)
    if stamp is None or stamp[0] != workspace.content_version:
        sync_index(workspace)
        stamp = _stamp(workspace)
    generation = stamp[1] if stamp else 0
    key = str(workspace.pk)
    cached = _states.get(key)
    if cached is not None and cached.generation == generation:
        return cached
    terms = sorted(SearchTerm.objects.for_workspace(workspace).values_list("term", flat=True))
    buckets: dict[tuple[int, str], list[str]] = {}
    for t in terms:
        buckets.setdefault((len(t), t[0]), []).append(t)
    ws_docs = SearchDoc.objects.for_workspace(workspace).count()
    all_docs = SearchDoc.objects.count()
    state = WorkspaceIndex(
        generation=generation,
        sorted_terms=terms,
        buckets=buckets,
        vocab=frozenset(terms),
        synonyms=_synonym_groups(workspace),
        use_ws_token=ws_docs * 2 < all_docs,
    )
    with _state_lock:
        _states[key] = state
    return state


def _has_prefix(sorted_terms: list[str], prefix: str) -> bool:
    i = bisect.bisect_left(sorted_terms, prefix)
    return i < len(sorted_terms) and sorted_terms[i].startswith(prefix)


def _correct(word: str, alts: list[str], sorted_terms, buckets) -> str | None:
    """The indexed term closest to an unknown word, or None."""
    stem = alts[0]
    # A known term the word starts with: "opportunit" -> "opportun".
    for k in range(len(stem) - 1, 3, -1):
        i = bisect.bisect_left(sorted_terms, stem[:k])
        if i < len(sorted_terms) and sorted_terms[i] == stem[:k]:
            return stem[:k]
    limit = 1 if len(stem) <= 5 else 2
    if len(stem) < 3:
        return None
    # Candidates share the first letter and are within `limit` of the length; the first
    # closest one wins (shorter lengths first). rapidfuzz computes the Damerau-Levenshtein
    # (optimal string alignment) distances in C: a 50,000-term vocabulary has thousands.
    candidates = [
        t
        for length in range(len(stem) - limit, len(stem) + limit + 1)
        for t in buckets.get((length, stem[0]), ())
    ]
    found = rf_process.extractOne(
        stem, candidates, scorer=rf_distance.OSA.distance, score_cutoff=limit
    )
    return found[0] if found else None


def _synonym_groups(workspace) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for term, alternatives in Synonym.objects.for_workspace(workspace).values_list(
        "term", "alternatives"
    ):
        words = {term.lower(), *[str(a).lower() for a in alternatives]}
        for w in words:
            groups.setdefault(w, set()).update(words)
    return groups


def parse_query(workspace, query: str, state: WorkspaceIndex | None = None) -> ParsedQuery:
    state = state or workspace_index(workspace)
    cached = state.parsed.get(query)
    if cached is not None:
        state.parsed.move_to_end(query)
        return cached
    parsed = _parse(state, query)
    with _state_lock:
        state.parsed[query] = parsed
        while len(state.parsed) > PARSED_CACHE_SIZE:
            state.parsed.popitem(last=False)
    return parsed


def _parse(state: WorkspaceIndex, query: str) -> ParsedQuery:
    words = [w for w in textmod.tokens(query)][: MAX_QUERY_WORDS * 2]
    meaningful = [w for w in words if w not in textmod.STOP_WORDS] or words
    meaningful = meaningful[:MAX_QUERY_WORDS]
    synonyms, sorted_terms, buckets, vocab = (
        state.synonyms,
        state.sorted_terms,
        state.buckets,
        state.vocab,
    )
    groups: list[list[str]] = []
    corrected: dict[str, str] = {}
    for position, word in enumerate(meaningful):
        alts = textmod.query_alternatives(word)
        for syn in sorted(synonyms.get(word, ())):
            for part in textmod.tokens(syn):
                alts.extend(a for a in textmod.query_alternatives(part) if a not in alts)
        if sorted_terms and not any(_has_prefix(sorted_terms, a) for a in alts):
            fix = _correct(word, alts, sorted_terms, buckets)
            if fix:
                corrected[word] = fix
                alts = [fix]
            elif not synonyms.get(word):
                continue  # a word nothing is indexed under cannot match; drop it
        # Whole known words match exactly; the word being typed (the last) and partial
        # words ("opp") match as prefixes. Prefixes of common stems touch many rows.
        is_last = position == len(meaningful) - 1
        if any(a in vocab for a in alts):
            # An alternative that is not a term (e.g. the Hungarian stem of an English
            # word) would only match as a prefix of unrelated terms.
            alts = [a for a in alts if a in vocab]
        alts = [a if a in vocab and not (is_last and len(a) < 4) else a + "*" for a in alts]
        groups.append(alts)
    return ParsedQuery(groups=groups, corrected=corrected)


# --- querying ---------------------------------------------------------------------------
#
# Scoring is what grows with the corpus: both engines score every match before taking
# the top few. So no query scores more than MAX_SCORED matches. A cheap probe reads the
# newest MAX_SCORED + 1 matching row ids (no scoring). If there are no more than that,
# all of them are scored (the exact answer). If there are more -- the query's words are
# so common that they say little -- the candidates are the newest MAX_SCORED matches plus
# the newest MAX_SCORED units with the words in their title (title matches score higher,
# as in the exact case). Any-word matching scores each word on its own, the same way, and
# adds the scores up (BM25 is a sum over terms), so a rare word's units are never crowded
# out by a common word's.

MAX_SCORED = 1000


def _fts5_term(alt: str) -> str:
    return f'"{alt[:-1]}"*' if alt.endswith("*") else f'"{alt}"'


def _fts5_expr(groups: list[list[str]]) -> str:
    return " AND ".join("(" + " OR ".join(_fts5_term(a) for a in alts) + ")" for alts in groups)


def _pg_expr(groups: list[list[str]], weight: str = "") -> str:
    suffix = f":{weight}" if weight else ""
    return " & ".join(
        "("
        + " | ".join(f"{a[:-1]}:*{weight}" if a.endswith("*") else f"{a}{suffix}" for a in alts)
        + ")"
        for alts in groups
    )


def _fts5_scored(
    workspace, state: WorkspaceIndex, expr: str, limit: int, skip_broad: bool = False
) -> list[tuple[str, float]] | None:
    """(unit id, raw BM25, higher is better) of the best matches of one FTS5 expression;
    None when `skip_broad` and it matches more than MAX_SCORED units."""
    if state.use_ws_token:
        ws_token = _ws_token(workspace.pk)
        scope, scope_args = "", []

        def scoped(e: str) -> str:
            return f'ws_token : "{ws_token}" AND ({e})'
    else:
        scope, scope_args = " AND d.workspace_id = %s", [_db_id(workspace.pk)]

        def scoped(e: str) -> str:
            return e

    match = scoped(expr)
    join = " JOIN guidance_searchdoc d ON d.id = f.rowid" if scope else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.rowid FROM guidance_searchfts f{join} WHERE guidance_searchfts MATCH %s{scope} "
            "ORDER BY f.rowid DESC LIMIT %s",
            [match, *scope_args, MAX_SCORED + 1],
        )
        probe = [r[0] for r in cursor.fetchall()]
        if not probe:
            return []
        if skip_broad and len(probe) > MAX_SCORED:
            return None
        windows = [(match, probe[min(len(probe), MAX_SCORED) - 1])]
        if len(probe) > MAX_SCORED:
            title_match = scoped(f"title_terms : ({expr})")
            cursor.execute(
                f"SELECT f.rowid FROM guidance_searchfts f{join} WHERE guidance_searchfts MATCH %s{scope} "
                "ORDER BY f.rowid DESC LIMIT %s",
                [title_match, *scope_args, MAX_SCORED],
            )
            title_probe = [r[0] for r in cursor.fetchall()]
            if title_probe:
                windows.append((title_match, title_probe[-1]))
        best: dict[str, float] = {}
        for window_match, lowest in windows:
            cursor.execute(
                "SELECT d.unit_id, bm25(guidance_searchfts, 0.0, 3.0, 1.0) AS r FROM guidance_searchfts f "
                f"JOIN guidance_searchdoc d ON d.id = f.rowid WHERE guidance_searchfts MATCH %s{scope} "
                "AND f.rowid >= %s ORDER BY r LIMIT %s",
                [window_match, *scope_args, lowest, limit],
            )
            for unit_id, r in cursor.fetchall():
                # SQLite returns UUIDs as 32 hex chars; FTS5's BM25 is negative-is-better.
                uid = _uuid_str(str(unit_id))
                best[uid] = max(best.get(uid, 0.0), max(-float(r), 0.0))
    return sorted(best.items(), key=lambda kv: -kv[1])[:limit]


# PostgreSQL reads each match's row from the heap (wide rows: one or two per page) to
# test and rank it, so it scores fewer matches than SQLite, which ranks from the index.
MAX_SCORED_PG = 300

# One statement per pass: the inner LIMIT stops the bitmap heap scan after
# MAX_SCORED_PG + 1 rows, so no pass reads more rows than that whatever the corpus. The
# workspace condition is written (a cast) so that no other index applies; it filters the
# GIN matches. The rank reads the query with the workspace token, which sits before the
# title in every document, so cover density favours matches near the start (title,
# summary).
_PG_PASS = (
    "SELECT unit_id, ts_rank_cd(tsv, to_tsquery('simple', %s)) AS r, count(*) OVER () AS matches "
    "FROM (SELECT unit_id, tsv FROM guidance_searchdoc WHERE {matches} @@ to_tsquery('simple', %s) "
    "AND workspace_id::text = %s LIMIT %s) m ORDER BY r DESC LIMIT %s"
)
# All terms, through the GIN index over `tsv`.
_PG_ALL = _PG_PASS.format(matches="tsv")
# Title terms, through the GIN index over the title alone (migration 0003): the main
# index stores no weights, so `tsv @@ 'word:A'` would recheck the row of every match.
_PG_TITLE = _PG_PASS.format(matches="to_tsvector('simple', title_terms)")


@contextmanager
def bitmap_scans_only():
    """Within this block, PostgreSQL reads tables only through bitmap index scans.

    For statements that only an index keeps cheap whatever the planner believes: it
    underestimates what evaluating `tsv @@ query` costs per row, and with a LIMIT it
    would scan the table, testing every row, hoping to stop early. The settings are SET
    LOCAL, so they end with the transaction; inside a caller's transaction they are
    reset on the way out, so the caller's later statements plan as usual.
    """
    if connection.vendor != "postgresql":
        yield
        return
    is_nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        yield
        if is_nested:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_seqscan; RESET enable_indexscan")


def _pg_scored(
    workspace,
    groups: list[list[str]],
    limit: int,
    *,
    skip_broad: bool = False,
    first_passes: dict | None = None,
) -> list[tuple[str, float]] | None:
    """(unit id, raw ts_rank_cd) of the best matches of the stem groups; None when
    `skip_broad` and they match more than MAX_SCORED_PG units. Runs inside bitmap_scans_only.

    With more matches than MAX_SCORED_PG (a query of common words) the candidates are
    the first ones in table order plus as many with the words in their title.
    `first_passes` keeps the rows of the all-terms pass per query, so scoring a word
    that was skipped as broad does not run that pass again.
    """
    tsquery = _pg_expr(groups)
    token, ws = _ws_token(workspace.pk), str(workspace.pk)
    best: dict[str, float] = {}
    first_passes = {} if first_passes is None else first_passes
    with connection.cursor() as cursor:
        key = (tsquery, limit)
        if key not in first_passes:
            cursor.execute(
                _PG_ALL, [f"{token} & ({tsquery})", tsquery, ws, MAX_SCORED_PG + 1, limit]
            )
            first_passes[key] = cursor.fetchall()
        rows = list(first_passes[key])
        is_broad = bool(rows) and rows[0][2] > MAX_SCORED_PG
        if is_broad and skip_broad:
            return None
        if is_broad:
            # Ranked on the title lexemes only, as `tsv @@ 'word:A'` would match them.
            title_rank = f"{token} & ({_pg_expr(groups, 'A')})"
            cursor.execute(_PG_TITLE, [title_rank, tsquery, ws, MAX_SCORED_PG + 1, limit])
            rows += cursor.fetchall()
    for unit_id, r, _ in rows:
        uid = str(unit_id)
        best[uid] = max(best.get(uid, 0.0), float(r))
    return sorted(best.items(), key=lambda kv: -kv[1])[:limit]


def _scored(
    workspace,
    state: WorkspaceIndex,
    groups: list[list[str]],
    limit: int,
    skip_broad: bool = False,
    first_passes: dict | None = None,
) -> list[tuple[str, float]] | None:
    if connection.vendor == "postgresql":
        return _pg_scored(
            workspace, groups, limit, skip_broad=skip_broad, first_passes=first_passes
        )
    return _fts5_scored(workspace, state, _fts5_expr(groups), limit, skip_broad=skip_broad)


def run_query(
    workspace,
    groups: list[list[str]],
    *,
    mode: str = "or",
    limit: int = 50,
    state: WorkspaceIndex | None = None,
) -> list[Hit]:
    """Unit ids matching the stem groups (all of them, or any), best first, with a
    relevance score in [0, 1)."""
    groups = [[a for a in alts if a and a.rstrip("*").isalnum()] for alts in groups]
    groups = [g for g in groups if g]
    if not groups:
        return []
    state = state or workspace_index(workspace)
    key = (mode, tuple(tuple(g) for g in groups), limit)
    cached = state.hits.get(key)
    if cached is not None:
        state.hits.move_to_end(key)
        return [Hit(unit_id=h.unit_id, score=h.score) for h in cached]
    hits = _run_query(workspace, state, groups, mode, limit)
    with _state_lock:
        state.hits[key] = hits
        while len(state.hits) > PARSED_CACHE_SIZE:
            state.hits.popitem(last=False)
    return [Hit(unit_id=h.unit_id, score=h.score) for h in hits]


def _run_query(
    workspace, state: WorkspaceIndex, groups: list[list[str]], mode: str, limit: int
) -> list[Hit]:
    with bitmap_scans_only():
        raw = _raw_scores(workspace, state, groups, mode, limit)
    ranked = sorted(raw.items(), key=lambda kv: -kv[1])[:limit]
    # Both raw scores are unbounded; map to [0, 1).
    half = 0.5 if connection.vendor == "postgresql" else 2.0
    return [Hit(unit_id=u, score=r / (r + half)) for u, r in ranked]


def _raw_scores(
    workspace, state: WorkspaceIndex, groups: list[list[str]], mode: str, limit: int
) -> dict[str, float]:
    if mode == "and" or len(groups) == 1:
        raw = dict(_scored(workspace, state, groups, limit) or [])
    else:
        # Each word on its own. A word in more than MAX_SCORED units adds little that the
        # all-words pass has not found; it is scored only when no word is rarer.
        raw, broad = {}, []
        first_passes: dict = {}
        for group in groups:
            scored = _scored(
                workspace, state, [group], max(limit, 30), True, first_passes=first_passes
            )
            if scored is None:
                broad.append(group)
            for uid, r in scored or []:
                raw[uid] = raw.get(uid, 0.0) + r
        if len(broad) == len(groups):
            for group in broad:
                for uid, r in (
                    _scored(workspace, state, [group], max(limit, 30), first_passes=first_passes)
                    or []
                ):
                    raw[uid] = raw.get(uid, 0.0) + r
    return raw


def _uuid_str(value: str) -> str:
    if len(value) == 32 and "-" not in value:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value


def search(
    workspace, query: str, *, limit: int = 20, state: WorkspaceIndex | None = None
) -> tuple[list[Hit], ParsedQuery]:
    """Units matching `query`: all words first; if that finds too few, any word.

    `state` is the workspace's index state when the caller already read it this request.
    """
    state = state or workspace_index(workspace)
    parsed = parse_query(workspace, query, state)
    if not parsed.groups:
        return [], parsed
    hits = run_query(workspace, parsed.groups, mode="and", limit=limit, state=state)
    if len(hits) < min(limit, MIN_ALL_WORD_HITS) and len(parsed.groups) > 1:
        seen = {h.unit_id for h in hits}
        # Any-word matches rank below all-word matches.
        hits += [
            Hit(unit_id=h.unit_id, score=h.score * 0.6)
            for h in run_query(workspace, parsed.groups, mode="or", limit=limit, state=state)
            if h.unit_id not in seen
        ]
    return hits[:limit], parsed


# --- snippets ----------------------------------------------------------------------------


def snippet(text: str, groups: list[list[str]], locale: str = "en", *, words: int = 28) -> str:
    """A short excerpt around the densest run of matches, HTML-escaped, matches in <mark>."""
    alts = tuple(a.rstrip("*") for g in groups for a in g)
    language = textmod.language_for(locale)
    pieces = text.split()[:SNIPPET_SCAN_WORDS]
    if not pieces:
        return ""
    seen: dict[str, bool] = {}
    # Stemmers only change a word's ending, so a word whose first two letters start no
    # alternative cannot match: most words are rejected without stemming them.
    heads = tuple({a[:2] for a in alts})

    def is_match(piece: str) -> bool:
        hit = seen.get(piece)
        if hit is None:
            toks = textmod.WORD_RE.findall(piece.lower())
            hit = any(
                t.startswith(heads)
                and (t.startswith(alts) or textmod.stem(t, language).startswith(alts))
                for t in toks
            )
            seen[piece] = hit
        return hit

    flags = [is_match(piece) for piece in pieces] if alts else [False] * len(pieces)
    window_count = sum(flags[:words])
    best_count, best_start = window_count, 0
    for start in range(1, max(1, len(pieces) - words + 1)):
        window_count += flags[start + words - 1] - flags[start - 1]
        if window_count > best_count:
            best_count, best_start = window_count, start
    # Start the window a little before the first match so it reads as a phrase.
    first = next(
        (i for i in range(best_start, min(len(pieces), best_start + words)) if flags[i]), best_start
    )
    start = max(0, min(best_start, first - 3))
    out = []
    for i in range(start, min(len(pieces), start + words)):
        piece = html.escape(pieces[i])
        out.append(f"<mark>{piece}</mark>" if flags[i] else piece)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(pieces) else ""
    return prefix + " ".join(out) + suffix


def snippet_texts(unit_ids: list) -> dict[str, str]:
    """The indexed text of these units, in one query."""
    return {
        str(u): t
        for u, t in SearchDoc.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "text")
    }
