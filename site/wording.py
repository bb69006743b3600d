"""Wording residents see that must come from one source. A survey's length is worked out
from its questions (``surveys.models.survey_length_text``) and shown beside any text
that invites residents to it, so free text never states it: it would go stale the day a
question is added, and the home page would disagree with the leaflet."""

import re

from django.core.exceptions import ValidationError

STATED_LENGTH_RE = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|couple of)\s+"
    r"(?:short\s+|quick\s+)?(?:minutes?|mins?)\b",
    re.IGNORECASE,
)

STATED_LENGTH_MESSAGE = (
    "Leave out how long the survey takes (“{words}”): Signpost works it out from the "
    "survey's questions and shows it beside this text."
)


def stated_length(text: str) -> str:
    """The words in ``text`` that state how long something takes, or ''."""
    match = STATED_LENGTH_RE.search(text or "")
    return match.group(0) if match else ""


def refuse_stated_length(text: str) -> None:
    """A ``ValidationError`` if ``text`` states a survey's length."""
    words = stated_length(text)
    if words:
        raise ValidationError(STATED_LENGTH_MESSAGE.format(words=words))
