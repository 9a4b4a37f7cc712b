"""The Learning Record Store: statements, their related activities and agents, attachments,
activity definitions and documents (state, activity profiles, agent profiles).

A statement is stored whole (`data`, the canonical JSON the LRS returns) and its
queryable parts are copied into indexed columns. Statements are append-only: the only
change after insert is `voided` becoming true, and GDPR erasure deleting rows outright.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from django.db import models

from unstuck.accounts.models import Person, Workspace


class StatementQuerySet(models.QuerySet):
    def for_workspace(self, workspace):
        return self.filter(workspace=workspace)

    def not_voided(self):
        return self.filter(voided=False)


class StatementJSONField(models.JSONField):
    """The stored statement: a JSONField without the CHECK (JSON_VALID(...)) that Django
    puts on SQLite's JSON columns. SQLite ran that check, a full parse of the statement,
    on every insert under the write lock (4.5 µs per statement of ~100 measured there),
    for text that orjson has just serialised. PostgreSQL's jsonb has no such check."""

    def db_check(self, connection):
        return None


class Statement(models.Model):
    # Every index below starts with workspace; a separate one would only slow inserts.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    statement_id = models.UUIDField()
    stored = models.DateTimeField()  # indexed with workspace (lrs_st_ws_stored)
    timestamp = models.DateTimeField()
    verb_id = models.TextField()
    object_id = models.TextField()  # activity IRI, agent key, or statement UUID (StatementRef)
    object_type = models.CharField(
        max_length=16
    )  # Activity, Agent, Group, SubStatement, StatementRef
    # The target of a StatementRef object (NULL otherwise), typed like statement_id so that
    # "statements targeting a matching statement" joins on it (xAPI filter rule for
    # StatementRefs). Its index is partial: statements without one cost nothing to insert.
    object_ref = models.UUIDField(null=True, blank=True)
    actor_key = models.TextField(blank=True)  # validation.agent_key(actor); '' for anonymous groups
    authority_key = models.TextField(blank=True)  # who vouched for it (statements/read/mine)
    # The workspace's Person when the actor is one (profile.actor_for_person); analytics join on it.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registration = models.UUIDField(null=True, blank=True)
    voided = models.BooleanField(default=False)
    is_voiding = models.BooleanField(default=False)
    # Unstuck context (profile.CONTEXT_COLUMNS), '' when absent.
    host_app = models.CharField(max_length=64, blank=True, default="")
    page = models.CharField(max_length=512, blank=True, default="")
    field = models.CharField(max_length=255, blank=True, default="")
    task = models.CharField(max_length=255, blank=True, default="")
    unit_id = models.CharField(max_length=64, blank=True, default="")
    session_id = models.CharField(max_length=128, blank=True, default="")
    # Analytics columns from result.
    success = models.BooleanField(null=True, blank=True)
    completion = models.BooleanField(null=True, blank=True)
    score_scaled = models.FloatField(null=True, blank=True)
    duration_ms = models.BigIntegerField(null=True, blank=True)
    has_attachments = models.BooleanField(default=False)
    data = StatementJSONField()

    objects = StatementQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "statement_id"], name="lrs_statement_unique_id"
            ),
        ]
        # Only the indexes a read path walks: every one is written by each insert. The
        # agent filter walks StatementAgent rows (they include the actor); the place and
        # task columns are read by insights through stored/timestamp ranges, not looked up.
        indexes = [
            models.Index(fields=["workspace", "stored", "id"], name="lrs_st_ws_stored"),
            models.Index(fields=["workspace", "verb_id", "stored"], name="lrs_st_ws_verb"),
            # Partial: statements of no Person (other tools' learners) and without a
            # registration (all of Unstuck's own) write no entry. `person = X`,
            # `person IS NOT NULL` and `registration = X` imply the condition, so both
            # engines still use them for those lookups.
            models.Index(
                fields=["workspace", "person", "stored"],
                name="lrs_st_ws_person_set",
                condition=models.Q(person__isnull=False),
            ),
            models.Index(fields=["workspace", "object_id", "stored"], name="lrs_st_ws_object"),
            models.Index(
                fields=["workspace", "registration", "stored"],
                name="lrs_st_ws_reg_set",
                condition=models.Q(registration__isnull=False),
            ),
            models.Index(fields=["workspace", "unit_id", "stored"], name="lrs_st_ws_unit"),
            models.Index(
                fields=["workspace", "object_ref"],
                name="lrs_st_ws_ref",
                condition=models.Q(object_ref__isnull=False),
            ),
            # The StatementRefs of a page's span of `stored` (the xAPI rule for statements
            # about statements), so that a filtered query does not probe every one of them.
            models.Index(
                fields=["workspace", "stored"],
                name="lrs_st_ws_ref_stored",
                condition=models.Q(object_ref__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementActivity(models.Model):
    """Every activity a statement mentions (object, context activities, sub-statement):
    the `related_activities` filter reads these rows."""

    # Every index below starts with workspace; a separate one would only slow inserts.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="activities")
    activity_id = models.TextField()
    # key_hash(workspace, activity_id): the index's key (see key_hash).
    key_hash = models.BigIntegerField(default=0)
    # The statement's `stored`, copied so that "newest statements about this activity"
    # walks one index in order instead of sorting every match.
    stored = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["key_hash", "stored", "statement"], name="lrs_sa_key_stored")
        ]

    def __str__(self) -> str:
        return str(self.activity_id)


class StatementAgent(models.Model):
    """Every agent or identified group a statement mentions (actor, object, authority,
    instructor, team, group members, sub-statement): the `related_agents` filter."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="agents")
    agent_key = models.TextField()
    key_hash = models.BigIntegerField(default=0)  # key_hash(workspace, agent_key)
    stored = models.DateTimeField(null=True)  # the statement's, as in StatementActivity
    # key_hash(workspace, the statement's verb), kept last in the index: `agent` + `verb`
    # walks the agent's rows in stored order and tests the verb in the index entry, instead
    # of reading the statement row of every one of the agent's statements (at 1M statements
    # that made agent+verb+since the one query with p99 over 100 ms).
    verb_hash = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["key_hash", "stored", "statement", "verb_hash"], name="lrs_sg_key_verb"
            )
        ]

    def __str__(self) -> str:
        return str(self.agent_key)


def key_hash(workspace_id: Any, key: str) -> int:
    """The 64-bit key of an agent, activity or verb in the relation rows' indexes.

    Every statement writes about four relation rows inside SQLite's one write lock, and
    their index entries used to be (workspace as 32 hex digits, the agent key or activity
    IRI, stored, statement, verb IRI): 100+ bytes compared on every step down the b-tree.
    With one integer standing for the workspace and the text, inserting a row costs
    less than half (measured: 10.7 -> 4.0 µs per row, and fewer pages written per batch).
    The hash is keyed by the workspace, so workspaces stay apart (and every statement
    query is scoped to its workspace anyway). The xAPI filters match on the hash alone,
    so that their walk reads only the index: two different keys of one workspace would
    have to share 64 bits, odds of about 3 in 100 million with a million distinct agents
    and activities (statement ids themselves are 122 random bits). Erasure (GDPR) still
    compares the text. It must never change: stored rows hold it.
    """
    return _key_hash(str(workspace_id).replace("-", ""), key)


@functools.lru_cache(maxsize=65536)
def _key_hash(workspace_hex: str, key: str) -> int:
    digest = hashlib.blake2b(key.encode(), digest_size=8, key=bytes.fromhex(workspace_hex)).digest()
    return int.from_bytes(digest, "big", signed=True)


class Activity(models.Model):
    """The LRS's canonical definition of an activity (the Activities resource)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    activity_id = models.TextField()
    definition = models.JSONField(default=dict, blank=True)
    updated = models.DateTimeField()

    class Meta:
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "activity_id"], name="lrs_activity_unique_id"
            ),
        ]

    def __str__(self) -> str:
        return str(self.activity_id)


class Attachment(models.Model):
    """Attachment content, addressed by its SHA-2 within a workspace (shared by statements)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    sha2 = models.CharField(max_length=128)
    content_type = models.CharField(max_length=255)
    length = models.BigIntegerField()
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sha2"], name="lrs_attachment_unique_sha2")
        ]

    def __str__(self) -> str:
        return str(self.sha2)


class DocumentKind(models.TextChoices):
    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"


class Document(models.Model):
    """A State, Activity Profile or Agent Profile document.

    Key: (workspace, kind, activity_id, agent_key, registration, doc_id); unused parts are
    '' / NULL. `registration_key` is the registration as text ('' when absent) so that the
    unique constraint also holds for documents without one.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    activity_id = models.TextField(blank=True, default="")
    agent_key = models.TextField(blank=True, default="")
    agent = models.JSONField(null=True, blank=True)
    registration_key = models.CharField(max_length=36, blank=True, default="")
    doc_id = models.TextField()
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "workspace",
                    "kind",
                    "activity_id",
                    "agent_key",
                    "registration_key",
                    "doc_id",
                ],
                name="lrs_document_unique_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "kind", "activity_id", "agent_key", "updated"],
                name="lrs_doc_ws_scope",
            ),
            models.Index(fields=["workspace", "agent_key"], name="lrs_doc_ws_agent"),
        ]

    def __str__(self) -> str:
        return str(self.doc_id)

    @property
    def is_json(self) -> bool:
        return self.content_type.split(";")[0].strip().lower() == "application/json"
