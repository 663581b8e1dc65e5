"""Why an action was refused, in Chinese, beside the form field at fault.

The API answers the same refusals as problem+json for client systems (api/errors.py); a mediator
reads this instead: the same exceptions from the same actions, other words, and the field names of
the web forms rather than the API's body paths."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from services.mediation.actions.offers import OfferLapsed
from services.mediation.actions.staffing import UnknownMediator
from services.mediation.domain.contact import ContactWindowClosed, InvalidContact
from services.mediation.domain.deadline import ExtensionRefused, InvalidPause, RefusalReason
from services.mediation.domain.machine import Forbidden, TransitionRefused
from services.mediation.domain.outcome import InvalidOutcome
from services.mediation.domain.recusal import AssignmentRefused
from shared import labels_zh as L


class Refused(Exception):
    """A refusal for the page: a message for the form and messages per field (both in Chinese)."""

    def __init__(self, message: str, fields: dict[str, str] | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        self.status = status


_EXTENSION = {
    RefusalReason.NOT_POSITIVE: ("days", "延长天数须为正整数。"),
    RefusalReason.TOO_LONG: ("days", "延长天数超过了适用规则允许的上限（2025年意见：至多30天）。"),
    RefusalReason.MISSING_CONSENT: ("consents", "延长调解期限须经每位当事人同意，请逐一勾选已同意的当事人。"),
    RefusalReason.CONSENT_FROM_NON_PARTY: ("consents", "同意延长的须是本案当事人。"),
    RefusalReason.TOO_MANY_EXTENSIONS: ("days", "适用规则只允许延长一次，本案已延长过。"),
    RefusalReason.PERIOD_ENDED: ("days", "调解期限已届满，不能再延长。"),
    RefusalReason.UNKNOWN_POLICY_PACK: ("days", "本案适用的规则无法确定，暂不能延长，请联系平台运维。"),
}

# the outcome's API fields -> the outcome form's fields, with the words for each
_OUTCOME_FIELDS: list[tuple[str, str, str]] = [
    (r"^result$", "result", "请选择调解结果。"),
    (r"^agreement\.terms$|^agreement$", "terms", "请填写调解协议条款，每行一条。"),
    (r"^agreement\.signed_by$", "signed_by", "调解协议须经每位当事人签字，请逐一勾选已签字的当事人。"),
    (r"^agreement\.(concerns_personal_status|decides_ownership|apply_for_judicial_confirmation)$",
     "apply_for_judicial_confirmation",
     "涉及身份关系或物权、知识产权归属的协议不能申请司法确认（民诉法解释第355条）。"),
    (r"^agreement\.withdraw_suit$", "withdraw_suit", "撤诉一项填写有误。"),
    (r"^ground$", "ground", "调解不成须选择终止理由（2021年规则第25条）。"),
    (r"^undisputed_facts\[\d+\]\.signed_by$", "facts_signed_by",
     "无争议事实须经各方当事人签字确认，请逐一勾选已签字的当事人。"),
    (r"^undisputed_facts", "facts", "请逐行填写双方确认的无争议事实。"),
    (r"^note$", "note", "选择「其他原因」时，请在备注中写明终止调解的原因。"),
]


def outcome_fields(errors) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        for pattern, field, words in _OUTCOME_FIELDS:
            if re.search(pattern, error.field):
                fields.setdefault(field, words)
                break
        else:
            fields.setdefault("result", "调解结果填写有误，请检查。")
    return fields


@contextmanager
def in_chinese() -> Iterator[None]:
    """Raised inside the unit of work, so the transaction rolls back: a refusal changes nothing."""
    try:
        yield
    except Forbidden:
        raise Refused("您没有进行此操作的权限。", status=403) from None
    except TransitionRefused as exc:
        raise Refused(f"案件当前状态为「{L.zh(L.STATUSES, exc.status.value)}」，"
                      f"不能进行「{L.zh(L.ACTIONS, exc.action.value)}」。请刷新页面查看最新情况。",
                      status=409) from None
    except InvalidOutcome as exc:
        raise Refused("调解结果未能记录，请按提示修改。", outcome_fields(exc.errors)) from None
    except ExtensionRefused as exc:
        field, words = _EXTENSION.get(exc.reason, ("days", "延长期限未能记录，请刷新后重试。"))
        raise Refused("延长期限未能记录，请按提示修改。", {field: words}) from None
    except OfferLapsed:
        raise Refused("答复期限已过，依2021年规则第12条视为拒绝，案件将重新分派。", status=409) from None
    except InvalidContact as exc:
        by_field = {"party_id": "请选择本案的一位当事人。",
                    "contacted_at": "联系时间不能晚于现在，也不能早于接受案件的时间。"}
        raise Refused("联系记录未能保存，请按提示修改。",
                      {exc.field: by_field.get(exc.field, "此项填写有误。")}) from None
    except ContactWindowClosed:
        raise Refused("首次联系期限已过且未联系上当事人，依2021年规则第15条调解终止。", status=409) from None
    except InvalidPause as exc:
        words = "期限已暂停。" if "already paused" in str(exc) else (
            "调解期限已届满，不能暂停。" if "ended" in str(exc) else "期限未处于暂停状态。")
        raise Refused(words, status=409) from None
    except UnknownMediator:
        raise Refused("未能指派调解员，请按提示修改。", {"mediator_id": "请选择本单位的一位调解员。"}) from None
    except AssignmentRefused:
        raise Refused("该调解员与本案当事人或代理人存在关联，依2016年规定第15条应当回避，不能指派。",
                      {"mediator_id": "该调解员应当回避，请另选一位。"}, status=409) from None
