"""The client address of a request, which login throttling counts failures of.

It is the socket's peer, unless that peer is a trusted proxy (`G2P_TRUSTED_PROXIES`): then the
client is the nearest address in `X-Forwarded-For` that is not a trusted proxy itself, read from
the right (the end a trusted proxy appended; what the client wrote further left proves nothing).
A peer that is not trusted cannot choose its address by sending the header.
"""

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated addresses or networks (`10.0.0.5, 10.1.0.0/16, ::1`); ValueError naming a
    bad one."""
    networks = []
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not an IP address or network") from None
    return tuple(networks)


class TrustedProxies:
    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self.networks = tuple(networks)

    def trusts(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str | None:
        if peer is None or forwarded_for is None or not self.trusts(peer):
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return _valid_address(hop) or peer
        # Every hop is a trusted proxy: the farthest one is the client.
        return (_valid_address(hops[0]) if hops else None) or peer


def _valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
