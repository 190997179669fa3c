"""Database helpers of the hot paths: the driver-level read."""

import pytest
from django.db import DatabaseError

from todos.db import fetch_all


@pytest.mark.django_db
def test_fetch_all_reads_with_bound_parameters(noauth_plugin):
    rows = fetch_all(
        "SELECT slug FROM pluginmeta_plugin WHERE id = %s AND slug = %s",
        (noauth_plugin.pk, "todo"),
    )
    assert rows == [("todo",)]
    assert fetch_all("SELECT slug FROM pluginmeta_plugin WHERE slug = %s", ("x' OR '1'='1",)) == []


@pytest.mark.django_db
def test_fetch_all_raises_django_database_errors():
    with pytest.raises(DatabaseError):
        fetch_all("SELECT nothing FROM no_such_table WHERE id = %s", (1,))
