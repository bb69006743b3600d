"""Registers the surveys with Wagtail: the survey waves' register, the comparison and
household codes pages and their menu items. What is registered lives in ``viewsets``,
``admin_urls`` and ``views``."""

from django.urls import include, path, reverse
from signpost.admin_menu import PermissionMenuItem
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import admin_urls, views
from .population import services as population_services
from .population import views as population_views
from .population.viewsets import PopulationMarginsViewSet
from .viewsets import SurveyWaveViewSet

register_snippet(SurveyWaveViewSet)


@hooks.register("register_admin_viewset")
def register_population_viewset():
    return PopulationMarginsViewSet()


@hooks.register("register_admin_urls")
def register_comparison_urls():
    return [path("surveys/", include(admin_urls))]


@hooks.register("register_admin_menu_item")
def register_comparison_menu_item():
    return PermissionMenuItem(
        "Survey results",
        reverse("surveys_compare_choose"),
        icon_name="table",
        order=251,
        permission=views.READ_PERMISSION,
    )


@hooks.register("register_admin_menu_item")
def register_issue_codes_menu_item():
    return PermissionMenuItem(
        "Household codes",
        reverse("surveys_issue_codes"),
        icon_name="key",
        order=252,
        permission="surveys.add_responsecode",
    )


@hooks.register("register_admin_menu_item")
def register_census_import_menu_item():
    return PermissionMenuItem(
        "Import census figures",
        reverse("surveys_population_import"),
        icon_name="upload",
        order=254,
        permission=population_views.IMPORT_PERMISSION,
    )


@hooks.register("register_log_actions")
def register_surveys_log_actions(actions):
    actions.register_action(
        population_services.LOG_ACTION_CENSUS_IMPORT,
        "Census figures imported",
        "Census figures imported",
    )
