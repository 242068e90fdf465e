"""The product's URLs plus the floor of the stack: an API endpoint with the same
authentication, permission, parsing and rendering as intake, that only inserts one row.
Intake is reported as a ratio to it."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, transaction
from django.urls import path
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from grassroots.urls import urlpatterns as product

FLOOR_TABLE = "bench_floor"


def create_floor_table() -> None:
    with connection.cursor() as cursor:
        key = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (id {key}, at TEXT NOT NULL, body TEXT NOT NULL)")


class FloorView(APIView):
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} (at, body) VALUES (%s, %s)",
                [timezone.now().isoformat(), json.dumps(request.data, ensure_ascii=False)],
            )
        return Response({"ok": True}, status=201)


urlpatterns = [path("api/v1/bench/floor/", FloorView.as_view()), *product]
