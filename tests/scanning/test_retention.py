"""After the count: the sealed ballots and the scan images kept with them (domain §3.4). Kept for the
rule set's months; held while a complaint is open; destroyed only by a recorded decision, which
removes the image files and keeps every hash and count."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tinnhiem.audit.log import verify
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Conference
from tinnhiem.scanning import usecases as scan
from tinnhiem.scanning.models import ScannedPage
from tinnhiem.voting.minutes import minutes_data
from tinnhiem.voting.usecases import counting, retention


def test_months_are_calendar_months():
    assert retention.add_months(date(2023, 9, 29), 6) == date(2024, 3, 29)
    assert retention.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)  # leap year: the month's last day
    assert retention.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert retention.add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


@pytest.fixture
def counted(scan_vote, make_scan):
    """The scanned vote counted and finalised; the conference held 200 days ago."""
    form, member = scan_vote["form"], scan_vote["member"]
    for seed in range(6):
        data, _truth, _image = make_scan(2000 + seed, style="cross")
        scan.scan_file(member, form, name=f"p{seed}.png", data=data)
    for ballot in form.scanned_ballots.filter(needs_review=True):  # none expected with clean crosses
        scan.review_ballot(member, ballot, keys=ballot.machine_keys.replace("?", "1"), reason="Đối chiếu phiếu gốc")
    counting.finalise_form(member, form)
    Conference.objects.filter(pk=form.conference_id).update(date=date.today() - timedelta(days=200))
    return Conference.objects.get(pk=form.conference_id)


def refused_by(fn, actor, conference, **kwargs) -> list[str]:
    """The refusal's messages; the log unchanged."""
    events = Event.objects.count()
    with pytest.raises(ValidationError) as info:
        fn(actor, conference, **kwargs)
    assert Event.objects.count() == events
    return info.value.messages


def test_nothing_is_held_or_destroyed_before_the_result_is_finalised(scan_vote, office):
    conference = scan_vote["form"].conference  # counting: the result not finalised
    sealed = ["Phiếu chỉ được niêm phong sau khi đã chốt kết quả kiểm phiếu."]
    assert refused_by(retention.hold_ballots, office, conference, reason="Đơn khiếu nại") == sealed
    assert refused_by(retention.destroy_ballots, office, conference, decision="QĐ 12", on=date.today()) == sealed
    with pytest.raises(ValidationError) as info:
        retention.remove_images(conference)
    assert info.value.messages == ["Chưa ghi nhận việc tiêu hủy phiếu."]


def test_a_hold_a_release_and_a_destruction_each_only_in_its_turn(counted, office):
    assert refused_by(retention.hold_ballots, office, counted, reason="  \n ") == [
        "Hãy ghi nội dung khiếu nại, tố cáo và cơ quan đang giải quyết."
    ]
    assert refused_by(retention.release_ballots, office, counted, outcome="Đã giải quyết") == [
        "Không có khiếu nại, tố cáo nào đang giữ lại phiếu này."
    ]
    retention.hold_ballots(office, counted, reason="Đơn khiếu nại của đồng chí A")
    assert refused_by(retention.release_ballots, office, counted, outcome=" ") == [
        "Hãy ghi kết quả giải quyết khiếu nại, tố cáo."
    ]
    retention.release_ballots(office, counted, outcome="Đã trả lời đơn")
    retention.destroy_ballots(office, counted, decision="QĐ 12", on=date.today())
    gone = ["Phiếu đã được tiêu hủy."]
    assert refused_by(retention.hold_ballots, office, counted, reason="Đơn mới") == gone
    assert refused_by(retention.destroy_ballots, office, counted, decision="QĐ 13", on=date.today()) == gone


def test_kept_then_destroyed_by_decision_images_removed_counts_kept(
    counted, office, django_capture_on_commit_callbacks
):
    rules = counted.rules
    until = retention.kept_until(counted)
    assert until == retention.add_months(counted.date, rules.retention_months) and rules.retention_months == 6
    paths = [p.image.path for p in ScannedPage.objects.filter(form__conference=counted)]
    hashes = sorted(ScannedPage.objects.filter(form__conference=counted).values_list("sha256", flat=True))
    assert len(paths) == 6 and all(os.path.exists(p) for p in paths)
    before = minutes_data(counted)["forms"][0]["people"]
    # not before the period has passed: the last day of keeping is refused, the day after is allowed
    with pytest.raises(ValidationError, match=f"lưu giữ đến hết ngày {until:%d/%m/%Y} \\(6 tháng"):
        retention.destroy_ballots(office, counted, decision="Quyết định số 1", on=until)
    assert retention.state(counted, today=until)["may_destroy"] is False
    assert retention.state(counted, today=until + timedelta(days=1))["may_destroy"] is True
    # a complaint holds them
    retention.hold_ballots(office, counted, reason="Đơn khiếu nại của ông A về kết quả, UBKT đang xác minh")
    retention.hold_ballots(office, counted, reason="Đơn tố cáo của bà B")  # a second one adds to the first
    held = Event.objects.filter(action="ballots.held").count()
    retention.hold_ballots(office, counted, reason=" Đơn tố cáo của bà B ")  # the page sent twice: held already
    assert Event.objects.filter(action="ballots.held").count() == held == 2
    assert Conference.objects.get(pk=counted.pk).ballots_hold_reason == (
        "Đơn khiếu nại của ông A về kết quả, UBKT đang xác minh\nĐơn tố cáo của bà B"
    )
    with pytest.raises(ValidationError, match="khiếu nại, tố cáo"):
        retention.destroy_ballots(office, counted, decision="Quyết định số 1", on=date.today())
    with pytest.raises(ValidationError):
        retention.release_ballots(office, counted, outcome="  ")
    retention.release_ballots(office, Conference.objects.get(pk=counted.pk), outcome="UBKT kết luận không có vi phạm")
    with pytest.raises(ValidationError, match="tương lai"):
        retention.destroy_ballots(office, counted, decision="Quyết định số 1", on=date.today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="quyết định"):
        retention.destroy_ballots(office, counted, decision=" ", on=date.today())
    with pytest.raises(ValidationError, match="tối đa 255 ký tự"):  # not a database error on PostgreSQL
        retention.destroy_ballots(office, counted, decision="Q" * 256, on=date.today())
    assert all(os.path.exists(p) for p in paths)  # nothing removed by a refusal
    with pytest.raises(PermissionDenied):  # a committee member does not record it: the office does
        retention.destroy_ballots(scan_member(counted), counted, decision="Quyết định số 1", on=date.today())

    with pytest.raises(RuntimeError, match="x"):  # the destruction is atomic: an audit failure keeps the files
        _destroy_with_failing_audit(office, counted)
    assert all(os.path.exists(p) for p in paths) and not Conference.objects.get(pk=counted.pk).ballots_destroyed_on

    with django_capture_on_commit_callbacks(execute=True) as removals:
        retention.destroy_ballots(
            office, counted, decision="Quyết định số 12-QĐ/TU ngày 01/06 của BTV", on=date.today()
        )
    assert len(removals) == 1  # the files go once the destruction is committed, not before
    assert not any(os.path.exists(p) for p in paths)
    assert sorted(ScannedPage.objects.filter(form__conference=counted).values_list("sha256", flat=True)) == hashes
    assert not ScannedPage.objects.filter(form__conference=counted).exclude(image="").exists()
    assert minutes_data(counted)["forms"][0]["people"] == before  # every count stays
    with pytest.raises(ValidationError, match="Phiếu đã được tiêu hủy"):
        retention.destroy_ballots(office, counted, decision="lần hai", on=date.today())
    events = list(Event.objects.filter(action__startswith="ballots.").order_by("seq").values_list("action", "data"))
    assert [a for a, _d in events if a != "ballots.counted"] == [
        "ballots.held",
        "ballots.held",
        "ballots.released",
        "ballots.destroyed",
    ]
    assert events[-1][1]["images_removed"] == 6 and events[-1][1]["on"] == date.today().isoformat()
    assert verify() == []


def scan_member(conference):
    return conference.committee.first().user


def _destroy_with_failing_audit(office, conference):
    from unittest import mock

    with mock.patch("tinnhiem.voting.usecases.retention.record", side_effect=RuntimeError("x")):
        retention.destroy_ballots(office, conference, decision="Quyết định số 1", on=date.today())


def test_the_results_page_shows_the_retention_and_the_office_records_it(
    counted, office, make_user, django_capture_on_commit_callbacks
):
    page_url = reverse("voting:results", args=[counted.pk])
    observer = Client()
    observer.force_login(make_user("observer", "qs"))
    page = observer.get(page_url).content.decode()
    until = retention.kept_until(counted)
    assert f"Phiếu được niêm phong, lưu giữ đến hết ngày {until:%d/%m/%Y} (6 tháng)" in page
    assert "6 ảnh quét được lưu cùng phiếu" in page and "Ghi nhận việc tiêu hủy phiếu" not in page  # observer: no form
    assert (
        observer.post(reverse("voting:retention", args=[counted.pk]), {"action": "hold", "reason": "x"}).status_code
        == 403
    )
    client = Client()
    client.force_login(office)
    assert "Ghi nhận việc tiêu hủy phiếu" in client.get(page_url).content.decode()
    url = reverse("voting:retention", args=[counted.pk])
    page = client.post(url, {"action": "destroy", "decision": "QĐ 12", "on": ""}, follow=True).content.decode()
    assert "Cần ghi ngày tiêu hủy phiếu (ngày/tháng/năm)." in page
    assert 'name="on" type="text"' in client.get(page_url).content.decode()  # day first, not the browser's field
    page = client.post(url, {"action": "hold", "reason": "Đơn khiếu nại"}, follow=True).content.decode()
    assert "Có khiếu nại, tố cáo về kết quả đang được giải quyết: phiếu được giữ lại." in page
    assert "Ghi nhận việc tiêu hủy phiếu" not in page
    assert "Đang giữ phiếu do có khiếu nại" in client.get(reverse("conferences:home")).content.decode()
    client.post(url, {"action": "release", "outcome": "Đã giải quyết"})
    assert "Hết thời hạn lưu giữ phiếu" in client.get(reverse("conferences:home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            url, {"action": "destroy", "decision": "QĐ 12-QĐ/TU", "on": f"{date.today():%d/%m/%Y}"}, follow=True
        ).content.decode()
    assert f"Phiếu đã được tiêu hủy ngày {date.today():%d/%m/%Y} (QĐ 12-QĐ/TU)." in page
    home = client.get(reverse("conferences:home")).content.decode()
    assert "Đã tiêu hủy phiếu" in home and "Hết thời hạn lưu giữ phiếu" not in home
    # the committee's crops of the removed images are gone, not broken
    ballot = counted.ballot_forms.get().scanned_ballots.first()
    crop = reverse("scanning:crop", args=[counted.pk, ballot.form_id, ballot.pk, 0])
    assert client.get(crop).status_code == 404
    review = client.get(reverse("scanning:review", args=[counted.pk, ballot.form_id, ballot.pk])).content.decode()
    assert "cùng các ảnh quét" in review and crop not in review  # said, not a broken image


def test_an_interrupted_removal_is_finished_from_the_results_page(counted, office, django_capture_on_commit_callbacks):
    paths = [p.image.path for p in ScannedPage.objects.filter(form__conference=counted)]
    with django_capture_on_commit_callbacks(execute=False) as removals:  # the process dies after the commit
        retention.destroy_ballots(office, counted, decision="QĐ 12", on=date.today())
    assert len(removals) == 1 and all(os.path.exists(p) for p in paths)
    client = Client()
    client.force_login(office)
    page = client.get(reverse("voting:results", args=[counted.pk])).content.decode()
    assert "6 ảnh quét vẫn còn lưu (việc xoá bị gián đoạn)." in page
    ballot = counted.ballot_forms.get().scanned_ballots.first()
    crop = reverse("scanning:crop", args=[counted.pk, ballot.form_id, ballot.pk, 0])
    assert client.get(crop).status_code == 404  # destroyed: not shown, even while the file is still there
    client.post(reverse("voting:retention", args=[counted.pk]), {"action": "remove_images"})
    assert not any(os.path.exists(p) for p in paths)
    assert not ScannedPage.objects.filter(form__conference=counted).exclude(image="").exists()
    assert "vẫn còn lưu" not in client.get(reverse("voting:results", args=[counted.pk])).content.decode()
    assert retention.remove_images(counted) == 0  # again: nothing left, nothing fails


def test_files_that_could_not_be_removed_are_said_and_not_recorded_as_done(
    counted, office, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.files.storage import FileSystemStorage

    paths = [p.image.path for p in ScannedPage.objects.filter(form__conference=counted)]
    with django_capture_on_commit_callbacks(execute=False):  # the removal after the commit did not run
        retention.destroy_ballots(office, counted, decision="QĐ 12", on=date.today())
    refused = set(paths[:2])  # two files held open by another program, say
    delete = FileSystemStorage.delete

    def failing(storage, name):
        if storage.path(name) in refused:
            raise PermissionError("in use")
        return delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", failing)
    client = Client()
    client.force_login(office)
    url = reverse("voting:retention", args=[counted.pk])
    page = client.post(url, {"action": "remove_images"}, follow=True).text
    assert "2 ảnh quét chưa xoá được: hãy thử lại." in page and "Đã ghi nhận." not in page
    assert [os.path.exists(p) for p in paths] == [True, True] + [False] * (len(paths) - 2)
    monkeypatch.undo()
    page = client.post(url, {"action": "remove_images"}, follow=True).text
    assert "Đã ghi nhận." in page and "chưa xoá được" not in page and not any(map(os.path.exists, paths))


def test_the_destruction_also_removes_image_files_no_page_refers_to(
    counted, office, django_capture_on_commit_callbacks
):
    """A file written by a batch that was rolled back, or left by a vote held again when the server
    stopped before removing the discarded images, goes with the rest; the pages' files too."""
    from django.core.files.base import ContentFile

    from tinnhiem.scanning.models import stray_image_files

    form = counted.ballot_forms.get()
    storage = ScannedPage._meta.get_field("image").storage
    stray = storage.save(f"scans/{form.pk}/0123456789abcdef.png", ContentFile(b"\x89PNG stray"))
    assert stray in stray_image_files(form.pk)
    referred = set(ScannedPage.objects.filter(form=form).values_list("image", flat=True))
    assert not referred & set(stray_image_files(form.pk))  # a page's own file is never a stray
    with django_capture_on_commit_callbacks(execute=True):
        retention.destroy_ballots(office, counted, decision="QĐ 12", on=date.today())
    assert not storage.exists(stray) and stray_image_files(form.pk) == []
    assert not any(storage.exists(name) for name in referred)
