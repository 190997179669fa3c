"""Hooks for django-axes, which locks out repeated failed sign-ins (settings: AXES_*)."""

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.settings import api_settings

from pluginmeta.throttling import client_address


def client_ip(request: HttpRequest) -> str:
    """The caller's address, trusting X-Forwarded-For only as far as DJANGO_NUM_PROXIES says."""
    return client_address(request.META, api_settings.NUM_PROXIES)


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
