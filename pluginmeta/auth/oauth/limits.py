"""What anonymous callers may cost the OAuth endpoints: client registrations per address, and
failed client authentications (a secret hash each) per client id and per address.

The counts live in the shared cache, so every worker holds them together; while it is down each
process counts by itself, as the API throttle does (pluginmeta.api.throttling).
"""

import hashlib
import math
import secrets
import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher, make_password
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from oauth2_provider.settings import oauth2_settings

from pluginmeta.api.throttling import parse_rate
from pluginmeta.auth.login_limits import take_attempt
from pluginmeta.cache import CacheUnavailable

REGISTRATION = "oauth-registration"

_counts_of_this_process = LocMemCache("oauth-client-failures", {})


def take_registration(request: HttpRequest) -> int | None:
    """Counts one registration attempt of the request's address; None within the budget
    (OAUTH_REGISTER_ADDRESS_RATE), else the seconds until its window ends."""
    return take_attempt(request, REGISTRATION, settings.OAUTH_REGISTER_ADDRESS_RATE)


def _change(counts: BaseCache, key: str, delta: int, timeout: int) -> int:
    try:
        return counts.incr(key, delta)
    except ValueError:  # the window's first count (add is atomic: one caller wins)
        if delta > 0 and counts.add(key, delta, timeout=timeout):
            return delta
        return counts.incr(key, delta) if delta > 0 else 0


def _shared_change(key: str, delta: int, timeout: int) -> int:
    try:
        return _change(cache, key, delta, timeout)
    except CacheUnavailable:
        return _change(_counts_of_this_process, key, delta, timeout)


@dataclass
class ClientAuthenticationBudget:
    """The failure counts one client authentication holds a place in until it is settled.

    A place is taken before the secret is hashed and given back if the secret was right, so
    attempts still being hashed count too: concurrent wrong guesses cannot overrun the budget.
    """

    places: list[tuple[str, int]] = field(default_factory=list)  # (key, timeout)
    retry_after: int | None = None

    def settle(self, authenticated: bool) -> None:
        if authenticated:
            self.give_back()

    def give_back(self) -> None:
        for key, timeout in self.places:
            _shared_change(key, -1, timeout)
        self.places = []


def _client_key(client_id: str) -> str:
    # Any string can arrive as a client id; a digest keeps the cache key short and printable.
    return hashlib.sha256(client_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def take_client_authentication(client_id: str, address: str) -> ClientAuthenticationBudget:
    """A place in the failure budgets of client_id (OAUTH_CLIENT_FAILURE_ID_RATE) and of address
    (OAUTH_CLIENT_FAILURE_ADDRESS_RATE); retry_after is set, and no place held, when either is
    spent."""
    budget = ClientAuthenticationBudget()
    now = time.time()
    waits: list[int] = []
    for kind, ident, rate in (
        ("id", _client_key(client_id), settings.OAUTH_CLIENT_FAILURE_ID_RATE),
        ("address", address, settings.OAUTH_CLIENT_FAILURE_ADDRESS_RATE),
    ):
        limit = parse_rate(rate)
        if limit is None:
            continue
        max_failures, period = limit
        window = int(now // period)
        key = f"oauth-client-failures:{kind}:{ident}:{period}:{window}"
        budget.places.append((key, period + 1))
        if _shared_change(key, 1, period + 1) > max_failures:
            waits.append(max(1, math.ceil((window + 1) * period - now)))
    if waits:
        budget.give_back()
        budget.retry_after = max(waits)
    return budget


@lru_cache(maxsize=4)
def _decoy_hash(algorithm: str) -> str:
    return make_password(secrets.token_urlsafe(32), hasher=algorithm)


def secret_matches(provided: str, stored: str) -> bool:
    """Whether provided is the client secret stored (hashed or not), at the cost of one hash
    whatever is stored: an unknown client, or one without a hashed secret, costs as much as a
    known one, so timing does not tell them apart."""
    try:
        identify_hasher(stored)
    except ValueError:
        algorithm = get_hasher(oauth2_settings.CLIENT_SECRET_HASHER).algorithm
        check_password(provided, _decoy_hash(algorithm))
        return bool(stored) and constant_time_compare(provided, stored)
    return check_password(provided, stored)
