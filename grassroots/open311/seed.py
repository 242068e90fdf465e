"""The questions the usual services ask (Open311 attributes), applied by a migration and
again after the demo's ``--reset``; idempotent."""

from __future__ import annotations

from typing import Any

YES_NO = [{"key": "yes", "name": "是", "name_en": "Yes"}, {"key": "no", "name": "否", "name_en": "No"}]

QUESTIONS: dict[str, list[dict[str, Any]]] = {
    "drainage": [
        {
            "code": "overflow",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "污水是否漫进住户或道路？",
            "description_en": "Is sewage flowing into homes or onto the road?",
            "values": YES_NO,
        },
        {
            "code": "since",
            "datatype": "datetime",
            "required": False,
            "description": "从什么时候开始？",
            "description_en": "Since when?",
            "datatype_description": "例如 2026-05-01T08:30:00+08:00",
            "datatype_description_en": "For example 2026-05-01T08:30:00+08:00",
        },
    ],
    "roads": [
        {
            "code": "size",
            "datatype": "singlevaluelist",
            "required": True,
            "description": "损坏有多大？",
            "description_en": "How large is the damage?",
            "values": [
                {"key": "small", "name": "小于一米", "name_en": "Under one metre"},
                {"key": "medium", "name": "一到三米", "name_en": "One to three metres"},
                {"key": "large", "name": "三米以上或整段路面", "name_en": "Over three metres, or a whole stretch"},
            ],
        },
    ],
    "noise": [
        {
            "code": "when",
            "datatype": "multivaluelist",
            "required": True,
            "description": "噪声在什么时候出现？",
            "description_en": "When is the noise heard?",
            "values": [
                {"key": "day", "name": "白天", "name_en": "In the day"},
                {"key": "night", "name": "夜间（22点后）", "name_en": "At night (after 22:00)"},
                {"key": "weekend", "name": "周末", "name_en": "At weekends"},
            ],
        },
        {
            "code": "source",
            "datatype": "string",
            "required": False,
            "description": "噪声来源（工地、商铺名称等）",
            "description_en": "Where it comes from (a building site, a shop's name...)",
        },
    ],
    "parking": [
        {
            "code": "vehicles",
            "datatype": "number",
            "required": False,
            "description": "大约涉及多少辆车？",
            "description_en": "About how many vehicles are involved?",
        },
    ],
    "waste": [
        {
            "code": "notice",
            "datatype": "string",
            "variable": False,
            "description": "大件垃圾请先预约清运，不属于投诉事项。",
            "description_en": "Bulky waste is collected by appointment; book a collection rather than reporting it.",
        },
        {
            "code": "days",
            "datatype": "number",
            "required": True,
            "description": "垃圾已堆放几天？",
            "description_en": "For how many days has the waste been left?",
        },
    ],
}


def seed_questions(apps: Any = None) -> None:
    if apps is None:
        from grassroots.cases.models import Category
        from grassroots.open311.models import ServiceQuestion
    else:
        Category = apps.get_model("cases", "Category")  # type: ignore[misc]  # the migration's model
        ServiceQuestion = apps.get_model("open311", "ServiceQuestion")  # type: ignore[misc]
    for code, asked in QUESTIONS.items():
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        for order, question in enumerate(asked, start=1):
            fields = {k: v for k, v in question.items() if k != "code"}
            ServiceQuestion.objects.update_or_create(
                category=category, code=question["code"], defaults={"order": order, **fields}
            )
