"""The admin's subscriber views: one person's data export, and the listing, editing and
erasing views the viewset uses (editing is a consent change, deleting is erasure)."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from signpost.admin_permissions import require_permission
from signpost.exports import NeutralisedExportMixin
from signpost.pagination import BoundedCountMixin
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import MenuItem

from . import selectors, services
from .models import ConsentRecord, Subscriber


def subscriber_export(request, pk):
    """Everything held on one subscriber, as a JSON file to give them (subject access)."""
    require_permission(request, "newsletters.view_subscriber")
    subscriber = get_object_or_404(Subscriber, pk=pk)
    data = selectors.subscriber_export_data(subscriber=subscriber)
    services.subscriber_log_export(subscriber=subscriber, user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="subscriber-{subscriber.pk}.json"'
    return response


class SubscriberDeleteView(generic.DeleteView):
    """Deleting a subscriber is erasure: through the service, logged without the address."""

    def delete_action(self):
        services.subscriber_erase(subscriber=self.object, user=self.request.user)


class SubscriberEditView(generic.EditView):
    """Staff changes to a subscriber's choices are consent changes too, recorded as such."""

    def save_instance(self):
        original = Subscriber.objects.get(pk=self.object.pk)
        data = self.form.cleaned_data
        return services.subscriber_update_preferences(
            subscriber=original,
            name=data["name"],
            postcode=data["postcode"],
            topics=data["topics"],
            language=data["language"],
            method=ConsentRecord.Method.ADMIN,
        )

    def get_success_message(self, *args, **kwargs):
        return (
            f"Choices for {self.object} saved, and the change noted in their consent history "
            "as made by staff."
        )


class SubscriberIndexView(BoundedCountMixin, NeutralisedExportMixin, generic.IndexView):
    # A force's register is a million rows: exported as plain rows, the area by its name
    # (``Area.__str__``).
    export_value_paths = {"area": "area__name"}
    export_always_prepared = True

    def get_base_queryset(self):
        # Each row and exported line names its area: one join, not a query a row.
        return super().get_base_queryset().select_related("area")

    def get_list_more_buttons(self, instance):
        buttons = [b for b in super().get_list_more_buttons(instance) if b.label != "Delete"]
        buttons.append(
            MenuItem(
                "Export everything held",
                url=reverse("newsletters_subscriber_export", args=[instance.pk]),
                icon_name="download",
                priority=40,
            )
        )
        if delete_url := self.get_delete_url(instance):
            buttons.append(MenuItem("Erase", url=delete_url, icon_name="bin", priority=50))
        return buttons
