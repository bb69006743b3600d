from signpost.roles import (
    ANALYST,
    APPROVER,
    COMMUNICATIONS_OFFICER,
    NEIGHBOURHOOD_TEAM,
    PARTNER_VIEWER,
)

_READ = ["reports.view_progressreport", "reports.view_dashboard"]
_EDIT = _READ + [
    "reports.add_progressreport",
    "reports.change_progressreport",
    "reports.delete_progressreport",
    "reports.issue_progressreport",
]

ROLE_PERMISSIONS = {
    # Communications officers, approvers and the analyst (who weighs the evidence the
    # report gives) draft, comment on and issue reports.
    COMMUNICATIONS_OFFICER: _EDIT,
    APPROVER: _EDIT,
    ANALYST: _EDIT,
    # Everyone else reads issued reports and the dashboard, and changes nothing.
    NEIGHBOURHOOD_TEAM: _READ,
    PARTNER_VIEWER: _READ,
}
