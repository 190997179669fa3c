"""Request and response bodies of the TODO API, strict about JSON types."""

import re

from django.core.validators import RegexValidator
from rest_framework import serializers

from todos.models import OWNER_MAX_LENGTH, TODO_MAX_LENGTH


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that refuses strings, fractions and booleans.

    A whole float such as 2.0 is the integer 2: JSON Schema, and so OpenAPI 3.1, counts it as
    one, and clients built from the spec may send it.
    """

    def to_internal_value(self, data):
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


TODO_TEXT_VALIDATOR = RegexValidator(
    r"^[^\x00]*[^\s\x00][^\x00]*$", "Must contain a visible character and no NUL."
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def is_plain_todo_text(value: object) -> bool:
    """True for a todo text AddTodoSerializer accepts as it is, checked without a serializer.

    The short path (pluginmeta.api.fastpath) uses it; anything else goes to the serializer,
    which explains what is wrong. A test holds the two to the same answers.
    """
    return (
        isinstance(value, str)
        and 0 < len(value) <= TODO_MAX_LENGTH
        and "\x00" not in value
        and not value.isspace()
        and _SURROGATE.search(value) is None
    )


# Path segment: no control characters and no "/", which would end the segment.
OWNER_PATTERN = r"^[^\x00-\x1f\x7f/]+$"


def validate_owner_name(value: str) -> str:
    """The username from the path: 1-150 characters, no control characters.

    A plain check rather than a serializer: it runs on every request.
    """
    if not value or len(value) > OWNER_MAX_LENGTH:
        message = f"Must be 1 to {OWNER_MAX_LENGTH} characters."
    elif not value.isprintable() and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        message = "Must not contain control characters."
    else:
        return value
    raise serializers.ValidationError({"username": [message]})


class AddTodoSerializer(serializers.Serializer):
    """Body of addTodo."""

    # Not trimmed, so the length limit means the same here as in the spec's maxLength; the
    # pattern (shown in the spec) asks for one visible character and no NUL.
    todo = StrictCharField(
        max_length=TODO_MAX_LENGTH,
        trim_whitespace=False,
        validators=[TODO_TEXT_VALIDATOR],
        help_text="The todo to add to the list.",
    )


class DeleteTodoSerializer(serializers.Serializer):
    """Body of deleteTodo."""

    todo_idx = StrictIntegerField(min_value=0, help_text="The index of the todo to delete.")


class GetTodosResponseSerializer(serializers.Serializer):
    """Response of getTodos."""

    todos = serializers.ListField(child=serializers.CharField(), help_text="The list of todos.")


class TodoChangedSerializer(serializers.Serializer):
    """Response of addTodo and deleteTodo: the todo and the index it had."""

    todo = serializers.CharField()
    todo_idx = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    """Every error response."""

    error = serializers.CharField()
    detail = serializers.CharField()
