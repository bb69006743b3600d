"""The job ledger: work written down before the broker sees it, claimed once, resumed by
beat when its worker dies or its message is lost, retried by staff."""

import datetime
import hashlib
import json

import pytest
from django.db import OperationalError
from django.utils import timezone
from signpost import jobs
from signpost.models import Job
from signpost.tasks import heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch):
    """A broker that can be taken down: messages it takes are recorded, not run."""

    class Broker:
        up = True
        sent: list = []

        def apply_async(self, args, kwargs, **options):
            if not self.up:
                raise ConnectionError("Error 111 connecting to 127.0.0.1:6396. Connection refused.")
            self.sent.append((args, options["headers"][jobs.JOB_HEADER]))

    fake = Broker()
    fake.sent = []
    conf = jobs.current_app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    monkeypatch.setattr(
        jobs.current_app.tasks["signpost.heartbeat"], "apply_async", fake.apply_async
    )
    yield fake
    conf.task_always_eager = eager


def test_with_the_broker_down_the_job_waits_in_the_ledger_and_beat_hands_it_on(
    broker, django_capture_on_commit_callbacks
):
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_queue(heartbeat, "hello")
    job.refresh_from_db()
    assert (job.state, job.sent_at, broker.sent) == (Job.State.QUEUED, None, [])

    assert jobs.jobs_resume_stalled(now=timezone.now()) == 0  # within the grace period
    later = timezone.now() + datetime.timedelta(seconds=jobs.UNSENT_GRACE_SECONDS + 1)
    assert jobs.jobs_resume_stalled(now=later) == 0  # still down: still waiting
    broker.up = True
    assert jobs.jobs_resume_stalled(now=later) == 1
    assert broker.sent == [(["hello"], job.pk)]
    job.refresh_from_db()
    assert job.sent_at is not None and job.state == Job.State.QUEUED


def test_the_same_work_queued_twice_is_one_job(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.job_queue(heartbeat, "x")
        second = jobs.job_queue(heartbeat, "x")
    assert first.pk == second.pk and len(broker.sent) == 1


def test_a_job_runs_once_however_often_its_message_arrives():
    job = Job.objects.create(task="signpost.heartbeat", key="k")
    runs = []
    assert jobs.run_as_job(job.pk, runs.append, 1) is None
    assert jobs.run_as_job(job.pk, runs.append, 2) is None  # done: a redelivery does nothing
    assert runs == [1]
    job.refresh_from_db()
    assert (job.state, job.attempts, job.args) == (Job.State.DONE, 1, [])


def test_a_running_job_with_a_heartbeat_is_not_taken_over_but_a_stalled_one_is():
    now = timezone.now()
    job = Job.objects.create(
        task="signpost.heartbeat", key="k", state=Job.State.RUNNING, heartbeat_at=now, attempts=1
    )
    assert not jobs.job_claim(job_id=job.pk, now=now + datetime.timedelta(seconds=10))
    later = now + datetime.timedelta(seconds=job.stall_seconds + 1)
    assert [j.pk for j in jobs.jobs_stalled(later)] == [job.pk]
    assert jobs.job_claim(job_id=job.pk, now=later)
    job.refresh_from_db()
    assert job.attempts == 2


def test_beat_resends_a_dead_workers_job_and_gives_up_after_the_last_attempt(broker):
    start = timezone.now()
    job = Job.objects.create(
        task="signpost.heartbeat",
        key="k",
        args=["x"],
        state=Job.State.RUNNING,
        heartbeat_at=start,
        attempts=1,
    )
    later = start + datetime.timedelta(seconds=job.stall_seconds + 1)
    assert jobs.jobs_resume_stalled(now=later) == 1
    Job.objects.filter(pk=job.pk).update(attempts=jobs.MAX_ATTEMPTS)
    assert jobs.jobs_resume_stalled(now=later) == 0
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "Gave up" in job.error


def test_a_fault_fails_the_job_and_a_service_going_away_leaves_it_to_be_resumed():
    failing = Job.objects.create(task="signpost.heartbeat", key="a")
    with pytest.raises(ValueError):
        jobs.run_as_job(failing.pk, _raise, ValueError("bad"))
    failing.refresh_from_db()
    assert (failing.state, failing.error) == (Job.State.FAILED, "bad")

    interrupted = Job.objects.create(task="signpost.heartbeat", key="b")
    with pytest.raises(OperationalError):
        jobs.run_as_job(interrupted.pk, _raise, OperationalError("server closed the connection"))
    interrupted.refresh_from_db()
    assert interrupted.state == Job.State.RUNNING  # beat sends it again after its stall time


def test_staff_retry_a_failed_job_but_not_one_that_is_alive(
    broker, django_capture_on_commit_callbacks
):
    failed = Job.objects.create(
        task="signpost.heartbeat", key="a", args=["x"], state=Job.State.FAILED, attempts=5
    )
    alive = Job.objects.create(
        task="signpost.heartbeat",
        key="b",
        state=Job.State.RUNNING,
        heartbeat_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.job_retry(job=failed)
        assert not jobs.job_retry(job=alive)
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (Job.State.QUEUED, 0)
    assert broker.sent == [(["x"], failed.pk)]


def _raise(error):
    raise error


def test_staff_see_a_stuck_job_and_retry_it_from_the_admin(
    client, superuser, comms_officer, broker, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    stuck = Job.objects.create(
        task="signpost.heartbeat",
        key="k",
        label="Print run 7: part 3 of 5",
        args=["x"],
        state=Job.State.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
        attempts=1,
    )
    client.force_login(comms_officer)
    assert client.get(reverse("signpost_jobs")).status_code in (302, 403)
    assert client.post(reverse("signpost_job_retry", args=[stuck.pk])).status_code in (302, 403)
    stuck.refresh_from_db()
    assert stuck.state == Job.State.RUNNING

    client.force_login(superuser)
    page = client.get(reverse("signpost_jobs")).content.decode()
    assert "Print run 7: part 3 of 5" in page and "(stalled)" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signpost_job_retry", args=[stuck.pk]))
    stuck.refresh_from_db()
    assert (stuck.state, stuck.attempts) == (Job.State.QUEUED, 0)
    assert broker.sent == [(["x"], stuck.pk)]


def plain_sha256_key(task_name, args=(), kwargs=None):
    payload = json.dumps([list(args), kwargs or {}], sort_keys=True, default=str)
    return f"{task_name}:{hashlib.sha256(payload.encode()).hexdigest()[:32]}"


def test_a_job_key_cannot_be_worked_out_from_a_residents_address(
    broker, settings, django_capture_on_commit_callbacks
):
    """The arguments hold residents' addresses: the key is an HMAC with SECRET_KEY, so
    hashing a guessed address finds nothing in the ledger."""
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_queue(heartbeat, "ottoline@resident.example")
    assert job.key.startswith("signpost.heartbeat:")
    assert job.key != plain_sha256_key("signpost.heartbeat", ["ottoline@resident.example"])
    assert "ottoline" not in job.key

    settings.SECRET_KEY = "another-install-another-key"
    assert jobs.job_key("signpost.heartbeat", ["ottoline@resident.example"]) != job.key


@pytest.mark.parametrize("queued_under", ["plain sha256", "a rotated secret key"])
def test_work_queued_before_an_upgrade_or_a_key_rotation_is_still_one_job(
    broker, settings, django_capture_on_commit_callbacks, queued_under
):
    args = ["ottoline@resident.example"]
    if queued_under == "plain sha256":
        key = plain_sha256_key("signpost.heartbeat", args)
    else:
        key = jobs.job_key("signpost.heartbeat", args)
        settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
        settings.SECRET_KEY = "the-new-key"
    waiting = Job.objects.create(task="signpost.heartbeat", key=key, args=args)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.job_queue(heartbeat, *args) == waiting
    assert Job.objects.count() == 1
