"""Registers the crime evaluation with Wagtail: the *Crime evaluation* menu (evaluations,
areas, imports), the registers and the custom pages' URLs. What is registered lives in
``viewsets``, ``admin_urls`` and ``views``."""

from django.urls import include, path, reverse
from signpost.admin_menu import PermissionMenuItem
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from . import admin_urls, services, views
from .viewsets import CrimeAreaViewSet, CrimeImportViewSet, EvaluationViewSet

register_snippet(EvaluationViewSet)
register_snippet(CrimeAreaViewSet)


@hooks.register("register_admin_viewset")
def register_import_listing():
    return CrimeImportViewSet("evaluation_imports", url_prefix="evaluation/imports")


@hooks.register("register_admin_urls")
def register_evaluation_urls():
    return [
        path(
            "evaluation/",
            include((admin_urls, "evaluation_admin"), namespace="evaluation_admin"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_evaluation_menu():
    menu = Menu(
        register_hook_name="register_evaluation_menu_item",
        construct_hook_name="construct_evaluation_menu",
    )
    return SubmenuMenuItem("Crime evaluation", menu, icon_name="table", name="crime", order=253)


@hooks.register("register_evaluation_menu_item")
def register_evaluations_item():
    return PermissionMenuItem(
        "Evaluations",
        reverse("wagtailsnippets_evaluation_evaluation:list"),
        icon_name="table",
        order=100,
        permission=views.VIEW_EVALUATION,
    )


@hooks.register("register_evaluation_menu_item")
def register_areas_item():
    return PermissionMenuItem(
        "Crime areas",
        reverse("wagtailsnippets_evaluation_crimearea:list"),
        icon_name="site",
        order=200,
        permission=views.VIEW_AREA,
    )


@hooks.register("register_evaluation_menu_item")
def register_imports_item():
    return PermissionMenuItem(
        "police.uk imports",
        reverse("evaluation_imports:index"),
        icon_name="upload",
        order=300,
        permission=views.VIEW_IMPORT,
    )


hooks.register("register_snippet_listing_buttons", views.listing_buttons)


@hooks.register("register_log_actions")
def register_evaluation_log_actions(actions):
    actions.register_action(
        services.LOG_ACTION_IMPORT, "police.uk file uploaded", "police.uk file uploaded"
    )
    actions.register_action(
        services.LOG_ACTION_RING, "Buffer ring generated", "Buffer ring generated"
    )
