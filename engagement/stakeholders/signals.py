"""Signal receivers for the stakeholder register: its search index."""

from django.db.models.signals import post_delete, post_save

from .models import Stakeholder
from .search import on_stakeholder_deleted, on_stakeholder_saved


def connect() -> None:
    post_save.connect(on_stakeholder_saved, sender=Stakeholder, dispatch_uid="stakeholder_index")
    post_delete.connect(
        on_stakeholder_deleted, sender=Stakeholder, dispatch_uid="stakeholder_unindex"
    )
