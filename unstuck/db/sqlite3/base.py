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

Checkpoints move out of the write lock, and out of the requests, as well. By default the
commit that grows the WAL past 1,000 pages copies the WAL into the database file and
fsyncs it before returning, all while holding the write lock; an ingestion batch of 500
statements dirties ~1,800 pages, so every batch paid for that second write. Here SQLite's
automatic checkpoint only acts as a safety net (at 16,384 pages, 64 MB;
`PRAGMA wal_autocheckpoint` in settings). A commit instead wakes a thread of its process
(`_Checkpointer`, one per process and database file) that runs a PASSIVE checkpoint on
its own connection, at most once per CHECKPOINT_INTERVAL_S: other writers commit to the
WAL meanwhile, PASSIVE never waits for them, and the request that committed goes on to
answer instead of waiting for the copy and the database file's fsync (which had cost
ingestion 25-45 µs per statement, measured with bench/lrs_ingest.py --server).
Durability is unchanged: a commit is acknowledged after the WAL's fsync; checkpoints
only move pages.

The WAL's fsync can leave the write lock too, for callers that ask (`sync_after_commit`,
used by the LRS's group commit): the transaction commits with synchronous=NORMAL (its
pages reach the WAL file, not the disk), the write lock is released, and then the WAL
file is fsynced before the caller goes on to acknowledge anything. The acknowledged
commit is as durable as with FULL; meanwhile the next writer already works under the
lock, and one fsync may cover several processes' commits. The difference: for the
length of that fsync, other connections can read a commit that a power cut (not a
crash of the process) could still undo. Everything else keeps synchronous=FULL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]


CHECKPOINT_INTERVAL_S = 0.5
_fdatasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync
log = logging.getLogger(__name__)


class _Checkpointer:
    """A daemon thread that checkpoints one database file's WAL when woken by a commit,
    at most once per CHECKPOINT_INTERVAL_S (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()  # threads do not survive fork: a forked worker starts its own
        self.checkpoints = 0  # for tests
        self._wanted = threading.Event()
        threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True).start()

    def wake(self) -> None:
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                # A connection per checkpoint: a test database can be deleted and made
                # again at the same path, and opening one costs ~0.1 ms twice a second.
                conn = sqlite3.connect(self.path, timeout=5)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    conn.close()
                self.checkpoints += 1
            except sqlite3.Error as exc:  # busy, or the file is gone: the next commit retries
                log.debug("checkpoint of %s skipped: %s", self.path, exc)
            time.sleep(CHECKPOINT_INTERVAL_S)


_checkpointers: dict[str, _Checkpointer] = {}
_checkpointers_lock = threading.Lock()


def checkpointer(path: str) -> _Checkpointer:
    """This process's checkpoint thread for the database file at `path`."""
    with _checkpointers_lock:
        found = _checkpointers.get(path)
        if found is None or found.pid != os.getpid():
            found = _checkpointers[path] = _Checkpointer(path)
        return found


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _lock_held = False
    _wal_fd: int | None = None
    _full_wal: bool | None = None  # does the connection run WAL with synchronous=FULL?

    @contextlib.contextmanager
    def sync_after_commit(self) -> Iterator[None]:
        """Around a transaction (`with connection.sync_after_commit(), atomic():`): commit
        it without an fsync under the write lock and fsync the WAL after releasing it (see
        the module docstring). A no-op unless the connection runs synchronous=FULL, in
        WAL mode, outside any transaction."""
        self.ensure_connection()
        conn = self.connection
        if self._full_wal is None:
            self._full_wal = (
                conn.execute("PRAGMA synchronous").fetchone()[0] == 2
                and conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
                and not self.is_in_memory_db()
            )
        if not self._full_wal or self.in_atomic_block:
            yield
            return
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            yield
        finally:
            if self.connection is conn:
                conn.execute("PRAGMA synchronous=FULL")
        if self._wal_fd is None:
            # The WAL file keeps its inode while any connection is open (SQLite deletes it
            # only when the last one closes), so the descriptor stays valid as long as
            # this connection: _close closes it.
            self._wal_fd = os.open(f"{self.settings_dict['NAME']}-wal", os.O_RDONLY)
        _fdatasync(self._wal_fd)

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
        if self._lock_path() is not None:  # a file database, on a system with flock
            checkpointer(str(self.settings_dict["NAME"])).wake()

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
            if self._wal_fd is not None:
                os.close(self._wal_fd)
                self._wal_fd = None
            self._full_wal = None
