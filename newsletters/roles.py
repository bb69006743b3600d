from signpost.roles import APPROVER, COMMUNICATIONS_OFFICER, PARTNER_VIEWER

_EDIT = (
    [
        f"newsletters.{action}_{model}"
        for model in ("campaign", "topic")
        for action in ("add", "change", "delete", "view")
    ]
    + [
        # Subscribers come only through the sign-up form (consent); staff may correct, export
        # and erase them.
        "newsletters.view_subscriber",
        "newsletters.change_subscriber",
        "newsletters.delete_subscriber",
    ]
    + [
        "newsletters.view_suppression",
        "newsletters.add_suppression",
        "newsletters.delete_suppression",
    ]
)

ROLE_PERMISSIONS = {
    COMMUNICATIONS_OFFICER: _EDIT,
    APPROVER: _EDIT + ["newsletters.approve_campaign"],
    PARTNER_VIEWER: ["newsletters.view_campaign"],
}
