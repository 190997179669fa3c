"""The Sport Stats host's generated OpenAPI document."""

import pytest
from openapi_spec_validator import validate

OPERATIONS = {
    "getPlayers": ("/players", {"query", "limit", "per_page", "cursor"}),
    "getTeams": ("/teams", set()),
    "getGames": (
        "/games",
        {"limit", "per_page", "cursor", "seasons", "team_ids", "start_date", "end_date"},
    ),
    "getStats": (
        "/stats",
        {
            "limit",
            "per_page",
            "cursor",
            "player_ids",
            "game_ids",
            "seasons",
            "start_date",
            "end_date",
        },
    ),
    "getSeasonAverages": ("/season_averages", {"season", "player_ids"}),
}


@pytest.fixture
def spec(sports) -> dict:
    response = sports.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec: dict) -> dict[str, tuple[str, dict]]:
    return {
        op["operationId"]: (path, op)
        for path, item in spec["paths"].items()
        for op in item.values()
    }


def test_spec_lists_exactly_the_seed_operations_and_validates(spec):
    validate(spec)
    found = operations(spec)
    assert set(found) == set(OPERATIONS)
    for operation_id, (path, op) in found.items():
        expected_path, expected_params = OPERATIONS[operation_id]
        assert path == expected_path
        assert {p["name"] for p in op.get("parameters", [])} == expected_params
    assert spec["servers"] == [{"url": "http://sports.localhost"}]


def test_spec_texts_stay_within_the_plugin_limit(spec):
    for _, op in operations(spec).values():
        for text in [op.get("summary", ""), op.get("description", "")]:
            assert len(text) <= 200, text
        for parameter in op.get("parameters", []):
            assert len(parameter.get("description", "")) <= 200


def test_spec_tells_the_model_to_use_markdown_tables(spec):
    found = operations(spec)
    for operation_id in ["getGames", "getStats", "getSeasonAverages"]:
        op = found[operation_id][1]
        assert "markdown table" in op["summary"] + op.get("description", "")


def test_array_parameters_are_documented_as_integer_arrays(spec):
    _, stats = operations(spec)["getStats"]
    params = {p["name"]: p for p in stats["parameters"]}
    for name in ["player_ids", "game_ids", "seasons"]:
        assert params[name]["schema"]["type"] == "array"
        assert params[name]["schema"]["items"]["type"] == "integer"


def test_manifest_names_the_sport_stats_plugin(sports):
    manifest = sports.get("/.well-known/ai-plugin.json").json()
    assert manifest["name_for_model"] == "sportStats"
    assert manifest["api"]["url"] == "http://sports.localhost/openapi.yaml"
