"""Realistic, deterministic fake data for the seeders: Chinese personal names as found in a
Horqin (科尔沁) city government — mostly Han names, some Mongolian ones."""

from __future__ import annotations

import random

# The most common Han family names, each with its approximate share per mille.
_FAMILY_TABLE = (
    "王71 李70 张68 刘53 陈45 杨31 赵23 黄22 周21 吴20 徐17 孙15 胡13 朱13 高13 "
    "林12 何12 郭12 马12 罗9 梁9 宋8 郑8 谢7 韩7 唐7 冯7 于6 董6 肖6 程6 曹6 袁5 邓5 "
    "许5 傅5 沈5 曾5 彭5 吕5 苏5 卢5 蒋5 蔡5 贾4 丁4 魏4 薛4 叶4 闫4 余4 潘4 杜4 戴3 "
    "夏3 钟3 汪3 田3 任3 姜3 范3 方3 石3 姚3 谭3 廖3 邹3 熊3 金3 陆3 郝3 孔3 白3 崔3 "
    "康3 毛3 邱3 秦3 江3 史3 顾2 侯2 邵2 孟2 龙2 万2 段2 雷2 钱2 汤2 尹2 黎2 易2 常2 "
    "武2 乔2 贺2 赖2 龚2 文2 "
)
FAMILY_NAMES: list[tuple[str, int]] = [(i[0], int(i[1:])) for i in _FAMILY_TABLE.split()]
_FAMILY, _FAMILY_WEIGHTS = zip(*FAMILY_NAMES, strict=True)

GIVEN_CHARACTERS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文海波辉鹏宇浩"
    "晨雪梅琳婷颖欣怡佳慧晓东春燕子涵一鸣思远家豪俊杨帆雅琪丹凤新亮云飞庆林永立德"
)

# Mongolian families in Horqin often carry one of these Chinese family names, with a
# Mongolian given name written in two to four characters.
MONGOLIAN_FAMILY = ("包", "白", "宝", "韩", "吴", "那", "敖", "鲍", "胡", "金")
MONGOLIAN_GIVEN = (
    "巴特尔",
    "其木格",
    "乌云",
    "格日勒",
    "图雅",
    "斯琴",
    "萨仁",
    "阿拉坦",
    "苏日娜",
    "额尔敦",
    "朝鲁",
    "哈斯",
    "乌日娜",
    "宝音",
    "那仁",
    "吉日嘎拉",
    "达来",
    "敖登",
    "孟和",
    "塔娜",
)


def person_name(rng: random.Random) -> tuple[str, str]:
    """(family name, given name)."""
    if rng.random() < 0.2:
        return rng.choice(MONGOLIAN_FAMILY), rng.choice(MONGOLIAN_GIVEN)
    family = rng.choices(_FAMILY, weights=_FAMILY_WEIGHTS)[0]
    length = 1 if rng.random() < 0.3 else 2
    return family, "".join(rng.choice(GIVEN_CHARACTERS) for _ in range(length))
