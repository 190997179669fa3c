"""GET and POST /todos/{username}, with the wire contract of the project's TODO API."""

from django.db import transaction
from django.urls import path
from ninja import NinjaAPI, Schema
from pydantic import Field

from ninja_todo.models import Todo

api = NinjaAPI()


class TodoIn(Schema):
    todo: str = Field(min_length=1, max_length=1000)


class TodoList(Schema):
    todos: list[str]


class TodoAdded(Schema):
    todo: str
    todo_idx: int


@api.get("/todos/{username}", response=TodoList)
def get_todos(request, username: str):
    texts = Todo.objects.filter(owner=username).order_by("id").values_list("text", flat=True)
    return {"todos": list(texts)}


@api.post("/todos/{username}", response={201: TodoAdded})
def add_todo(request, username: str, payload: TodoIn):
    with transaction.atomic():
        todo = Todo.objects.create(owner=username, text=payload.todo)
        position = Todo.objects.filter(owner=username, id__lt=todo.id).count()
    return 201, {"todo": todo.text, "todo_idx": position}


urlpatterns = [path("", api.urls)]
