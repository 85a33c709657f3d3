"""The OpenAPI 3 description of the device HTTP API, served at `GET /api/openapi.json`."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]

_JSON = "application/json"


def _ref(name: str) -> JsonObject:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> JsonObject:
    return {"description": description, "content": {_JSON: {"schema": _ref("Error")}}}


def _retry_after() -> JsonObject:
    return {
        "Retry-After": {
            "description": "Seconds to wait before sending again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    }


# Text that is usable as an id or token: no control characters, not only spaces (ids are
# stripped). JSON strings with lone surrogates (\\ud800) are refused too.
_TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


def _idempotency_key() -> JsonObject:
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Send the same key when retrying a request whose answer was lost: the "
        "readings are stored once and the retry gets the first answer (kept for 24 h, while "
        "the server runs). The same key with another body is refused with 422.",
        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
    }


def _ingest_errors(max_body_bytes: int, too_large: str = "") -> JsonObject:
    """The error answers shared by both ingestion routes."""
    return {
        "400": _error(
            "Invalid body, header or field: malformed JSON, nested too deeply, not an object, "
            "text that is not valid Unicode or holds control characters, a bad Idempotency-Key, "
            "or a reading field that is missing, not a number, negative, too large or not "
            "finite, or a timestamp before 2000 or more than 5 minutes ahead; the message "
            "names it."
        ),
        "401": _error("No device token, or an unknown or revoked one."),
        "403": _error("The port belongs to another user."),
        "404": _error("No such port."),
        "408": _error("The body did not arrive in time; the connection is closed."),
        "413": _error(f"The body is larger than {max_body_bytes} bytes{too_large}."),
        "415": _error("The body is not declared as JSON (Content-Type: application/json)."),
        "422": _error("The Idempotency-Key was already used for a different request."),
        "429": {
            **_error(
                "This token sends more readings than its rate limit allows, or too many "
                "readings are waiting to be stored; retry after Retry-After seconds."
            ),
            "headers": _retry_after(),
        },
        "503": {
            **_error("Store unavailable: the readings were NOT stored; retry later."),
            "headers": _retry_after(),
        },
    }


def _common_errors() -> JsonObject:
    return {
        "405": _error("Method not allowed on this path."),
        "500": _error("Unexpected server error (a bug; it is logged)."),
    }


def _schemas(max_batch_readings: int) -> JsonObject:
    number = {"type": "number", "minimum": 0}
    reading_fields = {
        "portId": {
            "oneOf": [
                {"type": "string", "minLength": 1, "maxLength": 64, "pattern": _TEXT_PATTERN},
                {"type": "integer", "minimum": -(10**63) + 1, "maximum": 10**64 - 1},
            ],
            "description": "Port id (a number is read as its decimal text).",
        },
        "voltage": {**number, "maximum": 1000, "description": "Volts."},
        "current": {**number, "maximum": 1000, "description": "Amperes."},
        "power": {**number, "maximum": 1_000_000, "description": "Watts."},
        "timestamp": {
            "oneOf": [
                {"type": "string", "format": "date-time", "maxLength": 64},
                {"type": "number", "minimum": 946684800},
            ],
            "nullable": True,
            "description": "When it was measured (ISO 8601, naive means UTC, or epoch seconds); "
            "default (absent or null): when it arrives. At most 5 minutes in the future, not "
            "before 2000.",
        },
    }
    device_token = {
        "type": "string",
        "maxLength": 256,
        "pattern": f"^$|{_TEXT_PATTERN}",
        "nullable": True,
        "description": "The device token; may be sent as `Authorization: Bearer` instead "
        "(used when this is absent, null or empty).",
    }
    stored = {
        "id": {
            "type": "integer",
            "nullable": True,
            "description": "null when the database was unreachable: the reading is kept on the "
            "server's disk and stored (with an id) when the database is back.",
        },
        "voltage": {"type": "number"},
        "current": {"type": "number"},
        "power": {"type": "number"},
        "timestamp": {
            "type": "string",
            "format": "date-time",
            "example": "2024-01-01T12:00:00.000Z",
        },
    }
    verdict = {
        "phantomDetected": {
            "type": "boolean",
            "description": "The port is drawing phantom (standby) power.",
        },
        "portStatus": {
            "type": "string",
            "enum": ["active", "off"],
            "description": "`off`: the device should open its relay.",
        },
    }
    return {
        "Reading": {
            "type": "object",
            "required": ["portId", "voltage", "current", "power"],
            "properties": {"deviceToken": device_token, **reading_fields},
        },
        "ReadingBatch": {
            "type": "object",
            "required": ["readings"],
            "properties": {
                "deviceToken": device_token,
                "readings": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": max_batch_readings,
                    "items": {
                        "type": "object",
                        "required": ["portId", "voltage", "current", "power"],
                        "properties": reading_fields,
                    },
                },
            },
        },
        "StoredReading": {"type": "object", "required": list(stored), "properties": stored},
        "ReadingCreated": {
            "type": "object",
            "required": ["success", "message", "data"],
            "properties": {
                "success": {"type": "boolean", "enum": [True]},
                "message": {"type": "string", "example": "Sensor reading created successfully"},
                "data": {
                    "type": "object",
                    "required": ["reading", *verdict],
                    "properties": {"reading": _ref("StoredReading"), **verdict},
                },
            },
        },
        "ReadingsCreated": {
            "type": "object",
            "required": ["success", "message", "data"],
            "properties": {
                "success": {"type": "boolean", "enum": [True]},
                "message": {"type": "string", "example": "Sensor readings created successfully"},
                "data": {
                    "type": "object",
                    "required": ["readings"],
                    "properties": {
                        "readings": {
                            "type": "array",
                            "description": "In the order sent.",
                            "items": {
                                "type": "object",
                                "required": ["portId", *stored, *verdict],
                                "properties": {"portId": {"type": "string"}, **stored, **verdict},
                            },
                        }
                    },
                },
            },
        },
        "Health": {
            "type": "object",
            "required": ["success", "message", "data"],
            "properties": {
                "success": {"type": "boolean"},
                "message": {"type": "string", "example": "ok"},
                "data": {
                    "type": "object",
                    "required": ["version", "writer", "queued", "database"],
                    "properties": {
                        "version": {"type": "string"},
                        "writer": {"type": "string", "enum": ["running", "stopped"]},
                        "queued": {"type": "integer", "minimum": 0},
                        "database": {
                            "type": "string",
                            "enum": ["reachable", "unreachable", "unchecked"],
                        },
                    },
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["success", "message"],
            "properties": {
                "success": {"type": "boolean", "enum": [False]},
                "message": {"type": "string", "description": "What is wrong, naming the field."},
            },
        },
    }


def _json_body(schema: str) -> JsonObject:
    return {"required": True, "content": {_JSON: {"schema": _ref(schema)}}}


def openapi_spec(
    *, version: str, max_body_bytes: int, max_batch_readings: int, max_batch_bytes: int
) -> JsonObject:
    """The spec of every route, with every status it can answer."""
    # The token may also be in the body.
    security: list[dict[str, list[str]]] = [{}, {"bearerToken": []}]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Phantom Desktop device API",
            "version": version,
            "description": "Devices and sensor scripts send power readings; each 201 means the "
            "reading is stored. Every error answers {success: false, message}.",
        },
        "paths": {
            "/api/sensor/reading": {
                "post": {
                    "operationId": "createReading",
                    "summary": "Store one reading and learn whether the port should stay on.",
                    "security": security,
                    "parameters": [_idempotency_key()],
                    "requestBody": _json_body("Reading"),
                    "responses": {
                        "201": {
                            "description": "Stored.",
                            "content": {_JSON: {"schema": _ref("ReadingCreated")}},
                        },
                        **_ingest_errors(max_body_bytes),
                        **_common_errors(),
                    },
                }
            },
            "/api/sensor/readings": {
                "post": {
                    "operationId": "createReadings",
                    "summary": "Store a batch of readings from one device: all or none.",
                    "description": f"At most {max_batch_readings} readings. The first invalid "
                    "reading is named as `readings[i]` and nothing is stored.",
                    "security": security,
                    "parameters": [_idempotency_key()],
                    "requestBody": _json_body("ReadingBatch"),
                    "responses": {
                        "201": {
                            "description": "All stored.",
                            "content": {_JSON: {"schema": _ref("ReadingsCreated")}},
                        },
                        **_ingest_errors(
                            max_batch_bytes,
                            f", or it holds more than {max_batch_readings} readings",
                        ),
                        **_common_errors(),
                    },
                }
            },
            "/api/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether readings can be stored now.",
                    "responses": {
                        "200": {
                            "description": "Ready.",
                            "content": {_JSON: {"schema": _ref("Health")}},
                        },
                        "503": {
                            "description": "Not ready: the writer is stopped or the database "
                            "is unreachable; the message says which.",
                            "content": {_JSON: {"schema": _ref("Health")}},
                        },
                        **_common_errors(),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {_JSON: {"schema": {"type": "object"}}},
                        },
                        **_common_errors(),
                    },
                }
            },
        },
        "components": {
            "schemas": _schemas(max_batch_readings),
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The device token, instead of `deviceToken` in the body.",
                }
            },
        },
    }
