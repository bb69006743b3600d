"""What each quadrant of the interest/influence grid means in practice, and what is due
next for a stakeholder (guide section 8: strategies for involvement, consultation,
informing, and watching)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import Quadrant

DEFAULT_INTERVAL_DAYS = {"involve": 30, "consult": 60, "inform": 90, "watch": 90}


@dataclass(frozen=True)
class Strategy:
    quadrant: Quadrant
    summary: str
    in_practice: str
    action: str


STRATEGIES = {
    Quadrant.INVOLVE: Strategy(
        Quadrant.INVOLVE,
        "High interest, high influence: involve them in delivering the initiative.",
        "Approach one to one, early in the planning, and offer an advisory seat on the "
        "strategic group. Keep in regular personal contact.",
        "One-to-one meeting",
    ),
    Quadrant.CONSULT: Strategy(
        Quadrant.CONSULT,
        "High interest, little influence: consult them on the initiative.",
        "Reach them through community forum meetings, perception surveys, local media and "
        "the neighbourhood policing team, at regular intervals throughout delivery.",
        "Consult at a forum meeting, by survey or through the neighbourhood team",
    ),
    Quadrant.INFORM: Strategy(
        Quadrant.INFORM,
        "High influence, limited interest: keep them informed of developments.",
        "Put them on the newsletter list and offer presentations on the initiative's progress.",
        "Send news or offer a presentation",
    ),
    Quadrant.WATCH: Strategy(
        Quadrant.WATCH,
        "Little interest, little influence: watch whether their interest grows.",
        "No active engagement; re-assess at a set interval and change strategy if their "
        "interest rises.",
        "Re-assess interest and influence",
    ),
}


def interval_days(quadrant: Quadrant) -> int:
    intervals = {
        **DEFAULT_INTERVAL_DAYS,
        **getattr(settings, "SIGNPOST_STAKEHOLDER_INTERVAL_DAYS", {}),
    }
    return int(intervals[quadrant.value])


def first_contact_days() -> int:
    return int(getattr(settings, "SIGNPOST_STAKEHOLDER_FIRST_CONTACT_DAYS", 14))


def reassess_days() -> int:
    return int(getattr(settings, "SIGNPOST_STAKEHOLDER_REASSESS_DAYS", 180))


def next_action_for(stakeholder) -> tuple[str, datetime.date]:
    """The stakeholder's next due action and its date.

    Unscored stakeholders are due a first assessment now; everyone is due a
    re-assessment at the re-assessment interval; otherwise the quadrant's own
    action at its interval from the last engagement (or, before any, soon after the
    assessment).
    """
    quadrant = stakeholder.quadrant
    if quadrant is None or stakeholder.assessed_on is None:
        created = stakeholder.created_at.date() if stakeholder.created_at else None
        return "Score interest and influence", created or timezone.localdate()
    day = datetime.timedelta(days=1)
    assessed = stakeholder.assessed_on
    last = stakeholder.last_engaged_on
    reassess = ("Re-assess interest and influence", assessed + reassess_days() * day)
    if quadrant == Quadrant.WATCH:
        action = ("Re-assess interest and influence", assessed + interval_days(quadrant) * day)
    elif quadrant == Quadrant.INVOLVE and last is None:
        action = (
            "Approach one to one and offer an advisory seat on the strategic group",
            assessed + first_contact_days() * day,
        )
    elif quadrant == Quadrant.INFORM and not stakeholder.newsletter_list:
        action = ("Add to the newsletter list", assessed + first_contact_days() * day)
    else:
        since = last or assessed
        action = (STRATEGIES[quadrant].action, since + interval_days(quadrant) * day)
    return min(action, reassess, key=lambda pair: pair[1])
