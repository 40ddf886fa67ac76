"""The audit log page says each event in words: every action and data field the code records has
a label, a choice is shown by its label, and no Python structure reaches the reader."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from tinnhiem.audit import log
from tinnhiem.audit.describe import ACTIONS, FIELDS, describe
from tinnhiem.audit.models import Event

SOURCE = Path(__file__).resolve().parents[2] / "tinnhiem"


def recorded() -> dict[str, set[str]]:
    """Every ``record(actor, "action", data=...)`` in the code: action → the data keys written
    literally there or in the dict the data variable was given in the same function; and every
    ("action", {data}) of a function that writes its events with ``record_many``."""
    found: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
            dicts: dict[str, ast.Dict] = {}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        pairs = (
                            zip(target.elts, node.value.elts, strict=False)
                            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                            else [(target, node.value)]
                        )
                        for name, value in pairs:
                            if isinstance(name, ast.Name) and isinstance(value, ast.Dict):
                                dicts[name.id] = value
            called = {
                getattr(n.func, "id", getattr(n.func, "attr", ""))
                for n in ast.walk(function)
                if isinstance(n, ast.Call)
            }
            if "record_many" in called:  # its events, ("action", {data}) each, wherever the function builds them
                for node in ast.walk(function):
                    if (
                        isinstance(node, ast.Tuple)
                        and len(node.elts) == 2
                        and isinstance(node.elts[0], ast.Constant)
                        and isinstance(node.elts[1], ast.Dict)
                    ):
                        found.setdefault(node.elts[0].value, set()).update(_literal_keys(node.elts[1]))
            for node in ast.walk(function):
                if not (
                    isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "record"
                ):
                    continue
                if len(node.args) < 2 or not isinstance(node.args[1], ast.Constant):
                    continue
                keys = found.setdefault(node.args[1].value, set())
                for keyword in node.keywords:
                    data = keyword.value if keyword.arg == "data" else None
                    if isinstance(data, ast.Name):
                        data = dicts.get(data.id)
                    if isinstance(data, ast.Dict):
                        keys.update(_literal_keys(data))
    return found


def _literal_keys(data: ast.Dict) -> set[str]:
    """The keys of a dict literal, with those of a dict literal unpacked in it (``**{...}``)."""
    keys = set()
    for key, value in zip(data.keys, data.values, strict=True):
        if isinstance(key, ast.Constant):
            keys.add(key.value)
        elif key is None and isinstance(value, ast.IfExp):  # **({...} if … else {})
            for branch in (value.body, value.orelse):
                keys |= _literal_keys(branch) if isinstance(branch, ast.Dict) else set()
        elif key is None and isinstance(value, ast.Dict):
            keys |= _literal_keys(value)
    return keys


def test_every_recorded_action_and_field_has_a_label():
    found = recorded()
    assert len(found) >= 50, "the scan of the code found too few audit events"
    assert sorted(set(found) - set(ACTIONS)) == []
    assert sorted({key for keys in found.values() for key in keys} - set(FIELDS)) == []
    assert sorted(set(ACTIONS) - set(found)) == [], "a label for an action nothing records"


def test_a_changed_conference_field_is_named_by_its_field(seed):
    from django.contrib.auth import get_user_model

    from tinnhiem.conferences.models import Conference
    from tinnhiem.conferences.usecases.campaigns import update_conference

    office = get_user_model().objects.get(username="vanphong")
    preparing = Conference.objects.get(status=Conference.Status.PREPARING)  # the demo's conference to run
    update_conference(office, preparing, place="Hội trường B")
    event = Event.objects.filter(action="conference.updated").latest("seq")
    with translation.override("vi"):
        described = describe(event)
    assert described.action == "Sửa thông tin hội nghị"
    assert [(d.label, d.value) for d in described.details] == [("địa điểm", "Hội trường B")]


def test_values_are_words_not_python(db):
    class E:  # an event as stored, without the chain
        action, actor = "committee.proposed", "system"
        data = {"member": 4, "voter": 367, "role": "head", "user": "kiemphieu1"}

    with translation.override("vi"):
        d = describe(E)
        assert (d.action, d.actor) == ("Đề cử thành viên Ban kiểm phiếu", "hệ thống")
        assert (
            d.details[2].label == "vai trò" and "Trưởng ban" in d.details[2].value and "head" not in d.details[2].value
        )

        E.action, E.data = "voting.opened", {"present": 28, "convened": 30, "quorate": True}
        assert [(x.label, x.value) for x in describe(E).details] == [
            ("có mặt", "28"),
            ("số người được triệu tập", "30"),
            ("đủ số người có mặt tối thiểu", "có"),
        ]
        E.action, E.data = "attendance.checked_in", {"voters": list(range(1, 31)), "late": False}
        voters, late = describe(E).details
        assert voters.value.endswith(", … (30)") and voters.value.startswith("1, 2, 3")
        assert late.value == "không"
        E.action, E.data = "count.finalised", {"form": 1, "result_sha256": "ab" * 32, "note": ""}
        form, digest = describe(E).details  # an empty note is left out
        assert (form.label, form.value) == ("mẫu phiếu", "1")
        assert digest.value == "ab" * 8 + "…" and digest.full == "ab" * 32
        E.action, E.data = "agenda.advanced", {"step": "committee"}
        assert describe(E).details[0].value == "Biểu quyết Ban kiểm phiếu"
        # roles and the fields changed by their names, not the code's
        E.action, E.data = "account.saved", {"user": "kiemphieu1", "roles": ["committee", "observer"], "created": True}
        assert [(x.label, x.value) for x in describe(E).details] == [
            ("tài khoản đăng nhập", "kiemphieu1"),
            ("vai trò", "Thành viên Ban kiểm phiếu, Quan sát viên"),
            ("tài khoản mới", "có"),
        ]
        E.action, E.data = "voter.updated", {"voter": 3, "fields": ["full_name", "post"]}
        assert describe(E).details[1].value == "họ và tên, chức vụ"
        E.action, E.data = "agenda.advanced", {"step": "committee"}
    with translation.override("en"):
        assert describe(E).action == "Agenda moved on"
    with translation.override("vi"):
        # a day, as a Vietnamese reads it (the log stores it as 2026-12-06); any other text as it is
        E.action, E.data = (
            "conference.adjourned",
            {"from": "2026-12-06", "to": "2027-01-15", "reason": "2026-12-06 họp"},
        )
        assert [x.value for x in describe(E).details] == ["06/12/2026", "15/01/2027", "2026-12-06 họp"]


def test_the_log_page_reads_in_vietnamese_and_filters_by_conference(seed, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="quansat"))
    html = client.get(reverse("audit:events")).content.decode()
    assert "{&#x27;" not in html and "{'" not in html  # no Python dict shown
    assert "Nhập danh sách người ghi phiếu" in html and "roster.imported" in html
    overview = client.get(reverse("conferences:conference", args=[seed.pk])).content.decode()
    assert f'href="{reverse("audit:events")}?conference={seed.pk}">Nhật ký của hội nghị này</a>' in overview
    others = Event.objects.exclude(conference_id=seed.pk).exclude(conference_id=None)
    assert others.exists()
    html = client.get(reverse("audit:events"), {"conference": seed.pk, "page": 1}).content.decode()
    shown = {int(n) for n in re.findall(r'<td class="num">(\d+)</td>', html)}
    expected = set(Event.objects.filter(conference_id=seed.pk).order_by("-seq").values_list("seq", flat=True)[:100])
    assert shown == expected
    assert "1 = Tín nhiệm cao · 2 = Tín nhiệm · 3 = Tín nhiệm thấp · 0 = không đánh dấu · 9 = đánh dấu nhiều ô" in html
    assert f"conference={seed.pk}&amp;page=2" in html or Event.objects.filter(conference_id=seed.pk).count() <= 100
    # ids of people are shown by name: the committee as proposed, the voters checked in
    from tinnhiem.conferences.models import CommitteeMember

    member = CommitteeMember.objects.filter(conference=seed).select_related("voter").first()
    pages = -(-Event.objects.filter(conference_id=seed.pk).count() // 100)
    html = "".join(  # wherever the day's events fall among the conference's
        client.get(reverse("audit:events"), {"conference": seed.pk, "page": page}).content.decode()
        for page in range(1, pages + 1)
    )
    assert f"{member.voter.full_name} (#{member.pk})" in html
    assert f"{member.voter.full_name} (#{member.voter_id})" in html
    assert log.verify() == []


def test_hand_counted_totals_are_read_as_names_and_levels(seed):
    """The totals a committee typed are {rated person id: {level key: count}}; the log says them
    with the person's name and the ballot's words, not as JSON."""
    from tinnhiem.audit.describe import people
    from tinnhiem.conferences.models import RatedPerson

    person = RatedPerson.objects.filter(conference=seed).first()

    class E:
        action, actor = "totals.recorded", "system"
        data = {
            "form": 1,
            "whole_invalid": 2,
            "totals": {str(person.pk): {"high": 30, "confidence": 0, "low": 1, "invalid": 1}, "99999": {"high": 4}},
        }

    with translation.override("vi"):
        detail = describe(E, people([E])).details[-1]
        assert detail.label == "tổng số"
        assert detail.value == (
            f"{person.full_name} (#{person.pk}): Tín nhiệm cao 30, Tín nhiệm 0, Tín nhiệm thấp 1, không hợp lệ 1; "
            "#99999: Tín nhiệm cao 4"
        )
    with translation.override("en"):
        assert (
            describe(E, people([E]))
            .details[-1]
            .value.startswith(
                f"{person.full_name} (#{person.pk}): High confidence 30, Confidence 0, Low confidence 1, invalid 1"
            )
        )
