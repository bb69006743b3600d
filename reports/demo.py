"""Demo progress reports: last month's draft, as the monthly schedule would prepare it."""

from .services import report_draft_monthly


def load(demo) -> None:
    report = report_draft_monthly()
    demo.say(f"Draft progress report for {report.period_label()}")
