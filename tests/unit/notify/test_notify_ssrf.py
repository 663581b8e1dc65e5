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
