"""Whose data a request touches: the path's name or the caller, by the plugin's auth type."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import RequestFactory
from rest_framework import exceptions

from pluginmeta.auth.drf import SHARED_OWNER, caller_owner, resolve_owner
from pluginmeta.models import Plugin


def request_to(slug: str, user=None):
    request = RequestFactory().get("/")
    request.plugin = Plugin.objects.get(slug=slug)
    request.user = user if user is not None else AnonymousUser()
    return request


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["todo", "todo-service"])
def test_plugins_without_end_users_share_one_owner(slug):
    alice = User.objects.create(username="alice")
    assert caller_owner(request_to(slug)) == SHARED_OWNER == ""
    # A user on such a request (the admin's session, say) does not split the corpus.
    assert caller_owner(request_to(slug, alice)) == SHARED_OWNER


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["todo-user", "todo-oauth"])
def test_plugins_with_end_users_scope_to_the_caller(slug):
    alice = User.objects.create(username="alice")
    bob = User.objects.create(username="bob")
    assert caller_owner(request_to(slug, alice)) == "alice"
    assert caller_owner(request_to(slug, bob)) == "bob"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["todo-user", "todo-oauth"])
def test_an_anonymous_caller_owns_nothing(slug):
    with pytest.raises(exceptions.NotAuthenticated):
        caller_owner(request_to(slug))


@pytest.mark.django_db
def test_the_path_names_the_owner_only_where_no_user_signs_in():
    alice = User.objects.create(username="alice")
    assert resolve_owner(request_to("todo"), "bob") == "bob"
    assert resolve_owner(request_to("todo-service"), "bob") == "bob"
    assert resolve_owner(request_to("todo-user", alice), "alice") == "alice"
    with pytest.raises(exceptions.PermissionDenied):
        resolve_owner(request_to("todo-user", alice), "bob")
