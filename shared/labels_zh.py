"""The one Chinese translation table: how every code word of the platform reads to a Chinese user.

The web client, the notices to parties and the exports all take their words from here, so a status
or a category reads the same on a mediator's screen, in an SMS and in a CSV heading. Codes stay the
contract's lower_snake strings everywhere else; only what a person reads is translated.

`zh(table, code)` answers the code itself for an unknown one, so a missing entry shows up (the
browser tests look for English code words in visible text) instead of being hidden behind a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# Case and mediation statuses: the contract's case statuses and the partner-side ones
# (offered, declined, paused exist only at the partner).
STATUSES = MappingProxyType({
    "received": "已收案",
    "routed": "已分派",
    "unroutable": "无可分派单位",
    "offered": "待答复",
    "accepted": "已接受",
    "in_mediation": "调解中",
    "paused": "鉴定中（期限暂停）",
    "declined": "已拒绝",
    "settled": "调解成功",
    "failed": "调解不成",
    "withdrawn": "已撤回",
    "expired": "期限届满",
    "handed_off": "已移交法院",
    "closed": "已结案",
})

MODES = MappingProxyType({
    "delegation": "立案前委派调解",
    "entrustment": "立案后委托调解",
    "invitation": "诉中邀请调解",
    "self": "合作单位自行调解",
})

# The rules a decision applied (domain.md, "Policy packs")
POLICY_PACKS = MappingProxyType({
    "spc-2016": "依2016年特邀调解规定及2021年在线调解规则",
    "spc-2025": "依2025年规范立案与调解工作的意见",
})

STAGES = MappingProxyType({
    "pre_filing": "立案前",
    "post_filing": "立案后、开庭前",
    "in_litigation": "诉讼中",
    "direct": "当事人直接申请",
})

PROCEDURES = MappingProxyType({
    "ordinary": "普通程序",
    "summary": "简易程序",
})

# 案由, in domain.md's order
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

# Qingdao, in the order of domain.md's districts table (P01..P10 follow this order)
DISTRICTS = MappingProxyType({
    "370200": "青岛市",
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

PARTY_ROLES = MappingProxyType({
    "applicant": "申请人",
    "respondent": "被申请人",
    "third_party": "第三人",
})

PARTY_KINDS = MappingProxyType({
    "person": "自然人",
    "organization": "单位",
})

# Grounds for ending a mediation (2021 online mediation rules, Art 25)
ENDING_GROUNDS = MappingProxyType({
    "agreement": "达成调解协议",
    "withdrawal": "申请人撤回调解申请",
    "party_unreachable": "无法联系当事人",
    "party_refuses": "当事人拒绝继续调解",
    "positions_too_far_apart": "双方分歧较大，难以达成协议",
    "period_expired": "调解期限届满未延长",
    "refusal_to_sign": "当事人拒绝签署调解协议",
    "other": "其他原因",
})

OUTCOME_RESULTS = MappingProxyType({
    "settled": "调解成功",
    "failed": "调解不成",
    "withdrawn": "撤回调解",
    "expired": "期限届满",
})

# What happens at the court after the mediation (the hand-off)
HANDOFF_TYPES = MappingProxyType({
    "judicial_confirmation": "申请司法确认",
    "agreement_filed": "调解协议备案",
    "docket": "登记立案",
    "mediation_document": "出具调解书",
    "withdrawal": "撤诉",
    "resume_trial": "恢复审理",
    "none": "无需移交法院",
})

EVENT_TYPES = MappingProxyType({
    "case.received": "法院推送案件",
    "case.routed": "案件分派",
    "case.unroutable": "无可分派单位",
    "case.withdrawn": "申请人撤回",
    "case.choice_window_opened": "当事人协商选择调解组织期间开始",
    "case.jointly_chosen": "当事人共同选定调解组织",
    "mediation.accepted": "接受调解",
    "mediation.declined": "拒绝调解",
    "mediation.mediator_assigned": "指派调解员",
    "mediation.session_scheduled": "安排调解",
    "mediation.paused": "鉴定评估，期限暂停",
    "mediation.resumed": "鉴定结束，期限恢复",
    "mediation.calendar_recomputed": "放假安排更新，期限重新计算",
    "mediation.extended": "延长调解期限",
    "mediation.settled": "调解成功",
    "mediation.failed": "调解不成",
    "mediation.withdrawn": "撤回调解",
    "mediation.expired": "调解期限届满",
    "handoff.sent": "移交法院",
    "handoff.acknowledged": "法院已签收",
})

# The steps of a mediation as its audit trail names them
ACTIONS = MappingProxyType({
    "open_offer": "收到分派",
    "accept": "接受",
    "decline": "拒绝",
    "lapse_offer": "逾期未答复（视为拒绝）",
    "assign_mediator": "指派调解员",
    "schedule_session": "安排调解",
    "record_contact": "记录联系",
    "pause": "暂停期限（鉴定评估）",
    "resume": "恢复期限",
    "extend": "延长期限",
    "record_settled": "记录调解成功",
    "record_failed": "记录调解不成",
    "record_withdrawn": "记录撤回",
    "expire": "期限届满",
    "withdraw_by_court": "法院通知撤回",
    "hand_off": "移交法院",
    "close": "结案",
})

# Who acted, as the audit trail records it
ACTOR_ROLES = MappingProxyType({
    "partner": "合作单位",
    "mediator": "调解员",
    "ops": "平台运维",
    "system": "系统",
    "clerk": "法院立案人员",
})

# How a party was contacted
CHANNELS = MappingProxyType({
    "phone": "电话",
    "sms": "短信",
    "email": "电子邮件",
    "in_person": "当面",
    "online": "在线",
})

CONFLICT_KINDS = MappingProxyType({
    "party_id_number": "与当事人存在关联",
    "law_firm": "与代理律所存在关联",
})

# The columns of the statistics the justice bureau files (GET /v1/stats as CSV or .xlsx), in the
# order of the export, and the heading of the group column for each group_by.
STATS_COLUMNS = MappingProxyType({
    "received": "收案数",
    "routed": "分派数",
    "unroutable": "无可分派单位数",
    "returned_to_court": "退回法院数",
    "declined": "拒绝受理数",
    "lapsed": "逾期未答复数",
    "accepted": "受理数",
    "settled": "调解成功数",
    "failed": "调解不成数",
    "withdrawn": "撤回数",
    "withdrawn_before_acceptance": "其中受理前撤回数",
    "expired": "期限届满数",
    "settlement_rate": "调解成功率",
    "median_days_to_outcome": "结案用时中位数（天）",
    "open_now": "在调数",
    "overdue_now": "超期数",
})

STATS_GROUPS = MappingProxyType({
    "partner": "调解组织",
    "category": "案由",
    "mode": "调解方式",
    "district": "区（市）",
    "month": "月份",
    "total": "合计",
})

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def zh(table: Mapping[str, str], code: str | None) -> str:
    """The Chinese words for `code`; an empty code reads as a dash, an unknown one as itself."""
    if code is None or code == "":
        return "—"
    return table.get(str(code), str(code))
