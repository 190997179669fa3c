"""sync_sportstats against a hostname that cannot resolve: one clear error, no retries."""

import time

import pytest
from django.core.management import CommandError, call_command

from sportstats.models import Team

# RFC 6761 reserves .invalid: no resolver anywhere answers for it.
UNRESOLVABLE_BASE_URL = "http://api.nonexistent.invalid/v1"


@pytest.mark.django_db
def test_an_unresolvable_hostname_fails_at_once_naming_the_host():
    started = time.monotonic()
    with pytest.raises(CommandError) as failure:
        # With these settings, retrying would wait 30 s or more before the second attempt.
        call_command(
            "sync_sportstats", "--base-url", UNRESOLVABLE_BASE_URL, "--retries", "5",
            "--backoff", "60", "--timeout", "5", verbosity=0,
        )  # fmt: skip
    elapsed = time.monotonic() - started
    message = str(failure.value)
    assert "cannot resolve 'api.nonexistent.invalid'" in message
    assert "--base-url" in message
    assert elapsed < 25, f"took {elapsed:.1f}s: the lookup was retried"
    assert not Team.objects.exists()
