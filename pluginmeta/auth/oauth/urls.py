"""OAuth endpoints and pages; every view answers 404 JSON unless the host's plugin uses OAuth."""

from django.urls import path

from pluginmeta.auth.oauth import views
from pluginmeta.auth.oauth.paths import (
    AUTHORIZE_PATH,
    AUTHORIZED_APPS_PATH,
    CALLBACK_PATH,
    REGISTER_PATH,
    SERVER_METADATA_PATH,
    TOKEN_PATH,
    route,
)
from pluginmeta.auth.oauth.registration import PluginClientRegistrationView

urlpatterns = [
    path(route(AUTHORIZE_PATH), views.authorize, name="oauth-authorize"),
    path("oauth/login", views.login_page, name="oauth-login"),
    path("oauth/signup", views.signup, name="oauth-signup"),
    path("oauth/logout", views.logout, name="oauth-logout"),
    path(route(AUTHORIZED_APPS_PATH), views.authorized_apps, name="oauth-authorized"),
    path("oauth/authorized/<int:pk>/revoke", views.revoke_app, name="oauth-revoke"),
    path(route(TOKEN_PATH), views.token, name="oauth-token"),
    path(
        route(REGISTER_PATH),
        views.oauth_host_only(PluginClientRegistrationView.as_view()),
        name="oauth-register",
    ),
    path(route(CALLBACK_PATH), views.callback, name="oauth-callback"),
    path(route(SERVER_METADATA_PATH), views.server_metadata, name="oauth-server-metadata"),
]
