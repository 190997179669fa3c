"""OAuth 2.0 authorization server for oauth plugin hosts, built on django-oauth-toolkit."""

from pluginmeta.auth.oauth.authentication import OAuthAuthentication

__all__ = ["OAuthAuthentication"]
