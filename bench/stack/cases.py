"""Case bodies as courts file them, written once to the file the wrk script reads.

Every district, every category of domain.md (weighted roughly as a city's caseload is), all four
stages, two to six parties, persons and organisations, several courts at once (each district court
and the intermediate court), with the clerk token of each body's court beside it.

A body is kept only if intake's own validation accepts it and routing's own decide() routes it on
the seeded roster, so that every accepted case should end as one signed `case.routed` webhook; a
case that does not is then the platform's doing, not the generator's.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.stack.ids import mobile, resident_id, social_credit_code
from services.intake.api.schemas import validate_case_body
from services.intake.domain.reference import (
    CATEGORY_BY_CODE,
    DISTRICT_BY_CODE,
    DISTRICTS,
    INTERMEDIATE_COURT,
    court_abbreviation,
)
from services.routing.domain.case import RoutingCase
from services.routing.domain.engine import DecisionOutcome, decide
from services.routing.domain.index import RosterIndex
from services.routing.domain.policy import SPC_2016
from services.routing.domain.roster import read_roster
from services.routing.domain.ruleset import DEFAULT_RULESET
from services.routing.domain.vocabulary import Mode

# The wrk script puts a unique reference here per request; the tag then says which scenario filed it.
REF_PLACEHOLDER = "@REF@"

# Relative frequency of each category in a city court's mediation caseload (rough, for realism).
CATEGORY_WEIGHTS = {
    "private_lending": 14, "financial_loan": 12, "property_service": 10, "traffic_accident": 9,
    "labour": 8, "family": 7, "tenancy": 6, "consumer": 6, "commercial_contract": 5, "sme_arrears": 4,
    "neighbour": 3, "inheritance": 3, "construction": 3, "real_estate": 3, "personal_injury": 3,
    "insurance": 3, "online": 3, "medical": 2, "company": 2, "intellectual_property": 2, "other": 2,
    "securities_futures": 1, "maritime": 1, "cross_strait": 1, "overseas_chinese": 1, "price": 1,
}
STAGE_WEIGHTS = {"pre_filing": 55, "post_filing": 20, "in_litigation": 10, "direct": 15}
DOCKETED = frozenset({"post_filing", "in_litigation"})  # these carry the court's number and procedure

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英志华建国海燕玉兰晓东文博子涵浩然雨欣"
COMPANY_WORDS = ("海润", "崂峰", "金沙滩", "琴岛", "胶澳", "鲁信", "奥帆", "浮山", "汇泉", "栈桥", "青啤", "海尔湾")
COMPANY_TRADES = {
    "property_service": "物业服务有限公司", "financial_loan": "银行股份有限公司", "insurance": "财产保险股份有限公司",
    "construction": "建设工程有限公司", "real_estate": "置业有限公司", "labour": "制造有限公司",
    "consumer": "商贸有限公司", "online": "网络科技有限公司", "maritime": "海运有限公司",
}
# Who is usually the company in such a dispute: the bank suing a borrower, the employer being sued.
COMPANY_APPLICANTS = frozenset({"financial_loan", "property_service", "insurance", "sme_arrears"})
COMPANY_RESPONDENTS = frozenset({"labour", "consumer", "online", "construction", "real_estate", "medical",
                                 "commercial_contract", "company", "intellectual_property", "maritime",
                                 "insurance", "securities_futures", "price", "traffic_accident"})
LAW_FIRMS = ("山东琴岛律师事务所", "山东德衡律师事务所", "北京大成（青岛）律师事务所", "山东文康律师事务所",
             "山东青岛中经律师事务所")
STREETS = ("香港中路", "延安三路", "辽宁路", "台东一路", "长江中路", "李村路", "正阳路", "鹤山路", "福州南路")


@dataclass(frozen=True)
class Filing:
    court_code: str
    body: dict


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rnd = random.Random(seed)
        self.index = RosterIndex(read_roster())
        self.serial = 0

    def pick(self, weights: dict[str, int]) -> str:
        return self.rnd.choices(list(weights), weights=list(weights.values()))[0]

    def name(self) -> str:
        return self.rnd.choice(SURNAMES) + "".join(self.rnd.choice(GIVEN) for _ in range(self.rnd.choice((1, 2))))

    def company(self, category: str, region: str) -> str:
        trade = COMPANY_TRADES.get(category, "有限公司")
        return f"青岛{self.rnd.choice(COMPANY_WORDS)}{DISTRICT_BY_CODE[region].name_zh[:2]}{trade}"

    def party(self, role: str, category: str, district: str, organisation: bool) -> dict:
        region = district if self.rnd.random() < 0.7 else self.rnd.choice(DISTRICTS).code
        party: dict = {"role": role, "kind": "organization" if organisation else "person",
                       "consents_to_mediation": True}
        if organisation:
            party["name"] = self.company(category, region)
            party["id_number"] = social_credit_code(self.rnd, region)
        else:
            party["name"] = self.name()
            party["id_number"] = resident_id(self.rnd, region)
            if self.rnd.random() < 0.2:
                party["email"] = f"party{self.rnd.randrange(10 ** 6)}@example.cn"
        if self.rnd.random() < 0.9:
            party["phone"] = mobile(self.rnd)
        if self.rnd.random() < 0.4:
            street = f"{self.rnd.choice(STREETS)}{self.rnd.randrange(1, 300)}号"
            party["address"] = f"青岛市{DISTRICT_BY_CODE[region].name_zh}{street}"
        if self.rnd.random() < 0.3:
            party["represented_by"] = {"name": self.name(), "law_firm": self.rnd.choice(LAW_FIRMS)}
        return party

    def is_organisation(self, role: str, category: str) -> bool:
        if role == "applicant":
            return self.rnd.random() < (0.85 if category in COMPANY_APPLICANTS else 0.1)
        return self.rnd.random() < (0.7 if category in COMPANY_RESPONDENTS else 0.05)

    def parties(self, category: str, district: str) -> list[dict]:
        count = self.rnd.choice((2, 2, 2, 3, 3, 4, 5, 6))
        applicants = 1 if count < 4 else self.rnd.choice((1, 2))
        roles = ["applicant"] * applicants + ["respondent"]
        roles += [self.rnd.choice(("respondent", "respondent", "third_party")) for _ in range(count - len(roles))]
        return [self.party(role, category, district, self.is_organisation(role, category)) for role in roles]

    def draft(self) -> Filing:
        district = self.rnd.choice(DISTRICTS).code
        court = INTERMEDIATE_COURT if self.rnd.random() < 0.1 else district
        stage = self.pick(STAGE_WEIGHTS)
        category = self.pick(CATEGORY_WEIGHTS)
        claim = self.rnd.choice((None, 800, 3500, 12500, 48000, 86000, 250000, 1800000))
        self.serial += 1
        body: dict = {
            "court_code": court,
            "external_ref": REF_PLACEHOLDER,
            "stage": stage,
            "category": category,
            "summary": (f"{CATEGORY_BY_CODE[category].name_zh}纠纷：申请人与被申请人因"
                        f"{CATEGORY_BY_CODE[category].name_zh}事项发生争议，协商未果，"
                        f"{'申请诉前调解' if stage == 'pre_filing' else '同意调解'}。编号{self.serial}。"),
            "claim_amount": None if claim is None else f"{Decimal(claim) + Decimal(self.rnd.randrange(100)) / 100:.2f}",
            "district": district,
            "parties": self.parties(category, district),
        }
        if stage in DOCKETED:
            body["court_case_number"] = f"(2026){court_abbreviation(court)}民初{self.rnd.randrange(1, 20000)}号"
            body["procedure"] = self.rnd.choice(("ordinary", "summary"))
        if stage == "direct":
            own = [p.id for p in self.index.serving(category, district) if Mode.SELF in p.modes]
            # With no body of its own for the dispute, the party "went" to the fallback, which
            # routing may refuse: filing() then draws another case.
            body["partner_id"] = self.rnd.choice(own) if own else "P35"
        return Filing(court, body)

    def routed_partner(self, body: dict) -> str | None:
        case = RoutingCase.from_case_body(f"bench-{self.serial}", body)
        decision = decide(case, self.index, DEFAULT_RULESET, SPC_2016)
        return decision.partner_id if decision.outcome is DecisionOutcome.ROUTED else None

    def filing(self) -> Filing:
        while True:
            filing = self.draft()
            partner = self.routed_partner(filing.body)
            if partner is None:
                continue  # e.g. labour during trial: no labour body takes invitations
            if filing.body["stage"] != "direct" and self.rnd.random() < 0.1:
                filing.body["preferred_partner_id"] = partner  # the parties' joint choice (2021 Art 10)
            validate_case_body(filing.body)  # raises if intake would refuse it: fix the generator then
            return filing


def generate(count: int, seed: int = 20260101) -> list[Filing]:
    generator = _Generator(seed)
    return [generator.filing() for _ in range(count)]


def coverage(filings: list[Filing]) -> dict[str, Counter]:
    """What the bodies cover, for the report: districts, courts, categories, stages, party counts."""
    return {
        "district": Counter(f.body["district"] for f in filings),
        "court": Counter(f.court_code for f in filings),
        "category": Counter(f.body["category"] for f in filings),
        "stage": Counter(f.body["stage"] for f in filings),
        "parties": Counter(len(f.body["parties"]) for f in filings),
    }


def write_bodies(path: Path, filings: list[Filing], tokens: dict[str, str]) -> None:
    """One line per court token (`T court token`), then one per body (`B court json`), tab separated:
    the wrk script pairs each body with its court's token, as a court's clerk system would."""
    with open(path, "w", encoding="utf-8") as out:
        for court in sorted({f.court_code for f in filings}):
            out.write(f"T\t{court}\t{tokens[court]}\n")
        for filing in filings:
            text = json.dumps(filing.body, ensure_ascii=False, separators=(",", ":"))
            assert "\n" not in text and text.count(REF_PLACEHOLDER) == 1
            out.write(f"B\t{filing.court_code}\t{text}\n")
