"""This computer's addresses on the hall network, and which of them the server answers to: what
``serve``, ``demo`` and ``preflight`` tell the staff office to open or to allow. Found without
sending anything, and without loading the web application."""

from __future__ import annotations

import socket

from django.utils.translation import gettext as _


def loopback(host: str) -> bool:
    return host in ("localhost", "::1", "[::1]") or host.startswith("127.")


def every_address(host: str) -> bool:
    """A listening address that means every address of this computer (0.0.0.0, ::)."""
    return host in ("0.0.0.0", "::", "[::]", "")


def machine_addresses() -> list[str]:
    """This computer's IPv4 addresses on its networks (not loopback), found without sending
    anything: the address a UDP socket would leave from toward a private network (connecting one
    sends no packet), and the addresses of its host name."""
    found = set()
    for probe in ("10.254.254.254", "192.168.254.254", "172.31.254.254"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.add(udp.getsockname()[0])
        except OSError:
            pass  # no route to that network
    try:
        found.update(info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET))
    except OSError:
        pass
    return sorted(a for a in found if not loopback(a) and a != "0.0.0.0")


def reachable_addresses(host: str) -> list[str]:
    """The addresses other devices use to reach a server listening on ``host``: none for a
    loopback address, this computer's addresses for 0.0.0.0 (or ::), else ``host`` itself."""
    if loopback(host):
        return []
    if every_address(host):
        return machine_addresses()
    return [host]


def loopback_only(allowed_hosts: list[str]) -> bool:
    """Whether the server answers to this computer's own names only (127.0.0.1, localhost)."""
    return "*" not in allowed_hosts and all(loopback(h.lstrip(".")) for h in allowed_hosts)


def suggested_hosts(addresses: list[str]) -> str:
    """The TINNHIEM_ALLOWED_HOSTS value to propose: this computer, then its network addresses."""
    return ",".join(["127.0.0.1", *addresses]) if addresses else _("127.0.0.1,ADDRESS-OF-THIS-COMPUTER")
