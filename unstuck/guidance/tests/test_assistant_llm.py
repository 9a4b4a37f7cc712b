"""The optional LLM writer, against a local server speaking the OpenAI chat protocol."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from unstuck.guidance import services

from .factories import make_person, make_unit


class FakeOpenAI(BaseHTTPRequestHandler):
    requests: list[dict] = []
    mode = "ok"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeOpenAI.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        if FakeOpenAI.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        text = "Open the deal and pick the stage [1]."
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in ("Open the deal ", "and pick the stage [1]."):
                chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            return
        payload = json.dumps(
            {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def llm(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeOpenAI.requests, FakeOpenAI.mode = [], "ok"
    settings.LLM_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings.LLM_MODEL = "local-model"
    settings.LLM_API_KEY = "sk-test"
    settings.LLM_TIMEOUT_S = 5
    yield FakeOpenAI
    server.shutdown()
    server.server_close()


@pytest.fixture
def unit(ws_a):
    return make_unit(
        ws_a, "stage", "Choosing the stage", summary="Pick the stage that matches the deal."
    )


def test_the_llm_writes_a_grounded_cited_answer(llm, ws_a, unit):
    result = services.answer_question(
        workspace=ws_a, person=make_person(ws_a, "p"), question="How do I pick a stage?"
    )
    assert result["mode"] == "llm" and result["answer"] == "Open the deal and pick the stage [1]."
    assert result["citations"][0]["unit_id"] == str(unit.id)
    sent = llm.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-test"
    assert sent["body"]["model"] == "local-model"
    assert "[1] Choosing the stage" in sent["body"]["messages"][1]["content"]
    assert "ONLY the numbered sources" in sent["body"]["messages"][0]["content"]


def test_the_llm_answer_streams(llm, ws_a, unit):
    events = list(services.stream_answer(workspace=ws_a, person=None, question="pick a stage"))
    deltas = [e["text"] for e in events if e["type"] == "delta"]
    assert deltas == ["Open the deal ", "and pick the stage [1]."]
    assert events[-1]["mode"] == "llm" and llm.requests[0]["body"]["stream"] is True


def test_it_falls_back_to_extractive_when_the_llm_fails(llm, ws_a, unit):
    llm.mode = "error"
    result = services.answer_question(
        workspace=ws_a, person=None, question="How do I pick a stage?"
    )
    assert result["mode"] == "extractive" and result["found"] is True and "[1]" in result["answer"]


def test_the_llm_is_not_called_when_no_unit_covers_the_question(llm, ws_a, unit):
    result = services.answer_question(workspace=ws_a, person=None, question="parking garage rules")
    assert result["found"] is False and llm.requests == []
