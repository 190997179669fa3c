from django.db import models


class Todo(models.Model):
    owner = models.CharField(max_length=150)
    text = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "id"])]

    def __str__(self) -> str:
        return self.text
