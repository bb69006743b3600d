"""Wagtail's bulk actions, without telling anyone what they may not touch.

Wagtail's confirmation page for a bulk action (``/admin/bulk/<app>/<model>/<action>/?id=…``)
lists by name the selected items the user may not act on, and any admin user can ask for
any ids: a partner viewer could read stakeholders' names or the titles of embargoed press
releases from it. (User accounts' actions already refuse anyone who may not manage
accounts.) Each action here first refuses a user who may not take it on that kind
of record at all, before anything is looked up, and then names only the items left out
that the user may see elsewhere anyway, counting the rest.
``wagtail_hooks`` registers these in place of Wagtail's own; the press releases' bulk
publish (``engagement.press.views``) is built on the same mixin.
"""

from django.core.exceptions import PermissionDenied
from django.utils.functional import cached_property
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.admin.views.pages.bulk_actions.delete import (
    DeleteBulkAction as PageDeleteBulkAction,
)
from wagtail.admin.views.pages.bulk_actions.move import MoveBulkAction as PageMoveBulkAction
from wagtail.admin.views.pages.bulk_actions.unpublish import (
    UnpublishBulkAction as PageUnpublishBulkAction,
)
from wagtail.documents.views.bulk_actions.add_tags import (
    AddTagsBulkAction as DocumentAddTagsBulkAction,
)
from wagtail.documents.views.bulk_actions.add_to_collection import (
    AddToCollectionBulkAction as DocumentAddToCollectionBulkAction,
)
from wagtail.documents.views.bulk_actions.delete import (
    DeleteBulkAction as DocumentDeleteBulkAction,
)
from wagtail.images.views.bulk_actions.add_tags import AddTagsBulkAction as ImageAddTagsBulkAction
from wagtail.images.views.bulk_actions.add_to_collection import (
    AddToCollectionBulkAction as ImageAddToCollectionBulkAction,
)
from wagtail.images.views.bulk_actions.delete import DeleteBulkAction as ImageDeleteBulkAction
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction as SnippetDeleteBulkAction

from .selectors import pages_user_may_see


class ConfidentialBulkActionMixin:
    """Refuse a user who may not take the action on this model at all, before any record
    is read; of the selected items the user may not act on, name only those they may see
    elsewhere anyway, and count the rest."""

    def user_may_act_on_model(self) -> bool:
        raise NotImplementedError

    def user_may_see(self, item) -> bool:
        return False

    def dispatch(self, request, *args, **kwargs):
        if not self.user_may_act_on_model():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = context.get("items_with_no_access") or []
        named = []
        for entry in entries:
            # Pages, images and documents wrap each item in a dict; others list it bare.
            item = entry["item"] if isinstance(entry, dict) else entry
            if self.user_may_see(item):
                named.append(entry)
        context["items_with_no_access"] = named
        unnamed = len(entries) - len(named)
        if unnamed:
            messages.warning(
                self.request,
                ngettext(
                    "%(count)d other selected item is not yours to change this way; "
                    "it is left out.",
                    "%(count)d other selected items are not yours to change this way; "
                    "they are left out.",
                    unnamed,
                )
                % {"count": unnamed},
            )
        return context


class PolicyCheckedMixin(ConfidentialBulkActionMixin):
    """For records with a permission policy: the model-wide permission for the action;
    an item is named to those who may change or choose it."""

    permission_required: str
    permissions_to_see = ("change", "choose")

    def user_may_act_on_model(self) -> bool:
        return self.permission_policy.user_has_permission(
            self.request.user, self.permission_required
        )

    def user_may_see(self, item) -> bool:
        return self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, self.permissions_to_see, item
        )


class SnippetDeleteAction(PolicyCheckedMixin, SnippetDeleteBulkAction):
    """Delete snippets, asking the model's own viewset (whose permission policy may be
    stricter than the registry's) whether the user may delete them."""

    permission_required = "delete"
    permissions_to_see = ("view", "change", "delete")

    @cached_property
    def permission_policy(self):
        return self.model.snippet_viewset.permission_policy


class PageActionMixin(ConfidentialBulkActionMixin):
    """Pages: some page permission that could allow the action somewhere in the tree."""

    page_permissions: tuple[str, ...]

    def user_may_act_on_model(self) -> bool:
        return PagePermissionPolicy().user_has_any_permission(
            self.request.user, self.page_permissions
        )

    def user_may_see(self, item) -> bool:
        pages = Page.objects.filter(pk=item.pk)
        return pages_user_may_see(pages, self.request.user).exists()


class PageDeleteAction(PageActionMixin, PageDeleteBulkAction):
    page_permissions = ("add", "change")


class PageMoveAction(PageActionMixin, PageMoveBulkAction):
    page_permissions = ("add", "change")


class PageUnpublishAction(PageActionMixin, PageUnpublishBulkAction):
    page_permissions = ("publish",)


class ImageDeleteAction(PolicyCheckedMixin, ImageDeleteBulkAction):
    permission_required = "delete"


class ImageAddTagsAction(PolicyCheckedMixin, ImageAddTagsBulkAction):
    permission_required = "change"


class ImageAddToCollectionAction(PolicyCheckedMixin, ImageAddToCollectionBulkAction):
    permission_required = "change"


class DocumentDeleteAction(PolicyCheckedMixin, DocumentDeleteBulkAction):
    permission_required = "delete"


class DocumentAddTagsAction(PolicyCheckedMixin, DocumentAddTagsBulkAction):
    permission_required = "change"


class DocumentAddToCollectionAction(PolicyCheckedMixin, DocumentAddToCollectionBulkAction):
    permission_required = "change"
