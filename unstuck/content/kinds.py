"""The payload of each unit kind: one pydantic model per kind.

`validate_payload(kind, payload)` returns the normalised payload (ids filled in,
defaults applied) or raises `ApiError` naming the exact field (`payload.steps.2.title`).
Fields ending in `_html` are derived: they are filled from the Markdown next to them
by `rendering.render_payload` on save, and whatever a client sends there is replaced.
"""

from __future__ import annotations

from collections import deque
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from unstuck.errors import ApiError

Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Markdown = Annotated[str, Field(max_length=20000)]
NodeId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Seconds = Annotated[float, Field(ge=0, le=24 * 3600)]
Source = Annotated[str, Field(min_length=1, max_length=2000)]


class PayloadError(ValueError):
    """A cross-field rule broken inside a payload; `loc` is the path below `payload`."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_source(value: str, loc: tuple) -> None:
    """A media source is an http(s) URL or a path inside the media folder."""
    low = value.lower()
    if low.startswith(("http://", "https://")):
        return
    if ":" in value.split("/")[0] or value.startswith("/") or ".." in value.split("/"):
        raise PayloadError(loc, "use an http(s) URL or a relative path inside the media folder")


# --- guide ----------------------------------------------------------------------------


class GuideStep(Strict):
    title: ShortText
    body: Markdown = ""
    body_html: str = ""
    image: str | None = Field(
        None, max_length=2000, description="URL or media path of a screenshot"
    )
    selector: str | None = Field(
        None, max_length=500, description="CSS selector of the element this step is about"
    )


class GuidePayload(Strict):
    """Ordered steps."""

    steps: list[GuideStep] = Field(..., min_length=1, max_length=50)

    @model_validator(mode="after")
    def _images(self):
        for i, step in enumerate(self.steps):
            if step.image:
                _check_source(step.image, ("steps", i, "image"))
        return self


# --- video and audio ------------------------------------------------------------------


class Chapter(Strict):
    title: ShortText
    start_s: Seconds


def parse_webvtt(text: str) -> list[dict[str, Any]]:
    """Cues of a WebVTT transcript as [{start_s, end_s, text}]; ValueError if malformed."""
    import webvtt

    if "\x00" in text:
        raise ValueError("contains NUL characters")
    try:
        vtt = webvtt.from_string(text)
    except Exception as exc:  # webvtt raises MalformedFileError / MalformedCaptionError
        raise ValueError(f"not valid WebVTT ({exc or 'invalid format'})") from exc
    cues = [
        {"start_s": _timestamp_s(c.start), "end_s": _timestamp_s(c.end), "text": c.text}
        for c in vtt.captions
    ]
    if not cues:
        raise ValueError(
            "not valid WebVTT: no cues (each cue needs a `00:00:01.000 --> 00:00:04.000` line)"
        )
    for i, cue in enumerate(cues):
        if float(cue["end_s"]) < float(cue["start_s"]):  # type: ignore[arg-type]
            raise ValueError(f"not valid WebVTT: cue {i + 1} ends before it starts")
    return cues


def _timestamp_s(stamp: str) -> float:
    """`hh:mm:ss.ttt` (or `mm:ss.ttt`) to seconds."""
    seconds = 0.0
    for part in stamp.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _check_media(payload: Any, *, transcript_field: str) -> None:
    _check_source(payload.source, ("source",))
    vtt = getattr(payload, transcript_field)
    if vtt:
        try:
            cues = parse_webvtt(vtt)
        except ValueError as exc:
            raise PayloadError((transcript_field,), str(exc)) from exc
        if payload.length_s and cues[-1]["end_s"] > payload.length_s + 1:
            raise PayloadError(
                (transcript_field,), f"the last cue ends at {cues[-1]['end_s']:g} s, after length_s"
            )
    previous = -1.0
    for i, chapter in enumerate(payload.chapters):
        if chapter.start_s <= previous:
            raise PayloadError(
                ("chapters", i, "start_s"), "chapters must start in increasing order"
            )
        if chapter.start_s >= payload.length_s:
            raise PayloadError(
                ("chapters", i, "start_s"), "a chapter must start before the end (length_s)"
            )
        previous = chapter.start_s


class VideoPayload(Strict):
    """A video file or URL, its length, a WebVTT transcript and chapters."""

    source: Source = Field(..., description="http(s) URL or a path inside the media folder")
    length_s: float = Field(..., gt=0, le=24 * 3600)
    transcript_vtt: str = Field("", max_length=500_000, description="WebVTT text")
    chapters: list[Chapter] = Field(default_factory=list, max_length=100)
    poster: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _rules(self):
        _check_media(self, transcript_field="transcript_vtt")
        return self


class AudioPayload(Strict):
    """An audio file or URL, its length and a transcript (plain text and/or WebVTT)."""

    source: Source
    length_s: float = Field(..., gt=0, le=24 * 3600)
    transcript: str = Field("", max_length=500_000)
    transcript_vtt: str = Field("", max_length=500_000)
    chapters: list[Chapter] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _rules(self):
        _check_media(self, transcript_field="transcript_vtt")
        return self


# --- checklist ------------------------------------------------------------------------


class ChecklistItem(Strict):
    id: NodeId | None = None
    text: Text
    required: bool = False
    details: Markdown = ""
    details_html: str = ""


class ChecklistPayload(Strict):
    """A job aid: items to tick, some required. Progress is kept per person; printable."""

    items: list[ChecklistItem] = Field(default_factory=list, max_length=100)
    printable: bool = True

    @model_validator(mode="after")
    def _ids(self):
        _fill_ids(self.items, "items", prefix="i")
        return self


# --- process map ----------------------------------------------------------------------


class ProcessNode(Strict):
    id: NodeId
    type: Literal["start", "step", "decision", "end"]
    label: ShortText
    description: Markdown = ""
    description_html: str = ""


class ProcessEdge(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    from_: NodeId = Field(..., alias="from")
    to: NodeId
    label: str = Field("", max_length=200)


class ProcessMapPayload(Strict):
    """A flow of steps and decisions, rendered as a diagram."""

    nodes: list[ProcessNode] = Field(..., min_length=2, max_length=100)
    edges: list[ProcessEdge] = Field(..., min_length=1, max_length=300)

    @model_validator(mode="after")
    def _graph(self):
        index: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            if node.id in index:
                raise PayloadError(("nodes", i, "id"), f"duplicate node id {node.id!r}")
            index[node.id] = i
        starts = [i for i, n in enumerate(self.nodes) if n.type == "start"]
        if len(starts) != 1:
            raise PayloadError(
                ("nodes",), f"a process map needs exactly one start node, found {len(starts)}"
            )
        if not any(n.type == "end" for n in self.nodes):
            raise PayloadError(("nodes",), "a process map needs at least one end node")
        out: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for i, edge in enumerate(self.edges):
            for end, key in ((edge.from_, "from"), (edge.to, "to")):
                if end not in index:
                    raise PayloadError(("edges", i, key), f"no node with id {end!r}")
            if self.nodes[index[edge.from_]].type == "end":
                raise PayloadError(("edges", i, "from"), "an end node has no outgoing edges")
            if self.nodes[index[edge.to]].type == "start":
                raise PayloadError(("edges", i, "to"), "no edge may lead back into the start node")
            out[edge.from_].append(edge.to)
        for i, node in enumerate(self.nodes):
            if node.type == "decision":
                labelled = [e for e in self.edges if e.from_ == node.id]
                if len(labelled) < 2:
                    raise PayloadError(
                        ("nodes", i), f"decision {node.id!r} needs at least two outgoing edges"
                    )
                for j, edge in enumerate(self.edges):
                    if edge.from_ == node.id and not edge.label:
                        raise PayloadError(
                            ("edges", j, "label"), "edges leaving a decision need a label"
                        )
            elif node.type != "end" and not out[node.id]:
                raise PayloadError(
                    ("nodes", i), f"{node.id!r} leads nowhere: add an edge or make it an end"
                )
        reached = _reachable(self.nodes[starts[0]].id, out)
        for i, node in enumerate(self.nodes):
            if node.id not in reached:
                raise PayloadError(("nodes", i), f"{node.id!r} cannot be reached from the start")
        # Every node must be able to finish: reverse reachability from the ends.
        back: dict[str, list[str]] = {n.id: [] for n in self.nodes}
        for edge in self.edges:
            back[edge.to].append(edge.from_)
        finishing: set[str] = set()
        for node in self.nodes:
            if node.type == "end":
                finishing |= _reachable(node.id, back)
        for i, node in enumerate(self.nodes):
            if node.id not in finishing:
                raise PayloadError(("nodes", i), f"no end can be reached from {node.id!r}")
        return self


def _reachable(start: str, out: dict[str, list[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in out.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


# --- quick reference ------------------------------------------------------------------


class ReferenceSection(Strict):
    title: ShortText
    body: Markdown = Field(..., min_length=1)
    body_html: str = ""


class QuickReferencePayload(Strict):
    """One printable page of sections."""

    sections: list[ReferenceSection] = Field(..., min_length=1, max_length=30)
    printable: bool = True


# --- quiz -----------------------------------------------------------------------------


class QuizChoice(Strict):
    id: NodeId | None = None
    text: Text
    correct: bool = False
    feedback: str = Field("", max_length=2000)


class QuizQuestion(Strict):
    id: NodeId | None = None
    prompt: Text
    choices: list[QuizChoice] = Field(..., min_length=2, max_length=10)
    explanation: Markdown = ""
    explanation_html: str = ""
    # More than one correct choice makes it a "select all that apply" question.
    multiple: bool | None = None


class QuizPayload(Strict):
    """Questions with choices, correct answers and feedback per choice."""

    questions: list[QuizQuestion] = Field(..., min_length=1, max_length=30)
    pass_ratio: float = Field(
        0.8, gt=0, le=1, description="Share of questions to answer correctly to pass"
    )

    @model_validator(mode="after")
    def _rules(self):
        _fill_ids(self.questions, "questions", prefix="q")
        for i, question in enumerate(self.questions):
            correct = sum(1 for c in question.choices if c.correct)
            if correct == 0:
                raise PayloadError(
                    ("questions", i, "choices"), "mark at least one choice as correct"
                )
            if question.multiple is None:
                question.multiple = correct > 1
            elif not question.multiple and correct > 1:
                raise PayloadError(
                    ("questions", i, "choices"), "a single-answer question has one correct choice"
                )
            _fill_ids(question.choices, ("questions", i, "choices"), prefix="", letters=True)
        return self


# --- scenario -------------------------------------------------------------------------


class ScenarioChoice(Strict):
    id: NodeId | None = None
    text: Text
    feedback: str = Field("", max_length=2000)
    next: NodeId | None = Field(None, description="The node this choice leads to")
    outcome: Literal["good", "ok", "bad"] | None = Field(None, description="Ends the scenario")

    @model_validator(mode="after")
    def _one_way(self):
        if (self.next is None) == (self.outcome is None):
            raise PayloadError(
                (), "give a choice either `next` (a node id) or an `outcome` (good, ok, bad)"
            )
        return self


class ScenarioNode(Strict):
    id: NodeId
    speaker: str = Field("", max_length=100)
    text: Text
    choices: list[ScenarioChoice] = Field(..., min_length=1, max_length=6)


class ScenarioPayload(Strict):
    """A branching dialogue: nodes where someone speaks, choices with feedback that lead
    to another node or end with an outcome (good, ok, bad). Every path ends; no loops."""

    start: NodeId | None = Field(
        None, description="Id of the first node (default: the first in the list)"
    )
    nodes: list[ScenarioNode] = Field(..., min_length=1, max_length=50)
    outcomes: dict[Literal["good", "ok", "bad"], Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=dict, description="Closing text per outcome"
    )

    @model_validator(mode="after")
    def _graph(self):
        index: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            if node.id in index:
                raise PayloadError(("nodes", i, "id"), f"duplicate node id {node.id!r}")
            index[node.id] = i
            _fill_ids(node.choices, ("nodes", i, "choices"), prefix="", letters=True)
        if self.start is None:
            self.start = self.nodes[0].id
        elif self.start not in index:
            raise PayloadError(("start",), f"no node with id {self.start!r}")
        out: dict[str, list[str]] = {}
        for i, node in enumerate(self.nodes):
            out[node.id] = []
            for j, choice in enumerate(node.choices):
                if choice.next is not None:
                    if choice.next not in index:
                        raise PayloadError(
                            ("nodes", i, "choices", j, "next"), f"no node with id {choice.next!r}"
                        )
                    out[node.id].append(choice.next)
        reached = _reachable(self.start, out)
        for i, node in enumerate(self.nodes):
            if node.id not in reached:
                raise PayloadError(
                    ("nodes", i), f"node {node.id!r} cannot be reached from the start"
                )
        if not any(c.outcome for n in self.nodes for c in n.choices):
            raise PayloadError(
                ("nodes",), "at least one choice must end the scenario with an outcome"
            )
        cycle = _find_back_edge(self.start, out)
        if cycle is not None:
            src, dst = cycle
            i = index[src]
            j = next(k for k, c in enumerate(self.nodes[i].choices) if c.next == dst)
            raise PayloadError(
                ("nodes", i, "choices", j, "next"),
                f"leads back to {dst!r}, making a loop; every path must end in an outcome",
            )
        return self


def _find_back_edge(start: str, out: dict[str, list[str]]) -> tuple[str, str] | None:
    """The first edge that closes a cycle (iterative DFS), or None for a DAG."""
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    stack: list[tuple[str, int]] = [(start, 0)]
    state[start] = 1
    while stack:
        node, k = stack[-1]
        children = out.get(node, [])
        if k < len(children):
            stack[-1] = (node, k + 1)
            child = children[k]
            if state.get(child) == 1:
                return node, child
            if child not in state:
                state[child] = 1
                stack.append((child, 0))
        else:
            state[node] = 2
            stack.pop()
    return None


# --- helpers --------------------------------------------------------------------------


def _fill_ids(items: list, where: str | tuple, *, prefix: str, letters: bool = False) -> None:
    """Give list items stable ids (q1, q2 / a, b, c) where the author gave none; ids are
    what answers and progress refer to, so they must be unique."""
    base = (where,) if isinstance(where, str) else where
    used = {item.id for item in items if item.id}
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id:
            if item.id in seen:
                raise PayloadError((*base, i, "id"), f"duplicate id {item.id!r}")
            seen.add(item.id)
            continue
        n = i
        while True:
            candidate = _letters(n) if letters else f"{prefix}{n + 1}"
            if candidate not in used:
                break
            n += 1
        item.id = candidate
        used.add(candidate)
        seen.add(candidate)


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(97 + rem) + out
    return out


KIND_MODELS: dict[str, type[BaseModel]] = {
    "guide": GuidePayload,
    "video": VideoPayload,
    "audio": AudioPayload,
    "checklist": ChecklistPayload,
    "process_map": ProcessMapPayload,
    "quick_reference": QuickReferencePayload,
    "quiz": QuizPayload,
    "scenario": ScenarioPayload,
}


def check_kind(kind: str, field: str = "kind") -> None:
    if kind not in KIND_MODELS:
        raise ApiError(
            f"{field}: unknown kind {kind!r}; use one of {', '.join(KIND_MODELS)}.", field=field
        )


def validate_payload(kind: str, payload: Any) -> dict[str, Any]:
    """Validate and normalise a payload; raise ApiError with the path below `payload`."""
    check_kind(kind)
    if not isinstance(payload, dict):
        raise ApiError("payload: must be an object.", field="payload")
    try:
        model = KIND_MODELS[kind].model_validate(payload)
    except PayloadError as exc:
        raise _error(exc.loc, exc.message) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        ctx_error = (first.get("ctx") or {}).get("error")
        if isinstance(ctx_error, PayloadError):
            loc = loc + tuple(ctx_error.loc)
            message = ctx_error.message
        else:
            message = first.get("msg", "invalid")
        raise _error(loc, message) from exc
    return model.model_dump(mode="json", by_alias=True)


def _error(loc: tuple, message: str) -> ApiError:
    field = ".".join(["payload", *(str(p) for p in loc)])
    return ApiError(f"{field}: {message}", field=field)


def payload_json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of each kind's payload (for the OpenAPI document and authors)."""
    return {kind: model.model_json_schema(by_alias=True) for kind, model in KIND_MODELS.items()}
