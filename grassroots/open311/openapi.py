"""An OpenAPI 3 description of our GeoReport v2 endpoint (the JSON format), served at
``/open311/v2/openapi.json`` for integrators and used to fuzz the endpoint in CI.

GeoReport v2 predates OpenAPI and has no official document; this one is written from the
specification's text and says exactly what this server answers, including its extensions
(``extensions=true``: attributes and notes) and its errors (a list of code/description).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from grassroots.open311.georeport import CHANGESET

NULLABLE_STRING = {"type": "string", "nullable": True}
W3_DATETIME = {"type": "string", "format": "date-time"}

ERRORS = {
    "description": "What was wrong, as the specification's error list (in XML when the format "
    "asked for is not one this server speaks).",
    "content": {
        "text/xml": {"schema": {"type": "string"}},
        "application/json": {
            "schema": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["code", "description"],
                    "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
                },
            }
        },
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): ERRORS for status in statuses}


SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": NULLABLE_STRING,
        "metadata": {"type": "boolean", "description": "Whether the service asks questions of its own."},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": NULLABLE_STRING,
        "group": NULLABLE_STRING,
    },
}

ATTRIBUTE_DEFINITION = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string"},
        "datatype": {
            "type": "string",
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
        },
        "required": {"type": "boolean"},
        "datatype_description": NULLABLE_STRING,
        "order": {"type": "integer"},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}

REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": NULLABLE_STRING,
        "service_name": NULLABLE_STRING,
        "service_code": {"type": "string"},
        "description": {"type": "string", "nullable": True, "maxLength": 4000},
        "agency_responsible": NULLABLE_STRING,
        "service_notice": NULLABLE_STRING,
        "requested_datetime": W3_DATETIME,
        "updated_datetime": {**W3_DATETIME, "nullable": True},
        "expected_datetime": {**W3_DATETIME, "nullable": True},
        "address": NULLABLE_STRING,
        "address_id": NULLABLE_STRING,
        "zipcode": NULLABLE_STRING,
        "lat": {"type": "number", "nullable": True},
        "long": {"type": "number", "nullable": True},
        "media_url": NULLABLE_STRING,
        "attributes": {
            "type": "array",
            "description": "Extension (extensions=true): the resident's answers to the service's questions.",
            "items": {"type": "object", "required": ["code", "value"]},
        },
        "notes": {
            "type": "array",
            "description": "Extension (extensions=true): the public history of the request.",
            "items": {
                "type": "object",
                "required": ["datetime", "description", "type"],
                "properties": {
                    "datetime": W3_DATETIME,
                    "description": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}

FORMAT = {"name": "format", "in": "path", "required": True, "schema": {"type": "string", "enum": ["json"]}}
JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "A unit code; without it, the site's jurisdiction.",
}


def document(base_url: str = "/open311/v2") -> dict[str, Any]:
    """The OpenAPI document, with ``base_url`` as its server."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "grassroots — Open311 GeoReport v2",
            "version": CHANGESET,
            "description": "Residents' reports into the closed loop, as GeoReport v2 "
            "(http://wiki.open311.org/GeoReport_v2). Each path also answers in XML with `.xml`.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/discovery.{format}": {
                "get": {
                    "operationId": "discovery",
                    "parameters": [FORMAT],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["changeset", "contact", "key_service", "endpoints"],
                                "properties": {
                                    "changeset": W3_DATETIME,
                                    "contact": {"type": "string"},
                                    "key_service": {"type": "string"},
                                    "endpoints": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["specification", "url", "type", "formats"],
                                        },
                                    },
                                },
                            },
                            "Where the endpoint is and what it speaks.",
                        )
                    },
                }
            },
            "/services.{format}": {
                "get": {
                    "operationId": "services",
                    "parameters": [FORMAT, JURISDICTION],
                    "responses": {
                        "200": _json({"type": "array", "items": SERVICE}, "The service types residents may report."),
                        **_errors(400, 404),
                    },
                }
            },
            "/services/{service_code}.{format}": {
                "get": {
                    "operationId": "service_definition",
                    "parameters": [
                        {"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}},
                        FORMAT,
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["service_code", "attributes"],
                                "properties": {
                                    "service_code": {"type": "string"},
                                    "attributes": {"type": "array", "items": ATTRIBUTE_DEFINITION},
                                },
                            },
                            "The questions a service asks.",
                        ),
                        **_errors(400, 404),
                    },
                }
            },
            "/requests.{format}": {
                "get": {
                    "operationId": "requests",
                    "parameters": [
                        FORMAT,
                        JURISDICTION,
                        {"name": "service_request_id", "in": "query", "schema": {"type": "string"}},
                        {"name": "service_code", "in": "query", "schema": {"type": "string"}},
                        {"name": "start_date", "in": "query", "schema": W3_DATETIME},
                        {"name": "end_date", "in": "query", "schema": W3_DATETIME},
                        {"name": "status", "in": "query", "schema": {"type": "string"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer"}},
                        {"name": "page_size", "in": "query", "schema": {"type": "integer"}},
                        {"name": "extensions", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {
                        "200": _json({"type": "array", "items": REQUEST}, "Public requests, newest first."),
                        **_errors(400, 404),
                    },
                },
                "post": {
                    "operationId": "create_request",
                    "parameters": [FORMAT],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["api_key", "service_code"],
                                    "properties": {
                                        "api_key": {"type": "string"},
                                        "jurisdiction_id": {"type": "string"},
                                        "service_code": {"type": "string"},
                                        "lat": {"type": "number"},
                                        "long": {"type": "number"},
                                        "address_string": {"type": "string"},
                                        "address_id": {"type": "string"},
                                        "email": {"type": "string"},
                                        "device_id": {"type": "string"},
                                        "account_id": {"type": "string"},
                                        "first_name": {"type": "string"},
                                        "last_name": {"type": "string"},
                                        "phone": {"type": "string"},
                                        "description": {"type": "string", "maxLength": 4000},
                                        "media_url": {"type": "string"},
                                    },
                                    "additionalProperties": {
                                        "type": "string",
                                        "description": "attribute[CODE] (or attribute[CODE][] for lists): "
                                        "answers to the service's questions.",
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json(
                            {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 1,
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "service_request_id": {"type": "string"},
                                        "token": {"type": "string"},
                                        "service_notice": NULLABLE_STRING,
                                        "account_id": NULLABLE_STRING,
                                    },
                                },
                            },
                            "Received: the request's id, or a token to ask for it when it is made.",
                        ),
                        **_errors(400, 403, 404, 429),
                    },
                },
            },
            "/requests/{service_request_id}.{format}": {
                "get": {
                    "operationId": "request",
                    "parameters": [
                        {"name": "service_request_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        FORMAT,
                        JURISDICTION,
                        {"name": "extensions", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {
                        "200": _json({"type": "array", "items": REQUEST, "maxItems": 1}, "One public request."),
                        **_errors(400, 404),
                    },
                }
            },
            "/tokens/{token}.{format}": {
                "get": {
                    "operationId": "token",
                    "parameters": [
                        {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                        FORMAT,
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["token"],
                                    "properties": {
                                        "service_request_id": NULLABLE_STRING,
                                        "token": {"type": "string"},
                                    },
                                },
                            },
                            "The request a token became, once it is made.",
                        ),
                        **_errors(400, 404),
                    },
                }
            },
        },
    }


def served(request: HttpRequest) -> JsonResponse:
    base = request.build_absolute_uri(reverse("open311:discovery", args=["json"])).rsplit("/", 1)[0]
    return JsonResponse(document(base))
