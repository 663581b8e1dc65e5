"""Reference lists from domain.md: dispute categories (案由), the city's districts and their courts.

These are the closed vocabularies a clerk's request is checked against. The partner roster is not
here: it is routing's data and may change without touching intake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from shared.vocabulary import DOCKETED_STAGES, MODE_BY_STAGE, PartyKind, PartyRole, Procedure, Stage  # noqa: F401


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name_zh: str
    court_code: str  # the court's abbreviation as printed in case numbers, e.g. 鲁0202


CATEGORIES: tuple[Category, ...] = (
    Category("neighbour", "相邻关系", "neighbour relations"),
    Category("family", "婚姻家庭", "marriage and family"),
    Category("inheritance", "继承", "inheritance"),
    Category("private_lending", "民间借贷", "private lending"),
    Category("financial_loan", "金融借款/信用卡", "financial loan / credit card"),
    Category("insurance", "保险合同", "insurance contract"),
    Category("securities_futures", "证券期货", "securities and futures"),
    Category("labour", "劳动争议", "labour dispute"),
    Category("traffic_accident", "机动车交通事故责任", "motor-vehicle accident liability"),
    Category("medical", "医疗损害责任", "medical damage liability"),
    Category("consumer", "消费者权益", "consumer rights"),
    Category("property_service", "物业服务合同", "property service contract"),
    Category("tenancy", "房屋租赁", "housing tenancy"),
    Category("real_estate", "商品房买卖", "commercial housing sale"),
    Category("construction", "建设工程", "construction project"),
    Category("commercial_contract", "商事合同", "commercial contract"),
    Category("company", "公司与合伙", "company and partnership"),
    Category("intellectual_property", "知识产权", "intellectual property"),
    Category("online", "网络购物与网络侵权", "online shopping and online torts"),
    Category("maritime", "海事海商", "maritime and commercial maritime"),
    Category("cross_strait", "涉台", "cross-strait (Taiwan-related)"),
    Category("overseas_chinese", "涉侨", "overseas-Chinese-related"),
    Category("price", "价格争议", "price dispute"),
    Category("sme_arrears", "中小企业账款", "arrears owed to SMEs"),
    Category("personal_injury", "生命权健康权身体权", "life, health and bodily integrity"),
    Category("other", "其他", "other"),
)

DISTRICTS: tuple[District, ...] = (
    District("370202", "市南区", "鲁0202"),
    District("370203", "市北区", "鲁0203"),
    District("370211", "黄岛区", "鲁0211"),  # 西海岸新区
    District("370212", "崂山区", "鲁0212"),
    District("370213", "李沧区", "鲁0213"),
    District("370214", "城阳区", "鲁0214"),
    District("370215", "即墨区", "鲁0215"),
    District("370281", "胶州市", "鲁0281"),
    District("370283", "平度市", "鲁0283"),
    District("370285", "莱西市", "鲁0285"),
)

INTERMEDIATE_COURT = "370200"
INTERMEDIATE_COURT_ABBREVIATION = "鲁02"

CATEGORY_CODES: tuple[str, ...] = tuple(c.code for c in CATEGORIES)
DISTRICT_CODES: tuple[str, ...] = tuple(d.code for d in DISTRICTS)
# A clerk works for a district court or for the intermediate court; both may file cases.
COURT_CODES: tuple[str, ...] = DISTRICT_CODES + (INTERMEDIATE_COURT,)

CATEGORY_BY_CODE: Mapping[str, Category] = MappingProxyType({c.code: c for c in CATEGORIES})
DISTRICT_BY_CODE: Mapping[str, District] = MappingProxyType({d.code: d for d in DISTRICTS})

STAGES: tuple[str, ...] = tuple(v.value for v in Stage)
PROCEDURES: tuple[str, ...] = tuple(v.value for v in Procedure)
PARTY_ROLES: tuple[str, ...] = tuple(v.value for v in PartyRole)
PARTY_KINDS: tuple[str, ...] = tuple(v.value for v in PartyKind)


def court_abbreviation(court_code: str) -> str:
    """The court's abbreviation as printed in case numbers: 370202 -> 鲁0202, 370200 -> 鲁02."""
    if court_code == INTERMEDIATE_COURT:
        return INTERMEDIATE_COURT_ABBREVIATION
    district = DISTRICT_BY_CODE.get(court_code)
    if district is None:
        raise ValueError(f"unknown court code {court_code!r}")
    return district.court_code


def mode_for_stage(stage: str) -> str:
    try:
        return MODE_BY_STAGE[stage]
    except KeyError:
        raise ValueError(f"unknown stage {stage!r}") from None
