"""Media files for video, audio and guide units: serving `/media/<path>` and storing uploads.

A unit's `payload.source` is an http(s) URL or a path relative to `settings.MEDIA_ROOT`.
Uploaded files live under `MEDIA_ROOT/<workspace-slug>/<uuid4>-<safe-name>`: the
workspace prefix comes from the uploader's actor (never from the request), and the random
uuid makes a path unguessable, so one workspace can neither overwrite nor find another's
files. `/media/` itself needs no login, because embedded players in host apps (possibly
anonymous) must be able to stream the files.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import IO, Literal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from unstuck.errors import ApiError

CHUNK_BYTES = 64 * 1024

# Types we serve inline. Anything else found in MEDIA_ROOT is sent as a download
# (Content-Disposition: attachment) so a stray .html or .svg cannot run as this origin.
INLINE_TYPES = {
    ".webm": "video/webm",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".ogv": "video/ogg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg; codecs=opus",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".vtt": "text/vtt; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}

# An uploaded file's name starts with a uuid4 and is never rewritten: cache it for a year.
# Other files (the demo's, an operator's) may be replaced in place: a day, then revalidate.
IMMUTABLE_NAME = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-"
)
YEAR_S = 365 * 24 * 3600
DAY_S = 24 * 3600


# --- serving --------------------------------------------------------------------------


def media_file(relative: str) -> Path:
    """The file under MEDIA_ROOT for a relative path, or Http404.

    Refuses absolute paths, `..`, hidden segments and symlinks that lead outside the root.
    """
    root = Path(settings.MEDIA_ROOT).resolve()
    parts = relative.split("/")
    if not relative or relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise Http404("No such media file.")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        raise Http404("No such media file.")
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404("No such media file.")
    return path


def _etag(stat: os.stat_result) -> str:
    digest = hashlib.blake2b(
        f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}".encode(), digest_size=8
    )
    return f'"{digest.hexdigest()}"'


def parse_range(header: str, size: int) -> tuple[int, int] | Literal[False] | None:
    """The inclusive byte range a `Range` header asks for.

    Returns (start, end); None when the header should be ignored (not bytes, malformed, or
    several ranges — RFC 9110 lets a server answer those with the whole file); False when
    it is well-formed but unsatisfiable (416).
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        return None
    if first and not first.isdigit() or last and not last.isdigit():
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return False
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


def _read(fh: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    with fh:
        fh.seek(start)
        while length > 0:
            chunk = fh.read(min(CHUNK_BYTES, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk


def _not_modified(request: HttpRequest, etag: str, mtime: float) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return int(mtime) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, OverflowError):
            return False
    return False


def _range_applies(request: HttpRequest, etag: str, last_modified: str) -> bool:
    """If-Range: a range is served only while the client's copy is still the current one."""
    if_range = request.headers.get("If-Range")
    return if_range is None or if_range.strip() in (etag, last_modified)


@require_http_methods(["GET", "HEAD"])
def serve_media(request: HttpRequest, path: str) -> HttpResponse | StreamingHttpResponse:
    """GET/HEAD /media/<path> with byte ranges, validators and cache headers.

    Django 5.2's FileResponse (and django.views.static.serve) ignore the Range header and
    always send the whole file. Browsers' <video>/<audio> need 206 Partial Content to seek
    (Safari refuses to play at all without it), so this small handler does it by hand.
    """
    file = media_file(path)
    stat = file.stat()
    size = stat.st_size
    etag = _etag(stat)
    last_modified = formatdate(stat.st_mtime, usegmt=True)
    suffix = file.suffix.lower()
    content_type = (
        INLINE_TYPES.get(suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    )
    max_age = YEAR_S if IMMUTABLE_NAME.match(file.name) else DAY_S
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": last_modified,
        "Cache-Control": f"public, max-age={max_age}"
        + (", immutable" if max_age == YEAR_S else ""),
        "X-Content-Type-Options": "nosniff",
        # Media is fetched by embedded players on host apps' pages.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if suffix not in INLINE_TYPES:
        # Not a media type (a stray .html or .svg): download it, and never run it as this site.
        # Media types get no CSP: Chromium's built-in player page for a file opened in a tab
        # cannot play it under `sandbox` or `default-src 'none'`.
        headers["Content-Disposition"] = f'attachment; filename="{file.name}"'
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"

    if _not_modified(request, etag, stat.st_mtime):
        not_modified = HttpResponse(status=304)
        for key in ("ETag", "Last-Modified", "Cache-Control"):
            not_modified[key] = headers[key]
        return not_modified

    start, end, status = 0, size - 1, 200
    range_header = request.headers.get("Range")
    if range_header and _range_applies(request, etag, last_modified):
        wanted = parse_range(range_header, size)
        if wanted is False:
            unsatisfiable = HttpResponse(status=416)
            unsatisfiable["Content-Range"] = f"bytes */{size}"
            unsatisfiable["Accept-Ranges"] = "bytes"
            return unsatisfiable
        if wanted:
            start, end = wanted
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    length = max(0, end - start + 1)

    response: HttpResponse | StreamingHttpResponse
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            _read(file.open("rb"), start, length), status=status, content_type=content_type
        )
    for key, value in headers.items():
        response[key] = value
    response["Content-Length"] = str(length)
    return response


# --- storing uploads ------------------------------------------------------------------


@dataclass(frozen=True)
class StoredMedia:
    source: str  # relative to MEDIA_ROOT, for a unit's payload.source
    url: str
    bytes: int
    content_type: str


def _is_webvtt(head: bytes) -> bool:
    head = head.removeprefix(b"\xef\xbb\xbf")
    return head.startswith(b"WEBVTT") and (
        len(head) == 6 or head[6:7] in (b" ", b"\t", b"\n", b"\r")
    )


def _is_mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


# Extension -> (content type, check of the file's first bytes). The extension picks the
# type the browser is told; the magic bytes make sure the content is what it claims.
UPLOAD_TYPES = {
    ".webm": ("video/webm", lambda h: h.startswith(b"\x1a\x45\xdf\xa3")),
    ".mp4": ("video/mp4", lambda h: h[4:8] == b"ftyp"),
    ".m4v": ("video/mp4", lambda h: h[4:8] == b"ftyp"),
    ".m4a": ("audio/mp4", lambda h: h[4:8] == b"ftyp"),
    ".ogv": ("video/ogg", lambda h: h.startswith(b"OggS")),
    ".ogg": ("audio/ogg", lambda h: h.startswith(b"OggS")),
    ".oga": ("audio/ogg", lambda h: h.startswith(b"OggS")),
    ".opus": ("audio/ogg; codecs=opus", lambda h: h.startswith(b"OggS")),
    ".mp3": ("audio/mpeg", _is_mp3),
    ".wav": ("audio/wav", lambda h: h.startswith(b"RIFF") and h[8:12] == b"WAVE"),
    ".vtt": ("text/vtt; charset=utf-8", _is_webvtt),
    ".png": ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".gif": ("image/gif", lambda h: h[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", lambda h: h.startswith(b"RIFF") and h[8:12] == b"WEBP"),
}


def safe_name(filename: str) -> str:
    """`My Demo (final).WEBM` -> `my-demo-final.webm`: ASCII, no path, bounded length."""
    base = os.path.basename(filename.replace("\\", "/"))
    stem, ext = os.path.splitext(base)
    if not ext and base.startswith("."):  # ".webm": splitext sees a hidden file, not an extension
        stem, ext = "", base
    return (slugify(stem)[:80].strip("-") or "file") + ext.lower()


def store_media(*, workspace, upload) -> StoredMedia:
    """Check an uploaded file (type by extension and magic bytes, size) and store it.

    `upload` is a Django UploadedFile. Django has already streamed a large body to a
    temporary file (DATA_UPLOAD_MAX_MEMORY_SIZE does not limit file parts), so the size
    limit is enforced here; a proxy should also cap the body size (docs/operations.md).
    """
    name = safe_name(upload.name or "")
    ext = os.path.splitext(name)[1]
    allowed = ", ".join(sorted(UPLOAD_TYPES))
    if ext not in UPLOAD_TYPES:
        raise ApiError(
            f"file: unsupported type {ext or '(none)'}; upload one of {allowed}.", field="file"
        )
    limit = settings.MAX_MEDIA_BYTES
    if upload.size > limit:
        raise ApiError(
            f"file: {upload.size} bytes is over the limit of {limit} bytes.",
            status=413,
            code="too_large",
            field="file",
        )
    if upload.size == 0:
        raise ApiError("file: the file is empty.", field="file")
    content_type, looks_right = UPLOAD_TYPES[ext]
    upload.seek(0)
    head = upload.read(64)
    if not looks_right(head):
        raise ApiError(f"file: the content is not a {ext} file.", field="file")

    source = f"{workspace.slug}/{uuid.uuid4()}-{name}"
    target = Path(settings.MEDIA_ROOT) / source
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")  # hidden: never served half-written
    upload.seek(0)
    with partial.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    os.chmod(partial, 0o644)
    os.replace(partial, target)
    return StoredMedia(
        source=source, url=settings.MEDIA_URL + source, bytes=upload.size, content_type=content_type
    )


def install_media_files(*, source_dir: Path, prefix: str) -> list[str]:
    """Copy shipped media (e.g. the demo's) into MEDIA_ROOT/<prefix>/; idempotent.

    A file is copied only when missing or different in size or content, so re-running
    keeps validators (and browser caches) stable. Returns the sources copied.
    """
    target_dir = Path(settings.MEDIA_ROOT) / prefix
    target_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for src in sorted(source_dir.iterdir()):
        if src.suffix.lower() not in INLINE_TYPES or not src.is_file():
            continue
        dst = target_dir / src.name
        if (
            dst.is_file()
            and dst.stat().st_size == src.stat().st_size
            and dst.read_bytes() == src.read_bytes()
        ):
            continue
        partial = dst.with_name(f".{dst.name}.part")
        shutil.copyfile(src, partial)
        os.replace(partial, dst)
        copied.append(f"{prefix}/{src.name}")
    return copied
