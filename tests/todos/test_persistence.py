"""Todos live in the database: they survive a restart of the real server."""

import pytest
import requests

from tests.server import migrate, running_server, scratch_database, server_env


@pytest.mark.django_db
def test_todos_survive_a_server_restart(tmp_path):
    with scratch_database(tmp_path) as database_url:
        env = server_env(database_url)
        migrate(env)
        headers = {"Host": "localhost"}
        with running_server(env) as base:
            for text in ["before restart", "second"]:
                response = requests.post(
                    f"{base}/todos/alice", json={"todo": text}, headers=headers, timeout=10
                )
                assert response.status_code == 201
        with running_server(env) as base:
            response = requests.get(f"{base}/todos/alice", headers=headers, timeout=10)
            assert response.json() == {"todos": ["before restart", "second"]}
