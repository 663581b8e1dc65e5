"""The one Chinese table covers every code word a Chinese user can meet, and notices and routing read it."""

import re

from services.mediation.domain.contact import Channel
from services.mediation.domain.handoff import HandoffType
from services.mediation.domain.outcome import EndingGround
from services.mediation.domain.recusal import ConflictKind
from services.mediation.domain.states import Action, MediationStatus, Role
from services.notify.domain import notices
from services.routing.domain import vocabulary
from shared import labels_zh
from shared.events import EVENT_TYPES

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _covers(table, codes):
    missing = [c for c in codes if c not in table]
    assert not missing, missing
    assert all(_HAN.search(table[c]) for c in codes)


def test_every_enum_of_the_mediation_domain_has_chinese_words():
    _covers(labels_zh.STATUSES, [s.value for s in MediationStatus])
    _covers(labels_zh.ACTIONS, [a.value for a in Action])
    _covers(labels_zh.ACTOR_ROLES, [r.value for r in Role])
    _covers(labels_zh.ENDING_GROUNDS, [g.value for g in EndingGround])
    _covers(labels_zh.HANDOFF_TYPES, [h.value for h in HandoffType])
    _covers(labels_zh.CHANNELS, [c.value for c in Channel])
    _covers(labels_zh.CONFLICT_KINDS, [k.value for k in ConflictKind])
    _covers(labels_zh.EVENT_TYPES, list(EVENT_TYPES))


def test_routing_vocabulary_is_covered_and_read_from_the_one_table():
    _covers(labels_zh.MODES, [m.value for m in vocabulary.Mode])
    _covers(labels_zh.STAGES, [s.value for s in vocabulary.Stage])
    _covers(labels_zh.PROCEDURES, [p.value for p in vocabulary.Procedure])
    _covers(labels_zh.PARTY_ROLES, [r.value for r in vocabulary.PartyRole])
    assert vocabulary.CATEGORIES is labels_zh.CATEGORIES
    assert dict(vocabulary.QINGDAO_DISTRICTS) == {k: v for k, v in labels_zh.DISTRICTS.items() if k != "370200"}
    assert vocabulary.MODE_NAMES_ZH[vocabulary.Mode.SELF] == labels_zh.MODES["self"]


def test_notices_read_the_one_table():
    assert notices.mode_name("entrustment") == labels_zh.MODES["entrustment"]
    assert notices.category_name("property_service") == labels_zh.CATEGORIES["property_service"] == "物业服务合同"


def test_unknown_codes_stay_visible_and_empty_reads_as_a_dash():
    assert labels_zh.zh(labels_zh.STATUSES, "offered") == "待答复"
    assert labels_zh.zh(labels_zh.STATUSES, "no_such_status") == "no_such_status"
    assert labels_zh.zh(labels_zh.STATUSES, None) == "—"
