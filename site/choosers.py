"""Choosers that respect the same permissions as the listings they stand beside.

Wagtail's snippet choosers (``/admin/snippets/choose/<app>/<model>/``) answer anyone with
admin access: the stakeholder chooser listed every stakeholder to partner viewers. Every
Signpost snippet viewset uses :class:`PermissionCheckedSnippetViewSet`, whose chooser,
its results, search and "chosen" answers need a permission on the model (add, change,
delete or view), as its listing does.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import chooser
from wagtail.snippets.views.snippets import SnippetViewSet

from .selectors import pages_user_may_see

ANY_MODEL_PERMISSION = ["add", "change", "delete", "view"]


def user_may_choose(user, model) -> bool:
    return ModelPermissionPolicy(model).user_has_any_permission(user, ANY_MODEL_PERMISSION)


class _PermissionChecked:
    def dispatch(self, request, *args, **kwargs):
        if not user_may_choose(request.user, self.model_class):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChooseView(_PermissionChecked, chooser.ChooseView):
    pass


class ChooseResultsView(_PermissionChecked, chooser.ChooseResultsView):
    pass


class ChosenView(_PermissionChecked, chooser.SnippetChosenView):
    pass


class ChosenMultipleView(_PermissionChecked, chooser.SnippetChosenMultipleView):
    pass


class CreateView(_PermissionChecked, chooser.SnippetCreateView):
    pass


class PermissionCheckedSnippetChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = CreateView


class PermissionCheckedSnippetViewSet(SnippetViewSet):
    """The base of every Signpost snippet viewset: its chooser checks permissions."""

    chooser_viewset_class = PermissionCheckedSnippetChooserViewSet


def page_chooser_shows_what_the_user_may_see(pages, request):
    parent_id = (request.resolver_match.kwargs if request.resolver_match else {}).get(
        "parent_page_id"
    )
    if parent_id and not pages_user_may_see(Page.objects.filter(pk=parent_id), request.user):
        raise Http404  # browsing into a draft would show its title as the heading
    return pages_user_may_see(pages, request.user)
