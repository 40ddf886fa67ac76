"""Use cases scan_file, review_ballot, spot_check and the reconciliation of a scanned count:
scan → flag → committee decision → counts equal the truth."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re

import cv2
import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.scanning.conftest import _scan_maker
from tests.scanning.reading import assert_read_as
from tinnhiem.audit.describe import describe
from tinnhiem.audit.models import ChainHead, Event
from tinnhiem.cli import run_core
from tinnhiem.conferences.models import BallotForm, CommitteeMember
from tinnhiem.documents.marks import SheetId
from tinnhiem.rules import tally_ballots
from tinnhiem.scanning import recognize, synthetic
from tinnhiem.scanning import usecases as scan
from tinnhiem.scanning.models import PAGE_REASONS, ScanFeed, ScannedBallot, ScannedPage
from tinnhiem.scanning.recognize import NotABallot
from tinnhiem.scanning.stats import RULED, review_statistics
from tinnhiem.voting.minutes import minutes_data
from tinnhiem.voting.usecases import counting


def test_scan_review_finalise_equals_truth(client, scan_vote, make_scan):
    form, member = scan_vote["form"], scan_vote["member"]
    truths = []
    files = []
    for seed in range(6):
        options = {"style": "cross"} if seed != 2 else {"style": "cross", "smudged": True}
        if seed == 4:
            options["crossed_name"] = True
        data, truth, _image = make_scan(1000 + seed, **options)
        truths.append(truth)
        files.append(data)
    report = scan.scan_file(member, form, name="lo-1.png", data=files[0])
    assert (report.pages, report.ballots) == (1, 1)
    for i, data in enumerate(files[1:], start=2):
        scan.scan_file(member, form, name=f"lo-{i}.png", data=data)
    # the same page fed again is flagged, not counted
    again = scan.scan_file(member, form, name="lo-1-lai.png", data=files[0])
    assert again.ballots == 0 and again.ignored[0]["reason"] == "duplicate"
    assert form.scanned_ballots.count() == 6
    flagged = list(form.scanned_ballots.filter(needs_review=True))
    assert {b.position for b in flagged} == {3, 5}  # the smudge, the crossed-out name
    # a clean ballot in pen shows as clear; one with a row not decided, as not at all
    confidence = {b.position: b.confidence for b in form.scanned_ballots.all()}
    assert confidence.pop(3) == 0.0 and min(confidence.values()) >= 0.9, confidence
    # the queue tells the committee what to look for, in Vietnamese
    client.force_login(member)
    queue = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    smudge = form.scanned_ballots.get(position=3).flags
    assert [f["why"] for f in smudge] == ["uncertain"] and smudge[0]["doubt"] in ("faint", "no_pen_ink")
    assert {"faint": "vết mờ trong ô", "no_pen_ink": "dấu không có mực đậm"}[smudge[0]["doubt"]] in queue
    assert re.search(r"hàng \d — họ tên in sẵn có vết mực", queue), "the queue names the row"
    with pytest.raises(ValidationError) as info:
        counting.finalise_form(member, form)
    assert "chờ Ban kiểm phiếu" in info.value.messages[0]
    for ballot in flagged:
        truth = truths[ballot.position - 1]
        if any(f["why"] == "name" for f in ballot.flags):
            scan.review_ballot(
                member,
                ballot,
                invalid_reason="Phiếu gạch xoá họ tên người được in trên phiếu",
                reason="Đối chiếu phiếu gốc",
            )
            truths[ballot.position - 1] = None
        else:
            scan.review_ballot(
                member, ballot, keys="".join(truth.keys), reason="Đối chiếu phiếu gốc: vết bẩn, không phải dấu"
            )
    assert form.rulings.count() == len(flagged)
    # the minutes say why in words, in Vietnamese, with the row and a Vietnamese decimal comma
    subjects = {r.position: r.subject for r in form.rulings.all()}
    assert re.fullmatch(
        r"Phiếu quét đọc là \?\d \(hàng 1 — (vết mờ trong ô|dấu không có mực đậm: bút chì hay vết bẩn\?); độ tin cậy 0,\d\d\)\.",
        subjects[3],
    ), subjects[3]
    assert "— họ tên in sẵn có vết mực" in subjects[5]
    assert not any(code in " ".join(subjects.values()) for code in ("uncertain", "name", "faint", "no_pen_ink"))
    # the legend of the readings explains the scanner's "?" (the double-entry minutes do not need it)
    legend = minutes_data(form.conference)["forms"][0]["rulings_legend"]
    assert legend.endswith("; “?” = máy quét không tự quyết định."), legend
    stored = counting.finalise_form(member, form)
    rules = form.conference.rules
    expected = tally_ballots(
        rules,
        [p.full_name for p in scan_vote["people"]],
        [
            counting.to_ballot(rules, "".join(t.keys), "") if t else counting.to_ballot(rules, "", "gạch xoá")
            for t in truths
        ],
        issued=10,
    )
    assert [p["counts"] for p in stored.data["people"]] == [
        {**dict(p.counts), "invalid": p.row_invalid} for p in expected.people
    ]
    assert stored.data["ballots"]["invalid"] == 1


def test_ballots_scanned_and_cast_on_phones_make_one_count_and_one_public_file(phone_scan_vote, tmp_path):
    """The public file of a form's ballots, from which anyone recounts, holds the scanned paper
    ballots with the electronic ones once the count is finalised (it held only the electronic ones:
    a recount of it gave 2 ballots where the minutes said 6)."""
    vote = phone_scan_vote
    form, member, rules = vote["form"], vote["member"], vote["form"].conference.rules
    make = _scan_maker(vote)
    paper = []
    for seed in range(4):
        data, truth, _image = make(1000 + seed, style="cross")
        paper.append("".join(truth.keys))
        scan.scan_file(member, form, name=f"lo-{seed}.png", data=data)
    assert not form.scanned_ballots.filter(needs_review=True).exists()
    public = reverse("voting:public", args=[form.conference_id])
    public_file = reverse("voting:public_ballots", args=[form.conference_id, form.pk])
    # before the finalising: the electronic ballots alone, and the page says the paper ones will follow
    assert Client().get(public_file).content.decode().count("\n") == 1 + 2  # the header and two ballots
    note = "“Phiếu tín nhiệm”: phiếu giấy sẽ được thêm vào tệp khi Ban kiểm phiếu chốt kết quả kiểm phiếu."
    assert note in Client().get(public).content.decode()
    stored = counting.finalise_form(member, form)
    expected = tally_ballots(
        rules,
        [p.full_name for p in vote["people"]],
        [counting.to_ballot(rules, keys, "") for keys in [*paper, "13", "20"]],
        issued=10,
    )
    assert stored.data["ballots"] == {"issued": 10, "collected": 6, "valid": 6, "invalid": 0}
    assert [p["counts"] for p in stored.data["people"]] == [
        {**dict(p.counts), "invalid": p.row_invalid} for p in expected.people
    ]
    path = tmp_path / "phieu.csv"
    path.write_text(Client().get(public_file).content.decode(), encoding="utf-8")
    out = io.StringIO()
    assert run_core(["tally", str(path), "--rules", rules.id, "--issued", "10", "--format", "json"], stdout=out) == 0
    recount = json.loads(out.getvalue())
    assert recount["ballots"] == stored.data["ballots"]
    assert [p["counts"] for p in recount["people"]] == [p["counts"] for p in stored.data["people"]]
    assert "phiếu giấy" not in Client().get(public).content.decode()


def test_pages_are_scanned_only_on_a_scanned_form_between_the_close_and_the_result(scan_vote, make_scan):
    """Refused before the vote is closed (a ballot read while others are still cast), on a form
    counted another way, and once the result is finalised; nothing stored."""
    form, member = scan_vote["form"], scan_vote["member"]
    data, _truth, _image = make_scan(1000, style="cross")
    events = Event.objects.count()

    def refused() -> list[str]:
        form.refresh_from_db()
        with pytest.raises(ValidationError) as info:
            scan.scan_file(member, form, name="lo.png", data=data)
        assert not ScannedPage.objects.exists() and Event.objects.count() == events
        return info.value.messages

    not_now = ["Chỉ quét phiếu sau khi kết thúc bỏ phiếu và trước khi chốt kết quả."]
    type(form.conference).objects.filter(pk=form.conference_id).update(status="voting")
    assert refused() == not_now
    type(form.conference).objects.filter(pk=form.conference_id).update(status="counting")
    BallotForm.objects.filter(pk=form.pk).update(mode=BallotForm.Mode.DOUBLE_ENTRY)
    assert refused() == ["Mẫu phiếu này không kiểm bằng quét."]
    BallotForm.objects.filter(pk=form.pk).update(mode=BallotForm.Mode.SCAN, state=BallotForm.State.FINALISED)
    assert refused() == not_now
    with pytest.raises(ValidationError) as info:
        scan.check_pages(member, form, [])
    assert info.value.messages == ["Hãy chọn ít nhất một tệp."]


def test_writing_under_the_list_goes_to_the_committee(client, scan_vote, make_scan):
    """A name written in under the printed list, or a signature: a flag of the page, not of a row.
    The committee sees the image of that space and what the rule set does (QĐ 96: a written-in
    name is not counted, the ballot stays valid), keeps the reading, and the ballot counts."""
    form, member = scan_vote["form"], scan_vote["member"]
    data, truth, _image = make_scan(1400, style="cross", written=True)
    clean, clean_truth, _image = make_scan(1401, style="cross")
    scan.scan_file(member, form, name="lo-1.png", data=data)
    scan.scan_file(member, form, name="lo-2.png", data=clean)
    written, other = form.scanned_ballots.order_by("position")
    assert written.needs_review and written.keys == "" and written.machine_keys == "".join(truth.keys)
    assert written.flags == [{"person": None, "page": 1, "why": "writing"}]
    assert not other.needs_review and other.keys == "".join(clean_truth.keys)
    page = ScannedPage.objects.get(pk=written.pages[0])
    assert page.reading["writing"] >= 20 and ScannedPage.objects.get(pk=other.pages[0]).reading["writing"] == 0

    client.force_login(member)
    queue = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert "trang 1 — có chữ viết dưới danh sách: tên ghi thêm hoặc chữ ký" in queue
    url = reverse("scanning:review", args=[form.conference_id, form.pk, written.pk])
    review = client.get(url).content.decode()
    box = review[review.index('id="chu-viet"') :].split("</div></div>")[0]
    assert "tên ghi thêm không được tính và không làm phiếu không hợp lệ" in box
    image_url = reverse("scanning:writing_crop", args=[form.conference_id, form.pk, written.pk, 1])
    assert image_url in box and "hàng 1 —" not in review
    response = client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    crop = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert crop.shape[1] == 190 * 6 and (crop < 100).mean() > 0.002  # the space under the list, written on
    assert client.get(image_url.replace("danh-sach-1", "danh-sach-2")).status_code == 404  # no page 2
    # under QĐ 262 (replayed), a name or other information written on the ballot voids it
    campaign = form.conference.campaign
    campaign.rule_set = "qd262-2014"
    campaign.save(update_fields=["rule_set"])
    older = client.get(url).content.decode()
    assert "ghi thêm tên người hoặc các thông tin khác thì cả phiếu không hợp lệ" in older
    campaign.rule_set = "qd96-2023"
    campaign.save(update_fields=["rule_set"])

    scan.review_ballot(member, written, keys="".join(truth.keys), reason="Tên ghi thêm dưới danh sách, không tính")
    ruling = form.rulings.get()
    assert "(trang 1 — có chữ viết dưới danh sách: tên ghi thêm hoặc chữ ký; độ tin cậy" in ruling.subject
    stats = {c.key: c for c in review_statistics(form).causes}
    assert (stats["writing"].rows, stats["writing"].ballots, stats["writing"].ruled["kept"]) == (1, 1, 1)
    assert sum(c.rows for c in stats.values()) == 1


def test_review_statistics_count_what_was_sent_and_how_it_was_ruled(client, scan_vote, make_scan):
    """Field data for the scanner: per cause, the rows and ballots sent to the committee and how it
    ruled them; the spot checks; and any row the machine had decided that the committee read
    otherwise (a misread the machine did not flag), said as a warning."""
    form, member = scan_vote["form"], scan_vote["member"]
    truths = {}
    for seed in range(6):
        options = {"style": "cross", "smudged": seed == 2, "crossed_name": seed == 4}
        data, truths[seed + 1], _image = make_scan(1000 + seed, **options)
        scan.scan_file(member, form, name=f"lo-{seed}.png", data=data)
    stats = review_statistics(form)
    assert (stats.ballots, stats.pages, stats.sent, stats.sent_percent) == (6, 6, 2, "33,33")
    by_cause = {c.key: c for c in stats.causes}
    smudge = form.scanned_ballots.get(position=3).flags[0]["doubt"]
    assert (by_cause[smudge].rows, by_cause[smudge].ballots, by_cause[smudge].ruled["waiting"]) == (1, 1, 1)
    names = by_cause["name"]
    assert names.ballots == 1 and names.rows >= 1 and names.ruled["waiting"] == names.rows
    assert sum(c.rows for c in stats.causes) == by_cause[smudge].rows + names.rows  # nothing else flagged

    # the committee rules: the smudge is a second mark (the row is void); the crossed-out name voids
    # the ballot
    keys = "9" + "".join(truths[3].keys)[1:]
    scan.review_ballot(member, form.scanned_ballots.get(position=3), keys=keys, reason="Vết mực là dấu thứ hai")
    scan.review_ballot(
        member,
        form.scanned_ballots.get(position=5),
        invalid_reason="Phiếu gạch xoá họ tên người được in trên phiếu",
        reason="Đối chiếu phiếu gốc",
    )
    # two spot checks: one agrees with the machine, one finds a row it read wrong
    scan.review_ballot(member, form.scanned_ballots.get(position=1), keys="".join(truths[1].keys), reason="Khớp")
    misread = "".join(truths[2].keys)
    misread = ("1" if misread[0] != "1" else "2") + misread[1:]
    scan.review_ballot(member, form.scanned_ballots.get(position=2), keys=misread, reason="Hàng 1 đọc sai")
    stats = review_statistics(form)
    by_cause = {c.key: c for c in stats.causes}
    expected = "several"
    assert by_cause[smudge].ruled == {k: int(k == expected) for k in by_cause[smudge].ruled}
    assert names.rows == by_cause["name"].ruled["whole"] and by_cause["name"].ruled["waiting"] == 0
    assert (stats.spot_checked, stats.overruled_rows, stats.overruled_ballots) == (2, 1, 1)

    client.force_login(member)
    page = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    section = page[page.index('id="review-stats"') :].split("</details>")[0]
    assert "Máy đọc: 6 phiếu (6 trang); chuyển Ban kiểm phiếu: 2 (33,33%)." in section
    assert "Mở ngẫu nhiên và so với phiếu giấy: 2." in section
    assert re.search(r'<p id="overruled" class="warn" role="alert">[^<]*: 1 \(trên 1 phiếu\)', section)
    row = re.search(rf'<tr id="cause-{smudge}">(.*?)</tr>', section).group(1)
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)] == [1, 1] + [
        int(k == expected) for k in ("one", "several", "none", "whole", "kept", "waiting")
    ]


def test_a_page_that_did_not_lie_flat_is_counted_and_shown_as_it_was_read(client, scan_vote, make_scan):
    """A photo of a ballot that bows off the table is laid on its blank and counted unflagged; the
    page keeps how far it strayed, the committee's image of a row is the page as it was read, and
    the stack's statistics count it. A flat page is shown as its corner marks place it."""
    form, member = scan_vote["form"], scan_vote["member"]
    _d, truth, image = make_scan(9801, style="cross", degraded=False)
    rng = random.Random(9801)
    bent = synthetic.degrade(synthetic.bend(image, 6.0, rng), rng, photo=True)
    scan.scan_file(member, form, name="cong.png", data=cv2.imencode(".png", bent)[1].tobytes())
    flat_data, _truth, _image = make_scan(9802, style="cross")
    scan.scan_file(member, form, name="phang.png", data=flat_data)
    ballot, flat = form.scanned_ballots.order_by("position")
    assert ballot.keys == "".join(truth.keys) and not ballot.needs_review
    page = ScannedPage.objects.get(pk=ballot.pages[0])
    assert page.reading["registered"] >= recognize.REGISTER_MIN and page.reading["register_passes"] >= 1
    stored = scan.stored_image(page)
    plain = recognize.rectify(stored, recognize.find_markers(stored))
    assert np.abs(scan.page_as_read(form, page).astype(int) - plain).mean() > 1  # moved onto its blank
    flat_page = ScannedPage.objects.get(pk=flat.pages[0])
    assert flat_page.reading["registered"] == 0.0
    stored = scan.stored_image(flat_page)
    assert np.array_equal(scan.page_as_read(form, flat_page), recognize.rectify(stored, recognize.find_markers(stored)))
    assert review_statistics(form).laid_on_blank == 1

    client.force_login(member)
    response = client.get(reverse("scanning:crop", args=[form.conference_id, form.pk, ballot.pk, 0]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    page_html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert (
        "1 trang được đặt lại đúng chỗ in trước khi đọc (tờ phiếu không nằm phẳng, hoặc dấu góc tìm thấy hơi lệch)."
        in page_html
    )


def test_a_folded_ballot_is_counted_and_shown_as_it_was_read(client, scan_vote, make_scan):
    """A ballot folded into the box, its crease across the first row: lit again along it, the ballot
    is counted unflagged; the page keeps how many creases, the committee's image of a row is the
    page as it was read, and the stack's statistics count it."""
    form, member = scan_vote["form"], scan_vote["member"]
    row = scan_vote["geometry"]["pages"][0]["rows"][0]
    _d, truth, image = make_scan(9811, style="cross", degraded=False)
    rng = random.Random(9811)
    synthetic.crease(image, "in two", 150, rng, depth=60, width=1.2, crack=0.4, where=[("across", row["y"] + 4)])
    folded = synthetic.degrade(image, rng)
    scan.scan_file(member, form, name="gap.png", data=cv2.imencode(".png", folded)[1].tobytes())
    ballot = form.scanned_ballots.get()
    assert ballot.keys == "".join(truth.keys) and not ballot.needs_review
    page = ScannedPage.objects.get(pk=ballot.pages[0])
    assert page.reading["creases"] == 1
    stored = scan.stored_image(page)
    plain = recognize.rectify(stored, recognize.find_markers(stored))
    shown = scan.page_as_read(form, page).astype(int)
    y = round((row["y"] + 4) * recognize.PX_PER_MM)
    assert (shown[y - 6 : y + 6] - plain[y - 6 : y + 6]).mean() > 3  # lighter along the crease
    assert np.array_equal(shown[: y - 60], plain[: y - 60]) and np.array_equal(shown[y + 60 :], plain[y + 60 :])
    assert review_statistics(form).creased == 1
    client.force_login(member)
    page_html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert "Số trang đã được bù phần tối dọc nếp gấp trước khi đọc: 1." in page_html


def test_a_row_with_two_reasons_shows_them_apart(client, scan_vote, make_scan):
    """A smudge in a box and ink on the printed name of the same row: the review page lists both
    reasons, set apart, not run into one sentence."""
    form, member = scan_vote["form"], scan_vote["member"]
    for seed in range(1200, 1220):
        data, truth, _image = make_scan(seed, style="cross", smudged=True, crossed_name=True)
        if truth.ambiguous == [0]:
            break
    scan.scan_file(member, form, name="hai-ly-do.png", data=data)
    ballot = form.scanned_ballots.get()
    assert {f["why"] for f in ballot.flags if f["person"] == 0} == {"uncertain", "name"}
    client.force_login(member)
    page = client.get(reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk])).content.decode()
    row = re.sub(r"<[^>]+>", "", page[page.index("1. ") :].split("</div>")[0])
    assert re.search(r"(vết mờ trong ô|dấu không có mực đậm[^;]*); họ tên in sẵn có vết mực", " ".join(row.split())), (
        row
    )


def test_pages_must_equal_collected(scan_vote, make_scan):
    form, member = scan_vote["form"], scan_vote["member"]
    scan.scan_file(member, form, name="a.png", data=make_scan(2000, style="cross")[0])
    assert "1 phiếu đã quét, 6 phiếu thu về" in " ".join(scan.scan_problems(form))


def test_not_a_ballot_is_listed_not_counted_and_nothing_is_lost(scan_vote, make_scan):
    form, member = scan_vote["form"], scan_vote["member"]
    scan.scan_file(member, form, name="a.png", data=make_scan(3000, style="check")[0])
    noise = np.random.default_rng(2).integers(0, 255, (1700, 1200), dtype=np.uint8)
    report = scan.scan_file(member, form, name="anh.png", data=cv2.imencode(".png", noise)[1].tobytes())
    assert report.ballots == 0 and report.ignored[0]["reason"] == "no_markers"
    blank = np.full((1700, 1200), 250, np.uint8)
    report = scan.scan_file(member, form, name="trang-trang.png", data=cv2.imencode(".png", blank)[1].tobytes())
    assert report.ignored[0]["reason"] == "blank"
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)  # an iPhone's photo, copied off it
    bad_files = ((b"", "trống"), (b"%PDF-1.4 garbage", "hỏng"), (b"GIF89a....", "không phải ảnh"), (heic, "HEIC"))
    for bad, words in bad_files:
        with pytest.raises(ValidationError) as info:
            scan.scan_file(member, form, name="x.pdf", data=bad)
        assert words in info.value.messages[0]
    assert form.scanned_ballots.count() == 1  # what was counted is still there
    assert ScannedPage.objects.filter(form=form, status="not_ballot").count() == 1


def test_a_scan_too_light_is_never_dropped_as_a_blank_back_side(client, scan_vote, make_scan):
    """A scan from a scanner set too light (its brightness turned up), or of a pale copy: nothing
    on it is darker than a blank back side's specks. It was ignored as one, and not even kept. It
    shows its corner marks, so it is read, with every row the machine cannot be sure of sent to
    the committee; too light to be read, it is kept and listed, with what to do."""
    form, member = scan_vote["form"], scan_vote["member"]
    for number, low in enumerate((110, 170)):
        _data, truth, image = make_scan(3100 + number, style="cross")
        pale = synthetic.pale(image, low)
        assert float((recognize.reduced(pale) < 110).mean()) == 0  # as blank as paper, measured so
        report = scan.scan_file(member, form, name=f"nhat-{low}.png", data=cv2.imencode(".png", pale)[1].tobytes())
        if low == 110:  # read: its rows flagged, or read right
            assert report.ignored == [] and report.ballots == 1, report
            page = ScannedPage.objects.get(pk=form.scanned_ballots.order_by("-position").first().pages[0])
            for row, key in zip(page.reading["rows"], truth.keys, strict=True):
                assert row["key"] in (None, key), (row, key)
        else:
            assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["pale"], report
            assert "độ sáng" in report.ignored[0]["text"]  # the scanner's brightness, in Vietnamese
            page = form.scanned_pages.get(reason="pale")
            assert page.status == ScannedPage.Status.NOT_BALLOT
        assert page.image and page.sha256 == hashlib.sha256(page.image.read()).hexdigest()  # kept
    assert not form.scanned_pages.filter(status=ScannedPage.Status.BLANK).exists()
    # the scan page lists it with what to do, and says beforehand how to set the scanner
    client.force_login(member)
    html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert "quá nhạt: nét in gần như không nổi lên trên nền giấy" in html
    settings = html.split('id="scan-settings"')[1].split("</p>")[0]
    assert "để độ sáng ở mức bình thường" in settings
    assert "không dùng bộ lọc “Đen trắng” hay “Tài liệu” của ứng dụng quét" in settings


def test_a_photo_through_a_scanner_apps_filter_is_refused_in_words_and_kept(client, scan_vote, make_scan):
    """A pencil photo sent through a phone app's black-and-white filter passes for a grey scan,
    but the grey squares printed on the ballot came out white: it is not counted, it is kept, and
    the committee reads why and what to do; the photo as taken is counted."""
    form, member = scan_vote["form"], scan_vote["member"]
    _data, _truth, image = make_scan(3200, style="pencil", photo=True)
    filtered = synthetic.app_filter(image, 100, random.Random(3200))
    report = scan.scan_file(member, form, name="loc.jpg", data=cv2.imencode(".jpg", filtered)[1].tobytes())
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["filtered"], report
    assert "bộ lọc đen trắng" in report.ignored[0]["text"] and "ảnh" in report.ignored[0]["text"]
    page = form.scanned_pages.get(reason="filtered")
    assert page.status == ScannedPage.Status.NOT_BALLOT
    assert page.image and page.sha256 == hashlib.sha256(page.image.read()).hexdigest()  # kept
    report = scan.scan_file(member, form, name="goc.png", data=cv2.imencode(".png", image)[1].tobytes())
    assert report.ballots == 1 and report.ignored == []
    kept = form.scanned_pages.get(status=ScannedPage.Status.BALLOT).reading["grey"]
    assert len(kept) == 2 and all(0.4 < level < 0.6 for level in kept)  # kept with the reading, as field data
    client.force_login(member)
    html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert "ảnh đã qua bộ lọc đen trắng" in html


def test_a_damaged_image_is_refused_in_words_without_opencv_s_own_error_on_the_console(scan_vote, capfd):
    form, member = scan_vote["form"], scan_vote["member"]
    with pytest.raises(ValidationError) as info:
        scan.scan_file(member, form, name="hong.png", data=b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert "hong.png" in info.value.messages[0]
    console = capfd.readouterr()
    assert "IHDR" not in console.err + console.out, console


def test_a_damaged_scan_is_refused_with_its_reason_or_read_never_a_python_error(scan_vote, make_scan):
    """Bits changed and files cut short, as a bad USB stick or an interrupted copy leave them, in
    a scanner's JPEG, a PNG and a PDF: each file is read, or refused with a Vietnamese reason, and
    what was counted before stays. A PDF that opens but whose page does not load raised pdfium's
    own error (a page 500) before."""
    form, member = scan_vote["form"], scan_vote["member"]
    scan.scan_file(member, form, name="dau-tien.png", data=make_scan(5002, style="cross")[0])
    files = {
        "jpg": make_scan(5000, fmt=".jpg", style="cross")[0],
        "png": make_scan(5001, style="tick")[0],
        "pdf": scan_vote["pdf"],
    }
    rng = random.Random(1)
    refused = 0
    for i in range(80):
        kind = rng.choice(sorted(files))
        data = bytearray(files[kind])
        how = rng.choice(["flip", "cut", "flip many"])
        if how == "cut":
            data = data[: rng.randrange(1, len(data))]
        else:
            for _ in range(1 if how == "flip" else 20):
                at = rng.randrange(len(data))
                data[at] ^= 1 << rng.randrange(8)
        try:
            scan.scan_file(member, form, name=f"hong-{i}.{kind}", data=bytes(data))
        except ValidationError as exc:
            refused += 1
            assert f"hong-{i}.{kind}" in exc.messages[0]
    assert refused > 5  # most damage is found; the rest is read, or its page listed as not a ballot
    assert form.scanned_pages.filter(sha256=hashlib.sha256(make_scan(5002, style="cross")[0]).hexdigest()).exists()


def test_a_pdf_that_opens_but_whose_page_does_not_load_is_refused(scan_vote):
    """The page tree names a page that is not there: pdfium opens the file, counts one page, and
    fails on loading it. That was pdfium's own error (a page 500), not the committee's reason."""
    import pypdfium2 as pdfium

    made = pdfium.PdfDocument.new()
    made.new_page(595, 842)
    out = io.BytesIO()
    made.save(out)
    broken = out.getvalue().replace(b"Kids[ 4 0 R ]", b"Kids[ 9 0 R ]")
    assert broken != out.getvalue() and len(pdfium.PdfDocument(broken)) == 1
    with pytest.raises(ValidationError) as info:
        scan.scan_file(scan_vote["member"], scan_vote["form"], name="may-quet.pdf", data=broken)
    assert info.value.messages == ["“may-quet.pdf” là tệp PDF bị hỏng."]
    assert not scan_vote["form"].scanned_pages.exists()


def test_pdf_without_pages_and_too_large(scan_vote, settings):
    import pypdfium2 as pdfium

    empty = pdfium.PdfDocument.new()
    out = io.BytesIO()
    empty.save(out)
    with pytest.raises(ValidationError) as info:
        scan.load_pages("trong.pdf", out.getvalue())
    assert "không có trang nào" in info.value.messages[0]
    settings.TINNHIEM_MAX_SCAN_BYTES = 1000
    with pytest.raises(ValidationError) as info:
        scan.load_pages("lon.pdf", b"%PDF-" + b"0" * 2000)
    assert "giới hạn" in info.value.messages[0]


def test_spot_check_opens_any_ballot(scan_vote, make_scan, client):
    form, member = scan_vote["form"], scan_vote["member"]
    # before any page is read there is nothing to compare: no button, and the address says so
    client.force_login(member)
    page_url = reverse("scanning:scan", args=[form.conference_id, form.pk])
    random_url = reverse("scanning:spot_check", args=[form.conference_id, form.pk])
    assert random_url not in client.get(page_url).content.decode()
    response = client.get(random_url, follow=True)
    assert response.redirect_chain == [(page_url, 302)]
    assert "Chưa có phiếu nào của lần kiểm này do máy đọc" in response.content.decode()
    scan.scan_file(member, form, name="a.png", data=make_scan(4000, style="cross")[0])
    ballot = scan.spot_check(form)
    assert isinstance(ballot, ScannedBallot)
    scan.review_ballot(member, ballot, keys=ballot.keys, reason="Kiểm tra ngẫu nhiên: khớp với phiếu giấy")
    assert form.rulings.get().subject.startswith("Phiếu quét đọc là")
    assert random_url in client.get(page_url).content.decode()
    assert client.get(random_url).url == reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk])


def test_a_pencil_ballot_read_by_the_machine_is_recorded_as_pencil(scan_vote, make_scan):
    """The stored reading says which marks were read as pencil, and the ballot never shows as
    certain (confidence at most 0.5), though it does not wait for the committee."""
    from tests.scanning.test_recognition import read

    for seed in range(40):
        data, truth, image = make_scan(3000 + seed, style="pencil")
        rows = read(scan_vote, image).rows
        if any(b.pencil for r in rows for b in r.boxes) and not any(r.uncertain for r in rows):
            break
    else:
        pytest.fail("no pencil ballot of this two-row form was decided by the machine")
    scan.scan_file(scan_vote["member"], scan_vote["form"], name="but-chi.png", data=data)
    ballot = scan_vote["form"].scanned_ballots.get()
    assert not ballot.needs_review and ballot.keys == "".join(truth.keys) and ballot.confidence <= 0.5
    page = ScannedPage.objects.get(form=scan_vote["form"], status=ScannedPage.Status.BALLOT)
    states = [box[4] for row in page.reading["rows"] for box in row["boxes"]]
    assert "pencil" in states and "uncertain" not in states


def test_a_ballot_of_another_conference_is_refused_and_not_counted(
    office, make_user, campaign, today, scan_vote, make_scan
):
    from datetime import timedelta

    from tests.scanning.conftest import _scan_vote
    from tinnhiem.conferences.usecases import campaigns

    other = campaigns.create_conference(
        office,
        campaign=campaign,
        title="Hội nghị khác",
        date=today + timedelta(days=21),
        place="Phòng họp số 2",
        convening_body="UBND thành phố",
    )
    there = _scan_vote(office, make_user, other, tag="o")
    data = make_scan(6000, style="cross")[0]  # printed for scan_vote's conference
    report = scan.scan_file(there["member"], there["form"], name="nham.png", data=data)
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["other_conference"]
    assert report.ignored[0]["text"] == "phiếu của hội nghị khác: để riêng, kiểm cùng phiếu của hội nghị đó"
    assert there["form"].scanned_ballots.count() == 0
    # the same page in its own conference is counted
    form = scan_vote["form"]
    assert scan.scan_file(scan_vote["member"], form, name="dung.png", data=data).ballots == 1
    # the QR names the form and the layout version too
    geometry_for = scan._geometry(form)
    version = form.printed_layouts.get().version
    assert geometry_for(SheetId(form.conference_id, form.pk, version, 1)) is not None
    assert geometry_for(SheetId(form.conference_id, form.pk, "khac", 1)) is None  # read as unknown_layout
    other_form = BallotForm.objects.create(conference=form.conference, order=99, name="Phiếu khác")
    with pytest.raises(NotABallot) as info:
        geometry_for(SheetId(form.conference_id, other_form.pk, version, 1))
    assert info.value.reason == "other_form"
    removed = other_form.pk
    other_form.delete()  # a form removed before the conference: its printed ballots do not count
    with pytest.raises(NotABallot) as info:
        geometry_for(SheetId(form.conference_id, removed, version, 1))
    assert info.value.reason == "removed_form"


def test_every_reason_a_page_is_refused_has_a_vietnamese_text(client, scan_vote, make_scan):
    import inspect

    raised = set(re.findall(r'NotABallot\(\s*"(\w+)"', inspect.getsource(recognize) + inspect.getsource(scan)))
    raised |= {"foreign_qr", "no_qr", "duplicate", "incomplete"}  # set outside a literal call
    assert raised <= set(PAGE_REASONS), raised - set(PAGE_REASONS)
    with translation.override("en"):
        english = {code: ScannedPage(reason=code).reason_text for code in PAGE_REASONS}
    with translation.override("vi"):
        for code in PAGE_REASONS:
            assert ScannedPage(reason=code).reason_text not in ("", code, english[code]), code
    # the scan page lists the pages not counted in words, not codes
    form, member = scan_vote["form"], scan_vote["member"]
    blank = np.full((1700, 1200), 250, np.uint8)
    scan.scan_file(member, form, name="trang.png", data=cv2.imencode(".png", blank)[1].tobytes())
    data = make_scan(6100, style="cross")[0]
    scan.scan_file(member, form, name="a.png", data=data)
    scan.scan_file(member, form, name="a-lai.png", data=data)
    client.force_login(member)
    html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    # blank back sides of a duplex scan are counted, not listed one by one
    assert re.findall(r"<li>(#\d+: [^<]*)</li>", html) == ["#3: trang này đã được quét"]
    assert "Trang trắng đã bỏ qua (mặt sau khi quét hai mặt): 1." in html


def test_the_command_line_counts_blank_back_sides_instead_of_listing_them(scan_vote, make_scan, tmp_path, capsys):
    from django.core.management import call_command

    form, member = scan_vote["form"], scan_vote["member"]
    blank = np.full((2339, 1654), 252, np.uint8)
    sides = []
    for seed in range(3):  # a duplex scan: each ballot, then its blank back
        sides += [make_scan(9100 + seed, style="cross")[2], blank]
    # and two sheets with the scanner left in black and white: one line for both
    sides += [synthetic.bilevel(make_scan(9110 + seed, style="cross")[2]) for seed in range(2)]
    (tmp_path / "hai-mat.pdf").write_bytes(synthetic.scanner_pdf(sides))
    call_command("scan", str(form.conference_id), str(tmp_path / "hai-mat.pdf"), "--user", member.username)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("hai-mat.pdf: 8 trang, 3 phiếu, 0 phiếu cần xem xét"), lines
    assert lines[1].startswith("  #7–#8 (2 trang): được quét ở chế độ đen trắng, vết bút chì nhạt có thể bị mất")
    assert lines[2] == "  bỏ qua 3 trang trắng"
    assert not any("trang trắng (bỏ qua)" in line for line in lines)


def test_the_command_line_on_a_conference_with_no_scanned_form_says_so(scan_vote, tmp_path):
    from django.core.management import CommandError, call_command

    from tinnhiem.conferences.models import BallotForm

    form, member = scan_vote["form"], scan_vote["member"]
    BallotForm.objects.filter(pk=form.pk).update(mode=BallotForm.Mode.TOTALS)
    with pytest.raises(CommandError) as info:
        call_command("scan", str(form.conference_id), str(tmp_path), "--user", member.username)
    assert str(info.value) == (
        f"Hội nghị {form.conference_id} không có mẫu phiếu nào kiểm bằng máy quét (cách kiểm phiếu của từng "
        "mẫu phiếu được chọn ở trang “Mẫu phiếu”, trước khi kiểm)."
    )


def test_a_ballot_split_across_files_is_put_together_in_stack_order(long_vote, make_long_scan):
    """The pages of a two-page ballot may come in separate files (a scanner writing one file per
    page); a page out of turn makes its ballot incomplete, never part of another ballot."""
    form, member = long_vote["form"], long_vote["member"]

    def pages(seed):
        return [make_long_scan(seed * 10 + n, page=n, style="cross") for n in (1, 2)]

    def tiff(*scans):
        ok, data = cv2.imencodemulti(".tiff", [s[2] for s in scans])
        assert ok
        return data.tobytes()

    a, b, c = pages(1), pages(2), pages(3)
    first = scan.scan_file(member, form, name="0001.png", data=a[0][0])
    assert (first.ballots, first.waiting, first.ignored) == (0, 1, [])
    assert any("chờ các trang còn lại" in p for p in scan.scan_problems(form))
    second = scan.scan_file(member, form, name="0002.png", data=a[1][0])
    assert (second.ballots, second.waiting) == (1, 0)
    ballot = form.scanned_ballots.get()
    assert ballot.keys == "".join(a[0][1].keys + a[1][1].keys) and len(ballot.keys) == 18
    assert set(form.scanned_pages.values_list("status", flat=True)) == {"ballot"}
    assert not any("chờ các trang còn lại" in p for p in scan.scan_problems(form))

    # b's second page was not fed: when c begins, b's first page is incomplete, c is counted
    scan.scan_file(member, form, name="0003.png", data=b[0][0])
    report = scan.scan_file(member, form, name="0004.tiff", data=tiff(*c))
    assert report.ballots == 1 and [i["reason"] for i in report.ignored] == ["incomplete"]
    assert form.scanned_ballots.get(position=2).keys == "".join(c[0][1].keys + c[1][1].keys)
    # a second page without its first one
    report = scan.scan_file(member, form, name="0005.png", data=b[1][0])
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["incomplete"]
    # the committee finds b in the stack and feeds it again, whole. A page 2 set aside, then a page
    # 1, is also how a stack fed last page first begins: asked once, and the same file is accepted
    with pytest.raises(ValidationError, match="để riêng, là trang 2"):
        scan.scan_file(member, form, name="0006.tiff", data=tiff(*b))
    report = scan.scan_file(member, form, name="0006.tiff", data=tiff(*b))
    assert (report.ballots, report.ignored) == (1, [])
    assert form.scanned_ballots.get(position=3).keys == "".join(b[0][1].keys + b[1][1].keys)
    # a page already in a counted ballot is still a duplicate
    again = scan.scan_file(member, form, name="0007.png", data=a[0][0])
    assert [i["reason"] for i in again.ignored] == ["duplicate"] and form.scanned_ballots.count() == 3


def test_the_ballot_page_starts_from_the_machines_reading(client, scan_vote, make_scan):
    """The committee replaces only the “?”; a “?” left in is refused and nothing is recorded."""
    form, member = scan_vote["form"], scan_vote["member"]
    data, truth, _image = make_scan(7000, style="cross", smudged=True)
    scan.scan_file(member, form, name="a.png", data=data)
    ballot = form.scanned_ballots.get()
    assert ballot.needs_review and "?" in ballot.machine_keys
    client.force_login(member)
    url = reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk])
    html = client.get(url).content.decode()
    assert f'value="{ballot.machine_keys}"' in html
    # the rule set's reasons for a whole ballot to be invalid are offered, in the words of the minutes
    assert 'list="invalid-reasons"' in html
    assert '<option value="Phiếu gạch xoá họ tên người được in trên phiếu">' in html
    response = client.post(url, {"keys": ballot.machine_keys, "reason": "Đối chiếu phiếu gốc"}, follow=True)
    assert "Hãy thay mỗi dấu “?”" in response.content.decode()
    ballot.refresh_from_db()
    assert ballot.needs_review and not form.rulings.exists()
    client.post(url, {"keys": "".join(truth.keys), "reason": "Đối chiếu phiếu gốc"})
    ballot.refresh_from_db()
    assert not ballot.needs_review and ballot.keys == "".join(truth.keys) and form.rulings.count() == 1


def test_command_line_reads_a_folder_in_name_order(scan_vote, make_scan, tmp_path, capsys):
    """`tinnhiem scan CONFERENCE FOLDER --user U --format json`, as documented in docs/scanning.md:
    a damaged file and a cut-off JPEG are refused alone; the others are counted."""
    import json

    from django.core.management import call_command

    form, member = scan_vote["form"], scan_vote["member"]
    folder = tmp_path / "lo-1"
    folder.mkdir()
    truths = []
    for i in range(5):
        data, truth, _image = make_scan(9000 + i, fmt=".jpg", style="cross")
        (folder / f"phieu-{i + 1:03d}.jpg").write_bytes(data)
        truths.append("".join(truth.keys))
    (folder / "phieu-002b.pdf").write_bytes(b"%PDF-1.4 hong")
    (folder / "phieu-004b.jpg").write_bytes(data[:400])  # the scanner stopped mid-file
    (folder / "ghi-chu.txt").write_text("không phải ảnh")  # not a scan: skipped
    (folder / "phieu-005b.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic" + bytes(64))  # an iPhone's photo: refused
    missing = tmp_path / "khong-co.jpg"
    with pytest.raises(CommandError) as info:  # exit status 1: files were left out
        call_command(
            "scan", str(form.conference_id), str(folder), str(missing), "--user", member.username, "--format", "json"
        )
    assert str(info.value) == "4 tệp không đọc được (xem ở trên); các tệp đã đọc được tính."
    output = json.loads(capsys.readouterr().out)
    assert [f["file"].rsplit("/", 1)[1] for f in output["files"]] == [
        "phieu-001.jpg",
        "phieu-002.jpg",
        "phieu-002b.pdf",
        "phieu-003.jpg",
        "phieu-004.jpg",
        "phieu-004b.jpg",
        "phieu-005.jpg",
        "phieu-005b.HEIC",
        "khong-co.jpg",
    ]
    refused = {f["file"].rsplit("/", 1)[1]: f["message"] for f in output["files"] if f["status"] == "refused"}
    assert "là tệp PDF bị hỏng" in refused.pop("phieu-002b.pdf")
    assert "không phải ảnh" in refused.pop("phieu-004b.jpg")
    assert "là ảnh HEIC do iPhone chụp" in refused.pop("phieu-005b.HEIC")
    assert refused.pop("khong-co.jpg") == f"Không có tệp “{missing}”." and not refused
    read = [f for f in output["files"] if f["status"] == "read"]
    assert all((f["pages"], f["ballots"], f["to_review"], f["waiting"], f["ignored"]) == (1, 1, 0, 0, []) for f in read)
    assert (output["scanned"], output["to_review"], output["collected"]) == (5, 0, 6)
    assert output["problems"] == ["5 phiếu đã quét, 6 phiếu thu về: hai số phải bằng nhau."]
    assert_read_as(form.scanned_ballots.order_by("position"), truths)  # in name order
    review = output["review"]  # the form's review statistics (docs/scanning.md)
    assert (review["ballots"], review["pages"], review["sent_to_committee"], review["overruled_rows"]) == (5, 5, 0, 0)
    assert review["laid_on_blank"] == review["creased"] == review["shown_through"] == 0  # flat, one-sided
    assert set(review["causes"]) == {
        "no_pen_ink",
        "faint",
        "unequal",
        "washed_out",
        "not_flat",
        "covered",
        "uncertain",
        "name",
        "writing",
    }
    assert review["causes"]["name"] == {"rows": 0, "ballots": 0, "ruled": dict.fromkeys(RULED, 0)}


def test_a_request_with_several_files_reads_each_and_refuses_a_bad_one_alone(client, scan_vote, make_scan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form, member = scan_vote["form"], scan_vote["member"]
    files = [SimpleUploadedFile(f"p{i}.png", make_scan(9100 + i, style="cross")[0]) for i in range(3)]
    files.insert(1, SimpleUploadedFile("hong.pdf", b"%PDF-1.4 hong"))
    client.force_login(member)
    url = reverse("scanning:scan", args=[form.conference_id, form.pk])
    response = client.post(url, {"files": files}, headers={"X-Requested-With": "upload"})
    assert [r["file"] for r in response.json()["results"]] == ["p0.png", "p1.png", "p2.png"]
    assert form.scanned_ballots.count() == 3
    page = client.get(url).content.decode()
    assert "“hong.pdf” là tệp PDF bị hỏng." in page  # the refusal waits on the page after the reload


def test_a_request_sent_again_after_its_answer_was_lost_records_nothing_twice(client, long_vote, make_long_scan):
    """The hall's Wi-Fi drops after the server recorded a request and before the browser heard
    back: the page's script sends the same request again, with the same one-time id. Nothing of it
    is recorded again, nor listed as scanned twice, and the stack goes on from where it was: a
    ballot whose first page was in that request is completed by the next. The same files with
    another id (chosen again by hand) are pages scanned twice, as before."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    form, member = long_vote["form"], long_vote["member"]
    made = [[make_long_scan(9600 + 10 * b + n, page=n, style="cross") for n in (1, 2)] for b in range(2)]
    keys = ["".join(made[b][0][1].keys + made[b][1][1].keys) for b in range(2)]
    stack = [made[0][0][0], made[0][1][0], made[1][0][0], made[1][1][0]]
    client.force_login(member)
    url = reverse("scanning:scan", args=[form.conference_id, form.pk])

    def send(datas, submission, first=0):
        files = [SimpleUploadedFile(f"{first + i + 1:03d}.png", d) for i, d in enumerate(datas)]
        answer = client.post(url, {"files": files, "submission": submission}, headers={"X-Requested-With": "upload"})
        return answer.json()["results"]

    first = send(stack[:3], "a" * 32)  # one ballot and the first page of the next
    assert [r["ballots"] for r in first] == [0, 1, 0] and form.scanned_pages.count() == 3
    again = send(stack[:3], "a" * 32)  # the answer was lost: the same request again
    assert again == [{"file": f"00{i}.png", "already": True} for i in (1, 2, 3)]
    assert form.scanned_pages.count() == 3 and form.scanned_pages.filter(status=ScannedPage.Status.PENDING).count() == 1
    assert Event.objects.filter(action="scan.file").count() == 3
    assert [r["ballots"] for r in send(stack[3:], "b" * 32, first=3)] == [1]  # completes the waiting ballot
    assert_read_as(form.scanned_ballots.order_by("position"), keys)
    assert not form.scanned_pages.exclude(status=ScannedPage.Status.BALLOT).exists()
    # chosen again by hand (a new id): pages scanned twice, listed, not counted; and the same file
    # twice in one request is a page scanned twice too, sent again or not
    twice = send(stack[:1] * 2, "c" * 32)
    assert [[i["reason"] for i in r["ignored"]] for r in twice] == [["duplicate"], ["duplicate"]]
    assert send(stack[:1] * 2, "c" * 32) == [{"file": "001.png", "already": True}, {"file": "002.png", "already": True}]
    assert form.scanned_pages.count() == 6 and form.scanned_ballots.count() == 2
    # the key of the request is in the log, not the page's id itself
    logged = Event.objects.filter(action="scan.file").values_list("data", flat=True)
    assert all(len(d["submission"]) == 64 and "a" * 32 not in d["submission"] for d in logged)
    # the form sent without script carries an id of its own: sent twice, counted once
    data = make_long_scan(9700, page=1, style="cross")[0]
    page = client.get(url).content.decode()
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)
    for _time in range(2):
        response = client.post(url, {"files": [SimpleUploadedFile("x.png", data)], "submission": submission})
        assert response.status_code == 302
    assert form.scanned_pages.filter(status=ScannedPage.Status.PENDING).count() == 1
    assert "x.png: đã được đọc khi trang này được gửi lần đầu; chỉ tính một lần." in client.get(url).content.decode()


def test_a_long_ballot_page_lists_the_rows_to_check(client, long_vote, make_long_scan):
    """18 rows on two pages: the page says at the top which rows wait, with links to them."""
    form, member = long_vote["form"], long_vote["member"]
    first = make_long_scan(9500, page=1, style="cross")[0]
    second = make_long_scan(9501, page=2, style="cross", smudged=True)[0]
    scan.scan_file(member, form, name="1.png", data=first)
    scan.scan_file(member, form, name="2.png", data=second)
    ballot = form.scanned_ballots.get()
    rows = sorted({f["person"] + 1 for f in ballot.flags})
    assert rows and all(row > 10 for row in rows)  # on the second page
    client.force_login(member)
    html = client.get(reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk])).content.decode()
    listed = html[html.index("Các hàng cần xem:") :].split("</p>")[0]
    assert re.findall(r'href="#hang-(\d+)"', listed) == [str(row) for row in rows]
    assert all(f'id="hang-{row}"' in html for row in range(1, 19))
    assert html.count('loading="lazy"') == 18


def test_a_row_to_check_is_shown_under_the_printed_head_of_the_table(client, long_vote, make_long_scan):
    """The crop of a row to check carries the head of the table as printed on that page (“Tín nhiệm
    cao”, …), so the committee sees which box is which level: the first row of a page in one piece,
    a row further down set apart from the head by a grey band. A row not flagged shows alone."""
    form, member = long_vote["form"], long_vote["member"]
    scan.scan_file(member, form, name="1.png", data=make_long_scan(9600, page=1, style="cross", smudged=True)[0])
    scan.scan_file(member, form, name="2.png", data=make_long_scan(9601, page=2, style="cross")[0])
    ballot = form.scanned_ballots.get()
    flagged = {f["person"] for f in ballot.flags}
    assert flagged and flagged < set(range(10))  # rows to check, on the first page only
    client.force_login(member)
    html = client.get(reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk])).content.decode()

    def crop(n: int, head: bool = False) -> np.ndarray:
        url = reverse("scanning:crop", args=[form.conference_id, form.pk, ballot.pk, n])
        assert f'src="{url}{"?dau-bang=1" if n in flagged else ""}"' in html
        data = client.get(url + ("?dau-bang=1" if head else "")).content
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)

    px = 6  # the crops are cut from the page rectified at 6 px per mm
    head_mm, row_mm = 10 + 1, 14 + 2  # the printed head (and 1 mm above it); a row and 1 mm each side
    for n in range(18):
        assert crop(n).shape[0] == row_mm * px, n
    first, down = crop(10, head=True), crop(13, head=True)  # page 2: its first row, and its fourth
    assert first.shape[0] == (head_mm + row_mm - 1) * px  # one piece: the head's line is the row's top
    assert down.shape[0] == head_mm * px + 6 + row_mm * px
    assert (down[head_mm * px : head_mm * px + 6] == 160).all()  # the band
    for image in (first, down):
        head = image[: head_mm * px]
        assert (head < 100).mean() > 0.01  # the printed labels: ink, not blank paper
    assert np.array_equal(down[head_mm * px + 6 :], crop(13))  # and under the band, the row itself


def test_a_name_corrected_after_printing_is_read_against_the_name_printed(office, make_user, conference):
    """A typo fixed after the ballots were printed: the same persons in the same order, so the
    printed ballots still count, and the name check compares each page with what was printed on
    it (before, every row of that person was flagged as ink on a printed name)."""
    from tests.scanning.conftest import _scan_maker, _scan_vote
    from tinnhiem.conferences.usecases import rated

    def fix_typo(people):
        person = people[1]
        rated.update_rated_person(
            office,
            person,
            full_name="Lê Thị Hồng Nhung",
            post="Phó Chủ tịch Ủy ban nhân dân thành phố",
            group=person.group,
            retirement_notified=False,
            took_office_on=None,
            decision=person.decision,
        )

    vote = _scan_vote(office, make_user, conference, tag="t", after_printing=fix_typo)
    form = vote["form"]
    assert form.printed_layouts.count() == 1  # the corrected list is not printed yet
    make = _scan_maker(vote)
    results = scan.scan_files(vote["member"], form, [(f"{i}.png", make(7100 + i, style="cross")[0]) for i in range(3)])
    assert [(r.ballots, r.to_review) for r in results] == [(1, 0)] * 3
    # a crossed-out name on the old printing is still found
    data, truth, _image = make(7200, style="cross", crossed_name=True)
    assert scan.scan_file(vote["member"], form, name="gach.png", data=data).to_review == 1
    flags = form.scanned_ballots.get(position=4).flags
    assert truth.crossed_name and [f["person"] for f in flags if f["why"] == "name"] == [0]
    # so is an X over a name, kept with its measure in mm² (recognize.NAME_MARK_MM2)
    data, truth, _image = make(7201, style="cross", name_mark="cross")
    assert scan.scan_file(vote["member"], form, name="x.png", data=data).to_review == 1
    ballot = form.scanned_ballots.get(position=5)
    assert [f["person"] for f in ballot.flags if f["why"] == "name"] == [0]
    rows = ScannedPage.objects.get(pk=ballot.pages[0]).reading["rows"]
    assert rows[0]["name_mark"] >= recognize.NAME_MARK_MM2 and rows[1]["name_mark"] == 0.0


def test_a_ballot_printed_for_an_earlier_list_is_refused(office, make_user, conference):
    """A person is no longer rated after the ballots were printed: a mark on row 2 of the old
    ballot is not a mark for whoever is on row 2 now. The page is refused with its reason."""
    from tests.scanning.conftest import _scan_maker, _scan_vote
    from tinnhiem.conferences.usecases import rated
    from tinnhiem.documents import ballots

    def exclude_one(people):
        person = people.pop(1)
        rated.update_rated_person(
            office,
            person,
            full_name=person.full_name,
            post=person.post,
            group=person.group,
            retirement_notified=False,
            took_office_on=None,
            decision="excluded",
            decision_note="Đã có quyết định nghỉ hưu",
        )

    vote = _scan_vote(office, make_user, conference, tag="c", more_people=1, after_printing=exclude_one)
    form = vote["form"]
    assert len(vote["geometry"]["pages"][0]["rows"]) == 3 and len(form.people_on_ballot()) == 2
    report = scan.scan_file(vote["member"], form, name="cu.png", data=_scan_maker(vote)(7300, style="cross")[0])
    assert (report.pages, report.ballots) == (1, 0)
    assert [i["reason"] for i in report.ignored] == ["stale_layout"]
    assert report.ignored[0]["text"].startswith("phiếu in theo danh sách người được lấy phiếu trước khi sửa")
    assert form.scanned_ballots.count() == 0
    assert form.scanned_pages.get().status == ScannedPage.Status.NOT_BALLOT
    # the ballots printed for the list as it is now are read
    pdf, layout = ballots.render_one(form)
    now = _scan_maker({**vote, "pdf": pdf, "geometry": layout.as_dict()})
    assert scan.scan_file(vote["member"], form, name="moi.png", data=now(7301, style="cross")[0]).ballots == 1


def test_only_a_layout_printed_for_the_same_persons_in_the_same_order_is_read(scan_vote):
    """The same number of rows is not enough: the version names the persons printed."""
    from tinnhiem.documents import ballots
    from tinnhiem.documents.layout import ballot_layout

    form = scan_vote["form"]
    people = form.people_on_ballot()
    levels = list(form.conference.rules.level_keys)
    current = ballots.layout_for(form)
    assert current.version == form.printed_layouts.get().version
    swapped = ballot_layout(2, levels, printed=[(p.pk, p.full_name, p.post) for p in reversed(people)])
    other = ballot_layout(2, levels, printed=[(people[0].pk, people[0].full_name, people[0].post), (999, "X", "Y")])
    typo = ballot_layout(2, levels, printed=[(p.pk, p.full_name.upper(), p.post) for p in people])
    assert len({current.version, swapped.version, other.version, typo.version}) == 4
    for layout in (swapped, other, typo):
        ballots.register_layout(form, layout)
    geometry_for = scan._geometry(form)
    for layout in (swapped, other):
        with pytest.raises(NotABallot) as info:
            geometry_for(SheetId(form.conference_id, form.pk, layout.version, 1))
        assert info.value.reason == "stale_layout"
    assert geometry_for(SheetId(form.conference_id, form.pk, typo.version, 1)) == typo.as_dict()
    assert geometry_for(SheetId(form.conference_id, form.pk, current.version, 1)) == current.as_dict()


def test_a_layout_printed_before_the_list_was_part_of_the_version_is_read_by_its_person_ids(scan_vote):
    """Ballots printed by an earlier tinnhiem (layout format 1: the version hashed the geometry
    alone) are read when the person ids kept with them are the form's, and refused otherwise."""
    from tinnhiem.documents.layout import ballot_layout
    from tinnhiem.documents.models import PrintedLayout

    form = scan_vote["form"]
    ids = [p.pk for p in form.people_on_ballot()]
    old = ballot_layout(len(ids), list(form.conference.rules.level_keys), layout_format=2).as_dict()
    old.pop("printed")
    old["format"] = 1
    PrintedLayout.objects.create(form=form, version="0123456789ab", geometry=old, people=ids)
    PrintedLayout.objects.create(form=form, version="ba9876543210", geometry=old, people=ids[::-1])
    geometry_for = scan._geometry(form)
    assert geometry_for(SheetId(form.conference_id, form.pk, "0123456789ab", 1)) == old
    with pytest.raises(NotABallot) as info:
        geometry_for(SheetId(form.conference_id, form.pk, "ba9876543210", 1))
    assert info.value.reason == "stale_layout"


def test_a_layout_printed_before_the_grey_squares_is_read_not_stale(scan_vote):
    """Ballots printed by an earlier tinnhiem (layout format 2, no grey squares) for the same list
    are read after an upgrade, by their stored geometry; for another list they are stale."""
    from tinnhiem.documents import ballots
    from tinnhiem.documents.layout import ballot_layout

    form = scan_vote["form"]
    current = ballots.layout_for(form)
    old = ballot_layout(current.n_people, current.levels, current.printed, layout_format=2)
    swapped = ballot_layout(current.n_people, current.levels, current.printed[::-1], layout_format=2)
    ballots.register_layout(form, old)
    ballots.register_layout(form, swapped)
    geometry_for = scan._geometry(form)
    geometry = geometry_for(SheetId(form.conference_id, form.pk, old.version, 1))
    assert geometry == old.as_dict() and "grey" not in geometry
    with pytest.raises(NotABallot) as info:
        geometry_for(SheetId(form.conference_id, form.pk, swapped.version, 1))
    assert info.value.reason == "stale_layout"


def test_the_counting_mode_cannot_change_once_a_page_is_scanned(office, scan_vote, make_scan):
    """Otherwise the ballots already scanned would silently drop out of the count."""
    from tinnhiem.conferences.usecases import day

    form = scan_vote["form"]
    day.set_counting_mode(office, form, mode="scan")  # nothing scanned yet: still free to change
    scan.scan_file(scan_vote["member"], form, name="1.png", data=make_scan(7400, style="cross")[0])
    with pytest.raises(ValidationError) as info:
        day.set_counting_mode(office, form, mode="double_entry")
    assert "không thể đổi cách kiểm phiếu" in info.value.messages[0]
    form.refresh_from_db()
    assert form.mode == "scan"


def test_the_counting_mode_cannot_change_once_a_ballot_is_read_on_paper(office, scan_vote):
    from tinnhiem.conferences.usecases import day

    form = scan_vote["form"]
    scan.add_ballot_by_hand(scan_vote["member"], form, keys="12", reason="Phiếu bị ướt")
    with pytest.raises(ValidationError):
        day.set_counting_mode(office, form, mode="double_entry")


def test_a_ballot_the_scanner_cannot_read_is_read_on_paper_by_the_committee(client, scan_vote, make_scan):
    """A torn ballot is refused by the scanner; without a way to record it, the count could never
    be finalised (ballots counted must equal ballots collected). The committee reads the paper:
    one more ballot of the stack, a ruling in the minutes, recorded once even if sent twice."""
    form, member = scan_vote["form"], scan_vote["member"]
    truths = []
    for seed in range(5):
        data, truth, _image = make_scan(7500 + seed, style="cross")
        truths.append("".join(truth.keys))
        scan.scan_file(member, form, name=f"{seed}.png", data=data)
    _data, _truth, image = make_scan(7505, style="cross")
    _ok, torn = cv2.imencode(".png", image[: image.shape[0] // 2, : image.shape[1] // 2])  # only its top-left quarter
    report = scan.scan_file(member, form, name="rach.png", data=torn.tobytes())
    assert report.ballots == 0 and report.ignored[0]["reason"] in ("no_markers", "unreadable")
    assert "5 phiếu đã quét, 6 phiếu thu về" in scan.scan_problems(form)[0]
    with pytest.raises(ValidationError):
        counting.finalise_form(member, form)
    # what the committee types is checked like any reading
    for keys, reason, message in [
        ("12", "", "vì sao máy quét không đọc được"),
        ("1?", "Phiếu bị rách", "“?”"),
        ("1", "Phiếu bị rách", "2"),
    ]:
        with pytest.raises(ValidationError) as info:
            scan.add_ballot_by_hand(member, form, keys=keys, reason=reason, submission="x1")
        assert message in info.value.messages[0], info.value.messages
    assert form.scanned_ballots.count() == 5
    # through the page: an error keeps what was typed, with the same one-time id
    client.force_login(member)
    page = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert re.search(r'<details class="card" id="doc-truc-tiep" style="margin-top:1.5rem">', page), "closed until used"
    assert re.search(r'id="hand-keys" name="keys" [^>]*value=""', page)
    # this form's one-time id, and the upload form's (tests below)
    assert len(set(re.findall(r'name="submission" value="([0-9a-f]{32})"', page))) == 2
    address = reverse("scanning:by_hand", args=[form.conference_id, form.pk])
    page = client.post(address, {"keys": "31", "reason": "", "submission": "abc123"}).content.decode()
    assert 'value="31"' in page and 'value="abc123"' in page and "vì sao máy quét không đọc được" in page
    # sent twice (a double click, or the browser sending it again): one ballot
    sent = {"keys": "31", "reason": "Phiếu bị rách ngang mã QR", "submission": "abc123"}
    for _ in range(2):
        assert client.post(address, sent).status_code == 302
    hand = form.scanned_ballots.get(by_hand=True)
    assert (hand.position, hand.keys, hand.pages, hand.needs_review) == (6, "31", [], False)
    assert scan.scan_problems(form) == []
    # the page brought back (the browser's Back) and changed: not one more ballot for the one sheet,
    # nor the change dropped unseen as a repeat; it says where the reading is corrected
    page = client.post(address, sent | {"keys": "32"}).content.decode()
    assert "Trang này đã ghi phiếu số 6, đọc là" in page and "Ban kiểm phiếu đọc trực tiếp”" in page
    assert form.scanned_ballots.count() == 6 and form.scanned_ballots.get(by_hand=True).keys == "31"
    # its page: no image, the committee's reading
    review = client.get(reverse("scanning:review", args=[form.conference_id, form.pk, hand.pk])).content.decode()
    assert "Ban kiểm phiếu đã đọc trực tiếp trên phiếu giấy" in review and "dong-0.png" not in review
    # a spot check only opens scanned ballots, which have an image to compare
    assert all(not scan.spot_check(form).by_hand for _ in range(30))
    ruling = form.rulings.get(position=6)
    assert ruling.subject == (
        "Phiếu máy quét không đọc được (Phiếu bị rách ngang mã QR): Ban kiểm phiếu đọc trực tiếp trên phiếu giấy."
    )
    # a mistake in it is corrected like any reading, with a ruling
    scan.review_ballot(member, hand, keys="32", reason="Đọc lại phiếu giấy")
    assert form.rulings.filter(position=6).count() == 2
    stored = counting.finalise_form(member, form)
    rules = form.conference.rules
    expected = tally_ballots(
        rules,
        [p.full_name for p in scan_vote["people"]],
        [counting.to_ballot(rules, keys, "") for keys in [*truths, "32"]],
        issued=10,
    )
    assert [p["counts"] for p in stored.data["people"]] == [
        {**dict(p.counts), "invalid": p.row_invalid} for p in expected.people
    ]


def test_a_whole_ballot_read_on_paper_may_be_invalid(client, scan_vote):
    form, member = scan_vote["form"], scan_vote["member"]
    ballot = scan.add_ballot_by_hand(
        member, form, invalid_reason="Phiếu không theo mẫu quy định", reason="In theo danh sách cũ"
    )
    assert (ballot.keys, ballot.invalid_reason) == ("", "Phiếu không theo mẫu quy định")
    client.force_login(member)
    review = client.get(reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk]))
    assert review.status_code == 200


def test_a_ballot_whose_last_page_is_torn_is_read_on_paper_instead_of_its_waiting_pages(
    client, long_vote, make_long_scan
):
    """The first page of a two-page ballot is scanned, its second page is torn: the first page
    waits for the rest forever and finalising is refused. The committee reads the whole ballot on
    paper and sets the waiting page aside; nothing is counted twice."""
    form, member = long_vote["form"], long_vote["member"]
    first, truth_1, _image = make_long_scan(7601, page=1, style="cross")
    second_truth = make_long_scan(7602, page=2, style="cross")[1]
    assert scan.scan_file(member, form, name="1.png", data=first).waiting == 1
    keys = "".join(truth_1.keys + second_truth.keys)
    assert any("chờ các trang còn lại" in p for p in scan.scan_problems(form))
    client.force_login(member)
    page = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert "(1 trang đã quét): để riêng các trang đó" in page
    address = reverse("scanning:by_hand", args=[form.conference_id, form.pk])
    refused = client.post(address, {"keys": keys, "reason": "", "submission": "t1", "instead_of_waiting": "1"})
    assert 'name="instead_of_waiting" value="1" checked' in refused.content.decode()  # kept after an error
    response = client.post(
        reverse("scanning:by_hand", args=[form.conference_id, form.pk]),
        {"keys": keys, "reason": "Trang 2 bị rách", "submission": "t1", "instead_of_waiting": "1"},
    )
    assert response.status_code == 302
    assert form.scanned_pages.get().status == ScannedPage.Status.NOT_BALLOT
    assert form.scanned_pages.get().reason == "incomplete"
    assert [(b.keys, b.by_hand) for b in form.scanned_ballots.all()] == [(keys, True)]
    assert not any("chờ các trang còn lại" in p for p in scan.scan_problems(form))
    with pytest.raises(ValidationError) as info:
        scan.add_ballot_by_hand(member, form, keys=keys, reason="Trang 2 bị rách", instead_of_waiting=True)
    assert info.value.messages == ["Không có trang quét nào đang chờ phần còn lại của phiếu."]


def test_a_sheet_fed_twice_is_withdrawn_by_the_committee(client, scan_vote, make_scan):
    """The scanner jams and the operator feeds the last sheets again: the second scan of a sheet
    is another image (not a duplicate by hash), so one sheet is counted twice and the ballots
    counted exceed those collected. The committee withdraws the extra scan, with a ruling."""
    form, member = scan_vote["form"], scan_vote["member"]
    truths, images = [], []
    for seed in range(6):
        data, truth, image = make_scan(7700 + seed, style="cross")
        truths.append("".join(truth.keys))
        images.append(image)
        scan.scan_file(member, form, name=f"{seed}.png", data=data)
    # sheet 3 again: the same marks, scanned a little lower and with other noise
    again = np.roll(images[2], 6, axis=0)
    again = cv2.add(again, np.random.default_rng(1).integers(0, 6, again.shape, dtype=np.uint8))
    refed = cv2.imencode(".jpg", again)[1].tobytes()
    report = scan.scan_file(member, form, name="lai.jpg", data=refed)
    assert (report.ballots, report.ignored) == (1, [])  # another image: not a duplicate by hash
    problems = scan.scan_problems(form)
    assert "7 phiếu đã quét, 6 phiếu thu về" in problems[0] and "mở lần quét thứ hai" in problems[1]
    extra = form.scanned_ballots.get(position=7)
    assert extra.keys == truths[2]
    with pytest.raises(ValidationError) as info:
        scan.withdraw_ballot(member, extra, reason=" ")
    assert "căn cứ" in info.value.messages[0]
    client.force_login(member)
    review = reverse("scanning:review", args=[form.conference_id, form.pk, extra.pk])
    # the operator knows where the jam was: the committee opens that ballot by its number
    opener = reverse("scanning:open", args=[form.conference_id, form.pk])
    assert client.get(opener, {"so": "7"})["Location"] == review
    for wrong in ("8", "bảy", ""):
        response = client.get(opener, {"so": wrong}, follow=True)
        assert "Không có phiếu số" in response.content.decode()
    assert "Không tính lần quét này" in client.get(review).content.decode()
    response = client.post(
        reverse("scanning:withdraw", args=[form.conference_id, form.pk, extra.pk]),
        {"reason": "Cùng tờ với phiếu số 3, đưa lại sau khi kẹt giấy"},
    )
    assert response.status_code == 302
    extra.refresh_from_db()
    assert extra.withdrawn and scan.scan_problems(form) == []
    # the log holds the committee's grounds, as the minutes print them
    logged = Event.objects.get(action="scan.withdrawn").data
    assert logged["reason"] == "Cùng tờ với phiếu số 3, đưa lại sau khi kẹt giấy" and logged["position"] == 7
    page = client.get(review).content.decode()
    assert "Lần quét này đã bị loại" in page and "Không tính lần quét này" not in page and 'name="keys"' not in page
    scan_page = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert "cùng một tờ phiếu được quét lại lần nữa" in scan_page
    with pytest.raises(ValidationError) as info:
        scan.review_ballot(member, extra, keys=truths[2], reason="Đọc lại")
    assert info.value.messages == ["Lần quét này đã bị loại: không được tính."]
    # the same page sent twice (a second click): withdrawn once, one ruling, no error shown
    again = client.post(
        reverse("scanning:withdraw", args=[form.conference_id, form.pk, extra.pk]), {"reason": "Lần nữa"}, follow=True
    )
    assert "Lần quét này đã bị loại: không được tính." not in again.content.decode()
    assert "Không tính phiếu số 7: cùng một tờ phiếu đã được tính hai lần." in again.content.decode()
    # the same file fed once more is a duplicate, not a new ballot
    assert [i["reason"] for i in scan.scan_file(member, form, name="lai-2.jpg", data=refed).ignored] == ["duplicate"]
    assert all(scan.spot_check(form).position != 7 for _ in range(30))
    assert form.rulings.get(position=7).subject == (
        "Phiếu số 7 là một tờ phiếu đã được tính hai lần (Cùng tờ với phiếu số 3, đưa lại sau khi kẹt giấy)."
    )
    stored = counting.finalise_form(member, form)
    rules = form.conference.rules
    expected = tally_ballots(
        rules, [p.full_name for p in scan_vote["people"]], [counting.to_ballot(rules, k, "") for k in truths], issued=10
    )
    assert [p["counts"] for p in stored.data["people"]] == [
        {**dict(p.counts), "invalid": p.row_invalid} for p in expected.people
    ]


def test_a_file_whose_storing_fails_leaves_no_image_behind(scan_vote, make_scan):
    """Stored in one transaction: if anything fails after its pages were written (here the log),
    nothing of it is counted and the image files it wrote are removed, not left unreferenced."""
    from unittest import mock

    from tinnhiem.scanning.models import stray_image_files

    form, member = scan_vote["form"], scan_vote["member"]
    storage = ScannedPage._meta.get_field("image").storage
    folder = f"scans/{form.pk}"
    before = set(storage.listdir(folder)[1]) if storage.exists(folder) else set()
    data = [make_scan(8100 + n, style="cross")[0] for n in range(2)]
    with mock.patch("tinnhiem.scanning.usecases.record", side_effect=RuntimeError("x")), pytest.raises(RuntimeError):
        scan.scan_files(member, form, [("a.png", data[0]), ("b.png", data[1])])
    assert not form.scanned_pages.exists() and not form.scanned_ballots.exists()
    after = set(storage.listdir(folder)[1]) if storage.exists(folder) else set()
    assert after - before == set() and stray_image_files(form.pk) == sorted(f"{folder}/{n}" for n in before)
    # the same files then count as they should
    assert [r.ballots for r in scan.scan_files(member, form, [("a.png", data[0]), ("b.png", data[1])])] == [1, 1]
    assert all(storage.exists(p.image.name) for p in form.scanned_pages.all())


@pytest.mark.parametrize("where", ["database", "image file"])
def test_the_disk_filling_in_the_middle_of_a_batch_keeps_the_files_before_and_stops(scan_vote, make_scan, where):
    """The disk fills once the first file is stored: the second is rolled back whole (its image
    file removed), the third is not tried, each says so; the first stays counted. With room again,
    the same two files are counted, not taken for pages scanned twice."""
    from pathlib import Path
    from unittest import mock

    from django.core.files.storage import FileSystemStorage

    from tests.disk_full import full_database, no_space

    form, member = scan_vote["form"], scan_vote["member"]
    storage = ScannedPage._meta.get_field("image").storage
    folder = f"scans/{form.pk}"
    files = [(f"{n}.png", make_scan(8200 + n, style="cross")[0]) for n in range(1, 4)]
    before = set(storage.listdir(folder)[1]) if storage.exists(folder) else set()
    saves, save = [], FileSystemStorage._save

    def save_until_full(self, name, content):
        saves.append(name)
        if len(saves) > 1:  # the disk fills while the image is written: a part of it is on the disk
            Path(self.path(name)).write_bytes(content.read()[:1000])
            raise no_space()
        return save(self, name, content)

    if where == "database":  # every write refused once the first file's event is in the log (its chain's head last)
        full = full_database(after=ChainHead._meta.db_table)
    else:
        full = mock.patch.object(FileSystemStorage, "_save", save_until_full)
    with full, translation.override("vi"):
        results = scan.scan_files(member, form, files)
    first, second, third = results
    assert first.ballots == 1
    assert isinstance(second, scan.DiskFullError) and second.messages == [
        "“2.png” chưa được ghi: ổ đĩa của máy chủ đã đầy. Không có gì của tệp này được giữ lại, còn các tệp "
        "trước nó đã được tính. Hãy giải phóng dung lượng trên máy chủ, rồi gửi lại tệp này và các tệp sau nó."
    ]
    assert isinstance(third, scan.DiskFullError)
    assert third.messages == ["“3.png” cũng chưa được đọc: ổ đĩa của máy chủ đã đầy."]
    assert form.scanned_pages.count() == 1 and form.scanned_ballots.count() == 1
    kept = {form.scanned_pages.get().image.name.rsplit("/", 1)[1]}
    assert set(storage.listdir(folder)[1]) - before == kept  # the second file's image removed
    assert Event.objects.filter(action="scan.file").count() == 1
    results = scan.scan_files(member, form, files[1:])
    assert [r.ballots for r in results] == [1, 1]
    assert not form.scanned_pages.exclude(status=ScannedPage.Status.BALLOT).exists()
    assert len(set(storage.listdir(folder)[1]) - before) == 3


def test_the_scan_page_stops_its_script_where_the_disk_filled_and_warns_when_space_is_low(
    client, scan_vote, make_scan, monkeypatch
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.disk_full import full_database
    from tinnhiem import disk

    form, member = scan_vote["form"], scan_vote["member"]
    client.force_login(member)
    url = reverse("scanning:scan", args=[form.conference_id, form.pk])
    monkeypatch.setattr(disk, "free_bytes", lambda: 100 * 10**9)
    assert 'id="low-disk"' not in client.get(url).content.decode()
    monkeypatch.setattr(disk, "free_bytes", lambda: 1_500 * 10**6)
    page = client.get(url).content.decode()
    assert 'id="low-disk"' in page and "Ổ đĩa chứa dữ liệu của tinnhiem chỉ còn 1500 MB trống" in page
    files = [SimpleUploadedFile(f"{n}.png", make_scan(8300 + n, style="cross")[0]) for n in range(1, 4)]
    with full_database(after=ChainHead._meta.db_table):
        response = client.post(url, {"files": files}, headers={"X-Requested-With": "upload"})
    assert response.status_code == 507
    answer = response.json()
    assert answer["done"] == 1 and answer["error"].startswith("ổ đĩa của máy chủ đã đầy, không ghi thêm được gì.")
    assert form.scanned_ballots.count() == 1
    page = client.get(url).content.decode()  # what the page says once reloaded
    assert "“2.png” chưa được ghi: ổ đĩa của máy chủ đã đầy." in page and "“3.png” cũng chưa được đọc" in page


def test_a_page_set_aside_as_incomplete_may_come_again_even_after_a_duplicate_of_it(long_vote, make_long_scan):
    """Only a counted page, or a scan withdrawn as a sheet counted twice, makes the same image a
    duplicate: a page fed twice while it waited, then set aside as incomplete, may come again."""
    form, member = long_vote["form"], long_vote["member"]
    b = [make_long_scan(7800 + n, page=n, style="cross")[0] for n in (1, 2)]
    c = [make_long_scan(7810 + n, page=n, style="cross")[0] for n in (1, 2)]
    assert scan.scan_file(member, form, name="b1.png", data=b[0]).waiting == 1
    assert [i["reason"] for i in scan.scan_file(member, form, name="b1-lai.png", data=b[0]).ignored] == ["duplicate"]
    report = scan.scan_files(member, form, [("c1.png", c[0]), ("c2.png", c[1])])
    assert [i["reason"] for i in report[0].ignored] == ["incomplete"] and report[1].ballots == 1
    again = scan.scan_files(member, form, [("b1.png", b[0]), ("b2.png", b[1])])
    assert [(r.ballots, r.ignored) for r in again] == [(0, []), (1, [])]


def test_a_ballot_of_90_persons_read_on_paper_is_stored_whole(office, make_user, conference):
    """Keys of more than 64 persons (a varchar(64) before, which PostgreSQL refused)."""
    from tests.scanning.conftest import _scan_vote

    vote = _scan_vote(office, make_user, conference, tag="n", more_people=88)
    keys = "123" * 30
    ballot = scan.add_ballot_by_hand(vote["member"], vote["form"], keys=keys, reason="Phiếu bị ướt")
    ballot.refresh_from_db()
    assert ballot.keys == keys


def _tiff(*images) -> bytes:
    ok, data = cv2.imencodemulti(".tiff", list(images))
    assert ok
    return data.tobytes()


def _ballot(make_long_scan, seed):
    """A two-page ballot: its pages (file, truth, image) and its keys in page order."""
    pages = [make_long_scan(seed * 10 + n, page=n, style="cross") for n in (1, 2)]
    return pages, "".join(pages[0][1].keys + pages[1][1].keys)


def test_a_sheet_printed_on_both_sides_is_counted_and_shown_as_it_was_read(client, long_vote, make_long_scan):
    """A two-page ballot printed on both sides of one thin sheet: each side shows the other through
    it, a little off its place. Lit away, the ballot is counted unflagged; a page keeps which page
    showed through it and how; the committee's image is the page as it was read, lighter where the
    other side's print fell and nowhere else; the stack's statistics count it."""
    form, member = long_vote["form"], long_vote["member"]
    (_f1, truth1, first), (_f2, truth2, second) = (
        make_long_scan(9830 + n, page=n, style="cross", degraded=False) for n in (1, 2)
    )
    rng = random.Random(9830)
    front, back = first.copy(), second.copy()
    synthetic.show_through(front, second, 0.3, dpi=150, shift=(1.2, -0.8), angle=0.2, blur=0.15)
    synthetic.show_through(back, first, 0.3, dpi=150, shift=(-1.2, -0.8), angle=-0.2, blur=0.15)
    scan.scan_file(
        member, form, name="hai-mat.tiff", data=_tiff(synthetic.degrade(front, rng), synthetic.degrade(back, rng))
    )
    ballot = form.scanned_ballots.get()
    assert ballot.keys == "".join(truth1.keys + truth2.keys) and not ballot.needs_review
    pages = [ScannedPage.objects.get(pk=pk) for pk in ballot.pages]
    lit = [page for page in pages if page.reading["through"]]
    assert lit and all(page.reading["through"]["page"] == 3 - page.page_number for page in lit)
    assert all(page.reading["through"]["flip"] == "long" for page in lit)
    page = lit[0]
    stored = scan.stored_image(page)
    plain = recognize.rectify(stored, recognize.find_markers(stored)).astype(int)
    shown = scan.page_as_read(form, page).astype(int)
    other = recognize.blank_darkness(synthetic.render_blank(long_vote["pdf"], 2 - page.page_number, 150))
    fell = recognize._shown(other, recognize.ShowThrough(**page.reading["through"]))
    assert (shown - plain)[fell > 0.5].mean() > 10  # lighter where the other side's print fell
    assert np.array_equal(shown[fell == 0], plain[fell == 0])  # and nowhere else
    assert review_statistics(form).shown_through == len(lit)
    client.force_login(member)
    page_html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert f"Số trang đã được bù phần chữ in mặt sau hằn qua giấy trước khi đọc: {len(lit)}." in page_html


def test_a_stack_fed_last_page_first_is_read_so_when_the_committee_says_so(long_vote, make_long_scan):
    """Read first page first, a stack fed last page first would join each voter's page 1 to the
    next voter's page 2: a batch that begins with the last page then the one before is refused
    whole, with what to do; ticked "last page first", the same files are counted."""
    form, member = long_vote["form"], long_vote["member"]
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 41), _ballot(make_long_scan, 42)
    stack = _tiff(a[1][2], a[0][2], b[1][2], b[0][2])
    with pytest.raises(ValidationError) as info:
        scan.scan_file(member, form, name="xap.tiff", data=stack)
    message = info.value.messages[0]
    assert "trang 2, rồi đến trang 1" in message and "Xấp phiếu quét từ trang cuối" in message
    assert "Chưa tính trang nào" in message
    assert not form.scanned_pages.exists() and not form.scanned_ballots.exists()  # nothing stored
    report = scan.scan_file(member, form, name="xap.tiff", data=stack, last_page_first=True)
    assert (report.pages, report.ballots, report.waiting, report.ignored) == (4, 2, 0, [])
    logged = Event.objects.filter(action="scan.file").get()  # the refused batch stored nothing
    assert logged.data["last_page_first"] is True and logged.data["ballots"] == 2
    assert_read_as(form.scanned_ballots.order_by("position"), [a_keys, b_keys])
    first = form.scanned_ballots.get(position=1)
    assert [ScannedPage.objects.get(pk=p).page_number for p in first.pages] == [1, 2]  # in page order
    # the other way round: a stack first page first while the committee said last page first
    c, c_keys = _ballot(make_long_scan, 43)
    with pytest.raises(ValidationError) as info:
        scan.scan_file(member, form, name="c.tiff", data=_tiff(c[0][2], c[1][2]), last_page_first=True)
    assert "trang 1, rồi đến trang 2" in info.value.messages[0] and "bỏ chọn" in info.value.messages[0]
    assert form.scanned_pages.count() == 4
    assert scan.scan_file(member, form, name="c.tiff", data=_tiff(c[0][2], c[1][2])).ballots == 1
    assert form.scanned_ballots.get(position=3).keys == c_keys


def test_a_ballot_split_across_files_last_page_first_waits_in_that_order(long_vote, make_long_scan):
    """One file per page (scanners that write so), last page first: the first file's page 2
    waits, the next file's page 1 completes it; the order of a waiting ballot is not checked again."""
    form, member = long_vote["form"], long_vote["member"]
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 51), _ballot(make_long_scan, 52)
    files = [("0001.png", a[1][0]), ("0002.png", a[0][0]), ("0003.png", b[1][0]), ("0004.png", b[0][0])]
    one = scan.scan_files(member, form, files[:1], last_page_first=True)[0]
    assert (one.ballots, one.waiting) == (0, 1)
    rest = scan.scan_files(member, form, files[1:], last_page_first=True)
    assert [(r.ballots, r.waiting, r.ignored) for r in rest] == [(1, 0, []), (0, 1, []), (1, 0, [])]
    assert_read_as(form.scanned_ballots.order_by("position"), [a_keys, b_keys])


def test_a_stack_fed_one_file_at_a_time_in_the_other_order_is_stopped_at_its_second_page(long_vote, make_long_scan):
    """One page per call (photos sent one by one, or the command run for each file): the first
    page, page 2, cannot begin a ballot and is set aside; the next, page 1, would then wait and be
    joined to the *next* voter's page 2, a ballot no one cast. The page set aside and the page after
    it show the order, as the first two pages of a batch do: the second call is refused, nothing of
    it stored. Ticked "last page first", the committee scans again from that ballot's page 2."""
    form, member = long_vote["form"], long_vote["member"]
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 71), _ballot(make_long_scan, 72)
    first = scan.scan_file(member, form, name="1.png", data=a[1][0])
    assert (first.ballots, first.waiting, [i["reason"] for i in first.ignored]) == (0, 0, ["incomplete"])
    with pytest.raises(ValidationError) as info:
        scan.scan_file(member, form, name="2.png", data=a[0][0])
    message = info.value.messages[0]
    assert "Trang quét ngay trước các tệp này đã được để riêng, là trang 2" in message
    assert (
        "trang phiếu đầu tiên của các tệp này là trang 1" in message
        and "chọn “Xấp phiếu quét từ trang cuối”" in message
    )
    assert form.scanned_pages.count() == 1 and not form.scanned_ballots.exists()
    # ticked: that ballot again from its page 2, then the next one, each page its own call
    for name, data in (("3.png", a[1][0]), ("4.png", a[0][0]), ("5.png", b[1][0]), ("6.png", b[0][0])):
        scan.scan_file(member, form, name=name, data=data, last_page_first=True)
    assert [x.keys for x in form.scanned_ballots.order_by("position")] == [a_keys, b_keys]
    assert scan.scan_problems(form) == ["2 phiếu đã quét, 6 phiếu thu về: hai số phải bằng nhau."]


def test_a_ballot_that_lacked_its_page_1_is_asked_about_once_then_scanned_again_whole(long_vote, make_long_scan):
    """The same two pages in the right order: a ballot lost its page 1, its page 2 was set aside,
    and the next ballot's page 1 comes in the next call. That is asked about (it looks the same as
    the other order); the committee finds the lost page and scans that ballot again, one page per
    call: it is counted, it is not asked about a second time, and the stack goes on."""
    form, member = long_vote["form"], long_vote["member"]
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 81), _ballot(make_long_scan, 82)
    scan.scan_file(member, form, name="1.png", data=a[1][0])  # set aside: its page 1 is missing
    with pytest.raises(ValidationError):
        scan.scan_file(member, form, name="2.png", data=b[0][0])
    for name, data in (("3.png", a[0][0]), ("4.png", a[1][0]), ("5.png", b[0][0]), ("6.png", b[1][0])):
        scan.scan_file(member, form, name=name, data=data)
    assert [x.keys for x in form.scanned_ballots.order_by("position")] == [a_keys, b_keys]
    # the other way round: said last page first, the stack begins 1 then 2 (one page per call)
    c, c_keys = _ballot(make_long_scan, 83)
    assert scan.scan_file(member, form, name="7.png", data=c[0][0], last_page_first=True).ignored
    with pytest.raises(ValidationError) as info:
        scan.scan_file(member, form, name="8.png", data=c[1][0], last_page_first=True)
    assert "là trang 1, còn trang phiếu đầu tiên của các tệp này là trang 2" in info.value.messages[0]
    assert "bỏ chọn" in info.value.messages[0] and form.scanned_ballots.count() == 2
    assert scan.scan_file(member, form, name="c.tiff", data=_tiff(c[0][2], c[1][2])).ballots == 1
    assert form.scanned_ballots.get(position=3).keys == c_keys


def test_a_batch_in_the_other_order_is_stopped_even_after_a_page_set_aside(long_vote, make_long_scan):
    """A ballot lost its page 1, so its page 2 was set aside. The next batch, fed first page first,
    is said to be last page first: its own first two pages (1, 2) show the other order, whatever the
    page set aside says. Found by the state machine: the check looked at the page set aside and the
    batch's first page only (2 then 1, as in a stack fed last page first), and the batch was read
    last page first, joining one voter's page 2 to the next voter's page 1."""
    form, member = long_vote["form"], long_vote["member"]
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 91), _ballot(make_long_scan, 92)
    scan.scan_file(member, form, name="1.png", data=a[1][0])  # set aside: its page 1 is missing
    batch = [("2.png", a[0][0]), ("3.png", a[1][0]), ("4.png", b[0][0]), ("5.png", b[1][0])]
    results = scan.scan_files(member, form, batch, last_page_first=True)
    assert all(isinstance(r, scan.StackOrderError) for r in results)
    assert "trang 1, rồi đến trang 2" in results[0].messages[0] and "bỏ chọn" in results[0].messages[0]
    assert not form.scanned_ballots.exists()
    # the audit log says who sent what, and why it was refused
    member_pk = CommitteeMember.objects.get(user=member).pk
    refused = {"member": member_pk, "refused_for": "order", "files": 4, "last_page_first": True}
    assert _refusal() == refused
    # unticked, the page set aside and the batch's first page (2, then 1) are asked about, once
    again = scan.scan_files(member, form, batch)
    assert "để riêng, là trang 2" in again[0].messages[0] and not form.scanned_ballots.exists()
    aside = form.scanned_pages.get()
    assert _refusal() == {**refused, "last_page_first": False, "page_set_aside": aside.sequence}
    assert aside.reading["order_known"] is True
    events = Event.objects.count()
    scan.scan_files(member, form, batch)
    assert [x.keys for x in form.scanned_ballots.order_by("position")] == [a_keys, b_keys]
    assert not Event.objects.filter(action="scan.refused", seq__gt=events).exists()
    with translation.override("vi"):
        described = describe(Event.objects.filter(action="scan.refused").latest("seq"))
    assert described.action == "Từ chối tệp quét khi kiểm tra xấp phiếu (không tính trang nào của các tệp đó)"
    assert (
        "lý do từ chối",
        "các trang theo thứ tự ngược với thứ tự Ban kiểm phiếu cho biết đã đưa xấp phiếu vào máy",
    ) in [(d.label, d.value) for d in described.details]


def test_a_ballot_waiting_keeps_the_order_it_began_in(long_vote, make_long_scan):
    """A ballot begun last page first waits for its page 1; the next batch is sent without the box
    ticked. Read so, its first page 1 would complete the waiting ballot with another voter's page
    (found by the state machine: the committee had turned the next sheets face up and said so).
    The batch is refused whole; the committee reads the waiting ballot on paper, then the batch."""
    form, member = long_vote["form"], long_vote["member"]
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 93), _ballot(make_long_scan, 94)
    assert scan.scan_file(member, form, name="1.png", data=a[1][0], last_page_first=True).waiting == 1
    assert scan.stack_order(form) is True  # the scan page ticks the box so
    batch = [("2.png", b[0][0]), ("3.png", b[1][0])]
    results = scan.scan_files(member, form, batch)
    assert all(isinstance(r, scan.StackOrderError) for r in results)
    message = results[0].messages[0]
    assert message.startswith("Một phiếu bắt đầu quét từ trang cuối đang chờ các trang còn lại")
    assert form.scanned_pages.count() == 1 and not form.scanned_ballots.exists()
    # read on paper: its page 2 is set aside, having begun a ballot, so it asks nothing of b
    assert ScanFeed.objects.filter(form=form).exists()
    scan.add_ballot_by_hand(member, form, keys=a_keys, reason="Trang 1 bị rách", instead_of_waiting=True)
    assert not ScanFeed.objects.exists()  # nothing waits: nothing kept of whose scanner it was
    assert [r.ballots for r in scan.scan_files(member, form, batch)] == [0, 1]
    assert [x.keys for x in form.scanned_ballots.order_by("position")] == [a_keys, b_keys]
    # the other way: a ballot begun first page first waits, and the box is ticked
    c, _c_keys = _ballot(make_long_scan, 95)
    assert scan.stack_order(form) is False  # b was read first page first
    assert scan.scan_file(member, form, name="4.png", data=c[0][0]).waiting == 1
    with pytest.raises(ValidationError, match="Một phiếu bắt đầu quét từ trang đầu"):
        scan.scan_file(member, form, name="5.png", data=c[1][0], last_page_first=True)
    assert scan.scan_file(member, form, name="5.png", data=c[1][0]).ballots == 1


def test_pages_fed_again_at_the_start_of_a_batch_do_not_show_its_order(long_vote, make_long_scan):
    """After a jam the committee feeds again from a little before where the scanner stopped: the
    batch begins with a page already counted. The order is seen from the batch's first pages not
    counted yet; the page fed again is listed as scanned twice, and the batch is counted. A page
    fed twice at the start of a batch is one page: a batch in the other order is still stopped."""
    form, member = long_vote["form"], long_vote["member"]
    (a, a_keys), (b, b_keys), (c, _c_keys) = (_ballot(make_long_scan, seed) for seed in (61, 62, 63))
    assert scan.scan_file(member, form, name="1.tiff", data=_tiff(a[0][2], a[1][2])).ballots == 1
    report = scan.scan_file(member, form, name="2.tiff", data=_tiff(a[1][2], b[0][2], b[1][2]))
    assert (report.ballots, [page["reason"] for page in report.ignored]) == (1, ["duplicate"])
    assert _keys(form) == [a_keys, b_keys]
    with pytest.raises(ValidationError) as info:  # page 2, page 2 again, page 1: last page first
        scan.scan_file(member, form, name="3.tiff", data=_tiff(c[1][2], c[1][2], c[0][2]))
    assert "trang 2, rồi đến trang 1" in info.value.messages[0]
    assert form.scanned_pages.count() == 5 and _keys(form) == [a_keys, b_keys]


def test_the_order_asked_about_a_page_set_aside_is_asked_again_only_of_the_same_request(long_vote, make_long_scan):
    """A page set aside, then the next call's first page, are asked about once (the committee
    answers by scanning again). The same request sent again by the page, its answer lost, gets
    the same answer; a new request is not asked again."""
    form, member = long_vote["form"], long_vote["member"]
    (a, _a_keys), (b, b_keys) = _ballot(make_long_scan, 64), _ballot(make_long_scan, 65)
    scan.scan_files(member, form, [("1.png", a[1][0])], submission="a" * 32)  # set aside
    first = scan.scan_files(member, form, [("2.png", b[0][0])], submission="b" * 32)
    assert isinstance(first[0], scan.StackOrderError)
    assert "Trang quét ngay trước các tệp này đã được để riêng, là trang 2" in first[0].messages[0]
    again = scan.scan_files(member, form, [("2.png", b[0][0])], submission="b" * 32)
    assert isinstance(again[0], scan.StackOrderError) and again[0].messages == first[0].messages
    # the committee found page 1 of that ballot missing, and goes on: asked once, not again
    later = scan.scan_files(member, form, [("2.png", b[0][0]), ("3.png", b[1][0])], submission="c" * 32)
    assert [r.ballots for r in later] == [0, 1] and _keys(form) == [b_keys]


def _keys(form):
    return [b.keys for b in scan.counted_ballots(form).order_by("position")]


def test_two_stacks_scanned_at_once_never_join_two_voters_pages(long_vote, make_long_scan, monkeypatch):
    """Two committee members scan two stacks of a two-page form at the same time. The pages of a
    ballot are matched by their order in the stack, so a page 1 waiting from one scanner followed by
    a page 2 from the other would be a ballot no one cast. While a ballot waits, the other member's
    files are refused (before anything is read, and again under the form's lock for each file of a
    batch already under way), with the name of the member whose ballot waits; nothing is stored."""
    form = long_vote["form"]
    first, second = long_vote["members"][:2]
    (a, a_keys), (b, b_keys), (c, c_keys), (d, d_keys), (e, e_keys) = (
        _ballot(make_long_scan, seed) for seed in (110, 111, 112, 113, 114)
    )
    assert scan.scan_file(first, form, name="a1.png", data=a[0][0]).waiting == 1
    pages_before = form.scanned_pages.count()
    results = scan.scan_files(second, form, [("b1.png", b[0][0]), ("b2.png", b[1][0])])
    assert isinstance(results[0], scan.OtherStackError) and results[0].code == "other_stack"
    message = results[0].messages[0]
    name = CommitteeMember.objects.get(user=first).voter.full_name
    assert name in message and "--take-over" in message and "chưa được tính" in message
    assert isinstance(results[1], scan.StackOrderError) and results[1].code == "with_batch"
    assert form.scanned_pages.count() == pages_before and not form.scanned_ballots.exists()
    first_pk, second_pk = (CommitteeMember.objects.get(user=user).pk for user in (first, second))
    assert _refusal() == {"member": second_pk, "refused_for": "other_stack", "files": 2, "other_member": first_pk}
    assert scan.other_feeder(form, CommitteeMember.objects.get(user=second)).voter.full_name == name
    assert scan.other_feeder(form, CommitteeMember.objects.get(user=first)) is None
    # the first member completes the ballot: nothing waits, and nothing is kept of who scanned it
    assert scan.scan_file(first, form, name="a2.png", data=a[1][0]).ballots == 1
    assert not ScanFeed.objects.exists()
    assert [r.ballots for r in scan.scan_files(second, form, [("b1.png", b[0][0]), ("b2.png", b[1][0])])] == [0, 1]

    # a batch under way: between its first and second file, the other member's scanner leaves a
    # ballot waiting; the rest of the batch is refused under the lock, file by file
    record_file = scan._record_file
    calls = []

    def meanwhile(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:  # the first member's second file: the second member scans e's page 1
            assert record_file(second, form, "e1", _reads(form, [e[0][2]]), scan.printings(form)).waiting == 1
        return record_file(*args, **kwargs)

    monkeypatch.setattr(scan, "_record_file", meanwhile)
    results = scan.scan_files(
        first, form, [("c.tiff", _tiff(c[0][2], c[1][2])), ("d1.png", d[0][0]), ("d2.png", d[1][0])]
    )
    monkeypatch.undo()
    assert results[0].ballots == 1
    assert isinstance(results[1], scan.OtherStackError) and results[2].code == "with_batch"
    assert not form.scanned_pages.filter(sha256__in=[hashlib.sha256(d[0][0]).hexdigest()]).exists()
    assert _refusal() == {"member": first_pk, "refused_for": "other_stack", "files": 2, "other_member": second_pk}
    assert scan.scan_file(second, form, name="e2.png", data=e[1][0]).ballots == 1
    assert [r.ballots for r in scan.scan_files(first, form, [("d1.png", d[0][0]), ("d2.png", d[1][0])])] == [0, 1]
    assert _keys(form) == [a_keys, b_keys, c_keys, e_keys, d_keys]
    assert not form.scanned_pages.filter(status__in=("not_ballot", "pending")).exists()


def _refusal() -> dict:
    """The last refusal in the audit log, without its form and the fields it leaves empty."""
    event = Event.objects.filter(action="scan.refused").latest("seq")
    return {k: v for k, v in event.data.items() if v is not None and k != "form"}


def _reads(form, images):
    """The pages of these images as scan_files reads them (for a scan slipped in between files)."""
    reads = scan._read_files(
        form,
        scan.printings(form),
        [(f"{i}.png", cv2.imencode(".png", im)[1].tobytes()) for i, im in enumerate(images)],
        None,
    )
    return [page for file in reads for page in file]


def test_a_stack_handed_over_to_another_member_goes_on_when_they_say_so(
    client, long_vote, make_long_scan, tmp_path, capsys
):
    """The scanning of one stack is handed over with a ballot half scanned: the second member says
    that their files continue the first member's stack (a box on the scan page, --take-over on the
    command line) and the waiting ballot is completed; the audit log says who took over from whom."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    form = long_vote["form"]
    first, second = long_vote["members"][:2]
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 120), _ballot(make_long_scan, 121)
    assert scan.scan_file(first, form, name="a1.png", data=a[0][0]).waiting == 1
    url = reverse("scanning:scan", args=[form.conference_id, form.pk])
    name = CommitteeMember.objects.get(user=first).voter.full_name
    client.force_login(first)
    assert 'name="take_over"' not in client.get(url).content.decode()  # the stack is theirs
    client.force_login(second)
    page = client.get(url).content.decode()
    assert 'id="other-stack"' in page and 'name="take_over" value="1"' in page and name in page

    def upload(data, **extra):
        files = [SimpleUploadedFile("a2.png", data)]
        return client.post(url, {"files": files, **extra}, headers={"X-Requested-With": "upload"}).json()

    assert upload(a[1][0]) == {"results": [], "stop": True}
    assert not form.scanned_ballots.exists()
    answer = upload(a[1][0], take_over="1")
    assert [r["ballots"] for r in answer["results"]] == [1] and _keys(form) == [a_keys]
    event = Event.objects.filter(action="scan.file").order_by("-pk").first()
    took = CommitteeMember.objects.get(user=first).pk
    assert event.data["took_over_from"] == took and event.data["member"] == CommitteeMember.objects.get(user=second).pk

    # the command line: the second member leaves b half scanned, the first takes it back
    assert scan.scan_file(second, form, name="b1.png", data=b[0][0]).waiting == 1
    (tmp_path / "b2.png").write_bytes(b[1][0])
    command = ["scan", str(form.conference_id), str(tmp_path / "b2.png"), "--user", first.username, "--format", "json"]
    with pytest.raises(CommandError, match="1 tệp không đọc được"):  # exit status 1
        call_command(*command)
    output = json.loads(capsys.readouterr().out)
    assert output["files"][0]["status"] == "refused" and "--take-over" in output["files"][0]["message"]
    call_command(*command, "--take-over")
    output = json.loads(capsys.readouterr().out)
    assert output["files"][0]["status"] == "read" and output["scanned"] == 2
    assert _keys(form) == [a_keys, b_keys] and not ScanFeed.objects.exists()


def test_the_scan_page_asks_the_order_of_a_multi_page_stack_and_stops_sending_on_the_other_order(
    client, long_vote, make_long_scan
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form, member = long_vote["form"], long_vote["member"]
    client.force_login(member)
    url = reverse("scanning:scan", args=[form.conference_id, form.pk])
    assert 'name="last_page_first"' in client.get(url).content.decode()
    (a, a_keys), (b, b_keys) = _ballot(make_long_scan, 61), _ballot(make_long_scan, 62)

    def upload(**extra):
        files = [SimpleUploadedFile(f"{n}.png", data) for n, data in enumerate((a[1][0], a[0][0], b[1][0], b[0][0]))]
        return client.post(url, {"files": files, **extra}, headers={"X-Requested-With": "upload"}).json()

    assert upload() == {"results": [], "stop": True}  # the script sends no more files
    assert not form.scanned_pages.exists()
    page = client.get(url).content.decode()
    assert "trang 2, rồi đến trang 1" in page and "3 tệp khác gửi cùng các tệp đó cũng chưa được tính" in page
    assert "Cũng chưa được tính" not in page  # said once for the batch, not once per file
    assert 'name="last_page_first" value="1">' in page  # not ticked: nothing read last page first yet
    answer = upload(last_page_first="1")
    assert answer["stop"] is False and [r["ballots"] for r in answer["results"]] == [0, 1, 0, 1]
    assert_read_as(form.scanned_ballots.order_by("position"), [a_keys, b_keys])
    # the next batch of the same stack: the box comes ticked, as the stack was read
    assert 'name="last_page_first" value="1" checked>' in client.get(url).content.decode()


def test_a_one_page_ballot_has_no_order_to_ask(client, scan_vote):
    client.force_login(scan_vote["member"])
    page = client.get(reverse("scanning:scan", args=[scan_vote["form"].conference_id, scan_vote["form"].pk]))
    assert page.status_code == 200 and 'name="last_page_first"' not in page.content.decode()


def test_the_command_line_stops_at_a_stack_in_the_other_order(long_vote, make_long_scan, tmp_path, capsys):
    import json

    from django.core.management import call_command

    form, member = long_vote["form"], long_vote["member"]
    folder = tmp_path / "xap"
    folder.mkdir()
    keys = []
    for voter in range(5):  # ten files, one page each, last page first: more than one batch of 8
        pages, ballot_keys = _ballot(make_long_scan, 70 + voter)
        keys.append(ballot_keys)
        (folder / f"{2 * voter + 1:04d}.png").write_bytes(pages[1][0])
        (folder / f"{2 * voter + 2:04d}.png").write_bytes(pages[0][0])
    command = ["scan", str(form.conference_id), str(folder), "--user", member.username, "--format", "json"]
    with pytest.raises(CommandError, match="10 tệp không đọc được"):
        call_command(*command)
    output = json.loads(capsys.readouterr().out)
    assert [f["status"] for f in output["files"]] == ["refused"] * 8 + ["not_read"] * 2
    assert "trang cuối" in output["files"][0]["message"]
    assert all(f["message"].startswith("Cũng chưa được tính") for f in output["files"][1:8])
    assert output["scanned"] == 0 and not form.scanned_pages.exists()
    call_command(*command, "--last-page-first")
    output = json.loads(capsys.readouterr().out)
    assert [f["status"] for f in output["files"]] == ["read"] * 10 and output["scanned"] == 5
    assert_read_as(form.scanned_ballots.order_by("position"), keys)


def test_files_are_read_in_the_order_the_scanner_numbered_them(client, long_vote, make_long_scan, tmp_path, capsys):
    """Two-page ballots, one file per page, named as many scanners do ("Scan 1" … "Scan 10", not
    padded): read in that order by the command (a folder) and by the page, whatever the order the
    browser sends them in — in name order, "Scan 10" would come before "Scan 2"."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    form, member = long_vote["form"], long_vote["member"]
    folder = tmp_path / "may-quet"
    folder.mkdir()
    files, keys = {}, []
    for voter in range(5):
        pages, ballot_keys = _ballot(make_long_scan, 90 + voter)
        keys.append(ballot_keys)
        for n in (1, 2):
            files[f"Scan {2 * voter + n}.png"] = pages[n - 1][0]
    for name, data in files.items():
        (folder / name).write_bytes(data)
    call_command("scan", str(form.conference_id), str(folder), "--user", member.username, "--format", "json")
    assert '"scanned": 5' in capsys.readouterr().out
    assert_read_as(form.scanned_ballots.order_by("position"), keys)
    assert not form.scanned_pages.exclude(status="ballot").exists()
    # the page: the same images again, new scans of each sheet, sent in a shuffled order
    form.scanned_ballots.all().delete()
    form.scanned_pages.all().delete()
    client.force_login(member)
    shuffled = ["Scan 10.png", "Scan 3.png", "Scan 1.png", "Scan 2.png", *[f"Scan {n}.png" for n in (9, 4, 5, 8, 6, 7)]]
    uploads = [SimpleUploadedFile(name, files[name]) for name in shuffled]
    client.post(reverse("scanning:scan", args=[form.conference_id, form.pk]), {"files": uploads})
    assert_read_as(form.scanned_ballots.order_by("position"), keys)


def test_an_odd_number_in_an_address_is_answered_not_a_server_error(scan_vote, office, make_user):
    """ "²" is a digit to Python and a number of 20 digits does not fit a database integer: both
    once made a server error where a page asks for a number."""
    from django.test import Client
    from django.urls import reverse

    from tinnhiem.text import small_int

    assert [small_int(t) for t in ("57", " 7 ", "²", "5²", "-3", "1e3", "", None, "9" * 10)] == [
        57,
        7,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    form = scan_vote["form"]
    client = Client()
    client.force_login(scan_vote["member"])
    url = reverse("scanning:open", args=[form.conference_id, form.pk])
    for number in ("²", "9" * 20):
        response = client.get(url, {"so": number}, follow=True)
        assert response.status_code == 200 and "Không có phiếu" in response.content.decode()
    auditor = Client()
    auditor.force_login(office)
    for number in ("²", "9" * 20):
        assert auditor.get(reverse("audit:events"), {"conference": number}).status_code == 200
    committee = reverse("conferences:committee", args=[form.conference_id])
    assert auditor.post(committee, {"remove": "9" * 20}).status_code == 404


def _review_page(client, url):
    """The review page's form as the browser would send it: its one-time id and what it showed."""
    page = client.get(url).content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(submission|seen)" value="([^"]*)"', page))
    assert set(fields) == {"submission", "seen"}, "the review form carries its one-time id and what it showed"
    return page, fields


def test_a_ruling_sent_twice_is_recorded_once(scan_vote, make_scan, client):
    """A second click on a slow Wi-Fi, or the page sent again: one ruling in the minutes, not two.
    The page brought back and changed is not taken for the same: the member sees what it recorded
    first, then records the other reading."""
    form, member = scan_vote["form"], scan_vote["member"]
    scan.scan_file(member, form, name="a.png", data=make_scan(4100, style="cross", smudged=True)[0])
    ballot = form.scanned_ballots.get()
    assert ballot.needs_review
    client.force_login(member)
    url = reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk])
    _page, fields = _review_page(client, url)
    post = {**fields, "keys": ballot.machine_keys.replace("?", "0"), "reason": "Vết bẩn, không phải dấu"}
    first, second = client.post(url, post), client.post(url, post)
    assert first.status_code == second.status_code == 302
    assert form.rulings.count() == 1
    assert Event.objects.filter(action="scan.reviewed").count() == 1
    assert Event.objects.get(action="scan.reviewed").data["reason"] == "Vết bẩn, không phải dấu"
    ballot.refresh_from_db()
    assert not ballot.needs_review and ballot.keys == post["keys"]
    # the page brought back (the browser's Back) and changed is no repeat to drop unseen: it is
    # refused with the ruling it made, which the page shows before another reading is taken
    changed = {**post, "keys": ballot.machine_keys.replace("?", "9")}
    refused = client.post(url, changed)
    assert refused.status_code == 200 and "Trong lúc trang này mở" in refused.content.decode()
    assert form.rulings.count() == 1
    ballot.refresh_from_db()
    assert ballot.keys == post["keys"]
    _page, fields = _review_page(client, url)
    assert client.post(url, {**changed, **fields}).status_code == 302
    ballot.refresh_from_db()
    assert ballot.keys == changed["keys"] and form.rulings.count() == 2


def test_a_member_whose_page_was_open_while_another_ruled_is_told_not_overwritten(scan_vote, make_scan, client):
    """Two members of the committee opened the same flagged ballot. The second to record a reading
    made it without seeing the first's: it is refused with the first ruling, which the page then
    shows, instead of replacing it unnoticed. After looking, the member can still record another."""
    form, (first, second) = scan_vote["form"], scan_vote["members"][:2]
    scan.scan_file(first, form, name="a.png", data=make_scan(4101, style="cross", smudged=True)[0])
    ballot = form.scanned_ballots.get()
    url = reverse("scanning:review", args=[form.conference_id, form.pk, ballot.pk])
    client.force_login(first)
    _page, first_fields = _review_page(client, url)
    client.force_login(second)
    _page, second_fields = _review_page(client, url)
    kept = ballot.machine_keys.replace("?", "0")
    other = ballot.machine_keys.replace("?", "9")
    client.force_login(first)
    assert client.post(url, {**first_fields, "keys": kept, "reason": "Vết bẩn"}).status_code == 302
    client.force_login(second)
    refused = client.post(url, {**second_fields, "keys": other, "reason": "Hai dấu"})
    text = refused.content.decode()
    first_name = CommitteeMember.objects.get(user=first, conference=form.conference).voter.full_name
    assert refused.status_code == 200 and "Trong lúc trang này mở" in text and first_name in text
    assert form.rulings.count() == 1
    ballot.refresh_from_db()
    assert ballot.keys == kept  # the first ruling stands
    shown = text[text.index('id="ket-luan"') :]
    assert "Vết bẩn" in shown.split("</div>")[0]  # the page now shows the ruling it did not show
    # having seen it, the member may still record the committee's other reading
    _page, fresh = _review_page(client, url)
    assert client.post(url, {**fresh, "keys": other, "reason": "Ban kiểm phiếu đọc lại: hai dấu"}).status_code == 302
    ballot.refresh_from_db()
    assert ballot.keys == other and form.rulings.count() == 2


def test_a_page_scanned_at_too_low_a_resolution_is_listed_to_scan_again_and_nothing_counted(
    client, scan_vote, make_scan
):
    """A scanner left at 100 dpi, or a photo a chat app made smaller: no page is read (at such a
    resolution rows were read wrong without a flag), and the committee reads why and what to do;
    the same sheet at 150 dpi is counted. So in a PDF, whose rendering would enlarge it."""
    from tests.scanning.conftest import _scan_maker

    form, member = scan_vote["form"], scan_vote["member"]
    small, _truth, _image = _scan_maker(scan_vote, dpi=100)(8900, style="cross")
    report = scan.scan_file(member, form, name="100dpi.png", data=small)
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["low_resolution"]
    assert form.scanned_ballots.count() == 0
    client.force_login(member)
    html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    assert "được quét ở độ phân giải quá thấp (dưới 125 dpi) để đọc chắc chắn: hãy đặt máy quét 200 dpi" in html
    # in a PDF, rendered larger, its markers would measure the rendering's resolution: the PDF
    # says what the picture's is (as a scanner writes grey without loss, not as JPEG)
    _small, _truth, image = _scan_maker(scan_vote, dpi=100)(8901, style="cross")
    report = scan.scan_file(member, form, name="100dpi.pdf", data=synthetic.scanner_pdf([image], 100, lossless=True))
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["low_resolution"]
    data, _truth, _image = make_scan(8900, style="cross")
    assert scan.scan_file(member, form, name="150dpi.png", data=data).ballots == 1
    counted = form.scanned_pages.get(status=ScannedPage.Status.BALLOT)
    assert 140 <= counted.reading["dpi"] <= 152  # kept with the reading, for the record
    _data, _truth, image = make_scan(8902, style="cross")
    pdf = synthetic.scanner_pdf([image], 150, lossless=True)
    assert scan.scan_file(member, form, name="150dpi.pdf", data=pdf).ballots == 1
    # a "compact" PDF: the page at full resolution over a coarser background; the finer counts
    _data, _truth, image = make_scan(8903, style="cross")
    report = scan.scan_file(member, form, name="compact.pdf", data=_layered_pdf(image, 150, coarse_dpi=75))
    assert report.ballots == 1 and report.ignored == []


def _layered_pdf(image, dpi: int, *, coarse_dpi: int) -> bytes:
    """A page of two pictures covering it, as a scanner's "compact" PDF makes it: a background at
    ``coarse_dpi`` (here white), and over it the page at ``dpi``."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    width, height = image.shape[1] * 72 / dpi, image.shape[0] * 72 / dpi
    page = document.new_page(width, height)
    background = np.full((round(image.shape[0] * coarse_dpi / dpi), round(image.shape[1] * coarse_dpi / dpi)), 255)
    for picture in (background.astype(np.uint8), image):
        placed = pdfium.PdfImage.new(document)
        placed.load_jpeg(io.BytesIO(cv2.imencode(".jpg", picture)[1].tobytes()), inline=True, autoclose=True)
        placed.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(placed)
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_stack_scanned_in_black_and_white_is_listed_to_scan_again_and_nothing_counted(client, scan_vote, make_scan):
    """The scanner left in its black-and-white (text) mode: a PNG of black and white pixels, and a
    PDF of one-bit pages as such a scanner writes it (its blank back sides still ignored), or the
    same pages saved as JPEG, alone or in a PDF, whose compression rings about the edges. No page
    is read, and the committee reads why and what to do; the same sheets scanned again in grey
    are counted."""
    form, member = scan_vote["form"], scan_vote["member"]
    sheets = [make_scan(8800 + i, style="pencil" if i else "cross") for i in range(2)]
    cut = [synthetic.bilevel(image) for _data, _truth, image in sheets]
    report = scan.scan_file(member, form, name="den-trang.png", data=cv2.imencode(".png", cut[0])[1].tobytes())
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["black_and_white"]
    back = np.full_like(sheets[1][2], 255)
    pdf = synthetic.scanner_pdf([sheets[1][2], back], dpi=150, black_and_white=True)
    report = scan.scan_file(member, form, name="den-trang.pdf", data=pdf)
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["black_and_white", "blank"]
    # the same pages cut to black and white, then saved as JPEG: alone, and as a PDF of JPEG pages
    jpeg = cv2.imencode(".jpg", cut[1], [cv2.IMWRITE_JPEG_QUALITY, 75])[1].tobytes()
    report = scan.scan_file(member, form, name="den-trang.jpg", data=jpeg)
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["black_and_white"]
    report = scan.scan_file(member, form, name="den-trang-jpeg.pdf", data=synthetic.scanner_pdf(cut, dpi=150))
    assert report.ballots == 0 and [i["reason"] for i in report.ignored] == ["black_and_white"] * 2
    assert form.scanned_ballots.count() == 0
    client.force_login(member)
    html = client.get(reverse("scanning:scan", args=[form.conference_id, form.pk])).content.decode()
    said = "được quét ở chế độ đen trắng, vết bút chì nhạt có thể bị mất: hãy đặt máy quét ở chế độ thang xám"
    # five pages refused for one reason: one line, with their places in the stack
    assert html.count(said) == 1, re.findall(r"<li>(#[^<]*)</li>", html)
    assert "<li>#1–#6 (5 trang): được quét ở chế độ đen trắng" in html  # #3, a blank back side, in the range
    # sent from the page without its script: one message for the file's pages, not one a page
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("lan-2.pdf", synthetic.scanner_pdf(cut, dpi=150))
    page = client.post(reverse("scanning:scan", args=[form.conference_id, form.pk]), {"files": upload}, follow=True)
    assert page.content.decode().count("lan-2.pdf #7–#8: được quét ở chế độ đen trắng") == 1
    for data, _truth, _image in sheets:  # scanned again, in grey
        assert scan.scan_file(member, form, name="xam.png", data=data).ballots == 1


def test_pages_not_counted_are_listed_by_reason_with_their_places_in_the_stack():
    """A whole stack scanned with the wrong setting is one line, not hundreds: the pages of each
    reason as ranges of their places, in the order each reason first came; past 12 ranges, "…".
    A range runs on over the blank back sides of a duplex scan, which are not listed."""
    from tinnhiem.scanning.models import ignored_groups

    pages = [ScannedPage(sequence=n, reason="low_resolution") for n in (*range(1, 6), 8)]
    pages += [ScannedPage(sequence=6, reason="duplicate")]
    pages += [ScannedPage(sequence=n, reason="blurred") for n in range(20, 60, 2)]  # every other: 20 ranges
    with translation.override("en"):
        ordered = sorted(pages, key=lambda page: page.sequence)
        groups = ignored_groups((page.sequence, page.reason, page.reason_text) for page in ordered)
    assert [(g["reason"], g["count"], g["pages"]) for g in groups] == [
        ("low_resolution", 6, "#1–#5, #8"),
        ("duplicate", 1, "#6"),
        ("blurred", 20, ", ".join(f"#{n}" for n in range(20, 44, 2)) + ", …"),
    ]
    assert groups[1]["text"] == "the same page was already scanned"
    # the fronts of a duplex stack, its blank back sides between them: one range
    fronts = [(n, "black_and_white", "…") for n in range(1, 600, 2)]
    backs = [(n, "blank", "…") for n in range(2, 601, 2)]
    assert [(g["count"], g["pages"]) for g in ignored_groups(sorted(fronts + backs))] == [(300, "#1–#599")]
    assert ignored_groups(fronts[:2])[0]["pages"] == "#1, #3"


def test_a_page_counted_before_two_ballot_pictures_were_refused_shows_no_crop(client, scan_vote, make_scan):
    """A picture of two ballots is now refused (recognize.find_markers); an earlier version counted
    it. The crops of such a stored page are not found (404), not a server error."""
    form, member = scan_vote["form"], scan_vote["member"]
    data, _truth, image = make_scan(9700, style="cross")
    scan.scan_file(member, form, name="a.png", data=data)
    ballot = form.scanned_ballots.get()
    page = ScannedPage.objects.get(pk=ballot.pages[0])
    url = reverse("scanning:crop", args=[form.conference_id, form.pk, ballot.pk, 0])
    client.force_login(member)
    assert client.get(url).status_code == 200
    with page.image.open("wb") as handle:
        handle.write(cv2.imencode(".png", np.hstack([image, image]))[1].tobytes())
    assert client.get(url).status_code == 404


@pytest.fixture
def printed_early(office, conference):
    """A ballot form counted by scanning, printed while the conference is still being prepared."""
    from tests.voting.conftest import build
    from tinnhiem.conferences.usecases import day
    from tinnhiem.documents import ballots

    people, _voters = build(office, conference, 3)
    form = day.create_ballot_form(office, conference, name="Phiếu tín nhiệm", people=people)
    day.set_counting_mode(office, form, mode="scan")
    pdf, _layout = ballots.render_one(form)
    return form, synthetic.render_blank(pdf, 0, 200)


def _png(image) -> bytes:
    return cv2.imencode(".png", image)[1].tobytes()


def test_printed_ballots_are_tried_with_the_scanner_before_the_conference(office, make_user, printed_early):
    """Blank ballots as printed, scanned well, then as the day may go wrong: scanned in black and
    white, copied in a copier's text mode (the grey squares white), a file that is no picture.
    Each page is read as the count would read it, and what the count would do is said; nothing is
    stored, counted or logged, and the conference is still being prepared."""
    from tinnhiem.audit.models import Event
    from tinnhiem.documents.layout import GREY

    form, blank = printed_early
    events = Event.objects.count()
    rng = random.Random(7)
    scanned = synthetic.degrade(blank, rng)
    copied = blank.copy()  # a copy in text mode: the squares came out white, the rest as printed
    for x, y, w, h in GREY:
        copied[
            round(y * 200 / 25.4) : round((y + h) * 200 / 25.4), round(x * 200 / 25.4) : round((x + w) * 200 / 25.4)
        ] = 255
    files = [
        ("trang-1.png", _png(scanned)),
        ("den-trang.png", _png(synthetic.bilevel(scanned))),
        ("phieu-photo.png", _png(synthetic.degrade(copied, rng))),
        ("hong.png", b"not a picture"),
    ]
    results = scan.check_pages(office, form, files)
    assert [getattr(r, "reason", None) for r in results] == ["", "black_and_white", "filtered", None]
    good = results[0]
    assert good.ballot_page == 1 and 190 <= good.dpi <= 205 and not good.in_doubt
    assert good.text == "mọi dòng đọc chắc chắn, như khi kiểm phiếu"
    # the squares' levels, as the page shows them (a decimal comma in Vietnamese): near 0.5 as
    # printed; white on the copy; not measured on the page refused before its layout was known
    printed_levels = [float(v.replace(",", ".")) for v in good.grey.split(" · ")]
    assert len(printed_levels) == 2 and all(0.4 < v < 0.6 for v in printed_levels), good.grey
    assert all(float(v.replace(",", ".")) > 0.85 for v in results[2].grey.split(" · ")), results[2].grey
    assert results[1].grey == ""
    assert "đen trắng" in results[1].text and "phô tô" in results[2].text
    assert isinstance(results[3], ValidationError) and "không phải ảnh" in results[3].messages[0]
    assert not ScannedPage.objects.exists() and not form.scanned_ballots.exists()
    assert Event.objects.count() == events
    form.conference.refresh_from_db()
    assert form.conference.status == "preparing"
    member = make_user("committee", "kp-thu")  # the committee tries its scanner too
    assert scan.check_pages(member, form, files[:1])[0].reason == ""
    for role in ("observer", "chair", None):
        with pytest.raises(PermissionDenied):
            scan.check_pages(make_user(role, f"thu-{role}"), form, files[:1])
    with pytest.raises(ValidationError):
        scan.check_pages(office, form, files[:1] * (scan.MAX_CHECK_FILES + 1))


def test_the_trial_page_lists_what_the_count_would_do(client, office, printed_early):
    """From the ballot forms page, the office sends a scanned blank ballot and reads the result."""
    form, blank = printed_early
    client.force_login(office)
    forms_page = client.get(reverse("conferences:ballot_forms", args=[form.conference_id])).content.decode()
    url = reverse("scanning:check", args=[form.conference_id, form.pk])
    assert f'href="{url}"' in forms_page
    scanned = synthetic.degrade(blank, random.Random(3))
    upload = io.BytesIO(_png(scanned))
    upload.name = "thu.png"
    html = client.post(url, {"files": [upload]}).content.decode()
    table = html.split('id="trial"')[1].split("</table>")[0]
    assert "thu.png" in table and "mọi dòng đọc chắc chắn, như khi kiểm phiếu" in table
    assert re.search(r"<td class=\"num\" style=\"white-space:nowrap\">0,[45]\d · 0,[45]\d</td>", table), table
    assert not ScannedPage.objects.exists()


def test_a_long_post_printed_smaller_is_read_without_a_flag(office, make_user, conference):
    """The print run sets a long post at the size the check before it measured; the scanner lays
    each page on a blank it renders itself, measuring again. The two agree: the post's ink is not
    taken for writing on the printed list (docs/documents.md)."""
    from tests.documents.test_ballots import POST
    from tests.scanning.conftest import _scan_maker, _scan_vote
    from tinnhiem.conferences.usecases import rated
    from tinnhiem.documents import ballots

    rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post=POST)
    vote = _scan_vote(office, make_user, conference, tag="p")
    form = vote["form"]
    make = _scan_maker({**vote, "pdf": ballots.render_ballots(form, copies=1)})  # the print run's own page
    for seed in range(3):
        data, _truth, _image = make(3000 + seed, style="cross")
        assert scan.scan_file(vote["member"], form, name=f"{seed}.png", data=data).ballots == 1
    assert not form.scanned_ballots.filter(needs_review=True).exists()


def test_a_member_working_in_english_records_rulings_the_minutes_print_in_vietnamese(scan_vote, make_scan):
    """The page's language is the reader's: a member who switched the site to English still
    records rulings the signed minutes print in Vietnamese (a spot check, a sheet counted twice, a
    ballot read on paper), as the minutes, the record and its JSON do."""
    form, member = scan_vote["form"], scan_vote["member"]
    truths = []
    with translation.override("en"):
        for seed in range(2):
            data, truth, _image = make_scan(7800 + seed, style="cross")
            truths.append("".join(truth.keys))
            scan.scan_file(member, form, name=f"{seed}.png", data=data)
        first = form.scanned_ballots.get(position=1)
        scan.review_ballot(member, first, keys=truths[0], reason="Khớp với phiếu giấy")
        scan.withdraw_ballot(member, form.scanned_ballots.get(position=2), reason="Đưa lại sau khi kẹt giấy")
        scan.add_ballot_by_hand(member, form, keys=truths[1], reason="Phiếu bị ướt")
        m = minutes_data(form.conference)
    confidence = f"{first.confidence:.2f}".replace(".", ",")
    assert [(r.position, r.subject, r.decision) for r in form.rulings.order_by("id")] == [
        (
            1,
            f"Phiếu quét đọc là {truths[0]} (kiểm tra ngẫu nhiên; độ tin cậy {confidence}).",
            f"Kết luận đọc là {truths[0]} — Khớp với phiếu giấy",
        ),
        (2, "Phiếu số 2 là một tờ phiếu đã được tính hai lần (Đưa lại sau khi kẹt giấy).", "Không tính lần thứ hai."),
        (
            3,
            "Phiếu máy quét không đọc được (Phiếu bị ướt): Ban kiểm phiếu đọc trực tiếp trên phiếu giấy.",
            f"Kết luận đọc là {truths[1]}",
        ),
    ]
    assert [r["subject"] for r in m["forms"][0]["rulings"]] == [r.subject for r in form.rulings.order_by("id")]
