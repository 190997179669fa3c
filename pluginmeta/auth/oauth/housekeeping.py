"""Removing the clients that registered themselves but never got as far as a token."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_application_model

from pluginmeta.models import PluginOAuthClient

# Deleted in slices, so a backlog of thousands holds no lock for long.
BATCH_SIZE = 500


@dataclass(frozen=True)
class RemovedClient:
    client_id: str
    name: str
    plugin_slug: str
    registered_at: datetime


def unused_self_registered_clients(registered_before: datetime):
    """Self-registered (RFC 7591) clients registered before then and never issued a token."""
    application_model = get_application_model()
    return (
        PluginOAuthClient.objects.filter(
            first_authorized_at__isnull=True,
            application__registration_source=application_model.RegistrationSource.DCR,
            application__created__lt=registered_before,
        )
        .select_related("application", "plugin")
        .order_by("application__created", "pk")
    )


def remove_unused_clients(older_than: timedelta) -> list[RemovedClient]:
    """Deletes the unused self-registered clients older than older_than (with their pending
    codes); clients an operator made are never touched."""
    registered_before = timezone.now() - older_than
    application_model = get_application_model()
    removed: list[RemovedClient] = []
    while True:
        with transaction.atomic():
            batch = list(unused_self_registered_clients(registered_before)[:BATCH_SIZE])
            if not batch:
                return removed
            ids = [link.application_id for link in batch]
            application_model.objects.filter(pk__in=ids).delete()
        removed.extend(
            RemovedClient(
                client_id=link.application.client_id,
                name=link.application.name,
                plugin_slug=link.plugin.slug,
                registered_at=link.application.created,
            )
            for link in batch
        )
