"""OAuth endpoints and pages; every view answers 404 JSON unless the host's plugin uses OAuth."""

from django.urls import path

from pluginmeta.oauth import views
from pluginmeta.oauth.registration import PluginClientRegistrationView

urlpatterns = [
    path("oauth", views.authorize, name="oauth-authorize"),
    path("oauth/login", views.login_page, name="oauth-login"),
    path("oauth/signup", views.signup, name="oauth-signup"),
    path("oauth/logout", views.logout, name="oauth-logout"),
    path("auth/oauth_exchange", views.token, name="oauth-token"),
    path(
        "oauth/register",
        views.oauth_host_only(PluginClientRegistrationView.as_view()),
        name="oauth-register",
    ),
    path(
        ".well-known/oauth-authorization-server",
        views.server_metadata,
        name="oauth-server-metadata",
    ),
]
