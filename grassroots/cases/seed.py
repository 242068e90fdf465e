"""The usual petition and hotline categories, and the default notice texts.

Applied by migration 0002 and again after the demo's ``--reset`` (which empties every
table); both are idempotent, so running them twice changes nothing.
"""

from __future__ import annotations

from typing import Any

CATEGORIES = [
    (
        "urban",
        "城乡建设",
        "Urban and rural construction",
        [
            ("drainage", "排水与污水管网", "Drainage and sewers", "下水道 污水 雨污 管网 排水 堵塞 积水 化粪池"),
            ("roads", "道路与桥梁", "Roads and bridges", "道路 路面 坑洼 桥梁 人行道 破损"),
            ("property", "物业管理", "Property management", "物业 业委会 小区 电梯 物业费"),
            ("old_estates", "老旧小区改造", "Renovation of old estates", "老旧小区 改造 外墙 加装电梯"),
            ("housing_safety", "房屋安全", "Housing safety", "危房 裂缝 漏水 房屋 安全"),
            ("water_gas", "供水与燃气", "Water and gas supply", "停水 水压 燃气 天然气 水质"),
        ],
    ),
    (
        "environment",
        "生态环境",
        "Environment",
        [
            ("noise", "噪声污染", "Noise", "噪音 噪声 扰民 施工 夜间"),
            ("air", "大气污染", "Air pollution", "油烟 废气 扬尘 异味 焚烧"),
            ("water_pollution", "水污染", "Water pollution", "河道 黑臭 排污 污染"),
            ("waste", "垃圾处理", "Waste", "垃圾 清运 分类 堆放"),
        ],
    ),
    (
        "transport",
        "交通运输",
        "Transport",
        [
            ("parking", "停车", "Parking", "停车 车位 停车场 乱停 收费"),
            ("public_transport", "公共交通", "Public transport", "公交 班车 站点 出租车"),
            ("traffic", "交通秩序", "Traffic order", "红绿灯 拥堵 交通 信号灯"),
        ],
    ),
    (
        "education",
        "教育",
        "Education",
        [
            ("enrolment", "入学", "School enrolment", "入学 学位 招生 转学"),
            ("school_safety", "校园安全", "School safety", "校园 学生 安全 食堂"),
        ],
    ),
    (
        "labour",
        "劳动和社会保障",
        "Labour and social security",
        [
            ("wages", "欠薪", "Unpaid wages", "欠薪 工资 拖欠 农民工"),
            ("social_insurance", "社会保险", "Social insurance", "社保 养老保险 医保 缴费"),
            ("employment", "就业", "Employment", "就业 招聘 培训 失业"),
        ],
    ),
    (
        "commerce",
        "商贸旅游",
        "Commerce and tourism",
        [
            ("consumer", "消费维权", "Consumer rights", "退款 消费 投诉 商家 预付卡"),
            ("market", "市场秩序", "Market order", "市场 价格 假冒 摊位"),
            ("tourism", "旅游", "Tourism", "景区 旅游 门票 导游"),
        ],
    ),
    (
        "health",
        "卫生健康",
        "Health",
        [
            ("medical", "医疗服务", "Medical services", "医院 医生 看病 诊所"),
            ("food_safety", "食品安全", "Food safety", "食品 过期 变质 卫生"),
        ],
    ),
    (
        "land",
        "国土资源",
        "Land",
        [
            ("acquisition", "征地拆迁", "Land acquisition and demolition", "征地 拆迁 补偿 安置"),
            ("land_rights", "土地权属", "Land rights", "宅基地 确权 承包地 土地"),
        ],
    ),
    (
        "rural",
        "农业农村",
        "Agriculture and rural affairs",
        [
            ("rural_infrastructure", "农村基础设施", "Rural infrastructure", "村道 灌溉 水渠 路灯"),
            ("subsidies", "惠农补贴", "Farm subsidies", "补贴 种粮 农机 惠农"),
            ("collective_assets", "集体资产", "Collective assets", "集体 分红 村务 账目"),
        ],
    ),
    (
        "public_security",
        "公安政法",
        "Public security",
        [
            ("public_order", "治安", "Public order", "治安 盗窃 打架 诈骗"),
            ("registration", "户籍", "Household registration", "户口 户籍 身份证 落户"),
        ],
    ),
    (
        "civil",
        "民政",
        "Civil affairs",
        [
            ("assistance", "低保救助", "Subsistence allowance and assistance", "低保 救助 困难 特困"),
            ("elderly", "养老服务", "Elderly care", "养老 老人 敬老院 高龄补贴"),
        ],
    ),
    (
        "urban_management",
        "城市管理",
        "Urban management",
        [
            ("street_vending", "占道经营", "Street vending", "占道 摊贩 流动 经营"),
            ("illegal_building", "违章建筑", "Illegal construction", "违建 违章 搭建 加盖"),
            ("cityscape", "市容环卫", "Cityscape and sanitation", "市容 广告 绿化 环卫"),
        ],
    ),
    (
        "other",
        "其他",
        "Other",
        [
            ("other_matters", "其他事项", "Other matters", ""),
        ],
    ),
]

NOTICES = {
    ("acceptance", "zh-hans"): (
        "信访事项受理告知书",
        """{{ petitioner }}：

您于{{ case.registered_at|date:"Y年n月j日" }}提出的信访事项（编号 {{ case.number }}：{{ case.title }}），经审查，符合受理条件，本机关已于{{ case.accepted_at|date:"Y年n月j日" }}依法受理，将于{{ case.handling_due_at|date:"Y年n月j日" }}前办结并书面答复您。

{{ organisation }}
{{ today|date:"Y年n月j日" }}""",
    ),
    ("acceptance", "en"): (
        "Notice of acceptance",
        """To {{ petitioner }}:

The matter you raised on {{ case.registered_at|date:"j F Y" }} (case {{ case.number }}: {{ case.title }}) meets the conditions for acceptance and was accepted on {{ case.accepted_at|date:"j F Y" }}. It will be handled, and you will receive a written reply, by {{ case.handling_due_at|date:"j F Y" }}.

{{ organisation }}
{{ today|date:"j F Y" }}""",
    ),
    ("non_acceptance", "zh-hans"): (
        "信访事项不予受理告知书",
        """{{ petitioner }}：

您于{{ case.registered_at|date:"Y年n月j日" }}提出的信访事项（编号 {{ case.number }}：{{ case.title }}），经审查，不予受理。理由：{{ reason }}

{{ organisation }}
{{ today|date:"Y年n月j日" }}""",
    ),
    ("non_acceptance", "en"): (
        "Notice of non-acceptance",
        """To {{ petitioner }}:

The matter you raised on {{ case.registered_at|date:"j F Y" }} (case {{ case.number }}: {{ case.title }}) has been examined and is not accepted, for this reason: {{ reason }}

{{ organisation }}
{{ today|date:"j F Y" }}""",
    ),
    ("extension", "zh-hans"): (
        "信访事项延期办理告知书",
        """{{ petitioner }}：

您提出的信访事项（编号 {{ case.number }}：{{ case.title }}）因情况复杂，经批准延长办理期限 {{ case.extension_days }} 日，将于{{ case.handling_due_at|date:"Y年n月j日" }}前办结。延期理由：{{ reason }}

{{ organisation }}
{{ today|date:"Y年n月j日" }}""",
    ),
    ("extension", "en"): (
        "Notice of extension",
        """To {{ petitioner }}:

Because the matter you raised (case {{ case.number }}: {{ case.title }}) is complex, the time for handling it has been extended, with approval, by {{ case.extension_days }} days, to {{ case.handling_due_at|date:"j F Y" }}. Reason: {{ reason }}

{{ organisation }}
{{ today|date:"j F Y" }}""",
    ),
    ("handling_opinion", "zh-hans"): (
        "信访事项处理意见书",
        """{{ petitioner }}：

您提出的信访事项（编号 {{ case.number }}：{{ case.title }}），经调查核实，处理意见如下：

{{ reason }}

如对本处理意见不服，可以自收到本意见书之日起30日内向上一级机关请求复查。

{{ organisation }}
{{ today|date:"Y年n月j日" }}""",
    ),
    ("handling_opinion", "en"): (
        "Handling opinion",
        """To {{ petitioner }}:

Having investigated the matter you raised (case {{ case.number }}: {{ case.title }}), our handling opinion is:

{{ reason }}

If you do not accept this opinion, you may ask the authority one level up to review it within 30 days of receiving it.

{{ organisation }}
{{ today|date:"j F Y" }}""",
    ),
}


def seed_taxonomy(category_model: Any = None, template_model: Any = None) -> None:
    """Create the categories and notice templates that are missing; edits are kept."""
    if category_model is None or template_model is None:
        from grassroots.cases.models import Category, NoticeTemplate

        category_model, template_model = Category, NoticeTemplate
    for order, (code, name, name_en, children) in enumerate(CATEGORIES):
        group, _ = category_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
        for child_order, (child_code, child_name, child_en, keywords) in enumerate(children):
            category_model.objects.get_or_create(
                code=child_code,
                defaults={
                    "parent": group,
                    "name": child_name,
                    "name_en": child_en,
                    "keywords": keywords,
                    "sort_order": child_order,
                },
            )
    for (kind, language), (title, body) in NOTICES.items():
        template_model.objects.get_or_create(kind=kind, language=language, defaults={"title": title, "body": body})
