"""What the privacy notice says Signpost holds about residents, worked out from the
settings in force, so the notice stays true when they change."""

from dataclasses import dataclass

from django.conf import settings


@dataclass
class PrivacyFact:
    what: str
    why: str
    kept: str


def privacy_facts(initiative) -> dict:
    """What Signpost holds about residents, why and for how long, from the settings in
    force, for the privacy notice."""
    purge_days = settings.SIGNPOST_UNCONFIRMED_PURGE_DAYS
    link_days = settings.SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS
    threshold = settings.SURVEYS_SUPPRESSION_THRESHOLD
    batch = max(2, settings.SURVEYS_RESPONSE_BATCH_MIN)
    limit, period = settings.SURVEYS_SUBMIT_RATE_LIMIT
    rows = [
        PrivacyFact(
            "Email updates: your email address, the first name and postcode you give, your "
            "area and topics, and a record of each time you agreed or changed your mind.",
            "To send the updates you asked for (your consent), and to show that you asked.",
            f"Until you unsubscribe. A sign-up never confirmed is deleted after {purge_days} "
            f"days; the confirmation link works for {link_days} days.",
        ),
        PrivacyFact(
            "Survey answers, with the survey and its dates only: no name, email, home "
            "address, internet address, or day or time you answered. If your leaflet had a "
            "household code, we keep only that it was used, never beside your answers.",
            "To see whether the areas feel safer, comparing answers before and after the work.",
            f"Anonymous: stored mixed in with at least {batch - 1} other people's answers, "
            "so they cannot be traced to you or your leaflet. A group of fewer than "
            f"{threshold} answers is never shown, and results change only when at least "
            f"{threshold} more people have answered.",
        ),
        PrivacyFact(
            "Your internet address, scrambled, for a short time when you send a form.",
            f"To stop one connection sending more than {limit} surveys in "
            f"{period // 60} minutes, or flooding the sign-up form.",
            "Forgotten automatically within the hour; never stored with your answers.",
        ),
        PrivacyFact(
            "The postcode you type to find your area.",
            "To show you the page for your area.",
            "Not kept.",
        ),
        PrivacyFact(
            "Scans of the QR codes on leaflets and signs: how many, per leaflet drop or sign.",
            "To know which leaflets and signs reach people.",
            "Only counts; nothing about the person scanning.",
        ),
    ]
    return {
        "rows": rows,
        "controller": initiative.data_controller or initiative.name,
        "contact": initiative.data_protection_contact or initiative.contact_email,
    }
