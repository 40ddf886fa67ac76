"""Use cases upload_dossier, distribute_dossiers, remove_dossier."""

from datetime import timedelta

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import PDF
from tests.photos import photo, png
from tinnhiem.audit.models import Event
from tinnhiem.conferences.models import Conference, Dossier
from tinnhiem.conferences.queries import checklist
from tinnhiem.conferences.usecases import dossiers
from tinnhiem.documents import photos


def test_upload_keeps_hash_and_a_random_file_name(office, person, pdf_bytes):
    dossier = dossiers.upload_dossier(
        office, person, kind="report", title="", filename="../../etc/passwd Báo cáo.pdf", data=pdf_bytes
    )
    assert dossier.title == "../../etc/passwd Báo cáo.pdf"  # shown as text only
    assert ".." not in dossier.file.name and dossier.file.name.startswith(f"dossiers/{person.conference_id}/")
    assert dossier.file.read() == pdf_bytes
    assert len(dossier.sha256) == 64


@pytest.mark.parametrize("data, text", [(b"", "Tệp trống"), (b"PK\x03\x04 this is a docx", "không phải tệp PDF")])
def test_not_a_pdf(office, person, data, text):
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(office, person, kind="report", title="x", filename="bao-cao.docx", data=data)
    assert text in info.value.messages[0]
    assert Dossier.objects.count() == 0


def test_too_large(office, person, settings):
    settings.TINNHIEM_MAX_DOSSIER_BYTES = 3 * 1024 * 1024 // 2
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(
            office, person, kind="report", title="x", filename="a.pdf", data=b"%PDF-" + b"0" * (2 * 1024 * 1024)
        )
    assert info.value.messages == ["Tệp có dung lượng 2,0 MB; giới hạn là 1,5 MB."]  # a decimal comma
    # the limit itself is allowed
    data = b"%PDF-" + b"0" * (3 * 1024 * 1024 // 2 - 5)
    dossiers.upload_dossier(office, person, kind="report", title="x", filename="a.pdf", data=data)
    assert Dossier.objects.count() == 1


def test_distribution_fulfils_the_15_day_deadline(office, conference, person, pdf_bytes, today):
    client = Client()
    client.force_login(office)
    page = reverse("conferences:dossiers", args=[conference.pk])
    send = reverse("conferences:dossiers_distribute", args=[conference.pk])
    assert send not in client.get(page).content.decode()  # nothing to send: no button
    dossiers.upload_dossier(office, person, kind="report", title="x", filename="a.pdf", data=pdf_bytes)
    assert send in client.get(page).content.decode()
    item = checklist(conference, today)[0]
    assert item.status == "pending" and person.full_name in item.detail
    assert dossiers.distribute_dossiers(office, conference, on=today) == 1
    item = checklist(conference, today)[0]
    assert (item.status, item.done_on) == ("done", today)
    with pytest.raises(ValidationError):
        dossiers.distribute_dossiers(office, conference)
    assert send not in client.get(page).content.decode()


def test_late_distribution_is_shown_as_late(office, conference, person, pdf_bytes):
    dossiers.upload_dossier(office, person, kind="report", title="x", filename="a.pdf", data=pdf_bytes)
    late = conference.date - timedelta(days=10)
    dossiers.distribute_dossiers(office, conference, on=late)
    assert checklist(conference, late)[0].status == "late"


def test_missed_deadline(conference, person):
    after = conference.date - timedelta(days=14)
    assert checklist(conference, after)[0].status == "missed"


def test_distributed_dossier_is_kept(office, conference, person, pdf_bytes):
    dossier = dossiers.upload_dossier(office, person, kind="report", title="x", filename="a.pdf", data=pdf_bytes)
    dossiers.distribute_dossiers(office, conference)
    with pytest.raises(ValidationError):
        dossiers.remove_dossier(office, dossier, reason="Tải nhầm tệp")


def test_a_dossier_not_yet_sent_is_removed_with_its_file_once_the_removal_is_committed(
    office, person, pdf_bytes, django_capture_on_commit_callbacks, monkeypatch
):
    dossier = dossiers.upload_dossier(office, person, kind="report", title="x", filename="a.pdf", data=pdf_bytes)
    storage, name = dossier.file.storage, dossier.file.name

    # the removal fails after the row is deleted (the log cannot be written): row and file stay
    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(dossiers, "record", fail)
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        dossiers.remove_dossier(office, dossier, reason="Tải nhầm tệp")
    assert Dossier.objects.filter(pk=dossier.pk).exists() and storage.exists(name)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True) as removals:
        dossiers.remove_dossier(office, dossier, reason="Tải nhầm tệp")
        assert storage.exists(name)  # not before the commit
    assert len(removals) == 1 and not storage.exists(name) and not Dossier.objects.exists()
    event = Event.objects.get(action="dossier.removed")
    assert event.data == {
        "dossier": dossier.pk,
        "person": person.pk,
        "name": person.full_name,
        "title": "x",
        "sha256": dossier.sha256,
        "reason": "Tải nhầm tệp",
        "from_person": False,
    }


def test_a_dossier_of_a_finished_or_cancelled_conference_is_kept_as_it_was(office, conference, person, pdf_bytes):
    """Never sent, it is still part of the conference's file once the conference is over."""
    dossier = dossiers.upload_dossier(office, person, kind="report", title="x", filename="a.pdf", data=pdf_bytes)
    for status, said in (
        (Conference.Status.FINISHED, "Hội nghị đã kết thúc."),
        (Conference.Status.CANCELLED, "Hội nghị đã bị huỷ"),
    ):
        Conference.objects.filter(pk=conference.pk).update(status=status)
        with pytest.raises(ValidationError) as info:
            dossiers.remove_dossier(office, dossier, reason="Nhầm")
        assert info.value.messages[0].startswith(said), info.value.messages
    assert Dossier.objects.filter(pk=dossier.pk).exists() and not Event.objects.filter(action="dossier.removed")


def test_a_dossier_is_not_removed_without_a_reason(office, person, pdf_bytes):
    dossier = dossiers.upload_dossier(office, person, kind="report", title="x", filename="a.pdf", data=pdf_bytes)
    for reason in ("", "  \t "):
        with pytest.raises(ValidationError) as info:
            dossiers.remove_dossier(office, dossier, reason=reason)
        assert info.value.messages == ["Hãy ghi lý do xoá (tải nhầm tệp, bản nháp, …)."]
    assert Dossier.objects.filter(pk=dossier.pk).exists() and not Event.objects.filter(action="dossier.removed")


def test_the_same_file_twice_for_one_person_is_refused(office, conference, person, pdf_bytes):
    """A double click or a second try would put the same document twice in the voters' dossier;
    the same file for another person is their own document."""
    from tinnhiem.conferences.usecases import rated

    dossiers.upload_dossier(
        office, person, kind="report", title="Báo cáo tự đánh giá", filename="a.pdf", data=pdf_bytes
    )
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(office, person, kind="report", title="", filename="b.pdf", data=pdf_bytes)
    assert info.value.messages[0] == "Tệp này đã có trong hồ sơ của Trần Minh Đức: “Báo cáo tự đánh giá”."
    other = rated.add_rated_person(office, conference, full_name="Lê Thị Hồng Nhung", post="Phó Chủ tịch")
    dossiers.upload_dossier(office, other, kind="report", title="", filename="a.pdf", data=pdf_bytes)
    dossiers.upload_dossier(office, person, kind="report", title="", filename="c.pdf", data=pdf_bytes + b"\n%")
    assert Dossier.objects.count() == 3


def test_a_person_not_rated_here_cannot_send_a_report_through_the_link(office, conference, person, pdf_bytes):
    """A person the office excluded from the rating (retiring, appointed this year) keeps no way
    to add a document for the voters; nothing is saved. The office still can."""
    from tinnhiem.conferences.models import RatedPerson

    RatedPerson.objects.filter(pk=person.pk).update(decision=RatedPerson.Decision.EXCLUDED)
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(None, person, kind="report", title="", filename="a.pdf", data=pdf_bytes)
    assert info.value.messages == ["Đồng chí không thuộc danh sách được lấy phiếu tại hội nghị này."]
    assert not Dossier.objects.exists()
    assert not dossiers.upload_dossier(
        office, person, kind="other", title="", filename="a.pdf", data=pdf_bytes
    ).from_person


def test_a_persons_link_takes_a_limited_number_of_documents(office, person, pdf_bytes, settings):
    """A leaked link must not fill the disk: reports and explanations sent through it count
    together up to LINK_DOCUMENTS_MAX; the next is refused in Vietnamese and nothing is saved.
    The same file sent again is still kept once, and the office is not capped."""
    from tinnhiem.conferences.models import Explanation
    from tinnhiem.conferences.usecases import opinions

    settings.TINNHIEM_MAX_DOSSIER_BYTES = 1024 * 1024
    dossiers.upload_dossier(None, person, kind="report", title="", filename="0.pdf", data=pdf_bytes)
    for n in range(1, dossiers.LINK_DOCUMENTS_MAX - 1):
        dossiers.upload_dossier(None, person, kind="other", title="", filename=f"{n}.pdf", data=pdf_bytes + b"%" * n)
    opinions.record_explanation(None, person, text="Giải trình qua đường dẫn")  # the 20th
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(None, person, kind="other", title="", filename="x.pdf", data=pdf_bytes + b"%x")
    assert info.value.messages == [
        "Đồng chí đã gửi 20 tài liệu qua trang này, là số tối đa trang nhận: tài liệu khác xin gửi qua cơ quan tham mưu."
    ]
    with pytest.raises(ValidationError):
        opinions.record_explanation(None, person, text="Một giải trình nữa")
    assert (Dossier.objects.count(), Explanation.objects.count()) == (19, 1)
    assert dossiers.upload_dossier(None, person, kind="report", title="", filename="0.pdf", data=pdf_bytes)  # again
    dossiers.upload_dossier(office, person, kind="other", title="", filename="v.pdf", data=pdf_bytes + b"%v")
    opinions.record_explanation(office, person, text="Cơ quan tham mưu ghi thay")
    assert (Dossier.objects.count(), Explanation.objects.count()) == (20, 2)


def _stored(conference_id: int, storage, folder: str) -> set[str]:
    path = f"{folder}/{conference_id}"
    return set(storage.listdir(path)[1]) if storage.exists(path) else set()


@pytest.mark.parametrize("where", ["database", "file"])
def test_a_dossier_or_explanation_refused_by_a_full_disk_leaves_no_file(office, person, pdf_bytes, where):
    """The PDF is written before its row: when the disk is full, the row is rolled back and the file
    goes too, a file cut short included, so that no dossier outlives the record it was part of."""
    from pathlib import Path
    from unittest import mock

    from django.core.files.storage import FileSystemStorage

    from tests.disk_full import full_database, no_space
    from tinnhiem import disk
    from tinnhiem.conferences.models import Explanation
    from tinnhiem.conferences.usecases import opinions

    storage = Dossier._meta.get_field("file").storage
    before = {folder: _stored(person.conference_id, storage, folder) for folder in ("dossiers", "explanations")}

    def cut_short(self, name, content):  # the disk fills while the PDF is written
        Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
        Path(self.path(name)).write_bytes(content.read()[:100])
        raise no_space()

    full = full_database() if where == "database" else mock.patch.object(FileSystemStorage, "_save", cut_short)
    with full:
        with pytest.raises(Exception) as refused:
            dossiers.upload_dossier(office, person, kind="report", title="", filename="bao-cao.pdf", data=pdf_bytes)
        assert disk.is_full(refused.value)
        with pytest.raises(Exception) as refused:
            opinions.record_explanation(office, person, text="Giải trình", filename="gt.pdf", data=pdf_bytes)
        assert disk.is_full(refused.value)
    assert not Dossier.objects.exists() and not Explanation.objects.exists()
    assert {folder: _stored(person.conference_id, storage, folder) for folder in before} == before
    # with room again, both are kept, with their files
    dossier = dossiers.upload_dossier(office, person, kind="report", title="", filename="bao-cao.pdf", data=pdf_bytes)
    explanation = opinions.record_explanation(office, person, text="Giải trình", filename="gt.pdf", data=pdf_bytes)
    assert dossier.file.read() == pdf_bytes and explanation.file.read() == pdf_bytes


def test_files_written_by_a_use_case_nested_in_another_go_with_the_one_that_fails(tmp_path):
    from django.core.files.storage import FileSystemStorage

    from tinnhiem import files

    storage = FileSystemStorage(location=tmp_path)

    class Field:
        def generate_filename(self, instance, filename):
            return f"{instance}-{filename}"

    class Held:  # what save_file uses of a model's file field
        def __init__(self, owner):
            self.field, self.instance, self.storage, self.name = Field(), owner, storage, ""

    @files.files_removed_on_failure
    def inner(owner, fail=False):
        files.save_file(Held(owner), "a.pdf", b"%PDF-")
        if fail:
            raise ValueError(owner)

    @files.files_removed_on_failure
    def outer(fail_inner=False, fail=False):
        inner("kept-by-inner")
        try:
            inner("failed-inner", fail=fail_inner)
        except ValueError:
            pass
        files.save_file(Held("outer"), "a.pdf", b"%PDF-")
        if fail:
            raise ValueError("outer")

    outer(fail_inner=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept-by-inner-a.pdf", "outer-a.pdf"]
    for p in tmp_path.iterdir():
        p.unlink()
    with pytest.raises(ValueError):
        outer(fail=True)
    assert list(tmp_path.iterdir()) == []  # the inner use case's file went with the outer's failure
    with pytest.raises(RuntimeError):
        files.save_file(Held("alone"), "a.pdf", b"%PDF-")  # outside a use case that would remove it


def _pages(data: bytes) -> list[tuple[float, float, np.ndarray]]:
    """Each page of a PDF: its width and height in points, and its picture (grey, 20 dpi)."""
    document = pdfium.PdfDocument(data)
    try:
        pages = []
        for page in document:
            image = page.render(scale=20 / 72, grayscale=True).to_numpy()
            pages.append((page.get_width(), page.get_height(), image[..., 0] if image.ndim == 3 else image))
        return pages
    finally:
        document.close()


def test_the_photos_of_a_signed_report_become_one_pdf(office, person):
    """A page photographed sideways (the phone held upright, the picture stored across with an
    EXIF orientation) and a landscape screenshot: one PDF, a page each in their order, the first
    upright; nothing but the pixels in it; the same photos sent again are the same file."""
    where = b"GPS 21.5312N 107.9658E; Samsung Galaxy A15"
    files = [("IMG_20261206_0901.jpg", photo(800, 600, orientation=6, note=where)), ("bang.png", png(800, 600))]
    dossier = dossiers.upload_dossier(office, person, kind="report", title="", files=files)
    assert dossier.original_name == dossier.title == "IMG_20261206_0901.jpg và 1 ảnh khác"
    data = dossier.file.read()
    assert data.startswith(b"%PDF-") and where not in data and b"Exif" not in data
    (w1, h1, first), (w2, h2, second) = _pages(data)
    assert (round(w1), round(h1)) == (595, 842) and (round(w2), round(h2)) == (842, 595)  # A4, then A4 across
    # turned upright: the dark corner, stored at the top left, is now at the top right
    top = first[: first.shape[0] // 4]
    assert top[:, -top.shape[1] // 5 :].mean() < 120 < top[:, : top.shape[1] // 5].mean()
    assert second.mean() > 200  # the light screenshot
    assert dossiers.upload_dossier(None, person, kind="report", title="", files=files) == dossier  # once
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(office, person, kind="report", title="", files=files)
    assert info.value.messages[0].startswith("Tệp này đã có trong hồ sơ của Trần Minh Đức")


def test_a_large_photo_is_read_reduced_and_still_turned_upright(office, person):
    """A photo whose long side is over twice what an A4 page needs at 200 dpi is decoded at half its size
    (less memory); the orientation is applied all the same."""
    files = [("IMG_lon.jpg", photo(7100, 1200, orientation=6))]
    assert photos._reduction(7100, 1200) == cv2.IMREAD_REDUCED_COLOR_2
    [(width, height, _image)] = _pages(
        dossiers.upload_dossier(office, person, kind="report", title="", files=files).file.read()
    )
    assert width < height  # upright: the picture stored across is a page of A4 standing


@pytest.mark.parametrize(
    "files, message",
    [
        ([("IMG_1.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40)], "“IMG_1.heic” là ảnh HEIC do iPhone chụp"),
        (
            [("bao-cao.pdf", PDF), ("IMG_1.jpg", photo())],
            "Hãy chọn một tệp PDF, hoặc các ảnh chụp (JPEG, PNG) các trang của tài liệu, không chọn lẫn cả hai: "
            "“bao-cao.pdf” không phải ảnh chụp.",
        ),
        ([("IMG_1.jpg", photo()), ("IMG_2.jpg", b"")], "“IMG_2.jpg” trống."),
        ([("anh.png", b"\x89PNG\r\n\x1a\n")], "Không đọc được ảnh “anh.png” (tệp bị hỏng hoặc không trọn vẹn)."),
        (
            # a header saying 20,000 × 20,000 pixels: refused before anything is decoded
            [
                (
                    "anh.png",
                    b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + (20000).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00",
                )
            ],
            "Ảnh “anh.png” có 400 triệu điểm ảnh, quá giới hạn 150 triệu điểm ảnh.",
        ),
        (
            [(f"IMG_{i}.jpg", b"\xff\xd8\xff") for i in range(21)],
            "Đã chọn 21 ảnh; mỗi tài liệu có nhiều nhất 20 trang.",
        ),
    ],
)
def test_photos_refused(office, person, files, message):
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(office, person, kind="report", title="", files=files)
    assert info.value.messages[0].startswith(message)
    assert Dossier.objects.count() == 0


def test_a_photo_larger_than_the_limit_is_refused_by_its_size(office, person, settings):
    settings.TINNHIEM_MAX_DOSSIER_BYTES = 1000
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(office, person, kind="report", title="", files=[("IMG_1.jpg", photo())])
    assert info.value.messages[0].startswith("“IMG_1.jpg” có dung lượng ")


def test_an_explanation_photographed(office, person):
    from tinnhiem.conferences.usecases import opinions

    explanation = opinions.record_explanation(
        office, person, text="Tôi xin giải trình như sau.", files=[("giai-trinh.jpg", photo())]
    )
    assert explanation.file.read().startswith(b"%PDF-")


def test_photos_are_made_into_a_pdf_before_the_person_is_locked(office, person, monkeypatch):
    """Making photos into a PDF takes seconds; every opinion, dossier and explanation about the
    person waits for their lock, which is taken after it. A finished conference is still said
    before anything is made, and checked again under the lock."""
    from tinnhiem.conferences.usecases import opinions

    steps = []
    for module in (dossiers, opinions):
        made, locked = module.document_pdf, module.locked_person
        monkeypatch.setattr(module, "document_pdf", lambda files, made=made: steps.append("pdf") or made(files))
        monkeypatch.setattr(module, "locked_person", lambda p, locked=locked: steps.append("lock") or locked(p))
    dossiers.upload_dossier(office, person, kind="report", title="", files=[("IMG_1.jpg", photo())])
    opinions.record_explanation(office, person, text="Tôi xin giải trình.", files=[("giai-trinh.jpg", photo())])
    assert steps == ["pdf", "lock", "pdf", "lock"]

    steps.clear()
    Conference.objects.filter(pk=person.conference_id).update(status=Conference.Status.FINISHED)
    with pytest.raises(ValidationError, match="Hội nghị đã kết thúc"):
        dossiers.upload_dossier(office, person, kind="report", title="", files=[("IMG_2.jpg", photo())])
    assert steps == []


def test_the_limits_of_photos_are_allowed_and_one_past_them_refused(office, person, settings):
    """At most 20 photos; each, and the PDF they make, at most the dossier's limit in bytes; a
    square photo is a standing page."""
    square = png(300, 300)
    [(width, height, _image)] = _pages(photos.photos_pdf([("vuong.png", square)]))
    assert width < height
    twenty = [(f"IMG_{i}.png", png(100, 140)) for i in range(20)]
    pdf = photos.photos_pdf(twenty)
    assert len(_pages(pdf)) == 20
    settings.TINNHIEM_MAX_DOSSIER_BYTES = len(pdf)  # the photos are smaller than the PDF they make
    assert dossiers.upload_dossier(office, person, kind="report", title="", files=twenty).size == len(pdf)
    settings.TINNHIEM_MAX_DOSSIER_BYTES = len(pdf) - 1
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(office, person, kind="other", title="", files=twenty[::-1])
    assert info.value.messages[0].startswith("Các ảnh chụp tạo thành tệp PDF ")
    assert info.value.messages[0].endswith("Hãy gửi tài liệu thành nhiều phần.")
    noisy = np.random.default_rng(0).integers(0, 256, (400, 300, 3), dtype=np.uint8)  # its PDF is smaller
    one = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 98])[1].tobytes()
    settings.TINNHIEM_MAX_DOSSIER_BYTES = len(one)
    dossiers.upload_dossier(office, person, kind="other", title="", files=[("IMG_1.jpg", one)])
    settings.TINNHIEM_MAX_DOSSIER_BYTES = len(one) - 1
    with pytest.raises(ValidationError) as info:
        dossiers.upload_dossier(office, person, kind="other", title="", files=[("IMG_2.jpg", one)])
    assert info.value.messages[0].startswith("“IMG_2.jpg” có dung lượng ")


def test_the_pixels_of_a_photo_are_counted_before_it_is_decoded(monkeypatch):
    """150 million pixels are allowed (then the fake photo fails to decode); one row more is
    refused by its header alone. A large JPEG is decoded reduced, a PNG whole."""

    def header(width: int, height: int) -> bytes:
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big")

    with pytest.raises(ValidationError) as info:
        photos.photos_pdf([("anh.png", header(15000, 10000) + b"\x08\x02\x00\x00\x00")])
    assert info.value.messages[0].startswith("Không đọc được ảnh")
    with pytest.raises(ValidationError) as info:
        photos.photos_pdf([("anh.png", header(15000, 10001) + b"\x08\x02\x00\x00\x00")])
    assert info.value.messages[0].startswith("Ảnh “anh.png” có 150 triệu điểm ảnh, quá giới hạn")
    assert photos._reduction(2 * photos.LONG_SIDE, 100) == cv2.IMREAD_REDUCED_COLOR_2
    assert photos._reduction(2 * photos.LONG_SIDE - 1, 100) == cv2.IMREAD_COLOR
    flags = []
    decode = cv2.imdecode
    monkeypatch.setattr(photos.cv2, "imdecode", lambda data, flag: flags.append(flag) or decode(data, flag))
    photos.photos_pdf([("IMG_lon.jpg", photo(4800, 300)), ("anh.png", png(4800, 300))])
    assert flags == [cv2.IMREAD_REDUCED_COLOR_2, cv2.IMREAD_COLOR]
