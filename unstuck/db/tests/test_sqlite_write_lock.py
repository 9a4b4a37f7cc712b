"""The SQLite backend queues writers on `<database>.write-lock` (unstuck/db/sqlite3/base.py)."""

import fcntl
import os
import sqlite3
import threading
import time

import pytest
from django.db import connection, transaction

from unstuck.accounts.models import Workspace

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the write lock belongs to the SQLite backend"
)


def _lock_is_free() -> bool:
    fd = os.open(f"{connection.settings_dict['NAME']}.write-lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


@pytest.mark.django_db(transaction=True)
def test_a_write_transaction_holds_the_lock_until_commit_or_rollback():
    assert _lock_is_free()
    with transaction.atomic():
        Workspace.objects.create(name="Locked", slug="locked")
        assert not _lock_is_free()
    assert _lock_is_free()
    with pytest.raises(RuntimeError), transaction.atomic():
        Workspace.objects.create(name="Rolled back", slug="rolled-back")
        assert not _lock_is_free()
        raise RuntimeError("abort")
    assert _lock_is_free()
    assert not Workspace.objects.filter(slug="rolled-back").exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_for_the_first_and_both_commit():
    holding, attempting, release = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def first():
        try:
            with transaction.atomic():
                Workspace.objects.create(name="First", slug="first")
                holding.set()
                release.wait(5)
                order.append("first commits")
        finally:
            connection.close()

    def second():
        try:
            holding.wait(5)
            attempting.set()
            with transaction.atomic():
                order.append("second writes")
                Workspace.objects.create(name="Second", slug="second")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    attempting.wait(5)
    time.sleep(0.2)  # the second writer is now waiting at BEGIN
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["first commits", "second writes"]
    assert set(Workspace.objects.values_list("slug", flat=True)) >= {"first", "second"}
    assert _lock_is_free()


@pytest.mark.django_db(transaction=True)
def test_sync_after_commit_fsyncs_the_wal_after_releasing_the_lock(monkeypatch):
    from unstuck.db.sqlite3 import base

    synced: list[tuple[int, bool]] = []
    real = base._fdatasync

    def fdatasync(fd: int) -> None:
        synced.append((fd, _lock_is_free()))
        real(fd)

    monkeypatch.setattr(base, "_fdatasync", fdatasync)
    with connection.sync_after_commit(), transaction.atomic():
        Workspace.objects.create(name="Synced", slug="synced")
        # The commit under the lock does not fsync; the WAL is fsynced after it.
        assert connection.connection.execute("PRAGMA synchronous").fetchone()[0] == 1
        assert synced == []
    assert len(synced) == 1 and synced[0][1], "fsynced once, with the write lock free"
    assert os.path.samefile(
        f"/proc/self/fd/{synced[0][0]}", connection.settings_dict["NAME"] + "-wal"
    )
    # Everything else is back to synchronous=FULL.
    assert connection.connection.execute("PRAGMA synchronous").fetchone()[0] == 2


@pytest.mark.django_db(transaction=True)
def test_sync_after_commit_does_not_fsync_a_rolled_back_transaction(monkeypatch):
    from unstuck.db.sqlite3 import base

    synced: list[int] = []
    monkeypatch.setattr(base, "_fdatasync", synced.append)
    with pytest.raises(RuntimeError), connection.sync_after_commit(), transaction.atomic():
        Workspace.objects.create(name="Gone", slug="gone")
        raise RuntimeError("abort")
    assert synced == []
    assert connection.connection.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert not Workspace.objects.filter(slug="gone").exists()


@pytest.mark.django_db(transaction=True)
def test_a_commit_wakes_the_checkpoint_thread_which_empties_the_wal():
    from unstuck.db.sqlite3 import base

    name = str(connection.settings_dict["NAME"])
    checkpointer = base.checkpointer(name)
    assert base.checkpointer(name) is checkpointer, "one thread per process and database"
    time.sleep(base.CHECKPOINT_INTERVAL_S * 1.5)  # past any earlier checkpoint's pause
    before = checkpointer.checkpoints
    written = os.stat(name).st_mtime_ns
    with transaction.atomic():
        Workspace.objects.create(name="Checkpointed", slug="checkpointed")
    # The commit wrote to the WAL only (in WAL mode a commit never writes the database
    # file, short of the 64 MB automatic checkpoint); the thread copies it there.
    deadline = time.monotonic() + 5
    while checkpointer.checkpoints == before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpointer.checkpoints > before
    assert os.stat(name).st_mtime_ns != written
    reader = sqlite3.connect(name)
    try:
        assert reader.execute(
            "SELECT count(*) FROM accounts_workspace WHERE slug = 'checkpointed'"
        ).fetchone() == (1,)
    finally:
        reader.close()
