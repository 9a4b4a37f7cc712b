"""Small helpers for writing content as data."""

from __future__ import annotations


def vtt(cues: list[tuple[int, int, str]]) -> str:
    """A WebVTT document from (start_s, end_s, text) cues."""

    def stamp(s: int) -> str:
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}.000"

    blocks = [f"{stamp(a)} --> {stamp(b)}\n{text}" for a, b, text in cues]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def steps(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"title": title, "body": body} for title, body in pairs]


def question(prompt: str, *choices: tuple[str, bool, str]) -> dict:
    """A quiz question; each choice is (text, is_correct, feedback)."""
    return {
        "prompt": prompt,
        "choices": [
            {"text": text, "correct": correct, "feedback": feedback}
            for text, correct, feedback in choices
        ],
    }


def md_sections(md: str, first_title: str) -> list[dict[str, str]]:
    """Quick-reference sections from Markdown split at `### ` headings.

    Text before the first heading becomes a section named `first_title`.
    """
    sections: list[dict[str, str]] = []
    title, lines = first_title, list[str]()
    for line in md.splitlines():
        if line.startswith("### "):
            if "".join(lines).strip():
                sections.append({"title": title, "body": "\n".join(lines).strip() + "\n"})
            title, lines = line[4:].strip(), []
        else:
            lines.append(line)
    if "".join(lines).strip():
        sections.append({"title": title, "body": "\n".join(lines).strip() + "\n"})
    return sections


OUTCOMES = {"success": "good", "partial": "ok", "failure": "bad"}


def scenario(start: str, nodes: list[dict]) -> dict:
    """A scenario payload from dialogue nodes, where an ending is written as its own node
    (`{"id", "text", "outcome": "success" | "partial" | "failure"}`).

    The content kind ends a scenario on a choice, so each choice leading to an ending
    gets the ending's outcome and its text appended to the choice's feedback.
    """
    endings = {n["id"]: n for n in nodes if "outcome" in n}
    out_nodes = []
    for node in nodes:
        if node["id"] in endings:
            continue
        speaker, text = "", node["text"]
        head, sep, rest = text.partition(": ")
        if sep and len(head) < 40 and rest.startswith(('"', "„")):
            speaker, text = head, rest
        choices = []
        for choice in node["choices"]:
            choice = dict(choice)
            ending = endings.get(choice.get("next", ""))
            if ending is not None:
                del choice["next"]
                choice["outcome"] = OUTCOMES[ending["outcome"]]
                choice["feedback"] = (choice.get("feedback", "") + " " + ending["text"]).strip()
            choices.append(choice)
        out_nodes.append({"id": node["id"], "speaker": speaker, "text": text, "choices": choices})
    return {"start": start, "nodes": out_nodes}
