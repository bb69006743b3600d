"""Background work for subscribers: thin, taking ids, safe to run twice."""

from signpost.celery import task

from engagement.models import Area

from .models import Topic


@task("newsletters.subscribers_purge_unconfirmed")
def subscribers_purge_unconfirmed() -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.subscribers_purge_unconfirmed()


@task("newsletters.area_subscriber_counts_recount")
def area_subscriber_counts_recount() -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.area_subscriber_counts_recount()


@task("newsletters.subscriber_sign_up")
def subscriber_sign_up(
    email: str,
    name: str,
    postcode: str,
    topic_ids: list[int],
    area_id: int | None,
    wording_version: str,
    language: str = "",
) -> None:
    """The sign-up form's work, off the request: the form answers in the same time for
    an address that is new, pending or already subscribed."""
    from . import services  # tasks import their services when they run (services import tasks)

    services.subscriber_sign_up(
        email=email,
        name=name,
        postcode=postcode,
        topics=Topic.objects.filter(pk__in=topic_ids),
        area=Area.objects.filter(pk=area_id).first() if area_id else None,
        wording_version=wording_version,
        language=language,
    )


@task("newsletters.subscriber_welcome_send")
def subscriber_welcome_send(subscriber_id: int) -> bool:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.subscriber_welcome_send(subscriber_id=subscriber_id)
