"""addTodo's todo_idx is the item's true position, with many clients writing one list at once.

The real server (granian, two worker processes) on the engine of the test run, many threads
each with its own HTTP connection.
"""

import threading
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.server import migrate, running_server, scratch_database, server_env

ADDERS = 8
ADDS_EACH = 25
HEADERS = {"Host": "localhost"}
# Above the longest list the position tests make, below what the crowd below tries to add.
LIST_LIMIT = 300


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    with scratch_database(tmp_path_factory.mktemp("add-position")) as database_url:
        env = server_env(
            database_url,
            API_THROTTLE_RATE="off",
            DJANGO_LOG_LEVEL="WARNING",
            TODO_MAX_ITEMS_PER_LIST=str(LIST_LIMIT),
        )
        migrate(env)
        with running_server(env, workers=2) as base:
            yield base


def run_threads(targets: list[Callable[[requests.Session], None]]) -> None:
    """Runs each target in its own thread with its own session, all starting together."""
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(target: Callable[[requests.Session], None]) -> None:
        try:
            with requests.Session() as session:
                barrier.wait()
                target(session)
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def adder(base: str, owner: str, name: str, returned: dict[str, int]):
    def add(session: requests.Session) -> None:
        for n in range(ADDS_EACH):
            text = f"{name}-{n}"
            response = session.post(
                f"{base}/todos/{owner}", json={"todo": text}, headers=HEADERS, timeout=30
            )
            assert response.status_code == 201, response.text
            returned[text] = response.json()["todo_idx"]

    return add


def final_list(base: str, owner: str) -> list[str]:
    response = requests.get(f"{base}/todos/{owner}", headers=HEADERS, timeout=30)
    assert response.status_code == 200
    return response.json()["todos"]


def test_concurrent_adds_return_the_position_each_item_has_in_the_list(server):
    returned: dict[str, int] = {}
    run_threads([adder(server, "crowd", f"a{i}", returned) for i in range(ADDERS)])
    todos = final_list(server, "crowd")
    assert len(todos) == ADDERS * ADDS_EACH
    wrong = {text: (index, todos.index(text)) for text, index in returned.items()}
    wrong = {text: pair for text, pair in wrong.items() if pair[0] != pair[1]}
    assert wrong == {}, f"{len(wrong)} of {len(returned)} todo_idx differ (returned, actual)"


def test_concurrent_adds_and_deletes_agree_on_every_position(server):
    # The list starts with SEEDS items, and two clients delete index 0 meanwhile, so every
    # delete removes the oldest remaining seed. An item added when `d` seeds had gone sits at
    # SEEDS - d + (items added before it); d can only grow from one add to the next.
    seeds = 60
    with requests.Session() as session:
        for n in range(seeds):
            response = session.post(
                f"{server}/todos/mixed", json={"todo": f"seed-{n}"}, headers=HEADERS, timeout=30
            )
            assert response.json()["todo_idx"] == n
    deleted: list[str] = []

    def delete_first(session: requests.Session) -> None:
        for _ in range(20):
            response = session.delete(
                f"{server}/todos/mixed", json={"todo_idx": 0}, headers=HEADERS, timeout=30
            )
            assert response.status_code == 200, response.text
            deleted.append(response.json()["todo"])

    returned: dict[str, int] = {}
    adders = [adder(server, "mixed", f"a{i}", returned) for i in range(ADDERS)]
    run_threads([*adders, delete_first, delete_first])

    assert sorted(deleted, key=lambda text: int(text.split("-")[1])) == [
        f"seed-{n}" for n in range(40)
    ]
    todos = final_list(server, "mixed")
    assert todos[: seeds - 40] == [f"seed-{n}" for n in range(40, seeds)]
    added_in_order = todos[seeds - 40 :]
    assert sorted(added_in_order) == sorted(returned)
    seeds_gone = [seeds + ahead - returned[text] for ahead, text in enumerate(added_in_order)]
    assert all(0 <= gone <= 40 for gone in seeds_gone), seeds_gone
    assert seeds_gone == sorted(seeds_gone), seeds_gone


def test_concurrent_adds_to_a_nearly_full_list_stop_exactly_at_the_limit(server):
    statuses: list[int] = []
    indexes: list[int] = []

    def add_many(session: requests.Session) -> None:
        for n in range(50):
            response = session.post(
                f"{server}/todos/full", json={"todo": f"x{n}"}, headers=HEADERS, timeout=30
            )
            statuses.append(response.status_code)
            if response.status_code == 201:
                indexes.append(response.json()["todo_idx"])
            else:
                assert response.json()["error"] == "list_full", response.text

    run_threads([add_many] * ADDERS)
    assert sorted(set(statuses)) == [201, 409]
    assert statuses.count(201) == LIST_LIMIT
    assert sorted(indexes) == list(range(LIST_LIMIT))
    assert len(final_list(server, "full")) == LIST_LIMIT
