"""Limits on sign-in and sign-up: django-axes locks out a username guessed from one address
(settings: AXES_*), and a per-address budget of attempts (LOGIN_ADDRESS_RATE,
SIGNUP_ADDRESS_RATE) stops one address from rotating usernames to keep the password hash busy."""

import math
import time

from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pluginmeta.api.throttling import leases, parse_rate
from pluginmeta.http import client_address

# Where an over-budget sign-in leaves its wait (seconds) for address_limit_middleware.
RETRY_AFTER_ATTR = "login_address_retry_after"

SIGN_IN = "sign-in"
SIGN_UP = "sign-up"


def take_attempt(request: HttpRequest, action: str, rate: str | None) -> int | None:
    """Counts one attempt of action from the request's address in a fixed window of rate
    ('30/hour'); None while within the budget, else the seconds until the window ends."""
    limit = parse_rate(rate)
    if limit is None:
        return None
    max_attempts, period = limit
    now = time.time()
    window = int(now // period)
    key = f"login-limit:{action}:{client_address(request)}:{period}:{window}"
    if leases.take(key, window, max_attempts, period) <= max_attempts:
        return None
    return max(1, math.ceil((window + 1) * period - now))


class AddressLimitBackend:
    """First authentication backend: counts every sign-in attempt (admin and oauth pages, known
    username or not) against its client address, and refuses one over the budget before any
    later backend hashes the password. It has no get_user(): it never signs anyone in, and
    Django's force_login() takes the first backend that has one."""

    def authenticate(self, request: HttpRequest | None, **credentials) -> None:
        if request is None:
            return None
        wait = take_attempt(request, SIGN_IN, settings.LOGIN_ADDRESS_RATE)
        if wait is None:
            return None
        setattr(request, RETRY_AFTER_ATTR, wait)
        # Stops django.contrib.auth.authenticate() here: no other backend runs.
        raise PermissionDenied


def too_many_attempts(request: HttpRequest, wait_seconds: int, action: str) -> HttpResponse:
    """429 page with Retry-After for an address that has spent its attempts."""
    response = render(
        request,
        "login_address_limited.html",
        {
            "plugin": getattr(request, "plugin", None),
            "action": action,
            "minutes": math.ceil(wait_seconds / 60),
        },
        status=429,
    )
    response["Retry-After"] = str(wait_seconds)
    return response


def address_limit_middleware(get_response):
    """Turns a sign-in refused by AddressLimitBackend into the 429 page (the login view itself
    only sees a failed sign-in)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        wait = getattr(request, RETRY_AFTER_ATTR, None)
        if wait is None:
            return response
        return too_many_attempts(request, wait, SIGN_IN)

    return middleware


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 page for a locked-out sign-in, with Retry-After; it does not say whether the
    password was right, only when to try again."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    response = render(
        request,
        "login_locked.html",
        {"plugin": getattr(request, "plugin", None), "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
