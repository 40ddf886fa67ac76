"""``tinnhiem serve`` refuses unsafe settings."""

import pytest
from django.core.management import CommandError, call_command

from tests.fresh_db import run_tinnhiem
from tinnhiem.site.management.commands.serve import check_production_settings


def test_safe_settings_pass(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["192.168.1.10"]
    settings.SECRET_KEY = "x" * 50
    assert check_production_settings() == []


@pytest.mark.parametrize(
    "change, words",
    [({"DEBUG": True}, "gỡ lỗi"), ({"ALLOWED_HOSTS": ["*"]}, "“*”"), ({"SECRET_KEY": "short"}, "Khoá bí mật")],
)
def test_unsafe_settings_refuse_to_start(settings, change, words):
    settings.DEBUG, settings.ALLOWED_HOSTS, settings.SECRET_KEY = False, ["127.0.0.1"], "y" * 50
    for key, value in change.items():
        setattr(settings, key, value)
    with pytest.raises(CommandError) as info:
        call_command("serve", "--port", "1")
    assert words in str(info.value)


@pytest.mark.parametrize("proxy, secure", [("1", True), ("", False)])
def test_https_proxy_switch(tmp_path, proxy, secure):
    """Only TINNHIEM_BEHIND_TLS_PROXY=1 trusts X-Forwarded-Proto and X-Real-IP and makes the cookies
    HTTPS-only."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TINNHIEM_DATA_DIR": str(tmp_path), "TINNHIEM_BEHIND_TLS_PROXY": proxy}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'tinnhiem.site.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " repr(s.TINNHIEM_CLIENT_ADDRESS_HEADER))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    expected = "('HTTP_X_FORWARDED_PROTO', 'https') True True 'HTTP_X_REAL_IP'" if secure else "None False False ''"
    assert out.strip() == expected


# The address: a port in use, an address this computer does not have, a port out of range.
# Each is one sentence saying what to do, said before anything else is done; never a traceback.


@pytest.fixture
def taken_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_port_in_use_is_a_sentence(taken_port):
    from tinnhiem.site.server import open_server

    with pytest.raises(CommandError) as info:
        open_server("127.0.0.1", taken_port)
    message = str(info.value)
    assert f"Cổng {taken_port} trên 127.0.0.1 đang được một chương trình khác dùng" in message
    assert f"--port {taken_port + 1}" in message


def test_demo_on_a_port_in_use_says_so_before_loading_anything(taken_port, tmp_path):
    done = run_tinnhiem("demo", "--no-input", "--port", str(taken_port), data_dir=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Lỗi: Cổng {taken_port} trên 127.0.0.1 đang được"), done.stderr
    assert "Traceback" not in done.stderr
    assert "kiemphieu1" not in done.stdout  # the accounts are not listed as if it had started
    assert not list(tmp_path.glob("*.sqlite3"))  # and the demo data was not loaded first


def test_serve_says_it_serves_only_once_it_does(taken_port, tmp_path):
    done = run_tinnhiem("serve", "--migrate", "--port", str(taken_port), data_dir=tmp_path)
    assert done.returncode == 1
    assert f"Lỗi: Cổng {taken_port}" in done.stderr and "Traceback" not in done.stderr
    assert "http://127.0.0.1" not in done.stdout


def test_an_address_this_computer_does_not_have():
    import socket

    from tinnhiem.site.server import open_server

    address = "203.0.113.77"  # TEST-NET-3: documentation only, never routed
    with socket.socket() as probe:
        try:
            probe.bind((address, 0))
        except OSError:
            pass
        else:
            pytest.skip("this machine binds any address (ip_nonlocal_bind)")
    with pytest.raises(CommandError) as info:
        open_server(address, 8000)
    assert f"Máy này không có địa chỉ {address}. Dùng 0.0.0.0" in str(info.value)


@pytest.mark.parametrize("port", [0, 65536, 70000])
def test_a_port_out_of_range(port):
    from tinnhiem.site.server import open_server

    with pytest.raises(CommandError) as info:
        open_server("127.0.0.1", port)
    assert str(info.value) == f"Cổng là một số từ 1 đến 65535, không phải {port}."


def test_other_address_problems_read_as_sentences():
    import errno
    import socket

    from tinnhiem.site.server import bind_problem

    denied = bind_problem(OSError(errno.EACCES, "Permission denied"), "0.0.0.0", 80)
    assert denied.startswith("Không được phép mở cổng 80 (cổng dưới 1024")
    unknown = bind_problem(socket.gaierror(-2, "Name or service not known"), "may-chu", 8000)
    assert unknown.startswith("“may-chu” không phải là địa chỉ của máy này")
    other = bind_problem(OSError(errno.ENETDOWN, "Network is down"), "10.0.0.5", 8000)
    assert other == "Máy chủ không mở được 10.0.0.5:8000: Network is down"


def test_a_free_port_is_bound_before_serving():
    import socket

    from tinnhiem.site.server import open_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = open_server("127.0.0.1", port, threads=1)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()  # listening before run()
    finally:
        server.close()


# Reaching the server from the hall's network: an address it does not answer to is a page that
# says which, and what to set; serve warns at start; the demo answers on this computer's addresses.


def test_an_address_the_server_does_not_answer_to_is_named(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    page = client.get("/tai-khoan/dang-nhap/", HTTP_HOST="192.168.1.10:8000")
    assert page.status_code == 400
    text = page.content.decode()
    assert "Máy chủ tinnhiem này không nhận địa chỉ “192.168.1.10:8000”." in text
    assert "TINNHIEM_ALLOWED_HOSTS=127.0.0.1,192.168.1.10 (docs/deploy.md)" in text
    hostile = client.get("/", HTTP_HOST="<b>x</b>")
    assert hostile.status_code == 400
    assert "<b>x</b>" not in hostile.content.decode() and "&lt;b&gt;x&lt;/b&gt;" in hostile.content.decode()
    assert "TINNHIEM_ALLOWED_HOSTS=" not in hostile.content.decode()  # not a host name: nothing to add


def test_a_refused_address_is_one_line_in_the_servers_log(client, settings):
    """Django's own message names the address to add; its traceback, once per phone, was noise."""
    import logging

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    logger = logging.getLogger("django.security.DisallowedHost")
    seen = []
    handler = logging.Handler()
    handler.emit = seen.append
    logger.addHandler(handler)
    try:
        assert client.get("/", HTTP_HOST="192.168.1.50:8000").status_code == 400
    finally:
        logger.removeHandler(handler)
    assert len(seen) == 1 and "192.168.1.50" in seen[0].getMessage()
    assert seen[0].exc_info is None and logging.Formatter().format(seen[0]).count("\n") == 0


def test_another_bad_request_is_a_plain_sentence(client, settings):
    settings.DEBUG = False
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    page = client.post("/tai-khoan/dang-nhap/", fields)
    assert page.status_code == 400
    assert "Máy chủ không hiểu yêu cầu này. Hãy quay lại và thử lại." in page.content.decode()


def test_serve_warns_when_it_listens_beyond_this_computer_for_loopback_names_only(settings, monkeypatch):
    from tinnhiem.site import addresses
    from tinnhiem.site.management.commands.serve import allowed_hosts_warning

    monkeypatch.setattr(addresses, "machine_addresses", lambda: ["192.168.1.10"])
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    assert allowed_hosts_warning("0.0.0.0") == (
        "Cảnh báo: máy chủ nhận kết nối trên 0.0.0.0 nhưng TINNHIEM_ALLOWED_HOSTS chỉ cho phép 127.0.0.1, "
        "localhost: điện thoại và máy khác sẽ bị từ chối. Hãy đặt TINNHIEM_ALLOWED_HOSTS=127.0.0.1,192.168.1.10 "
        "rồi chạy lại."
    )
    assert "TINNHIEM_ALLOWED_HOSTS=127.0.0.1,10.0.0.7 " in allowed_hosts_warning("10.0.0.7")
    assert allowed_hosts_warning("127.0.0.1") is None  # this computer only: nothing to warn of
    settings.ALLOWED_HOSTS = ["127.0.0.1", "192.168.1.10"]
    assert allowed_hosts_warning("0.0.0.0") is None
    settings.ALLOWED_HOSTS = [".tinnhiem.example.gov.vn"]
    assert allowed_hosts_warning("0.0.0.0") is None
    monkeypatch.setattr(addresses, "machine_addresses", lambda: [])
    settings.ALLOWED_HOSTS = ["localhost"]
    assert "TINNHIEM_ALLOWED_HOSTS=127.0.0.1,ĐỊA-CHỈ-CỦA-MÁY-NÀY " in allowed_hosts_warning("0.0.0.0")


def test_this_computers_addresses_are_not_loopback():
    import ipaddress

    from tinnhiem.site.addresses import machine_addresses, reachable_addresses

    addresses = machine_addresses()
    assert all(not ipaddress.IPv4Address(a).is_loopback for a in addresses)
    assert reachable_addresses("0.0.0.0") == addresses
    assert reachable_addresses("127.0.0.1") == [] and reachable_addresses("localhost") == []
    assert reachable_addresses("192.168.1.10") == ["192.168.1.10"]


def test_the_demo_on_the_hall_network_answers_to_this_computers_addresses(db, client, settings, monkeypatch, capsys):
    from tinnhiem.site import addresses
    from tinnhiem.site.management.commands.demo import Command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    monkeypatch.setattr(addresses, "machine_addresses", lambda: ["192.168.1.10"])
    assert client.get("/tai-khoan/dang-nhap/", HTTP_HOST="192.168.1.10:8000").status_code == 400
    Command()._other_devices("0.0.0.0", 8000)
    assert "Điện thoại và máy khác trong cùng mạng mở: http://192.168.1.10:8000/" in capsys.readouterr().out
    assert client.get("/tai-khoan/dang-nhap/", HTTP_HOST="192.168.1.10:8000").status_code == 200
    assert client.get("/tai-khoan/dang-nhap/", HTTP_HOST="10.9.9.9:8000").status_code == 400  # not any address
    monkeypatch.setattr(addresses, "machine_addresses", lambda: [])
    Command()._other_devices("0.0.0.0", 8000)
    assert "Không tìm thấy địa chỉ mạng của máy này" in capsys.readouterr().out


def test_serve_names_the_addresses_phones_open(settings, monkeypatch):
    from tinnhiem.site import addresses
    from tinnhiem.site.management.commands.serve import network_urls

    monkeypatch.setattr(addresses, "machine_addresses", lambda: ["192.168.1.10", "10.0.0.7"])
    settings.ALLOWED_HOSTS = ["127.0.0.1", "192.168.1.10"]
    assert network_urls("0.0.0.0", 8000) == "http://192.168.1.10:8000/"  # only the addresses it answers to
    assert network_urls("127.0.0.1", 8000) == ""
    settings.ALLOWED_HOSTS = ["*"]
    assert network_urls("0.0.0.0", 8000) == "http://192.168.1.10:8000/, http://10.0.0.7:8000/"


def test_the_demos_folder_is_not_served_and_preflight_says_so(settings, tmp_path):
    from tinnhiem.site import demo_folder, preflight

    settings.DEBUG, settings.ALLOWED_HOSTS, settings.SECRET_KEY = False, ["127.0.0.1"], "y" * 50
    settings.DATA_DIR = tmp_path
    assert check_production_settings() == []
    demo_folder.mark()
    assert check_production_settings() == [
        f"Thư mục dữ liệu {tmp_path} đang chứa bản trình diễn, có các tài khoản với mật khẩu công khai: "
        "hãy dùng cho hệ thống thật một thư mục dữ liệu riêng (TINNHIEM_DATA_DIR)."
    ]
    with pytest.raises(CommandError):
        call_command("serve", "--port", "1")
    # trying the demo is no fault of the computer: a warning, where a weak key is a failure
    [finding] = preflight.hall_settings()
    assert finding.status == "warn" and "bản trình diễn" in finding.text
    settings.SECRET_KEY = "short"
    assert [f.status for f in preflight.hall_settings()] == ["fail", "warn"]
