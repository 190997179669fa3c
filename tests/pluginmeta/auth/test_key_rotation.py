"""Service key rotation is serialized on the plugin's row, so concurrent rotations leave one key."""

import threading

import pytest
from django.db import connection, connections

from pluginmeta.auth.services import rotate_service_key
from pluginmeta.models import Plugin
from pluginmeta.models.keys import ServiceKey
from tests.conftest import SERVICE_HOST


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rotation_waits_for_another_transaction_that_updates_the_plugin():
    plugin = Plugin.objects.get(hosts__hostname=SERVICE_HOST)
    other = connections.create_connection("default")
    other.set_autocommit(False)
    # An UPDATE holds the row as the admin saving the plugin would, and as another rotation
    # must: a rotation that does not lock the plugin's row would go ahead and finish.
    with other.cursor() as cursor:
        cursor.execute(
            "UPDATE pluginmeta_plugin SET name_for_human = name_for_human WHERE id = %s",
            [plugin.pk],
        )
    issued: list[str] = []
    errors: list[BaseException] = []

    def rotate() -> None:
        try:
            issued.append(rotate_service_key(plugin))
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    rotation = threading.Thread(target=rotate)
    try:
        rotation.start()
        rotation.join(timeout=1.0)
        waited = rotation.is_alive()
    finally:
        other.commit()
        other.close()
    rotation.join(timeout=30)
    assert not rotation.is_alive() and not errors, errors
    assert waited, "the rotation finished while another transaction held the plugin"
    assert [key.prefix for key in ServiceKey.objects.filter(plugin=plugin)] == [
        issued[0].split(".")[0]
    ]
