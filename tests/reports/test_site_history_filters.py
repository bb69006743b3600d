"""The site history's filter choices are read from the log's indexes for a superuser,
and name exactly the types and actions the log holds."""

import pytest
from django.contrib.contenttypes.models import ContentType
from signpost.site_history import SiteHistoryFilterSet, distinct_logged, logged_content_types
from wagtail.admin.views.reports.audit_logging import (
    get_actions_for_filter,
    get_content_types_for_filter,
)
from wagtail.log_actions import log

from engagement.models import MediaEnquiry, Stakeholder
from tests.engagement.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def test_the_choices_are_those_wagtail_would_read_from_every_entry(rf, superuser):
    stakeholder = StakeholderFactory()
    for _ in range(3):
        log(stakeholder, "wagtail.edit", user=superuser)
    log(stakeholder, "wagtail.create", user=superuser)
    request = rf.get("/admin/reports/site-history/")
    request.user = superuser

    assert list(logged_content_types(superuser)) == list(get_content_types_for_filter(superuser))
    assert ContentType.objects.get_for_model(Stakeholder) in logged_content_types(superuser)
    assert ContentType.objects.get_for_model(MediaEnquiry) not in logged_content_types(superuser)
    choices = SiteHistoryFilterSet(request=request).get_action_choices()
    assert choices == get_actions_for_filter(superuser)
    assert {"wagtail.edit", "wagtail.create"} <= {action for action, _label in choices}


def test_an_empty_log_has_no_values(superuser):
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.all().delete()
    assert distinct_logged(ModelLogEntry, "action") == set()


def test_a_user_who_may_not_see_the_whole_log_gets_wagtails_choices(rf, comms_officer):
    stakeholder = StakeholderFactory()
    log(stakeholder, "wagtail.edit", user=comms_officer)
    request = rf.get("/admin/reports/site-history/")
    request.user = comms_officer
    assert list(logged_content_types(comms_officer)) == list(
        get_content_types_for_filter(comms_officer)
    )
    assert SiteHistoryFilterSet(request=request).get_action_choices() == get_actions_for_filter(
        comms_officer
    )
