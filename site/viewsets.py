"""A Wagtail listing for a model whose other screens are Signpost's own views.

Print runs and signs are recorded, opened and logged through custom views (a print run's
form previews the layout; a sign is logged, never edited as a model), but their
listings are plain listings: columns, filters, pagination. :class:`ListingViewSet` gives
them Wagtail's (https://docs.wagtail.org/en/stable/extending/generic_views.html) and
nothing else: no add, edit, delete, history or usage pages, no edit links elsewhere in the
admin, no entry in the reference index or the group permission editor.
"""

from django.contrib.auth.models import Permission
from django.urls import path
from wagtail.admin.admin_url_finder import NullAdminURLFinder
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from .pagination import BoundedCountMixin


class ListingIndexView(BoundedCountMixin, generic.IndexView):
    """Opens to those with the model's view permission, as the custom views beside it do
    (Wagtail's own listing opens to any of add, change, delete or view); its count stops
    at a bound (``signpost.pagination``)."""

    permission_required = "view"
    any_permission_required = None


class ListingViewSet(ModelViewSet):
    index_view_class = ListingIndexView
    #: The URL name of the custom view that adds one, for the listing's header button.
    add_url_name = None
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    url_finder_class = NullAdminURLFinder

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": self.add_url_name,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    def get_permissions_to_register(self):
        return Permission.objects.none()
