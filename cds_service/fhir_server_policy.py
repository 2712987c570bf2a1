"""Which FHIR servers the service may call for a client: the SSRF and token-redirect guard.

`fhirServer` is chosen by the caller. Before the FHIR client sends a request (and, with
`fhirAuthorization`, the caller's bearer token) to it, `check_fhir_server` decides whether the
URL is one the authenticated client may send (`TrustedClient.fhir_servers`) and whether the
host is safe to contact at all. Rules:

* only ``http``/``https``; ``https`` is required except for loopback hosts (127.0.0.0/8, ::1,
  ``localhost``) when the caller passes ``allow_loopback_http`` (development, integration tests);
* no userinfo (``https://user:pw@host``), query, fragment, dot segments, encoded slashes or
  dots, backslashes, whitespace, non-ASCII characters or non-canonical IPv4 spellings
  (``2130706433``, ``0x7f.1``, ``127.1``);
* with an allowlist, scheme, host and port must equal an entry's and the entry's path must be a
  prefix of the URL's path *by whole segments*: ``https://ehr.example/fhir`` allows
  ``https://ehr.example/fhir`` and ``https://ehr.example/fhir/r4`` but not
  ``https://ehr.example/fhirx`` or ``https://ehr.example.evil.com/fhir``. Comparison is after
  normalising scheme and host case, default ports, a trailing dot on the host and trailing
  slashes; path segments compare case-sensitively;
* the host is resolved and *every* address is checked. Private (10/8, 172.16/12, 192.168/16,
  fc00::/7, 100.64/10), loopback and other non-global or reserved addresses are refused unless
  the server matched an allowlist entry (a hospital's FHIR server often lives on a private
  network) or, for loopback, ``allow_loopback_http`` is set. Cloud metadata endpoints
  (169.254.169.254, 169.254.170.2, 100.100.100.200, fd00:ec2::254, ``metadata.google.internal``
  ...), link-local (169.254.0.0/16, fe80::/10), unspecified, multicast and broadcast addresses
  are refused **always**, even when allowlisted: no FHIR server lives there. IPv4 addresses
  embedded in IPv6 (``::ffff:a.b.c.d``, 6to4, Teredo, NAT64 ``64:ff9b::/96``) are checked as
  the IPv4 address.

Residual risk (for the FHIR client): the check resolves the name, the HTTP library resolves it
again when it connects, so a hostile DNS server could answer differently the second time (DNS
rebinding). Allowlisting the exact servers per client (auth on) is the real control; with auth
off and ``allowed=None`` the service should only run on a developer's machine.

`same_origin` compares scheme, host and port, for redirect and ``next``-link checks, and
`check_patient_binding` refuses a ``fhirAuthorization.patient`` that is not ``context.patientId``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "FhirServerRejected",
    "check_fhir_server",
    "check_patient_binding",
    "default_resolve",
    "normalise_base_url",
    "same_origin",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = frozenset({"localhost"})
# Names of cloud instance-metadata services (GCP, AWS, Azure/other common aliases).
_METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
        ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
        ipaddress.ip_address("169.254.169.123"),  # AWS time sync
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS IMDS over IPv6
        ipaddress.ip_address("fd00:ec2::23"),  # AWS DNS over IPv6
    }
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
_BROADCAST = ipaddress.ip_address("255.255.255.255")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_FORBIDDEN_PATH_ESCAPES = ("%2e", "%2f", "%5c", "%00")


class FhirServerRejected(Exception):
    """`fhirServer` (or the patient binding) is not acceptable. `reason` is for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _BaseUrl:
    scheme: str
    host: str  # lower case, no brackets, no trailing dot
    port: int  # effective port
    segments: tuple[str, ...]
    ip: IPAddress | None  # the host, when it is an IP literal

    @property
    def url(self) -> str:
        host = self.host
        if isinstance(self.ip, ipaddress.IPv6Address):
            host = f"[{self.ip.compressed}]"
        port = "" if self.port == _DEFAULT_PORTS[self.scheme] else f":{self.port}"
        path = "".join(f"/{segment}" for segment in self.segments)
        return f"{self.scheme}://{host}{port}{path}"

    def is_loopback_host(self) -> bool:
        if self.ip is not None:
            return _unwrap(self.ip).is_loopback
        return self.host in _LOOPBACK_NAMES

    def matches(self, entry: _BaseUrl) -> bool:
        """True when `entry` (an allowlist base URL) covers this URL."""
        return (
            self.scheme == entry.scheme
            and self.host == entry.host
            and self.port == entry.port
            and self.segments[: len(entry.segments)] == entry.segments
        )


def _parse_base_url(url: object) -> _BaseUrl:
    """Parse and normalise a FHIR base URL without resolving it; raise FhirServerRejected."""
    if not isinstance(url, str) or not url:
        raise FhirServerRejected("fhirServer is not a non-empty string")
    if len(url) > MAX_URL_LENGTH:
        raise FhirServerRejected("fhirServer URL is too long")
    if not url.isascii() or not url.isprintable() or any(c.isspace() for c in url) or "\\" in url:
        raise FhirServerRejected("fhirServer URL contains illegal characters")
    if "?" in url or "#" in url:
        raise FhirServerRejected("fhirServer URL has a query or fragment")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FhirServerRejected("fhirServer URL does not parse") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise FhirServerRejected("fhirServer scheme is not http or https")
    if "@" in parts.netloc:
        raise FhirServerRejected("fhirServer URL has userinfo")
    if port == 0:
        raise FhirServerRejected("fhirServer URL has port 0")
    host, ip = _parse_host(parts.netloc, parts.hostname)
    return _BaseUrl(
        scheme=scheme,
        host=host,
        port=port if port is not None else _DEFAULT_PORTS[scheme],
        segments=_parse_path(parts.path),
        ip=ip,
    )


def _parse_host(netloc: str, hostname: str | None) -> tuple[str, IPAddress | None]:
    if not hostname:
        raise FhirServerRejected("fhirServer URL has no host")
    if netloc.startswith("["):
        if "%" in hostname:
            raise FhirServerRejected("fhirServer IPv6 address has a zone id")
        try:
            ip6 = ipaddress.IPv6Address(hostname)
        except ValueError:
            raise FhirServerRejected("fhirServer IPv6 address does not parse") from None
        return ip6.compressed, ip6
    try:
        ip4 = ipaddress.IPv4Address(hostname)
    except ValueError:
        pass
    else:
        return str(ip4), ip4
    host = hostname.lower()
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if len(host) > 253 or any(
        not label
        or len(label) > 63
        or label.startswith("-")
        or label.endswith("-")
        or not set(label) <= _LABEL_CHARS
        for label in labels
    ):
        raise FhirServerRejected("fhirServer host is not a valid DNS name")
    if labels[-1].isdigit() or _inet_aton_accepts(host):
        # 2130706433, 127.1, 0x7f.0.0.1, 017.0.0.1: resolvers read these as IPv4 addresses.
        raise FhirServerRejected("fhirServer host is a non-canonical IPv4 address")
    return host, None


def _inet_aton_accepts(host: str) -> bool:
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def _parse_path(path: str) -> tuple[str, ...]:
    if path and not path.startswith("/"):
        raise FhirServerRejected("fhirServer path is not absolute")
    lowered = path.lower()
    if any(escape in lowered for escape in _FORBIDDEN_PATH_ESCAPES):
        raise FhirServerRejected("fhirServer path has an encoded dot, slash or NUL")
    segments = path.split("/")[1:]
    while segments and segments[-1] == "":
        segments.pop()
    if any(segment in ("", ".", "..") for segment in segments):
        raise FhirServerRejected("fhirServer path has empty or dot segments")
    return tuple(segments)


def normalise_base_url(url: str) -> str:
    """The normalised form of a FHIR base URL (syntax only, no DNS); raises FhirServerRejected.

    Lower-case scheme and host, no default port, no trailing slash or trailing dot on the host.
    """
    return _parse_base_url(url).url


def _unwrap(ip: IPAddress) -> IPAddress:
    """The IPv4 address carried inside an IPv6 address (mapped, 6to4, Teredo, NAT64), or `ip`."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _classify(ip: IPAddress) -> str:
    """Classify as forbidden (never), loopback, internal (only if allowlisted) or public."""
    inner = _unwrap(ip)
    if ip in _METADATA_ADDRESSES or inner in _METADATA_ADDRESSES:
        return "forbidden"
    if inner.is_unspecified or inner.is_multicast or inner.is_link_local or inner == _BROADCAST:
        return "forbidden"
    if inner.is_loopback:
        return "loopback"
    if (
        not inner.is_global
        or inner.is_private
        or inner.is_reserved
        or (isinstance(inner, ipaddress.IPv6Address) and inner.is_site_local)
        or inner in _SHARED_ADDRESS_SPACE
    ):
        return "internal"
    return "public"


def default_resolve(host: str) -> list[str]:
    """Every address `host` resolves to (getaddrinfo, TCP), as strings without zone ids."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    return addresses


def _resolve_all(host: str, resolve: Callable[[str], list[str]]) -> list[IPAddress]:
    try:
        answers = resolve(host)
    except (OSError, UnicodeError):
        raise FhirServerRejected("fhirServer host does not resolve") from None
    if not answers:
        raise FhirServerRejected("fhirServer host does not resolve")
    addresses: list[IPAddress] = []
    for answer in answers:
        try:
            addresses.append(ipaddress.ip_address(str(answer).split("%", 1)[0]))
        except ValueError:
            raise FhirServerRejected("fhirServer host resolved to a non-address") from None
    return addresses


def check_fhir_server(
    url: str,
    *,
    allowed: Sequence[str] | None,
    allow_loopback_http: bool = False,
    resolve: Callable[[str], list[str]] = default_resolve,
) -> str:
    """Return the normalised `fhirServer` base URL (no trailing slash) or raise FhirServerRejected.

    `allowed` is the authenticated client's `fhir_servers`; None means "any server" and is only
    for auth-off development setups. An invalid allowlist entry raises ValueError (configuration
    is validated at load time, so this means a programming error).
    """
    target = _parse_base_url(url)
    if target.host in _METADATA_HOSTS:
        raise FhirServerRejected("fhirServer is a cloud metadata service")

    allowlisted = False
    if allowed is not None:
        entries: list[_BaseUrl] = []
        for entry in allowed:
            try:
                entries.append(_parse_base_url(entry))
            except FhirServerRejected as exc:
                raise ValueError(f"invalid allowlisted FHIR server: {exc.reason}") from None
        if not any(target.matches(entry) for entry in entries):
            raise FhirServerRejected("fhirServer is not allowed for this client")
        allowlisted = True

    plain_http = target.scheme == "http"
    if plain_http and not (allow_loopback_http and target.is_loopback_host()):
        raise FhirServerRejected("fhirServer must use https")

    addresses = [target.ip] if target.ip is not None else _resolve_all(target.host, resolve)
    for address in addresses:
        category = _classify(address)
        if category == "forbidden":
            raise FhirServerRejected("fhirServer resolves to a forbidden address")
        if category == "loopback" and not (allow_loopback_http or allowlisted):
            raise FhirServerRejected("fhirServer resolves to a loopback address")
        if category == "internal" and not allowlisted:
            raise FhirServerRejected("fhirServer resolves to a private or reserved address")
        if plain_http and category != "loopback":
            raise FhirServerRejected("fhirServer over http must resolve to loopback only")
    return target.url


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    host = parts.hostname.lower().rstrip(".")
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


def same_origin(a: str, b: str) -> bool:
    """True when both are absolute http(s) URLs with the same scheme, host and effective port.

    URLs with userinfo, other schemes, relative URLs or unparseable URLs never match.
    """
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    origin_a = _origin(a)
    return origin_a is not None and origin_a == _origin(b)


def _bare_patient_id(value: str) -> str:
    return value[len("Patient/") :] if value.startswith("Patient/") else value


def check_patient_binding(fhir_authorization_patient: str | None, context_patient_id: str) -> None:
    """Refuse a token scoped to one patient being used for another.

    When `fhirAuthorization.patient` is present it must name `context.patientId` (a leading
    ``Patient/`` on either side is ignored). Absent means the token is not patient-scoped.
    """
    if fhir_authorization_patient is None:
        return
    if not isinstance(fhir_authorization_patient, str) or not fhir_authorization_patient:
        raise FhirServerRejected("fhirAuthorization.patient is not a non-empty string")
    if not isinstance(context_patient_id, str) or not context_patient_id:
        raise FhirServerRejected("context.patientId is missing")
    if _bare_patient_id(fhir_authorization_patient) != _bare_patient_id(context_patient_id):
        raise FhirServerRejected("fhirAuthorization.patient differs from context.patientId")
