"""The words a resident agrees to when signing up, by version. A consent record names the
version shown, so what someone agreed to can always be shown again. Add a new version
rather than editing one that has been shown."""

CONSENT_WORDING = {
    "2026-11": (
        "Send me email updates from the initiative about my area and the topics I have "
        "chosen. I can change my choices or unsubscribe at any time with the link in every "
        "email. My details are used only for these updates and are never shared."
    ),
}
CURRENT_WORDING_VERSION = "2026-11"


def current_wording() -> str:
    return CONSENT_WORDING[CURRENT_WORDING_VERSION]
