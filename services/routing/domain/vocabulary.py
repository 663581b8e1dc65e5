"""The routing domain's fixed vocabulary: stages, modes, procedures, dispute categories, districts.

Codes are the public contract's enum strings; the Chinese names are the real legal terms and are
used in the human-readable explanations that ops users read.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Stage(StrEnum):
    PRE_FILING = "pre_filing"
    POST_FILING = "post_filing"
    IN_LITIGATION = "in_litigation"
    DIRECT = "direct"


class Mode(StrEnum):
    DELEGATION = "delegation"
    ENTRUSTMENT = "entrustment"
    INVITATION = "invitation"
    SELF = "self"


class Procedure(StrEnum):
    ORDINARY = "ordinary"
    SUMMARY = "summary"


class PartyRole(StrEnum):
    APPLICANT = "applicant"
    RESPONDENT = "respondent"
    THIRD_PARTY = "third_party"


MODE_NAMES_ZH = MappingProxyType({
    Mode.DELEGATION: "立案前委派调解",
    Mode.ENTRUSTMENT: "立案后委托调解",
    Mode.INVITATION: "诉中邀请调解",
    Mode.SELF: "合作单位自行调解",
})

CATEGORIES = MappingProxyType({
    "neighbour": "相邻关系",
    "family": "婚姻家庭",
    "inheritance": "继承",
    "private_lending": "民间借贷",
    "financial_loan": "金融借款/信用卡",
    "insurance": "保险合同",
    "securities_futures": "证券期货",
    "labour": "劳动争议",
    "traffic_accident": "机动车交通事故责任",
    "medical": "医疗损害责任",
    "consumer": "消费者权益",
    "property_service": "物业服务合同",
    "tenancy": "房屋租赁",
    "real_estate": "商品房买卖",
    "construction": "建设工程",
    "commercial_contract": "商事合同",
    "company": "公司与合伙",
    "intellectual_property": "知识产权",
    "online": "网络购物与网络侵权",
    "maritime": "海事海商",
    "cross_strait": "涉台",
    "overseas_chinese": "涉侨",
    "price": "价格争议",
    "sme_arrears": "中小企业账款",
    "personal_injury": "生命权健康权身体权",
    "other": "其他",
})

# Qingdao, in the order of domain.md's districts table (P01..P10 follow this order).
QINGDAO_CITY = "370200"
QINGDAO_DISTRICTS = MappingProxyType({
    "370202": "市南区",
    "370203": "市北区",
    "370211": "黄岛区",
    "370212": "崂山区",
    "370213": "李沧区",
    "370214": "城阳区",
    "370215": "即墨区",
    "370281": "胶州市",
    "370283": "平度市",
    "370285": "莱西市",
})


def city_of(district: str) -> str:
    """The prefecture-level city of a GB/T 2260 district code: its first four digits, then 00."""
    return district[:4] + "00"


def is_area_code(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def district_words(district: str) -> str:
    name = QINGDAO_DISTRICTS.get(district)
    return f"{name} ({district})" if name else district


def category_words(category: str) -> str:
    name = CATEGORIES.get(category)
    return f"{category} ({name})" if name else category


def mode_words(mode: Mode) -> str:
    return f"{mode.value} ({MODE_NAMES_ZH[mode]})"
