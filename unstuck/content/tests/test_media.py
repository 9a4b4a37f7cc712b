"""Serving /media/ with byte ranges, and uploading media files through the API."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from unstuck.content.media import install_media_files, parse_range, safe_name

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4  # 1028 bytes, a plausible EBML header
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n"


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def clip(media_root):
    path = media_root / "demo" / "clip.webm"
    path.parent.mkdir()
    path.write_bytes(WEBM)
    return path


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def upload(api, name: str, content: bytes, **extra):
    return api.client.post(
        "/api/v1/media", {"file": SimpleUploadedFile(name, content)}, **api.headers, **extra
    )


# --- serving --------------------------------------------------------------------------


def test_it_serves_a_whole_file_with_validators_and_cache_headers(client, clip):
    response = client.get("/media/demo/clip.webm")
    assert response.status_code == 200
    assert body(response) == WEBM
    assert response["Content-Type"] == "video/webm"
    assert response["Content-Length"] == str(len(WEBM))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert "max-age=86400" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    # A CSP sandbox would stop Chromium's player page from playing a file opened in a tab.
    assert "Content-Security-Policy" not in response


def test_it_serves_a_byte_range_as_partial_content(client, clip):
    response = client.get("/media/demo/clip.webm", HTTP_RANGE="bytes=4-13")
    assert response.status_code == 206
    assert body(response) == WEBM[4:14]
    assert response["Content-Range"] == f"bytes 4-13/{len(WEBM)}"
    assert response["Content-Length"] == "10"


@pytest.mark.parametrize(
    "header, expected",
    [
        ("bytes=1000-", WEBM[1000:]),  # open-ended, as <video> asks when seeking
        ("bytes=-8", WEBM[-8:]),  # the last 8 bytes
        ("bytes=1020-99999", WEBM[1020:]),  # an end past the file is clamped
        ("bytes=0-0", WEBM[:1]),
    ],
)
def test_it_serves_open_suffix_and_clamped_ranges(client, clip, header, expected):
    response = client.get("/media/demo/clip.webm", HTTP_RANGE=header)
    assert response.status_code == 206
    assert body(response) == expected


@pytest.mark.parametrize("header", ["bytes=5000-", "bytes=1028-1030", "bytes=-0"])
def test_it_answers_416_to_a_range_beyond_the_file(client, clip, header):
    response = client.get("/media/demo/clip.webm", HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(WEBM)}"


@pytest.mark.parametrize("header", ["items=0-5", "bytes=abc", "bytes=9-3", "bytes=0-1,5-6"])
def test_it_ignores_a_range_it_cannot_use_and_sends_the_whole_file(client, clip, header):
    response = client.get("/media/demo/clip.webm", HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == WEBM


def test_if_range_with_a_stale_etag_gets_the_whole_file(client, clip):
    etag = client.get("/media/demo/clip.webm")["ETag"]
    fresh = client.get("/media/demo/clip.webm", HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE=etag)
    stale = client.get("/media/demo/clip.webm", HTTP_RANGE="bytes=0-3", HTTP_IF_RANGE='"old"')
    assert (fresh.status_code, stale.status_code) == (206, 200)


def test_a_revalidation_with_the_current_etag_is_304(client, clip):
    first = client.get("/media/demo/clip.webm")
    again = client.get("/media/demo/clip.webm", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    clip.write_bytes(WEBM + b"changed")
    os.utime(clip, ns=(1, 1))
    assert client.get("/media/demo/clip.webm", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_head_sends_the_headers_without_the_body(client, clip):
    response = client.head("/media/demo/clip.webm", HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206
    assert response["Content-Length"] == "100"
    assert response.content == b""


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("a.mp4", "video/mp4"),
        ("a.ogg", "audio/ogg"),
        ("a.opus", "audio/ogg; codecs=opus"),
        ("a.mp3", "audio/mpeg"),
        ("a.vtt", "text/vtt; charset=utf-8"),
        ("a.png", "image/png"),
        ("a.JPG", "image/jpeg"),
    ],
)
def test_it_sends_the_content_type_of_each_media_kind(client, media_root, name, content_type):
    (media_root / name).write_bytes(b"x")
    assert client.get(f"/media/{name}")["Content-Type"] == content_type


def test_a_file_that_is_not_media_is_sent_as_a_download(client, media_root):
    (media_root / "page.html").write_text("<script>alert(1)</script>")
    response = client.get("/media/page.html")
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "demo/../../secret.txt",
        "%2e%2e/secret.txt",
        ".hidden.webm",
        "demo/missing.webm",
        "demo",
    ],
)
def test_it_refuses_paths_outside_the_media_folder_and_missing_files(
    client, clip, media_root, path
):
    (media_root.parent / "secret.txt").write_text("secret")
    (media_root / ".hidden.webm").write_bytes(WEBM)
    response = client.get("/media/" + path)
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_it_refuses_a_symlink_that_leads_outside_the_media_folder(client, media_root):
    (media_root.parent / "secret.txt").write_text("secret")
    (media_root / "link.vtt").symlink_to(media_root.parent / "secret.txt")
    assert client.get("/media/link.vtt").status_code == 404


def test_it_only_answers_get_and_head(client, clip):
    assert client.post("/media/demo/clip.webm").status_code == 405


@pytest.mark.parametrize(
    "header, size, expected",
    [
        ("bytes=0-99", 1000, (0, 99)),
        ("bytes=500-", 1000, (500, 999)),
        ("bytes=-100", 1000, (900, 999)),
        ("bytes=-5000", 1000, (0, 999)),
        ("bytes=999-999", 1000, (999, 999)),
        ("bytes=1000-", 1000, False),
        ("bytes=0-", 0, False),
        ("bytes=-", 1000, None),
        ("bytes=1-2,4-5", 1000, None),
        ("BYTES=0-1", 1000, (0, 1)),
        ("bytes=+1-2", 1000, None),
    ],
)
def test_range_parsing(header, size, expected):
    assert parse_range(header, size) == expected


# --- uploads --------------------------------------------------------------------------


def test_an_author_uploads_a_video_and_it_is_served_from_the_returned_url(
    api_alice, client, media_root, ws_a
):
    response = upload(api_alice, "Logging calls (final).WEBM", WEBM)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["source"].startswith(f"{ws_a.slug}/")
    assert data["source"].endswith("-logging-calls-final.webm")
    assert data["url"] == "/media/" + data["source"]
    assert data["bytes"] == len(WEBM)
    assert data["content_type"] == "video/webm"
    assert (media_root / data["source"]).read_bytes() == WEBM
    served = client.get(data["url"], HTTP_RANGE="bytes=0-3")
    assert body(served) == WEBM[:4]
    assert "immutable" in served["Cache-Control"]


def test_the_returned_source_is_accepted_in_a_video_units_payload(api_alice, media_root):
    source = upload(api_alice, "clip.webm", WEBM).json()["source"]
    response = api_alice.post(
        "/units",
        {
            "kind": "video",
            "slug": "uploaded-clip",
            "title": "Uploaded clip",
            "payload": {"source": source, "length_s": 30},
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["payload"]["source"] == source


def test_two_uploads_with_the_same_name_do_not_overwrite_each_other(api_alice, media_root):
    first = upload(api_alice, "captions.vtt", VTT).json()["source"]
    second = upload(api_alice, "captions.vtt", VTT.replace(b"Hello", b"Bye")).json()["source"]
    assert first != second
    assert b"Hello" in (media_root / first).read_bytes()


@pytest.mark.parametrize(
    "name, content",
    [
        ("notes.txt", b"hello"),  # not a media type
        ("page.html", b"<html>"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),  # scripts run in SVG
        ("fake.webm", b"<html><script>alert(1)</script>"),  # right name, wrong bytes
        ("fake.png", b"GIF89a...."),
        ("captions.vtt", b"1\n00:00:00,000 --> 00:00:02,000\nSRT, not WebVTT\n"),
        ("noext", WEBM),
        ("empty.webm", b""),
    ],
)
def test_it_refuses_a_file_that_is_not_video_audio_image_or_webvtt(
    api_alice, media_root, name, content
):
    response = upload(api_alice, name, content)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "file"
    assert list(media_root.rglob("*.*")) == []


def test_it_refuses_a_file_over_the_size_limit(api_alice, media_root, settings):
    settings.MAX_MEDIA_BYTES = 1000
    response = upload(api_alice, "clip.webm", WEBM)
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "file: 1028 bytes is over the limit of 1000 bytes.",
        "field": "file",
    }


def test_a_request_without_a_file_is_400_naming_file(api_alice, media_root):
    response = api_alice.client.post("/api/v1/media", {}, **api_alice.headers)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "file"


def test_a_learner_cannot_upload(api_bob, media_root):
    response = upload(api_bob, "clip.webm", WEBM)
    assert response.status_code == 403
    assert list(media_root.rglob("*.webm")) == []


def test_an_upload_needs_a_login_or_key(client, media_root):
    response = client.post("/api/v1/media", {"file": SimpleUploadedFile("clip.webm", WEBM)})
    assert response.status_code == 401


def test_uploads_land_in_the_uploaders_own_workspace_folder(
    api_carol, key_client, ws_a, ws_b, media_root
):
    by_carol = upload(api_carol, f"../{ws_a.slug}/clip.webm", WEBM).json()["source"]
    by_key = upload(key_client(ws_b), "clip.webm", WEBM, HTTP_X_UNSTUCK_WORKSPACE=ws_a.slug)
    assert by_carol.startswith(f"{ws_b.slug}/") and by_carol.count("/") == 1
    assert by_key.json()["source"].startswith(f"{ws_b.slug}/")
    assert not (media_root / ws_a.slug).exists()


def test_another_workspace_cannot_find_a_file_by_guessing_its_name(
    api_alice, client, media_root, ws_a
):
    source = upload(api_alice, "clip.webm", WEBM).json()["source"]
    assert client.get(f"/media/{source}").status_code == 200
    assert client.get(f"/media/{ws_a.slug}/clip.webm").status_code == 404
    assert client.get(f"/media/{ws_a.slug}/").status_code == 404  # no directory listing


def test_safe_names_keep_only_a_plain_name_and_a_lower_case_extension():
    assert safe_name("../../etc/Passwd.MP4") == "passwd.mp4"
    assert safe_name("C:\\Users\\me\\Déjà vu.webm") == "deja-vu.webm"
    assert safe_name(".webm") == "file.webm"


def test_installing_shipped_media_is_idempotent(tmp_path, media_root):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "clip.webm").write_bytes(WEBM)
    (shipped / "make_media.py").write_text("# not media")
    assert install_media_files(source_dir=shipped, prefix="demo") == ["demo/clip.webm"]
    assert install_media_files(source_dir=shipped, prefix="demo") == []
    assert sorted(p.name for p in (media_root / "demo").iterdir()) == ["clip.webm"]
