"""URL of the TODO API (mounted on every TODO plugin host)."""

from django.urls import path

from todos.views import TodoViewSet

todo_list = TodoViewSet.as_view({"get": "get_todos", "post": "add_todo", "delete": "delete_todo"})

urlpatterns = [
    path("todos/<str:username>", todo_list, name="todos"),
]
