"""Authorization-code replay: a code used twice revokes the tokens it issued (RFC 6749 4.1.2)."""

import hashlib
import uuid
from datetime import timedelta

from django.utils import timezone
from oauth2_provider.models import get_refresh_token_model

from pluginmeta.models import SpentAuthorizationCode

# A replay after this long is refused like any unknown code but revokes nothing; the rows are
# pruned as new codes are spent, so the table stays small.
REMEMBER_SPENT_CODES = timedelta(days=1)


def code_checksum(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def remember_spent_code(code: str, application, token_family: uuid.UUID | None) -> None:
    now = timezone.now()
    SpentAuthorizationCode.objects.filter(created_at__lt=now - REMEMBER_SPENT_CODES).delete()
    SpentAuthorizationCode.objects.update_or_create(
        code_checksum=code_checksum(code),
        defaults={"application": application, "token_family": token_family},
    )


def revoke_if_replayed(code: str, application) -> bool:
    """Revokes the token family a spent code issued; True if the code had been spent."""
    spent = SpentAuthorizationCode.objects.filter(
        code_checksum=code_checksum(code), application=application
    ).first()
    if spent is None:
        return False
    get_refresh_token_model().revoke_family(spent.token_family)
    return True
