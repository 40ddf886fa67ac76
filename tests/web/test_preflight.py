"""``tinnhiem preflight``: the check of the hall laptop before the conference. Each check says
what it found in one Vietnamese sentence; a failed check fails the command; nothing is stored."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests.fresh_db import run_tinnhiem
from tinnhiem.audit.models import Event
from tinnhiem.documents.models import PrintedLayout
from tinnhiem.site import addresses, preflight


@pytest.fixture
def ready(settings, monkeypatch, office):
    """A hall laptop set up as docs/deploy.md says, on 192.168.1.10."""
    settings.DEBUG = False
    settings.SECRET_KEY = "k" * 50
    settings.ALLOWED_HOSTS = ["127.0.0.1", "192.168.1.10"]
    settings.TINNHIEM_PUBLIC_URL = "http://192.168.1.10:8000"
    monkeypatch.setattr(addresses, "machine_addresses", lambda: ["192.168.1.10"])
    if connection.vendor == "postgresql":  # as a superuser sets it for tinnhiem's role (docs/deploy.md)
        with connection.cursor() as cursor:
            cursor.execute("SET log_min_error_statement = panic")
    return settings


def lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_a_ready_computer(ready, capsys):
    events, layouts = Event.objects.count(), PrintedLayout.objects.count()
    call_command("preflight")
    out = lines(capsys)
    assert out[0].startswith("Kiểm tra máy trước hội nghị (tinnhiem ")
    assert all(line.startswith("  đạt: ") for line in out[1:-1]), out
    assert "  đạt: Địa chỉ của máy trên mạng: 192.168.1.10." in out
    assert "  đạt: Giấy mời và thẻ mã mang địa chỉ http://192.168.1.10:8000." in out
    assert any(line.startswith("  đạt: Đã in và đọc lại đúng một phiếu mẫu (phông chữ tiếng Việt") for line in out)
    assert out[-1] == "Máy sẵn sàng: mọi mục kiểm tra đều đạt."
    assert (Event.objects.count(), PrintedLayout.objects.count()) == (events, layouts)  # nothing stored


def test_a_sample_ballot_read_wrong_fails(ready, capsys, monkeypatch):
    from tinnhiem.scanning import synthetic

    monkeypatch.setattr(synthetic, "draw_mark", lambda *args: None)  # the marks do not reach the page
    with pytest.raises(CommandError) as info:
        call_command("preflight")
    assert str(info.value) == "1 mục kiểm tra không đạt: hãy khắc phục trước hội nghị."
    assert (
        "  KHÔNG ĐẠT: In và đọc lại phiếu mẫu không được: các ô được đọc là —, — thay vì Tín nhiệm cao, Tín nhiệm thấp"
        in lines(capsys)
    )


def test_a_clock_behind_the_audit_log_fails(ready, conference, capsys):
    last = Event.objects.order_by("-seq").first()
    Event.objects.filter(pk=last.pk).update(at=timezone.now() + timedelta(days=400))
    with pytest.raises(CommandError):
        call_command("preflight")
    found = [line for line in lines(capsys) if "Đồng hồ" in line]
    assert len(found) == 1
    assert found[0].startswith("  KHÔNG ĐẠT: Đồng hồ của máy (")
    assert "chậm hơn sự kiện cuối cùng trong nhật ký (" in found[0] and found[0].endswith("hãy chỉnh ngày giờ trước.")


def test_a_clock_reset_to_long_ago_fails(ready, monkeypatch):
    monkeypatch.setattr(preflight.timezone, "now", lambda: datetime(2000, 1, 1, 8, tzinfo=UTC))
    findings = preflight.clock()
    assert findings[0].status == "fail"
    assert findings[0].text == "Đồng hồ của máy đang chỉ 15:00 01/01/2000: hãy chỉnh ngày giờ trước."


@pytest.mark.parametrize(
    "url, allowed, status, words",
    [
        (
            "http://192.168.1.10:8000",
            ["192.168.1.10"],
            "ok",
            "Giấy mời và thẻ mã mang địa chỉ http://192.168.1.10:8000.",
        ),
        ("http://127.0.0.1:8000", ["127.0.0.1"], "fail", "chỉ trỏ vào chính máy này"),
        ("http://192.168.1.20:8000", ["192.168.1.10"], "fail", "máy chủ không nhận địa chỉ 192.168.1.20"),
        ("http://192.168.1.20:8000", ["192.168.1.20"], "warn", "địa chỉ hiện nay của máy là 192.168.1.10"),
        ("https://tinnhiem.example.gov.vn", [".example.gov.vn"], "ok", "https://tinnhiem.example.gov.vn"),
    ],
)
def test_the_address_printed_on_invitations(ready, url, allowed, status, words):
    ready.TINNHIEM_PUBLIC_URL = url
    ready.ALLOWED_HOSTS = allowed
    finding = preflight.network()[-1]
    assert finding.status == status and words in finding.text


def test_no_network_and_loopback_names_only_warn(ready, monkeypatch):
    monkeypatch.setattr(addresses, "machine_addresses", lambda: [])
    ready.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    ready.TINNHIEM_PUBLIC_URL = ""
    findings = preflight.network()
    assert [f.status for f in findings] == ["warn", "warn", "ok"]
    assert findings[0].text.startswith("Máy chưa có địa chỉ trên mạng (chưa kết nối Wi-Fi của hội trường)")
    assert "TINNHIEM_ALLOWED_HOSTS=127.0.0.1,ĐỊA-CHỈ-CỦA-MÁY-NÀY" in findings[1].text
    assert findings[2].text.startswith("Chưa đặt TINNHIEM_PUBLIC_URL")


def test_disk_space_and_an_unwritable_data_folder(ready, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**11, 10**11 - 10**9, 10**9))
    [finding] = preflight.data_folder()
    assert finding.status == "warn" and finding.text.startswith(f"Thư mục {ready.DATA_DIR} chỉ còn 0,9 GB trống")

    def refused(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(preflight.tempfile, "NamedTemporaryFile", refused)
    [finding] = preflight.data_folder()
    assert finding.status == "fail" and "Không ghi được vào thư mục dữ liệu" in finding.text


def test_postgresqls_own_log_must_not_hold_a_ballot_with_its_time(ready):
    if connection.vendor != "postgresql":
        assert preflight.database_log() == []  # SQLite keeps no log of statements
        return

    def found(*settings: str) -> preflight.Finding:
        with connection.cursor() as cursor:
            cursor.execute("RESET ALL")
            for setting in settings:
                cursor.execute(f"SET {setting}")
        [finding] = preflight.database_log()
        return finding

    finding = found("log_min_error_statement = panic")
    assert finding.status == "ok" and "không ghi vào đó" in finding.text
    finding = found()  # PostgreSQL's default: a failing statement is written with its values
    assert finding.status == "warn" and "(log_min_error_statement = error)" in finding.text
    assert finding.text.endswith('ALTER ROLE "tinnhiem" SET log_min_error_statement = panic;')
    for setting, shown in [
        ("log_statement = mod", "log_statement = mod"),
        ("log_statement = 'all'", "log_statement = all"),
        ("log_min_duration_statement = 0", "log_min_duration_statement = 0"),
        ("log_min_duration_statement = 250", "log_min_duration_statement = 250"),
        ("log_transaction_sample_rate = 0.01", "log_transaction_sample_rate = 0.01"),
    ]:
        finding = found("log_min_error_statement = panic", setting)
        assert finding.status == "fail" and f"({shown})" in finding.text, (setting, finding)
        assert "mọi phiếu điện tử" in finding.text
    # a sample of the statements (all of them at PostgreSQL's default rate, 1), unless its rate is 0
    finding = found("log_min_error_statement = panic", "log_min_duration_sample = 0")
    assert finding.status == "fail" and "(log_min_duration_sample = 0)" in finding.text
    quiet = found("log_min_error_statement = panic", "log_min_duration_sample = 0", "log_statement_sample_rate = 0")
    assert quiet.status == "ok"


def test_postgresql_lets_tinnhiem_rewrite_the_tables_of_electronic_ballots(ready):
    """The close of an electronic vote rewrites the tables (VACUUM FULL), which PostgreSQL skips,
    with a warning only, for a role that may not: then the ballots as voted would stay."""
    if connection.vendor != "postgresql":
        assert preflight.database_erasing() == []
        return
    [finding] = preflight.database_erasing()
    assert finding.status == "ok" and "được ghi lại các bảng phiếu điện tử" in finding.text


def test_postgresql_refusing_tinnhiem_the_rewriting_is_a_failure(ready, not_the_tables_owner):
    [finding] = preflight.database_erasing()
    assert finding.status == "fail"
    assert f"vai trò của tinnhiem ({not_the_tables_owner})" in finding.text
    assert "(voting_electronicballot, voting_receipt, của " in finding.text
    assert finding.text.endswith(
        f'ALTER TABLE "voting_electronicballot" OWNER TO {not_the_tables_owner}; '
        f'ALTER TABLE "voting_receipt" OWNER TO {not_the_tables_owner};'
    )


def test_unsafe_settings_fail(ready):
    ready.DEBUG = True
    [finding] = preflight.hall_settings()
    assert finding.status == "fail" and finding.text.startswith("tinnhiem serve sẽ không chạy: ")


def test_on_a_computer_not_set_up_yet(tmp_path):
    """From the command line, in a folder with no database: the database is one finding (and no
    empty database file is left there); the printing check runs all the same."""
    done = run_tinnhiem("preflight", data_dir=tmp_path)
    assert done.returncode == 1
    assert "  KHÔNG ĐẠT: Cơ sở dữ liệu" in done.stdout
    assert "  đạt: Đã in và đọc lại đúng một phiếu mẫu" in done.stdout
    assert done.stderr.startswith("Lỗi: ") and "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.sqlite3"))


def test_the_page_for_the_staff_office(ready, client, office, make_user):
    client.force_login(office)
    page = client.get("/kiem-tra-may/", HTTP_HOST="192.168.1.10:8000").content.decode()
    assert '<a href="/kiem-tra-may/">Kiểm tra máy</a>' in page
    assert "Đã in và đọc lại đúng một phiếu mẫu" in page
    assert "Trang này đang mở bằng địa chỉ http://192.168.1.10:8000/." in page
    assert "Máy sẵn sàng: mọi mục kiểm tra đều đạt." in page
    # opened on this computer only, with no public address set: invitations printed now would not open
    ready.TINNHIEM_PUBLIC_URL = ""
    page = client.get("/kiem-tra-may/", HTTP_HOST="127.0.0.1:8000").content.decode()
    assert "Trang này đang mở bằng địa chỉ http://127.0.0.1:8000/, là địa chỉ chỉ máy này mở được" in page
    assert "Máy dùng được, nhưng có 1 cảnh báo ở trên cần đọc." in page
    client.force_login(make_user("committee", "kp"))
    assert client.get("/kiem-tra-may/", HTTP_HOST="192.168.1.10:8000").status_code == 403
    assert "/kiem-tra-may/" not in client.get("/", HTTP_HOST="192.168.1.10:8000").content.decode()


def test_an_altered_audit_log_fails_and_the_log_page_says_where(ready, conference, client, office):
    event = Event.objects.order_by("seq").first()
    Event.objects.filter(pk=event.pk).update(actor="người khác")
    [finding] = preflight.audit_chain()
    assert finding.status == "fail"
    assert finding.text.startswith(f"Nhật ký hệ thống không còn nguyên vẹn (sự kiện nhật ký {event.seq}: ")
    client.force_login(office)
    page = client.get("/nhat-ky/?verify=1", HTTP_HOST="192.168.1.10:8000").content.decode()
    assert f"Chuỗi bị đứt: sự kiện nhật ký {event.seq}: " in page and "(hash)" not in page


def test_the_offices_own_word_templates_are_read_before_the_count(ready):
    import docx

    from tinnhiem.documents.word import REPORT_TEMPLATE_NAME, TEMPLATE_NAME

    [finding] = preflight.word_templates()
    assert (finding.status, finding.text) == ("ok", "Văn bản Word: dùng các mẫu có sẵn (cơ quan chưa có mẫu riêng).")
    folder = Path(ready.DATA_DIR) / "templates"
    folder.mkdir(exist_ok=True)
    try:
        document = docx.Document()
        document.add_paragraph("{{ title }}")
        document.save(folder / TEMPLATE_NAME)
        document = docx.Document()
        document.add_paragraph("{% for form in forms %}{{ form.name }}")  # the loop never closed
        document.save(folder / REPORT_TEMPLATE_NAME)
        good, broken = preflight.word_templates()
        assert good.status == "ok" and good.text.endswith(f"{TEMPLATE_NAME} đọc được.")
        assert broken.status == "fail"
        assert broken.text.startswith(f"Không dùng được mẫu Word riêng của cơ quan {folder / REPORT_TEMPLATE_NAME}: ")
        assert "'endfor'" in broken.text and broken.text.endswith("bỏ tệp đó đi để dùng mẫu có sẵn.")
    finally:
        shutil.rmtree(folder)


def test_the_address_a_page_was_opened_with(ready, rf):
    """Only a page opened by this computer's own name, with no public address set, is a warning:
    the invitations printed from it would carry an address no phone can open."""

    def finding(host: str) -> preflight.Finding:
        return preflight.page_address(rf.get("/kiem-tra-may/", HTTP_HOST=host))

    ready.ALLOWED_HOSTS = ["127.0.0.1", "192.168.1.10"]
    assert finding("127.0.0.1:8000") == preflight.Finding(  # the public address set: it is what is printed
        "ok", "Trang này đang mở bằng địa chỉ http://127.0.0.1:8000/."
    )
    ready.TINNHIEM_PUBLIC_URL = ""
    assert finding("192.168.1.10:8000").status == "ok"
    assert finding("127.0.0.1:8000").status == "warn"


def test_behind_the_proxy_the_page_fails_when_the_proxy_does_not_pass_the_client_s_address(ready, client, office):
    """Every request then comes from the proxy's own address, which the limits on guessing would
    count everyone's mistakes by (docs/deploy.md)."""
    client.force_login(office)
    ready.TINNHIEM_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"
    page = client.get("/kiem-tra-may/", HTTP_HOST="192.168.1.10:8000").content.decode()
    assert "không chuyển địa chỉ của người dùng (X-Real-IP)" in page
    assert "“proxy_set_header X-Real-IP $remote_addr;”" in page
    assert "1 mục kiểm tra không đạt: hãy khắc phục trước hội nghị." in page
    page = client.get("/kiem-tra-may/", HTTP_HOST="192.168.1.10:8000", HTTP_X_REAL_IP="198.51.100.20").content.decode()
    assert "X-Real-IP" not in page and "Máy sẵn sàng: mọi mục kiểm tra đều đạt." in page
    ready.TINNHIEM_CLIENT_ADDRESS_HEADER = ""  # no proxy: nothing to pass, nothing said
    assert "X-Real-IP" not in client.get("/kiem-tra-may/", HTTP_HOST="192.168.1.10:8000").content.decode()


def test_the_data_folders_space_and_the_reason_it_cannot_be_written(ready, monkeypatch):
    import shutil
    from collections import namedtuple

    from tinnhiem import disk

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**11, 10**11 - disk.LOW, disk.LOW))
    [finding] = preflight.data_folder()
    assert (finding.status, finding.text) == ("ok", f"Thư mục dữ liệu {ready.DATA_DIR}: còn 2,0 GB trống.")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**11, 10**11 - disk.LOW + 1, disk.LOW - 1))
    assert preflight.data_folder()[0].status == "warn"

    def refused(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(preflight.tempfile, "NamedTemporaryFile", refused)
    [finding] = preflight.data_folder()
    assert f"Không ghi được vào thư mục dữ liệu {ready.DATA_DIR} (Permission denied)" in finding.text


def test_the_database_it_uses_is_named(ready):
    [finding] = [f for f in preflight.run_checks() if f.text.startswith("Cơ sở dữ liệu: ")]
    name = ready.DATABASES["default"]["NAME"]
    where = str(name) if connection.vendor == "sqlite" else f"PostgreSQL {name} @ "
    assert finding.status == "ok" and finding.text.startswith(f"Cơ sở dữ liệu: {where}")


def test_an_altered_audit_log_names_three_breaks_then_says_there_are_more(ready, office, conference):
    from tinnhiem.conferences.usecases import rated

    rated.add_rated_person(office, conference, full_name="Trần Văn Bình", post="Phó Chủ tịch")
    events = list(Event.objects.order_by("seq")[:4])
    assert len(events) == 4

    def alter(event):
        Event.objects.filter(pk=event.pk).update(actor="người khác")
        return preflight.audit_chain()[0].text

    for event in events[:3]:
        text = alter(event)
    assert text.count("sự kiện nhật ký") == 3 and "…" not in text
    text = alter(events[3])
    assert text.count("sự kiện nhật ký") == 3 and "; …)" in text


def test_the_signing_key_is_told_whether_it_is_made(ready, monkeypatch, tmp_path):
    from tinnhiem.audit import record

    monkeypatch.setattr(record, "signing_key_path", lambda: tmp_path / "signing_key.pem")
    assert preflight.signing_key() == [
        preflight.Finding("ok", "Khoá ký hồ sơ: chưa có; khoá được tạo khi cần dùng lần đầu.")
    ]
    assert not (tmp_path / "signing_key.pem").exists()  # the check makes none
    record.signing_key()
    [finding] = preflight.signing_key()
    assert finding.status == "ok" and record.public_key_fingerprint() in finding.text


def test_a_clock_on_the_first_day_of_2024_or_at_the_last_event_passes(ready, conference, monkeypatch):
    last = Event.objects.order_by("-seq").first()
    monkeypatch.setattr(preflight.timezone, "now", lambda: last.at)
    assert preflight.clock()[0].status == "ok"
    Event.objects.all().delete()
    monkeypatch.setattr(preflight.timezone, "now", lambda: datetime(2024, 1, 1, tzinfo=UTC))
    assert preflight.clock()[0].status == "ok"


def test_no_host_allowed_at_all_is_said_with_a_dash(ready):
    ready.ALLOWED_HOSTS = []
    finding = preflight.network()[1]
    assert finding.status == "warn" and "(TINNHIEM_ALLOWED_HOSTS = —)" in finding.text


def test_a_sample_ballot_read_wrong_is_told_in_english(ready, monkeypatch):
    from django.utils import translation

    from tinnhiem.scanning import synthetic

    monkeypatch.setattr(synthetic, "draw_mark", lambda *args: None)
    with translation.override("en"):
        [finding] = preflight.print_and_read()
    assert finding.text.endswith("the marks were read as —, — instead of High confidence, Low confidence")
