"""A large export survives its worker being killed (SIGKILL) part-way through the file or
after storing it: beat's ledger resends the stalled job, a fresh worker writes the file
again from the top, and the export ends ready with one file of every row once."""

import csv
import io

import pytest
from signpost.models import Job, PreparedExport
from signpost.storage import private_storage

from newsletters.subscribers.views import SubscriberIndexView
from tests.newsletters.factories import SubscriberFactory

from .conftest import killed, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

SUBSCRIBERS = 300
URL = "/admin/newsletters/subscribers/?export=csv&ordering=email"


@pytest.mark.parametrize("fault", ["export-mid-build", "export-after-store"])
def test_a_large_export_is_written_once_after_its_worker_is_killed(
    stack, client, comms_officer, settings, monkeypatch, fault
):
    SubscriberFactory.create_batch(SUBSCRIBERS)
    stack.beat()
    victim = stack.worker(fault=fault, name="victim")
    client.force_login(comms_officer)
    assert client.get(URL)["Location"] == "/admin/downloads/"
    assert killed(victim), stack.logs()
    export = PreparedExport.objects.get()
    assert export.status == "running" and not export.file

    stack.worker(name="replacement")

    def ready():
        export.refresh_from_db()
        assert export.status != "failed", export.error
        return (
            export.status == "ready"
            and not Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists()
        )

    wait_for(ready, timeout=150, every=0.5, message=stack.logs())

    assert export.row_count == SUBSCRIBERS
    assert private_storage().listdir(f"exports/{export.pk}")[1] == [export.filename]
    download = client.get(f"/admin/downloads/{export.pk}/")
    prepared = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    # The same listing written within the request, as a listing within the bound is.
    monkeypatch.setattr(SubscriberIndexView, "export_always_prepared", False)
    settings.SIGNPOST_EXPORT_INLINE_ROWS = 1_000
    inline = b"".join(client.get(URL).streaming_content).decode()
    assert prepared == list(csv.reader(io.StringIO(inline)))
    assert len(prepared) == 1 + SUBSCRIBERS
