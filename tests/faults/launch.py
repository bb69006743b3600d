"""Start a Celery process (``launch.py worker …`` or ``launch.py beat …``) with a fault
planted in it: ``SIGNPOST_TEST_FAULT`` names the point at which the process kills itself
with SIGKILL, as the kernel's OOM killer or a lost machine would, with no clean-up.

Faults:
- ``print-after-layout``: a print run's page laid out and its parts queued, none stamped;
- ``print-mid-part``: a part half stamped (the parts before it written);
- ``print-before-delivery``: every part stamped and joined, the PDF not yet delivered;
- ``print-after-delivery``: the PDF delivered, the job not yet marked done (redelivered);
- ``campaign-mid-send``: a batch accepted by the ESP, not yet recorded as sent;
- ``campaign-slow-send``: not a kill: each batch takes a second longer to record, so a
  service can be restarted while the send is under way;
- ``report-after-draft``: the monthly draft committed, its notice not yet sent;
- ``export-mid-build``: a large export's file half written;
- ``export-after-store``: its file stored, the export not yet marked ready.
"""

import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def plant(fault: str) -> None:
    from signpost import prepared_exports

    from newsletters.sending import batches
    from printing import rendering
    from printing import services as printing_services
    from reports import services as report_services

    if fault == "print-after-layout":
        real_render = printing_services.print_run_render

        def render_then_die(**kwargs):
            real_render(**kwargs)
            die()

        printing_services.print_run_render = render_then_die
    elif fault == "print-mid-part":
        real_stamp = rendering.item_stamp
        stamped = [0]

        def stamp_or_die(item):
            stamped[0] += 1
            if stamped[0] == 250:  # half-way through the third part of 100
                die()
            return real_stamp(item)

        rendering.item_stamp = stamp_or_die
    elif fault == "print-before-delivery":
        printing_services._attach_pdf = die
    elif fault == "print-after-delivery":
        real_join = printing_services.print_run_render_join

        def join_then_die(**kwargs):
            real_join(**kwargs)
            die()

        printing_services.print_run_render_join = join_then_die
    elif fault == "campaign-mid-send":
        real_record = batches._record_sent
        recorded = [0]

        def record_or_die(*args, **kwargs):
            recorded[0] += 1
            if recorded[0] == 3:  # the third batch is at the ESP, not recorded
                die()
            return real_record(*args, **kwargs)

        batches._record_sent = record_or_die
    elif fault == "campaign-slow-send":
        import time

        real_record_slowly = batches._record_sent

        def record_slowly(*args, **kwargs):
            time.sleep(1)
            return real_record_slowly(*args, **kwargs)

        batches._record_sent = record_slowly
    elif fault == "report-after-draft":
        real_draft = report_services.report_draft_monthly

        def draft_then_die(**kwargs):
            real_draft(**kwargs)
            die()

        report_services.report_draft_monthly = draft_then_die
    elif fault == "export-mid-build":
        real_counted = prepared_exports.BuildTarget.counted

        def count_or_die(self, items):
            for item in real_counted(self, items):
                if self.rows == 150:
                    die()
                yield item

        prepared_exports.BuildTarget.counted = count_or_die
    elif fault == "export-after-store":
        real_finish = prepared_exports._finish

        def finish_or_die(export, **fields):
            if fields.get("status") == "ready":
                die()
            return real_finish(export, **fields)

        prepared_exports._finish = finish_or_die
    elif fault:
        raise SystemExit(f"Unknown fault {fault!r}")


if __name__ == "__main__":
    import django

    django.setup()
    plant(os.environ.get("SIGNPOST_TEST_FAULT", ""))
    from celery.__main__ import main

    sys.argv = ["celery", "-A", "signpost", *sys.argv[1:]]
    main()
