import pytest

from services.notify.channels.safe_url import resolve_and_check
from services.notify.domain.ssrf import UnsafeUrl, check_address, check_url_syntax


def resolver_to(*ips: str):
    async def resolve(host: str, port: int) -> list[str]:
        return list(ips)
    return resolve


async def public_resolver(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/", "http://0.0.0.0/", "http://172.16.5.4/", "http://192.168.1.1/",
    "http://100.64.0.1/", "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/",
    "http://224.0.0.1/", "http://[fc00::1]/", "http://[2002:7f00:1::]/", "http://[64:ff9b::a00:1]/",
    "http://255.255.255.255/", "http://240.0.0.1/", "http://192.0.2.1/",
])
async def test_internal_addresses_are_refused(url):
    with pytest.raises(UnsafeUrl):
        await resolve_and_check(url, allow_private=False, resolver=public_resolver)


async def test_a_host_resolving_to_a_private_ip_is_refused():
    with pytest.raises(UnsafeUrl, match="private"):
        await resolve_and_check("https://hooks.example.com/x", False, resolver_to("10.1.2.3"))


async def test_one_private_record_among_public_ones_is_refused():
    with pytest.raises(UnsafeUrl):
        await resolve_and_check("https://hooks.example.com/x", False, resolver_to("93.184.216.34", "127.0.0.1"))


async def test_public_host_is_accepted_with_its_addresses():
    target = await resolve_and_check("https://hooks.example.com:8443/x", False, resolver_to("93.184.216.34"))
    assert target.host == "hooks.example.com" and target.port == 8443
    assert [str(a) for a in target.addresses] == ["93.184.216.34"]


async def test_public_ip_literal_is_accepted_without_resolution():
    async def no_dns(host: str, port: int) -> list[str]:
        raise AssertionError("an IP literal needs no lookup")
    target = await resolve_and_check("http://8.8.8.8/hook", False, resolver=no_dns)
    assert str(target.addresses[0]) == "8.8.8.8"


async def test_development_setting_lets_loopback_through_and_nothing_else_private():
    await resolve_and_check("http://127.0.0.1:8010/handoffs", True, resolver=public_resolver)
    await resolve_and_check("http://[::1]:8010/", True, resolver=public_resolver)
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://192.168.1.1/", "http://100.64.0.1/"):
        with pytest.raises(UnsafeUrl):
            await resolve_and_check(url, True, resolver=public_resolver)
    with pytest.raises(UnsafeUrl):
        await resolve_and_check("http://court.local/", True, resolver_to("10.0.0.5", "fe80::1%eth0"))


async def test_allow_private_still_refuses_unspecified_and_multicast():
    for url in ("http://0.0.0.0/", "http://224.0.0.1/"):
        with pytest.raises(UnsafeUrl):
            await resolve_and_check(url, True, resolver=public_resolver)


async def test_unresolvable_host_is_refused():
    async def failing(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        await resolve_and_check("https://nowhere.invalid/", False, resolver=failing)
    with pytest.raises(UnsafeUrl):
        await resolve_and_check("https://empty.example/", False, resolver_to())


async def test_real_resolver_refuses_localhost():
    with pytest.raises(UnsafeUrl):
        await resolve_and_check("http://localhost:9/", False)


@pytest.mark.parametrize("url", [
    "ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "http://user:pw@example.com/",
    "http:///nohost", "http://example.com:99999/", "http://exa mple.com/", "http://example.com/\r\nX: y",
    "http://example.com:0/",
])
def test_bad_url_syntax_is_refused(url):
    with pytest.raises(UnsafeUrl):
        check_url_syntax(url)


def test_url_syntax_defaults_the_port():
    assert check_url_syntax("https://Example.com/x").port == 443
    assert check_url_syntax("http://example.com/x").port == 80


def test_check_address_accepts_public_v4_and_v6():
    check_address("8.8.8.8", allow_private=False)
    check_address("2606:4700:4700::1111", allow_private=False)


# The reason is what the partner reads in the 422 answer or in the delivery's last error.
@pytest.mark.parametrize(("url", "reason"), [
    ("http://exa mple.com/", "the URL contains whitespace or control characters"),
    ("http://example.com/\x01", "the URL contains whitespace or control characters"),
    ("http://example.com/\x7f", "the URL contains whitespace or control characters"),
    ("ftp://example.com/", "only http and https URLs are accepted"),
    ("http://user:pw@example.com/", "credentials in the URL are not accepted; the signature authenticates us"),
    ("http:///nohost", "the URL has no host"),
    ("http://example.com:99999/", "the URL's port is not a valid port number"),
    ("http://example.com:0/", "the URL's port is not a valid port number"),
])
def test_each_refused_url_says_why(url, reason):
    with pytest.raises(UnsafeUrl) as refused:
        check_url_syntax(url)
    assert refused.value.reason == reason and str(refused.value) == reason


def test_a_url_with_every_allowed_character_class_passes_and_keeps_its_parts():
    url = "HTTPS://hooks.example.com:8443/a-b_c.~d?x=1&y=%20#frag"
    target = check_url_syntax(url)
    assert (target.url, target.scheme, target.host, target.port, target.literal_ip) == (
        url, "https", "hooks.example.com", 8443, None)
    assert str(check_url_syntax("http://[2606:4700::1111]/").literal_ip) == "2606:4700::1111"


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "127.0.0.1 is a loopback address"),
    ("::1", "::1 is a loopback address"),
    ("169.254.169.254", "169.254.169.254 is a link-local address"),
    ("fe80::1", "fe80::1 is a link-local address"),
    ("100.64.0.1", "100.64.0.1 is a carrier-grade NAT address"),
    ("10.0.0.1", "10.0.0.1 is a private address"),
    ("172.16.5.4", "172.16.5.4 is a private address"),
    ("192.168.1.1", "192.168.1.1 is a private address"),
    ("fc00::1", "fc00::1 is a private address"),
    ("0.0.0.0", "0.0.0.0 is the unspecified address"),
    ("::", ":: is the unspecified address"),
    ("224.0.0.1", "224.0.0.1 is a multicast address"),
    ("ff02::1", "ff02::1 is a multicast address"),
    ("240.0.0.1", "240.0.0.1 is a reserved address"),
    ("192.0.2.1", "192.0.2.1 is not a public address"),
    # IPv6 forms judged by the IPv4 destination they carry
    ("::ffff:127.0.0.1", "127.0.0.1 is a loopback address"),
    ("2002:a00:1::", "10.0.0.1 is a private address"),  # 6to4
    ("2001:0:404:404::f5ff:fffe", "10.0.0.1 is a private address"),  # Teredo: client 10.0.0.1, server 4.4.4.4
    ("64:ff9b::a00:1", "10.0.0.1 is a private address"),  # NAT64
    ("::a00:1", "10.0.0.1 is a private address"),  # IPv4-compatible
    ("::2", "0.0.0.2 is not a public address"),  # IPv4-compatible: only :: and ::1 are themselves
])
def test_each_refused_address_says_what_it_is(address, reason):
    with pytest.raises(UnsafeUrl) as refused:
        check_address(address, allow_private=False)
    assert refused.value.reason == reason


def test_the_development_setting_reaches_an_embedded_loopback_too():
    check_address("::ffff:127.0.0.1", allow_private=True)
    with pytest.raises(UnsafeUrl):
        check_address("::ffff:127.0.0.1", allow_private=False)
    with pytest.raises(UnsafeUrl, match="private"):
        check_address("::ffff:10.0.0.1", allow_private=True)


def test_an_address_object_is_judged_like_its_text():
    import ipaddress

    check_address(ipaddress.ip_address("8.8.8.8"), allow_private=False)
    with pytest.raises(UnsafeUrl, match="loopback"):
        check_address(ipaddress.ip_address("127.0.0.1"), allow_private=False)
