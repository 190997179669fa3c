"""drf-spectacular AutoSchema for plugin APIs."""

from drf_spectacular.openapi import AutoSchema

# GPT Actions ask the user to confirm a consequential operation before calling it.
CONSEQUENTIAL = "x-openai-isConsequential"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class PluginAutoSchema(AutoSchema):
    """Documents a DELETE body when the view declares one, as the seed's deleteTodo has, and
    marks every operation consequential or not: reads are not, writes are."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            operation[CONSEQUENTIAL] = self.method not in SAFE_METHODS
        return operation

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        # spectacular documents bodies only for PUT/PATCH/POST; present this DELETE as one.
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
