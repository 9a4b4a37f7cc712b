"""The demo's video and audio units play: every source resolves to a served media file."""

from __future__ import annotations

import pytest

from unstuck.content.media import install_media_files
from unstuck.content.models import Unit
from unstuck.demo import services as demo
from unstuck.demo.content import all_units

MEDIA_KINDS = ("video", "audio")
MAGIC = {".webm": b"\x1a\x45\xdf\xa3", ".mp3": b"ID3", ".ogg": b"OggS"}


@pytest.fixture
def acme(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo.load_demo_workspace()


def test_the_demo_ships_a_small_file_for_every_media_unit():
    units = [u for u in all_units() if u["kind"] in MEDIA_KINDS]
    assert len(units) >= 5
    for unit in units:
        shipped = demo.DEMO_MEDIA_DIR / unit["payload"]["source"].removeprefix("demo/")
        assert shipped.is_file(), f"{unit['slug']}: run unstuck/demo/media/make_media.py"
        assert 10_000 < shipped.stat().st_size < 1_500_000, unit["slug"]
        assert shipped.read_bytes()[:4].startswith(MAGIC[shipped.suffix]), unit["slug"]


@pytest.mark.django_db
def test_every_demo_media_source_is_served_once_the_demo_is_loaded(acme, client):
    units = Unit.objects.for_workspace(acme).filter(kind__in=MEDIA_KINDS)
    assert units.count() >= 5
    for unit in units:
        source = unit.payload["source"]
        response = client.get(f"/media/{source}", HTTP_RANGE="bytes=0-3")
        assert response.status_code == 206, source
        assert response["Content-Type"].startswith(("video/", "audio/")), source
        full = int(response["Content-Range"].rsplit("/", 1)[1])
        assert full == (demo.DEMO_MEDIA_DIR / source.removeprefix("demo/")).stat().st_size
    # Loading the demo again copies nothing: the served files (and their ETags) stay put.
    assert install_media_files(source_dir=demo.DEMO_MEDIA_DIR, prefix="demo") == []
