"""`--offline` as a guarantee, not a promise: no connection beyond this machine.

Inside `no_network()`, an audit hook refuses every connect and name lookup whose address is
not loopback (127.0.0.0/8, ::1, localhost) or a local socket. The engines already refuse
the network when offline; this catches anything else in the process (a library's
telemetry, a hub lookup) before a packet leaves.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class NetworkBlocked(ConnectionRefusedError):
    """Raised for a connection attempted while offline (an OSError, so libraries that
    expect network failures handle it as one)."""


_state = {"blocking": 0, "installed": False}
blocked: list[str] = []  # what was refused, for -v and tests


def is_loopback(host: object) -> bool:
    """True for loopback addresses and names."""
    if host is None:
        return True  # getaddrinfo(None, port): the local host
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in {"localhost", "localhost.localdomain", "ip6-localhost", ""}:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _state["blocking"]:
        return
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not is_loopback(address[0]):
            blocked.append(f"{address[0]}:{address[1]}")
            raise NetworkBlocked(f"rreview is offline: connection to {address[0]} refused")
    elif event == "socket.getaddrinfo" and not is_loopback(args[0]):
        blocked.append(str(args[0]))
        raise NetworkBlocked(f"rreview is offline: name lookup of {args[0]} refused")


@contextmanager
def no_network() -> Iterator[None]:
    """Refuse every non-loopback connection in this process while the block runs."""
    if not _state["installed"]:
        sys.addaudithook(_hook)
        _state["installed"] = True
    _state["blocking"] += 1
    try:
        yield
    finally:
        _state["blocking"] -= 1
