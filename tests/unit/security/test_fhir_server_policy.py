"""check_fhir_server / same_origin / check_patient_binding: SSRF and token-redirect rules.

DNS answers are simulated through the injectable `resolve`, including names that resolve to
cloud metadata and private addresses (DNS rebinding style).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cds_service.fhir_server_policy import (
    FhirServerRejected,
    check_fhir_server,
    check_patient_binding,
    normalise_base_url,
    same_origin,
)

PUBLIC_IP = "93.184.216.34"
ALLOWED = ("https://ehr.example/fhir",)


def dns(answers: dict[str, list[str]]) -> Callable[[str], list[str]]:
    def resolve(host: str) -> list[str]:
        if host not in answers:
            raise OSError("NXDOMAIN")
        return answers[host]

    return resolve


PUBLIC_DNS = dns(
    {
        "ehr.example": [PUBLIC_IP],
        "ehr.example.evil.com": [PUBLIC_IP],
        "other.example": [PUBLIC_IP],
        "localhost": ["127.0.0.1", "::1"],
    }
)


def rejected(url: str, **kwargs: object) -> str:
    kwargs.setdefault("allowed", None)
    kwargs.setdefault("resolve", PUBLIC_DNS)
    with pytest.raises(FhirServerRejected) as info:
        check_fhir_server(url, **kwargs)  # type: ignore[arg-type]
    return info.value.reason


# -- allowlist -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("https://ehr.example/fhir", "https://ehr.example/fhir"),
        ("https://ehr.example/fhir/", "https://ehr.example/fhir"),
        ("https://ehr.example/fhir//", "https://ehr.example/fhir"),
        ("HTTPS://EHR.EXAMPLE/fhir", "https://ehr.example/fhir"),
        ("https://ehr.example:443/fhir", "https://ehr.example/fhir"),
        ("https://ehr.example./fhir", "https://ehr.example/fhir"),
        ("https://ehr.example/fhir/r4", "https://ehr.example/fhir/r4"),
        ("https://ehr.example/fhir/r4/", "https://ehr.example/fhir/r4"),
    ],
)
def test_allowlist_matches(url: str, normalised: str) -> None:
    assert check_fhir_server(url, allowed=ALLOWED, resolve=PUBLIC_DNS) == normalised


def test_allowlist_entries_are_normalised_too() -> None:
    allowed = ["HTTPS://EHR.example:443/fhir/"]
    assert check_fhir_server("https://ehr.example/fhir", allowed=allowed, resolve=PUBLIC_DNS)


@pytest.mark.parametrize(
    "url",
    [
        "https://ehr.example/fhirx",
        "https://ehr.example/fhi",
        "https://ehr.example/",
        "https://ehr.example",
        "https://ehr.example/FHIR",
        "https://ehr.example/other/fhir",
        "https://ehr.example.evil.com/fhir",
        "https://evil.example/fhir",
        "https://other.example/fhir",
        "https://ehr.example:8443/fhir",
        "http://ehr.example/fhir",
    ],
)
def test_allowlist_near_misses_rejected(url: str) -> None:
    reason = rejected(url, allowed=ALLOWED)
    assert reason in ("fhirServer is not allowed for this client", "fhirServer must use https")


def test_empty_allowlist_allows_nothing() -> None:
    assert rejected("https://ehr.example/fhir", allowed=()) == (
        "fhirServer is not allowed for this client"
    )


def test_no_allowlist_allows_public_https() -> None:
    assert check_fhir_server("https://other.example/r4", allowed=None, resolve=PUBLIC_DNS) == (
        "https://other.example/r4"
    )


def test_invalid_allowlist_entry_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="invalid allowlisted FHIR server"):
        check_fhir_server("https://ehr.example/fhir", allowed=["ftp://x"], resolve=PUBLIC_DNS)


# -- syntax ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://user:pw@ehr.example/fhir", "fhirServer URL has userinfo"),
        ("https://user@ehr.example/fhir", "fhirServer URL has userinfo"),
        ("https://ehr.example@evil.example/fhir", "fhirServer URL has userinfo"),
        ("ftp://ehr.example/fhir", "fhirServer scheme is not http or https"),
        ("file:///etc/passwd", "fhirServer scheme is not http or https"),
        ("gopher://ehr.example/", "fhirServer scheme is not http or https"),
        ("javascript:alert(1)", "fhirServer scheme is not http or https"),
        ("//ehr.example/fhir", "fhirServer scheme is not http or https"),
        ("ehr.example/fhir", "fhirServer scheme is not http or https"),
        ("", "fhirServer is not a non-empty string"),
        ("https:///fhir", "fhirServer URL has no host"),
        ("https://ehr.example/fhir?_format=json", "fhirServer URL has a query or fragment"),
        ("https://ehr.example/fhir#x", "fhirServer URL has a query or fragment"),
        ("https://ehr.example/fhir/../admin", "fhirServer path has empty or dot segments"),
        ("https://ehr.example/fhir/./r4", "fhirServer path has empty or dot segments"),
        ("https://ehr.example/fhir//r4", "fhirServer path has empty or dot segments"),
        (
            "https://ehr.example/fhir/%2e%2e/admin",
            "fhirServer path has an encoded dot, slash or NUL",
        ),
        ("https://ehr.example/fhir%2Fr4", "fhirServer path has an encoded dot, slash or NUL"),
        ("https://ehr.example\\@evil.example/", "fhirServer URL contains illegal characters"),
        ("https://ehr.example/fh ir", "fhirServer URL contains illegal characters"),
        ("https://ehr.example/fhir\n", "fhirServer URL contains illegal characters"),
        ("https://ehr.exämple/fhir", "fhirServer URL contains illegal characters"),
        ("https://ehr.example:99999/fhir", "fhirServer URL does not parse"),
        ("https://ehr.example:0/fhir", "fhirServer URL has port 0"),
        ("https://[::1/fhir", "fhirServer URL does not parse"),
        ("https://ehr_.-bad/fhir", "fhirServer host is not a valid DNS name"),
        ("https://" + "a" * 3000, "fhirServer URL is too long"),
    ],
)
def test_malformed_urls_rejected(url: str, reason: str) -> None:
    assert rejected(url) == reason


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f000001", "0x7f.0.0.1", "127.1", "017.0.0.1", "0177.0.0.1", "10.1"],
)
def test_non_canonical_ipv4_spellings_rejected(host: str) -> None:
    assert rejected(f"https://{host}/fhir") == "fhirServer host is a non-canonical IPv4 address"


def test_non_string_rejected() -> None:
    with pytest.raises(FhirServerRejected):
        check_fhir_server(None, allowed=None)  # type: ignore[arg-type]


# -- scheme and loopback ---------------------------------------------------------------------


def test_https_required() -> None:
    assert rejected("http://other.example/fhir") == "fhirServer must use https"
    assert rejected("http://other.example/fhir", allow_loopback_http=True) == (
        "fhirServer must use https"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/fhir",
        "http://127.8.9.10/fhir",
        "http://[::1]:8080/fhir",
        "http://localhost:8080/fhir",
        "https://localhost/fhir",
    ],
)
def test_loopback_only_when_permitted(url: str) -> None:
    assert rejected(url) in (
        "fhirServer must use https",
        "fhirServer resolves to a loopback address",
    )
    assert check_fhir_server(url, allowed=None, allow_loopback_http=True, resolve=PUBLIC_DNS)


def test_localhost_that_resolves_elsewhere_is_not_loopback() -> None:
    hostile = dns({"localhost": ["127.0.0.1", PUBLIC_IP]})
    reason = rejected("http://localhost:8080/fhir", allow_loopback_http=True, resolve=hostile)
    assert reason == "fhirServer over http must resolve to loopback only"


def test_loopback_https_allowed_when_explicitly_allowlisted() -> None:
    url = "https://localhost:8443/fhir"
    assert check_fhir_server(url, allowed=[url], resolve=PUBLIC_DNS) == url


# -- address classes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",  # cloud metadata
        "169.254.170.2",  # ECS task metadata
        "100.100.100.200",  # Alibaba metadata
        "fd00:ec2::254",  # AWS IMDS IPv6
        "169.254.1.1",  # link-local
        "fe80::1",
        "0.0.0.0",  # noqa: S104 - unspecified, as a DNS answer
        "::",
        "224.0.0.1",  # multicast
        "ff02::1",
        "255.255.255.255",
        "::ffff:169.254.169.254",  # IPv4-mapped metadata
        "64:ff9b::a9fe:a9fe",  # NAT64 metadata
        "2002:a9fe:a9fe::1",  # 6to4 metadata
    ],
)
def test_forbidden_addresses_rejected_even_when_allowlisted(address: str) -> None:
    resolve = dns({"ehr.example": [address]})
    reason = rejected("https://ehr.example/fhir", allowed=ALLOWED, resolve=resolve)
    assert reason == "fhirServer resolves to a forbidden address"
    assert rejected("https://ehr.example/fhir", resolve=resolve) == reason


@pytest.mark.parametrize(
    "literal",
    [
        "169.254.169.254",
        "[fd00:ec2::254]",
        "[::ffff:169.254.169.254]",
        "[fe80::1]",
        "0.0.0.0",  # noqa: S104 - a URL host here, nothing binds to it
    ],
)
def test_forbidden_ip_literals_rejected(literal: str) -> None:
    assert rejected(f"https://{literal}/latest/meta-data") == (
        "fhirServer resolves to a forbidden address"
    )


@pytest.mark.parametrize(
    "host", ["metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata", "metadata.goog"]
)
def test_metadata_hostnames_rejected(host: str) -> None:
    allowed = [f"https://{host.lower().rstrip('.')}/"]
    assert rejected(f"https://{host}/computeMetadata/v1", allowed=allowed) == (
        "fhirServer is a cloud metadata service"
    )


def test_hostname_resolving_to_metadata_rejected() -> None:
    """DNS rebinding: a harmless-looking public name answers with the metadata address."""
    rebinding = dns({"fhir.attacker.example": ["169.254.169.254"]})
    assert rejected("https://fhir.attacker.example/fhir", resolve=rebinding) == (
        "fhirServer resolves to a forbidden address"
    )


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.10",
        "100.64.0.1",  # carrier-grade NAT
        "fc00::1",
        "fd12:3456::1",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "240.0.0.1",  # reserved
        "::ffff:10.0.0.5",
        "127.0.0.1",
    ],
)
def test_private_and_reserved_addresses_need_an_explicit_allowlist_entry(address: str) -> None:
    resolve = dns({"ehr.internal": [address]})
    reason = rejected("https://ehr.internal/fhir", resolve=resolve)
    assert reason in (
        "fhirServer resolves to a private or reserved address",
        "fhirServer resolves to a loopback address",
    )
    # Explicitly allowlisted (a hospital FHIR server on its private network): allowed.
    allowed = ["https://ehr.internal/fhir"]
    assert check_fhir_server("https://ehr.internal/fhir", allowed=allowed, resolve=resolve)


def test_private_ip_literal_allowed_only_when_that_server_is_allowlisted() -> None:
    assert rejected("https://10.0.0.5/fhir") == (
        "fhirServer resolves to a private or reserved address"
    )
    assert check_fhir_server("https://10.0.0.5/fhir", allowed=["https://10.0.0.5/fhir"])
    assert rejected("https://10.0.0.6/fhir", allowed=["https://10.0.0.5/fhir"]) == (
        "fhirServer is not allowed for this client"
    )


def test_every_resolved_address_is_checked() -> None:
    mixed = dns({"other.example": [PUBLIC_IP, "10.0.0.1"]})
    assert rejected("https://other.example/fhir", resolve=mixed) == (
        "fhirServer resolves to a private or reserved address"
    )
    mixed_metadata = dns({"other.example": [PUBLIC_IP, "169.254.169.254"]})
    assert rejected("https://other.example/fhir", resolve=mixed_metadata) == (
        "fhirServer resolves to a forbidden address"
    )


def test_unresolvable_or_odd_dns_answers_rejected() -> None:
    assert rejected("https://nowhere.example/fhir") == "fhirServer host does not resolve"
    assert rejected("https://x.example/fhir", resolve=dns({"x.example": []})) == (
        "fhirServer host does not resolve"
    )
    assert rejected("https://x.example/fhir", resolve=dns({"x.example": ["not-an-ip"]})) == (
        "fhirServer host resolved to a non-address"
    )


def test_public_ipv6_and_mapped_public_ipv4_allowed() -> None:
    assert check_fhir_server("https://[2606:4700::1111]/fhir", allowed=None)
    resolve = dns({"v6.example": ["2606:4700::1111", "::ffff:93.184.216.34"]})
    assert check_fhir_server("https://v6.example/fhir", allowed=None, resolve=resolve)


def test_default_resolver_is_used_for_real_names() -> None:
    # "localhost" resolves locally without network access.
    assert check_fhir_server("http://localhost:1/fhir", allowed=None, allow_loopback_http=True)


# -- helpers ---------------------------------------------------------------------------------


def test_normalise_base_url() -> None:
    assert normalise_base_url("HTTPS://Ehr.Example:443/fhir/") == "https://ehr.example/fhir"
    assert normalise_base_url("http://[::1]:80/") == "http://[::1]"
    with pytest.raises(FhirServerRejected):
        normalise_base_url("https://u:p@ehr.example/")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://ehr.example/fhir", "https://ehr.example/fhir/Patient?_count=5&page=2", True),
        ("https://EHR.example:443/fhir", "https://ehr.example./other", True),
        ("http://127.0.0.1:8080/fhir", "http://127.0.0.1:8080/x", True),
        ("https://ehr.example/fhir", "http://ehr.example/fhir", False),
        ("https://ehr.example/fhir", "https://ehr.example:8443/fhir", False),
        ("https://ehr.example/fhir", "https://ehr.example.evil.com/fhir", False),
        ("https://ehr.example/fhir", "https://evil.example@ehr.example/fhir", False),
        ("https://ehr.example/fhir", "/fhir/Patient", False),
        ("https://ehr.example/fhir", "ftp://ehr.example/fhir", False),
        ("https://ehr.example/fhir", "https://ehr.example:99999/", False),
        ("https://ehr.example/fhir", "javascript:alert(1)", False),
    ],
)
def test_same_origin(a: str, b: str, same: bool) -> None:
    assert same_origin(a, b) is same
    assert same_origin(b, a) is same


@pytest.mark.parametrize(
    ("patient", "context_patient"),
    [(None, "123"), ("123", "123"), ("Patient/123", "123"), ("123", "Patient/123")],
)
def test_patient_binding_ok(patient: str | None, context_patient: str) -> None:
    check_patient_binding(patient, context_patient)


@pytest.mark.parametrize(
    ("patient", "context_patient"),
    [("123", "456"), ("", "123"), ("123", ""), (123, "123"), ("Patient/1", "Patient/12")],
)
def test_patient_binding_mismatch_rejected(patient: object, context_patient: str) -> None:
    with pytest.raises(FhirServerRejected):
        check_patient_binding(patient, context_patient)  # type: ignore[arg-type]
