from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.audit.models import Action
from grassroots.audit.services import record
from grassroots.cases.models import Case
from grassroots.cases.workflow import Act, record_event
from grassroots.org.models import Organisation, Unit
from grassroots.research.models import Measure, MeasureKind


@transaction.atomic
def adopt_measure(
    *,
    actor: Any,
    title: str,
    adopted_on: date,
    unit: Unit | None = None,
    case: Case | None = None,
    quantity: Decimal | int | None = None,
    quantity_unit: str = "",
    description: str = "",
    kind: str = MeasureKind.ACTION,
    document_number: str = "",
    organisation: Organisation | None = None,
) -> Measure:
    """Record a measure adopted for a case (or a unit), with its quantity if it has one."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Name the measure.")]
    if quantity is not None and Decimal(quantity) < 0:
        errors["quantity"] = [_("A quantity cannot be negative.")]
    if quantity is not None and not quantity_unit.strip():
        errors["quantity_unit"] = [_("Say what the quantity counts (spaces, yuan, households...).")]
    if unit is None and case is None:
        errors["unit"] = [_("A measure belongs to a case or a unit.")]
    if errors:
        raise ValidationError(errors)
    where = unit or case.unit  # type: ignore[union-attr]  # one of the two is set (checked above)
    measure = Measure.objects.create(
        kind=kind,
        title=title.strip(),
        description=description,
        quantity=quantity,
        quantity_unit=quantity_unit,
        adopted_on=adopted_on,
        document_number=document_number,
        case=case,
        unit=where,
        unit_path=where.path,
        organisation=organisation,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if case is not None:
        record_event(
            case,
            Act.MEASURE,
            actor=actor,
            note=title,
            public=True,
            payload={
                "measure": measure.pk,
                "quantity": str(quantity) if quantity is not None else None,
                "unit": quantity_unit,
            },
        )
    record(Action.CREATE, actor=actor, target=measure, detail={"case": case.number if case else None})
    return measure
