"""How plugin APIs read requests: strict JSON bodies with a size cap, and JSON-only answers."""

from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser

from pluginmeta.api.errors import PayloadTooLarge
from pluginmeta.api.jsonbody import strict_loads


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Plugin APIs answer JSON whatever the Accept header says, so skip parsing it."""

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


class LimitedJSONParser(JSONParser):
    """Strict JSON with a size cap; DRF reads the raw stream and would skip Django's own limit."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return strict_loads(raw)
        except ValueError as exc:
            raise exceptions.ParseError(f"The request body is not valid JSON: {exc}") from None
