"""Claiming a batch of a campaign's queued deliveries for one worker, under a claim and a
lease: on PostgreSQL the rows, their subscribers' addresses and their suppression in one
statement."""

import datetime
import uuid
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from ..subscribers.models import Subscriber, Suppression
from .models import Delivery


class ClaimedRow(NamedTuple):
    """One claimed Delivery with the little of its subscriber a chunk needs."""

    delivery_id: int
    key: uuid.UUID | None
    email: str | None
    name: str | None
    status: str | None
    suppressed: bool
    # The language of the email this row sends (``Delivery.language``).
    language: str = ""

    @property
    def mailable(self) -> bool:
        return (
            self.email is not None
            and self.status == Subscriber.Status.CONFIRMED
            and not self.suppressed
        )


# PostgreSQL claims a chunk and reads what it needs to send it in one statement: the rows
# are picked and locked (skipping rows another worker holds), marked under the claim, and
# returned with their subscriber's address, name, key, status and suppression. The ids
# are picked first (ANY(ARRAY(...)) is evaluated once), so every step is an index lookup
# whatever the planner's statistics say about a ledger written a moment ago.
_CLAIM_SQL = """
WITH claimed AS (
    UPDATE {delivery} AS d SET {assignments}
    WHERE d.id = ANY(ARRAY({picked}))
    RETURNING d.id, d.subscriber_id, d.language
)
SELECT claimed.id, s.key, s.email, s.name, s.status, x.id IS NOT NULL, claimed.language
FROM claimed
LEFT JOIN {subscriber} AS s ON s.id = claimed.subscriber_id
LEFT JOIN {suppression} AS x ON x.email_hash = s.email_hash
"""
_PICK_QUEUED = (
    "SELECT id FROM {delivery} WHERE campaign_id = %(campaign)s AND status = %(status)s "
    "AND id BETWEEN %(first)s AND %(last)s ORDER BY id LIMIT %(size)s FOR UPDATE SKIP LOCKED"
)
_PICK_CLAIMED = (
    "SELECT id FROM {delivery} WHERE campaign_id = %(campaign)s "
    "AND status = %(status)s AND claim = %(claim)s FOR UPDATE"
)


def _claim_sql(picked: str, assignments: str) -> str:
    tables = {
        "delivery": Delivery._meta.db_table,
        "subscriber": Subscriber._meta.db_table,
        "suppression": Suppression._meta.db_table,
    }
    return _CLAIM_SQL.format(picked=picked.format(**tables), assignments=assignments, **tables)


def _claimed_rows(campaign_id: int, claim: str) -> list[ClaimedRow]:
    """The claimed rows and their subscribers, in one query (the portable way)."""
    suppressed = Exists(Suppression.objects.filter(email_hash=OuterRef("subscriber__email_hash")))
    rows = (
        Delivery.objects.filter(
            campaign_id=campaign_id, status=Delivery.Status.SENDING, claim=claim
        )
        .annotate(suppressed=suppressed)
        .order_by("pk")
        .values_list(
            "pk",
            "subscriber__key",
            "subscriber__email",
            "subscriber__name",
            "subscriber__status",
            "suppressed",
            "language",
        )
    )
    return [ClaimedRow(*row) for row in rows]


# Ids are positive, so these bounds mean "any row".
ANY_ID = (0, 2**63 - 1)


def claim_chunk(
    campaign_id: int, size: int, id_range: tuple[int, int] = ANY_ID
) -> tuple[str | None, list[ClaimedRow]]:
    """Claim up to ``size`` queued rows (within ``id_range``) for this worker, under a new
    claim and lease."""
    claim = str(uuid.uuid4())
    lease_expires_at = timezone.now() + datetime.timedelta(
        seconds=settings.SIGNPOST_SEND_LEASE_SECONDS
    )
    if connection.vendor == "postgresql":
        sql = _claim_sql(
            _PICK_QUEUED,
            "status = %(sending)s, claim = %(claim)s, lease_expires_at = %(lease)s, "
            "attempts = d.attempts + 1",
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "campaign": campaign_id,
                    "status": Delivery.Status.QUEUED,
                    "sending": Delivery.Status.SENDING,
                    "size": size,
                    "first": id_range[0],
                    "last": id_range[1],
                    "claim": claim,
                    "lease": lease_expires_at,
                },
            )
            rows = sorted(ClaimedRow(*row) for row in cursor.fetchall())
        return (claim, rows) if rows else (None, [])
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(campaign_id=campaign_id, status=Delivery.Status.QUEUED, pk__range=id_range)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None, []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING,
            claim=claim,
            lease_expires_at=lease_expires_at,
            attempts=F("attempts") + 1,
        )
        return claim, _claimed_rows(campaign_id, claim)


def claim_renew(campaign_id: int, claim: str) -> list[ClaimedRow]:
    """A retry keeps its rows: extend their lease and read them again. Empty when the
    lease ran out and the rows went back to the queue (someone else has them now)."""
    lease_expires_at = timezone.now() + datetime.timedelta(
        seconds=settings.SIGNPOST_SEND_LEASE_SECONDS
    )
    if connection.vendor == "postgresql":
        sql = _claim_sql(_PICK_CLAIMED, "lease_expires_at = %(lease)s")
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "campaign": campaign_id,
                    "status": Delivery.Status.SENDING,
                    "claim": claim,
                    "lease": lease_expires_at,
                },
            )
            return sorted(ClaimedRow(*row) for row in cursor.fetchall())
    renewed = Delivery.objects.filter(
        campaign_id=campaign_id, status=Delivery.Status.SENDING, claim=claim
    ).update(lease_expires_at=lease_expires_at)
    return _claimed_rows(campaign_id, claim) if renewed else []
