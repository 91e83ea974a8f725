"""SSRF checks of webhook URLs (issue 16): an endpoint must be http(s) on a public address, unless
HUB_WEBHOOKS_ALLOW_PRIVATE=1 (tests, intranets). Checked when an endpoint is saved, and again on every
attempt with the addresses the name resolves to then, so that a name re-pointed at an internal address
(DNS rebinding) is refused at sending time too."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from hub.i18n import _

MAX_URL = 2000


class BlockedTarget(ValueError):
    """The URL is malformed or points where the hub must not send (the reason is shown to the office)."""


def check_url(url: str) -> tuple[str, int]:
    """The host and port of a well-formed http(s) URL; BlockedTarget otherwise (no address check here)."""
    if len(url) > MAX_URL:
        raise BlockedTarget(_("the URL is longer than {limit} characters", limit=MAX_URL))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedTarget(_("not a valid URL: {reason}", reason=exc)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedTarget(_("the URL must be http:// or https:// with a host"))
    if parts.username or parts.password:
        raise BlockedTarget(_("the URL must not carry a user name or password"))
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def blocked_address(address: str) -> bool:
    """Loopback, link-local (cloud metadata), private, shared, multicast, reserved or unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_target(url: str, allow_private: bool) -> None:
    """BlockedTarget unless every address `url`'s host resolves to is public (or private ones are allowed)."""
    host, port = check_url(url)
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise BlockedTarget(
            _("the host {host} does not resolve: {reason}", host=host, reason=exc.strerror or exc)
        ) from None
    for *_info, sockaddr in infos:
        if blocked_address(str(sockaddr[0])):
            raise BlockedTarget(
                _(
                    "{host} resolves to {address}, a loopback, link-local or private address"
                    " (allowed only with HUB_WEBHOOKS_ALLOW_PRIVATE=1)",
                    host=host,
                    address=sockaddr[0],
                )
            )
