"""drf-spectacular AutoSchema for plugin APIs."""

from drf_spectacular.openapi import AutoSchema


class PluginAutoSchema(AutoSchema):
    """Documents a DELETE body when the view declares one, as the seed's deleteTodo has."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        # spectacular documents bodies only for PUT/PATCH/POST; present this DELETE as one.
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
