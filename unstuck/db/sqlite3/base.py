"""Django's SQLite backend, with writers queued on a file lock instead of SQLite's busy wait.

SQLite has one writer at a time. A second writer's `BEGIN IMMEDIATE` fails with
SQLITE_BUSY and SQLite's busy handler retries after sleeping 1, 2, 5, 10 ... up to 100 ms,
so with several server threads or processes writing at once the lock often sits free
while every waiter sleeps (measured with bench/lrs_ingest.py --server: request p99 of
3.6 s and lower throughput with two workers than with one). SQLite offers no wake-up
on release, and Python's sqlite3 no custom busy handler, so this wrapper takes an
exclusive `flock` on `<database>.write-lock` before BEGIN and drops it at COMMIT or
ROLLBACK: waiters, in any thread or process, get the write lock within a millisecond of
its release. The lock is advisory and only orders writers: SQLite's own locking still
guarantees correctness, and a writer that cannot get the file lock within the busy
timeout proceeds to SQLite's busy handler as before (a process killed while holding it
releases it with its file descriptors).

Checkpoints move out of the write lock as well. By default the commit that grows the WAL
past 1,000 pages copies the WAL into the database file and fsyncs it before returning,
all while holding the write lock; an ingestion batch of 500 statements dirties ~1,800
pages, so every batch paid for that second write. Here SQLite's automatic checkpoint
only acts as a safety net (at 16,384 pages, 64 MB; `PRAGMA wal_autocheckpoint` in
settings), and a committing connection runs a PASSIVE checkpoint after releasing the
lock, at most once per CHECKPOINT_INTERVAL_S per process: other writers commit to the WAL
meanwhile, and PASSIVE never waits for them. Durability is unchanged: a commit is
acknowledged after the WAL's fsync (synchronous=FULL); checkpoints only move pages.
"""

from __future__ import annotations

import os
import time

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]


CHECKPOINT_INTERVAL_S = 0.5
_last_checkpoint = 0.0  # per process, shared by its threads


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _lock_held = False

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if fcntl is None or self.is_in_memory_db():
            return None
        return f"{name}.write-lock"

    def _acquire_write_lock(self) -> None:
        if self._lock_fd is None:
            path = self._lock_path()
            if path is None:
                return
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = None
        delay = 0.0001
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                now = time.monotonic()
                if deadline is None:
                    deadline = now + float(self.settings_dict["OPTIONS"].get("timeout", 5))
                elif now > deadline:
                    return  # SQLite's busy handler decides from here
                time.sleep(delay)
                delay = min(delay * 2, 0.001)
            else:
                self._lock_held = True
                return

    def _release_write_lock(self) -> None:
        if self._lock_held and self._lock_fd is not None:
            self._lock_held = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private, not in django-stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> None:
        held = self._lock_held
        try:
            super()._commit()  # type: ignore[misc]  # private, not in django-stubs
        finally:
            self._release_write_lock()
        if held:
            self._checkpoint_if_due()

    def _checkpoint_if_due(self) -> None:
        global _last_checkpoint
        now = time.monotonic()
        if now - _last_checkpoint < CHECKPOINT_INTERVAL_S or self.connection is None:
            return
        _last_checkpoint = now
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private, not in django-stubs
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private, not in django-stubs
        finally:
            self._release_write_lock()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
