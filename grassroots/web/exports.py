"""Tables out as xlsx or CSV, with translated headers, written row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_response(filename: str, fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    if fmt == "csv":
        buf = io.StringIO()
        # A BOM makes Excel on Chinese Windows open UTF-8 instead of guessing GB18030.
        buf.write("\ufeff")
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        body: bytes = buf.getvalue().encode("utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        out = io.BytesIO()
        book.save(out)
        body = out.getvalue()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def record_export(request: Any, target_type: str, target_repr: str, detail: dict[str, Any]) -> None:
    """Audit an export by a person: who, what, with which filters (the request's query)."""
    from django.db import transaction

    from grassroots.audit.models import Action
    from grassroots.audit.services import record

    with transaction.atomic():
        record(
            Action.EXPORT,
            actor=request.user,
            target_type=target_type,
            target_repr=target_repr,
            detail={"filters": request.GET.urlencode(), **detail},
        )


def audited_table_response(
    request: Any, filename: str, fmt: str, target_type: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> HttpResponse:
    """A list exported by a person: the export is audited (who, which list, with what
    filters, how many rows), then the table is sent."""
    record_export(request, target_type, f"{len(rows)} rows", {"format": fmt, "rows": len(rows)})
    return table_response(filename, fmt, header, rows)
