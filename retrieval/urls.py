"""URLs of the retrieval API (mounted on every retrieval plugin host)."""

from django.urls import path

from retrieval.views import (
    DeleteView,
    DocumentView,
    QueryView,
    SearchView,
    UpsertFileView,
    UpsertView,
)

urlpatterns = [
    path("upsert", UpsertView.as_view(), name="retrieval-upsert"),
    path("upsert-file", UpsertFileView.as_view(), name="retrieval-upsert-file"),
    path("query", QueryView.as_view(), name="retrieval-query"),
    path("delete", DeleteView.as_view(), name="retrieval-delete"),
    path("search", SearchView.as_view(), name="retrieval-search"),
    path("documents/<path:id>", DocumentView.as_view(), name="retrieval-document"),
]
