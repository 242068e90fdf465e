"""Deterministic Chinese names with their English renderings, for the demo county."""

from __future__ import annotations

import random

SURNAMES = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("周", "Zhou"),
    ("吴", "Wu"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("胡", "Hu"),
    ("朱", "Zhu"),
    ("高", "Gao"),
    ("林", "Lin"),
    ("何", "He"),
    ("郭", "Guo"),
    ("马", "Ma"),
    ("罗", "Luo"),
    ("梁", "Liang"),
    ("宋", "Song"),
    ("郑", "Zheng"),
    ("谢", "Xie"),
    ("唐", "Tang"),
    ("邓", "Deng"),
    ("彭", "Peng"),
    ("曾", "Zeng"),
    ("向", "Xiang"),
    ("覃", "Qin"),
]
GIVEN = [
    ("建国", "Jianguo"),
    ("志强", "Zhiqiang"),
    ("秀英", "Xiuying"),
    ("桂兰", "Guilan"),
    ("海燕", "Haiyan"),
    ("伟", "Wei"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("军", "Jun"),
    ("洋", "Yang"),
    ("勇", "Yong"),
    ("艳", "Yan"),
    ("杰", "Jie"),
    ("娟", "Juan"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("秀兰", "Xiulan"),
    ("霞", "Xia"),
    ("平", "Ping"),
    ("刚", "Gang"),
    ("春梅", "Chunmei"),
    ("德华", "Dehua"),
    ("红梅", "Hongmei"),
    ("文斌", "Wenbin"),
    ("晓东", "Xiaodong"),
    ("玉兰", "Yulan"),
    ("国庆", "Guoqing"),
    ("卫东", "Weidong"),
    ("长明", "Changming"),
    ("立新", "Lixin"),
    ("小红", "Xiaohong"),
    ("建华", "Jianhua"),
    ("永刚", "Yonggang"),
    ("慧", "Hui"),
]
# Two-syllable place names: first and second halves, each with its pinyin.
PLACE_HEAD = [
    ("金", "Jin"),
    ("兴", "Xing"),
    ("和", "He"),
    ("新", "Xin"),
    ("永", "Yong"),
    ("桃", "Tao"),
    ("清", "Qing"),
    ("双", "Shuang"),
    ("丰", "Feng"),
    ("红", "Hong"),
    ("青", "Qing"),
    ("荷", "He"),
    ("长", "Chang"),
    ("太", "Tai"),
    ("三", "San"),
    ("大", "Da"),
    ("白", "Bai"),
    ("龙", "Long"),
]
PLACE_TAIL = [
    ("山", "shan"),
    ("湖", "hu"),
    ("桥", "qiao"),
    ("岗", "gang"),
    ("田", "tian"),
    ("溪", "xi"),
    ("洲", "zhou"),
    ("坪", "ping"),
    ("塘", "tang"),
    ("阳", "yang"),
    ("林", "lin"),
    ("家", "jia"),
    ("堰", "yan"),
    ("河", "he"),
    ("安", "an"),
    ("华", "hua"),
]
CHINESE_NUMERALS = "一二三四五六七八九十"


class NameSource:
    """Hands out unique names from a seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_people: set[str] = set()
        self.used_places: set[str] = set()

    def person(self) -> tuple[str, str]:
        for _attempt in range(1000):
            (s, s_en), (g, g_en) = self.rng.choice(SURNAMES), self.rng.choice(GIVEN)
            if s + g not in self.used_people:
                self.used_people.add(s + g)
                return s + g, f"{s_en} {g_en}"
        raise RuntimeError("ran out of demo names")

    def place(self) -> tuple[str, str]:
        for _attempt in range(1000):
            (h, h_en), (t, t_en) = self.rng.choice(PLACE_HEAD), self.rng.choice(PLACE_TAIL)
            if h + t not in self.used_places:
                self.used_places.add(h + t)
                return h + t, h_en + t_en
        raise RuntimeError("ran out of demo place names")

    def phone(self) -> str:
        return "1" + self.rng.choice("3589") + "".join(self.rng.choice("0123456789") for _ in range(9))


def numeral(n: int) -> str:
    """1 → 一, 12 → 十二 (enough for grid numbers)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    return "十" + CHINESE_NUMERALS[n - 11] if n < 20 else str(n)
