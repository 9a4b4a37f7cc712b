"""Make the demo's video and audio files from the units' WebVTT transcripts.

Run once by a maintainer when a demo transcript changes; the output is committed next to
this script and copied into MEDIA_ROOT/demo/ by `load_demo_workspace()`. Neither ffmpeg
nor espeak-ng is needed to run Unstuck, only to remake these files:

    apt-get install -y ffmpeg espeak-ng
    .venv/bin/python unstuck/demo/media/make_media.py [slug ...]

For each demo unit of kind video or audio it synthesises every cue with espeak-ng,
places the speech at the cue's start (cut at the cue's end), pads the track to the unit's
`length_s`, and encodes it: videos as WebM (VP9 slides: the current chapter title and cue
text, white on dark blue, 640x360, two frames a second; Opus voice), audio as MP3. The
file name is the basename of the unit's `payload.source`.
"""

from __future__ import annotations

import array
import re
import subprocess
import sys
import tempfile
import textwrap
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from unstuck.demo.content import all_units  # noqa: E402

RATE = 22050  # espeak-ng's native rate; mono, 16-bit
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
BACKGROUND = "0x1b2a4a"
VOICE = {"en": "en-us", "hu": "hu"}
TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")


def seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def cues(vtt: str) -> list[tuple[float, float, str]]:
    """(start_s, end_s, text) for each cue of a WebVTT document."""
    out = []
    for block in re.split(r"\n\s*\n", vtt.strip()):
        lines = block.strip().splitlines()
        for i, line in enumerate(lines):
            match = TIMING.match(line)
            if match:
                text = " ".join(part.strip() for part in lines[i + 1 :])
                text = re.sub(r"<[^>]+>", "", text)  # voice spans like <v Dana>
                out.append((seconds(match[1]), seconds(match[2]), text))
                break
    return out


def speak(text: str, voice: str, workdir: Path) -> array.array:
    path = workdir / "cue.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == RATE and wav.getnchannels() == 1 and wav.getsampwidth() == 2
        samples = array.array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
    return samples


def narration(unit: dict, workdir: Path) -> Path:
    """A WAV of exactly `length_s` seconds with each cue spoken from its start time."""
    length_s = unit["payload"]["length_s"]
    voice = VOICE.get(unit.get("locale", "en"), "en-us")
    track = array.array("h", bytes(2 * RATE * length_s))
    for start, end, text in cues(unit["payload"]["transcript_vtt"]):
        speech = speak(text, voice, workdir)
        first = int(start * RATE)
        last = min(int(end * RATE), len(track))
        if first + len(speech) > last:
            print(f"  cue at {start:.0f}s is {len(speech) / RATE:.1f}s long, cut at {end:.0f}s")
        speech = speech[: max(0, last - first)]
        track[first : first + len(speech)] = speech
    path = workdir / "narration.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(track.tobytes())
    return path


def _escape(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def slide_filters(unit: dict, workdir: Path) -> str:
    """drawtext filters: the chapter title at the top, the current cue's words below."""
    payload = unit["payload"]
    length_s = payload["length_s"]
    filters = []
    chapters = payload.get("chapters") or [{"start_s": 0, "title": unit["title"]}]
    for i, chapter in enumerate(chapters):
        end = chapters[i + 1]["start_s"] if i + 1 < len(chapters) else length_s
        textfile = workdir / f"chapter{i}.txt"
        textfile.write_text("\n".join(textwrap.wrap(chapter["title"], 34)))
        filters.append(
            f"drawtext=fontfile={BOLD}:textfile='{_escape(textfile)}':fontcolor=white:fontsize=30:"
            f"x=40:y=36:line_spacing=6:enable='between(t,{chapter['start_s']},{end - 0.01})'"
        )
    filters.append("drawbox=x=40:y=118:w=120:h=4:color=0x6ea8fe:t=fill")
    for i, (start, end, text) in enumerate(cues(payload["transcript_vtt"])):
        textfile = workdir / f"cue{i}.txt"
        textfile.write_text("\n".join(textwrap.wrap(text, 40)))
        filters.append(
            f"drawtext=fontfile={FONT}:textfile='{_escape(textfile)}':fontcolor=white:fontsize=24:"
            f"x=40:y=150:line_spacing=10:enable='between(t,{start},{end - 0.01})'"
        )
    footer = workdir / "footer.txt"
    footer.write_text(unit["title"])
    filters.append(
        f"drawtext=fontfile={FONT}:textfile='{_escape(footer)}':fontcolor=0xb8c7e0:"
        "fontsize=14:x=40:y=h-34"
    )
    return ",".join(filters)


def make(unit: dict, out_dir: Path) -> Path:
    name = Path(unit["payload"]["source"]).name
    target = out_dir / name
    length_s = unit["payload"]["length_s"]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        voice = narration(unit, workdir)
        common = ["ffmpeg", "-y", "-loglevel", "error"]
        if unit["kind"] == "video":
            cmd = [
                *common,
                "-f", "lavfi", "-i", f"color=c={BACKGROUND}:s=640x360:r=2:d={length_s}",
                "-i", str(voice),
                "-vf", slide_filters(unit, workdir),
                "-c:v", "libvpx-vp9", "-crf", "45", "-b:v", "0", "-g", "20", "-row-mt", "1",
                "-deadline", "good", "-cpu-used", "4", "-pix_fmt", "yuv420p",
                "-c:a", "libopus", "-b:a", "24k", "-ac", "1",
                "-t", str(length_s), "-map_metadata", "-1", str(target),
            ]  # fmt: skip
        else:
            cmd = [
                *common, "-i", str(voice),
                "-c:a", "libmp3lame", "-b:a", "32k", "-ac", "1", "-ar", "22050",
                "-t", str(length_s), "-map_metadata", "-1", str(target),
            ]  # fmt: skip
        subprocess.run(cmd, check=True)
    return target


def media_units(slugs: list[str] | None = None) -> list[dict]:
    return [
        unit
        for unit in all_units()
        if unit["kind"] in ("video", "audio")
        and not unit["payload"]["source"].startswith(("http://", "https://"))
        and (not slugs or unit["slug"] in slugs)
    ]


def main(argv: list[str]) -> None:
    for unit in media_units(argv):
        print(f"{unit['slug']}: {unit['payload']['length_s']} s")
        target = make(unit, HERE)
        print(f"  -> {target.relative_to(HERE)} {target.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
