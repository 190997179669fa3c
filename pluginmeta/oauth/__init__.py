"""OAuth 2.0 authorization server for oauth plugin hosts, built on django-oauth-toolkit."""

from pluginmeta.oauth.authentication import OAuthAuthentication

__all__ = ["OAuthAuthentication"]
