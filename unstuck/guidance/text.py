"""Text handling shared by search, snippets and the assistant: tokenising, stemming
(English and Hungarian snowball stemmers), stop words, and the searchable text of a unit.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import snowballstemmer

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
VTT_TIME_RE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}\s*-->\s*\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}[^\n]*"
)
MD_NOISE_RE = re.compile(r"[#*_`>\[\]()!|~]+")

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "did",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "get",
        "go",
        "want",
        "need",
        "please",
        "help",
        "stuck",
        "cannot",
        "cant",
        "won",
        "t",
        "s",
        "don",
        "doesn",
        "not",
        "no",
        "a",
        "az",
        "és",
        "egy",
        "hogy",
        "is",
        "nem",
        "meg",
        "mi",
        "mit",
        "hol",
        "hogyan",
        "kell",
        "van",
        "vagy",
        "de",
        "ha",
        "ez",
        "az",
    ]
)

# Payload keys that never hold prose a learner reads.
NON_TEXT_KEYS = frozenset(
    {
        "id",
        "url",
        "src",
        "href",
        "type",
        "kind",
        "media_url",
        "poster",
        "mime",
        "correct",
        "next",
        "target",
        "image",
        "selector",
        "element",
        "answer_ids",
        "correct_ids",
        "to",
        "from",
        "start",
        "end",
        "duration_s",
        "score",
        "weight",
        "lang",
        "locale",
    }
)


@functools.lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def language_for(locale: str) -> str:
    return "hungarian" if (locale or "").lower().startswith("hu") else "english"


def tokens(text: str) -> list[str]:
    return [t for t in WORD_RE.findall((text or "").lower()) if not t.isdigit() or len(t) < 5]


@functools.lru_cache(maxsize=200_000)
def stem(token: str, language: str = "english") -> str:
    return _stemmer(language).stemWord(token)[:64]


def terms(text: str, locale: str = "en", *, drop_stop_words: bool = False) -> list[str]:
    language = language_for(locale)
    out = []
    for tok in tokens(text):
        if drop_stop_words and tok in STOP_WORDS:
            continue
        out.append(stem(tok, language))
    return out


def query_alternatives(token: str) -> list[str]:
    """The stems a query word may be indexed under: the English and the Hungarian stem
    (a workspace mixes locales and a short query does not say which it is in)."""
    alts = [stem(token, "english"), stem(token, "hungarian")]
    seen: list[str] = []
    for alt in alts:
        if alt and alt not in seen:
            seen.append(alt)
    return seen


def _collect(value: Any, out: list[str], key: str = "") -> None:
    if key in NON_TEXT_KEYS:
        return
    if isinstance(value, str):
        if value.startswith(("http://", "https://", "/")) and " " not in value:
            return
        out.append(VTT_TIME_RE.sub(" ", value.replace("WEBVTT", " ")))
    elif isinstance(value, dict):
        for k, v in value.items():
            _collect(v, out, str(k))
    elif isinstance(value, list):
        for v in value:
            _collect(v, out, key)


def unit_text(unit) -> str:
    """Everything a learner reads in a unit except its title: summary, body, steps,
    checklist items, quiz questions and choices, transcripts, scenario nodes."""
    parts: list[str] = [unit.summary or "", MD_NOISE_RE.sub(" ", unit.body_md or "")]
    _collect(unit.payload or {}, parts)
    return "\n".join(p.strip() for p in parts if p and p.strip())


def passages(text: str, *, max_words: int = 60) -> list[str]:
    """Split text into short passages (paragraphs, long ones cut at sentence ends)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n(?=\s*(?:\d+[.)]|[-*•])\s)|\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        words = para.split(" ")
        if len(words) <= max_words:
            out.append(para)
            continue
        sentences = re.split(r"(?<=[.!?])\s+", para)
        current: list[str] = []
        for sentence in sentences:
            if current and len(" ".join(current).split(" ")) + len(sentence.split(" ")) > max_words:
                out.append(" ".join(current))
                current = []
            current.append(sentence)
        if current:
            out.append(" ".join(current))
    return out


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, giving up past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        row_min = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
            row_min = min(row_min, cur[j])
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]
