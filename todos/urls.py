"""URL of the TODO API (mounted on every TODO plugin host)."""

from django.urls import path

from pluginmeta.api.fastpath import with_fast_path
from todos.views import TodoViewSet, add_todo_fast, get_todos_fast

todo_list = with_fast_path(
    TodoViewSet.as_view({"get": "get_todos", "post": "add_todo", "delete": "delete_todo"}),
    get=get_todos_fast,
    post=add_todo_fast,
)

urlpatterns = [
    path("todos/<str:username>", todo_list, name="todos"),
]
