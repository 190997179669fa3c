"""URLs of the Sport Stats API (mounted on every Sport Stats plugin host)."""

urlpatterns: list = []
