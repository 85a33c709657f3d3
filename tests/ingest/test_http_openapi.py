"""`GET /api/openapi.json` describes every route and every status the server answers."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

INGEST_STATUSES = {
    *("201", "400", "401", "403", "404", "405", "408", "413", "415", "422", "429", "500", "503")
}


def resolve(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/")
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def refs(node: object):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


@pytest.fixture
def spec(client) -> dict:
    reply = client.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/json")
    return reply.body


def test_spec_is_openapi_3_with_every_route(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert set(spec["paths"]) == {
        "/api/sensor/reading",
        "/api/sensor/readings",
        "/api/health",
        "/api/openapi.json",
    }
    assert set(spec["paths"]["/api/sensor/reading"]) == {"post"}
    assert set(spec["paths"]["/api/health"]) == {"get"}


@pytest.mark.parametrize("path", ["/api/sensor/reading", "/api/sensor/readings"])
def test_ingest_routes_list_every_status(spec, path):
    operation = spec["paths"][path]["post"]
    assert set(operation["responses"]) == INGEST_STATUSES
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    for status in ("429", "503"):
        assert "Retry-After" in operation["responses"][status]["headers"]


def test_health_lists_ok_and_unavailable(spec):
    assert {"200", "503"} <= set(spec["paths"]["/api/health"]["get"]["responses"])


def test_every_reference_resolves(spec):
    found = list(refs(spec))
    assert found
    for ref in found:
        assert resolve(spec, ref), ref


def test_error_schema_matches_error_answers(spec):
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"success", "message"}
    responses = spec["paths"]["/api/sensor/reading"]["post"]["responses"]
    for status, response in responses.items():
        if status != "201":
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, status


def test_spec_passes_the_reference_validator_when_available(spec, tmp_path):
    """openapi-spec-validator is not a dependency; use a system Python that has it, if any."""
    python = shutil.which("python3")
    probe = [python, "-c", "import openapi_spec_validator"] if python else None
    if probe is None or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip("openapi-spec-validator is not installed in a system python3")
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(spec))
    check = "import json, sys; from openapi_spec_validator import validate; "
    check += "validate(json.load(open(sys.argv[1])))"
    result = subprocess.run([python, "-c", check, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
