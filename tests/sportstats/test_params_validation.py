"""Every documented Sport Stats parameter is validated, whatever else the request carries."""

import pytest

VALID_DATE = "2024-01-01"


def documented_parameters(spec: dict) -> list[tuple[str, str, dict]]:
    """(path, parameter name, schema) for every query parameter the spec documents."""
    return [
        (path, parameter["name"], parameter["schema"])
        for path, item in spec["paths"].items()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]


def valid_value(schema: dict) -> str:
    if schema["type"] == "array":
        return valid_value(schema["items"])
    if schema["type"] == "integer":
        return str(schema["minimum"])
    if schema.get("format") == "date":
        return VALID_DATE
    return "a"


def bad_value(schema: dict) -> str:
    if schema["type"] == "string" and schema.get("format") != "date":
        return "a\x00b"
    return "abc"


@pytest.fixture
def spec(sports) -> dict:
    return sports.get("/openapi.json").json()


def test_every_documented_parameter_is_validated_alongside_all_the_others(sports, league, spec):
    parameters = documented_parameters(spec)
    assert parameters
    checked = 0
    for path, name, schema in parameters:
        others = {
            other: valid_value(other_schema)
            for other_path, other, other_schema in parameters
            if other_path == path and other != name
        }
        response = sports.get(path, {**others, name: bad_value(schema)})
        assert response.status_code == 400, (path, name, response.content)
        body = response.json()
        assert body["error"] == "invalid"
        assert name in body["fields"], (path, name, body)
        checked += 1
    assert checked == len(parameters)


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc&per_page=5",
        "per_page=5&limit=0",
        "per_page=5&limit=-1",
        "per_page=5&limit=%00",
        "per_page=5&limit=99999999999999999999",
        "per_page=5&limit=101",
        "per_page=5&limit=1&limit=2",
    ],
)
def test_a_bad_limit_is_refused_even_with_a_good_per_page(sports, league, query):
    response = sports.get(f"/players?{query}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["limit"]


def test_a_bad_per_page_is_refused_even_with_a_good_limit(sports, league):
    response = sports.get("/games?limit=5&per_page=abc")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["per_page"]


@pytest.mark.parametrize("name", ["limit", "per_page"])
@pytest.mark.parametrize("size", ["101", "100000", "9223372036854775807"])
def test_a_page_size_over_the_documented_100_is_refused(sports, league, name, size):
    response = sports.get(f"/stats?{name}={size}")
    assert response.status_code == 400
    assert response.json()["fields"][name] == ["Must be at most 100."]


@pytest.mark.parametrize("name", ["limit", "per_page"])
def test_a_page_size_of_100_is_served(sports, league, name):
    response = sports.get(f"/stats?{name}=100")
    assert response.status_code == 200
    assert response.json()["meta"]["per_page"] == 100


def test_per_page_wins_when_both_are_valid(sports, league):
    body = sports.get("/players?limit=2&per_page=3").json()
    assert body["meta"]["per_page"] == 3
    assert len(body["data"]) == 3


def test_the_spec_caps_per_page_and_limit_at_100(spec):
    schemas = [
        schema
        for _path, name, schema in documented_parameters(spec)
        if name in {"per_page", "limit"}
    ]
    assert len(schemas) == 2 * 3  # getPlayers, getGames and getStats page
    assert all(schema["minimum"] == 1 and schema["maximum"] == 100 for schema in schemas)
