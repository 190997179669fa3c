"""A todo item: one line of text in one owner's list on one plugin."""

from django.core.validators import MinLengthValidator
from django.db import models

TODO_MAX_LENGTH = 1000
OWNER_MAX_LENGTH = 150


class Todo(models.Model):
    """One item of a list; a list is every Todo with the same plugin and owner, in id order."""

    plugin = models.ForeignKey("pluginmeta.Plugin", on_delete=models.CASCADE, related_name="+")
    owner = models.CharField(max_length=OWNER_MAX_LENGTH, db_index=False)
    text = models.CharField(max_length=TODO_MAX_LENGTH, validators=[MinLengthValidator(1)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # id is the stable insertion order; the index serves "this owner's list, in order".
        ordering = ["plugin", "owner", "id"]
        indexes = [models.Index(fields=["plugin", "owner", "id"], name="todo_list_order")]

    def __str__(self) -> str:
        return self.text
