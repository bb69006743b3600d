"""Settings for the fault-injection suite's worker and beat processes: development's,
on Redis and the test database, with beat's resending and the stall and lease times
shortened from minutes to seconds so each fault is recovered from within the test."""

from signpost.settings.dev import *  # noqa: F403
from signpost.settings.dev import CELERY_BEAT_SCHEDULE

# Beat runs only the resend tasks the suite watches, every two seconds.
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": 2.0}
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if name in ("signpost-jobs-resume-stalled", "newsletters-resume-stalled-sends")
}
SIGNPOST_JOB_STALL_SECONDS = 5
SIGNPOST_SEND_LEASE_SECONDS = 5
SIGNPOST_PRINT_PART_SIZE = 100
SIGNPOST_ESP_BATCH_SIZE = 50
SIGNPOST_ESP_RATE_PER_SECOND = 0
