"""The TODO API: getTodos, addTodo and deleteTodo on /todos/{username}."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from pluginmeta.api.fastpath import JSONText, TakeFullPath, json_object_body
from pluginmeta.auth.drf import resolve_owner
from todos import selectors, services
from todos.models import OWNER_MAX_LENGTH
from todos.serializers import (
    OWNER_PATTERN,
    AddTodoSerializer,
    DeleteTodoSerializer,
    ErrorSerializer,
    GetTodosResponseSerializer,
    TodoChangedSerializer,
    is_plain_todo_text,
    validate_owner_name,
)

USERNAME_PARAMETER = OpenApiParameter(
    "username",
    {"type": "string", "minLength": 1, "maxLength": OWNER_MAX_LENGTH, "pattern": OWNER_PATTERN},
    OpenApiParameter.PATH,
    description="The name of the user.",
)
ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}


def owner_of(request, username: str) -> str:
    return resolve_owner(request, validate_owner_name(username))


class ListFull(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The list is full."
    default_code = "list_full"


def append_todo(request, owner: str, text: str) -> dict:
    """Appends text to owner's list; addTodo's response body."""
    try:
        index = services.add_todo(request.plugin, owner, text)
    except services.ListFull as full:
        raise ListFull(
            f"{owner!r} already has {full.limit} todos, the most a list may hold; "
            "delete one before adding another."
        ) from None
    return {"todo": text, "todo_idx": index}


class TodoViewSet(viewsets.ViewSet):
    """A user's TODO list on this plugin: read it, append to it, delete from it by index."""

    @extend_schema(
        operation_id="getTodos",
        summary="Get the list of todos",
        description="Returns the user's todos in the order they were added.",
        parameters=[USERNAME_PARAMETER],
        responses={200: GetTodosResponseSerializer, **ERRORS},
    )
    def get_todos(self, request, username: str) -> Response:
        owner = owner_of(request, username)
        return Response({"todos": selectors.list_todos(request.plugin, owner)})

    @extend_schema(
        operation_id="addTodo",
        summary="Add a todo to the list",
        description=(
            "Appends one todo to the end of the user's list. A list holds a limited number "
            "of todos (1000 unless the server says otherwise); a full one refuses the add "
            "with 409 until a todo is deleted."
        ),
        parameters=[USERNAME_PARAMETER],
        request=AddTodoSerializer,
        responses={201: TodoChangedSerializer, 409: ErrorSerializer, **ERRORS},
    )
    def add_todo(self, request, username: str) -> Response:
        owner = owner_of(request, username)
        body = AddTodoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        added = append_todo(request, owner, body.validated_data["todo"])
        return Response(added, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="deleteTodo",
        summary="Delete a todo from the list",
        description="Deletes the todo at todo_idx, counting from 0 in the order getTodos returns.",
        parameters=[USERNAME_PARAMETER],
        request=DeleteTodoSerializer,
        responses={200: TodoChangedSerializer, 404: ErrorSerializer, **ERRORS},
    )
    def delete_todo(self, request, username: str) -> Response:
        owner = owner_of(request, username)
        body = DeleteTodoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        index = body.validated_data["todo_idx"]
        try:
            text = services.delete_todo(request.plugin, owner, index)
        except services.TodoNotFound:
            raise NotFound(f"{owner!r} has no todo at index {index}.") from None
        return Response({"todo": text, "todo_idx": index})


# The short path of pluginmeta.api.fastpath: the same operations for plainly valid input.


def get_todos_fast(request, username: str) -> tuple[int, JSONText]:
    # TodoViewSet.get_todos' body, with the array written by the database.
    array = selectors.list_todos_json(request.plugin, owner_of(request, username))
    return status.HTTP_200_OK, JSONText(f'{{"todos":{array}}}')


def add_todo_fast(request, username: str) -> tuple[int, dict]:
    owner = owner_of(request, username)
    text = json_object_body(request).get("todo")
    if not is_plain_todo_text(text):
        raise TakeFullPath
    return status.HTTP_201_CREATED, append_todo(request, owner, text)
