"""Connecting to the address the SSRF check approved."""

import ipaddress

from services.notify.channels.pinned import PinnedRequest, pinned_request
from services.notify.channels.safe_url import CheckedTarget


def test_a_name_is_pinned_to_its_checked_address_keeping_host_and_sni():
    target = CheckedTarget("https://hooks.example.com:8443/in?x=1", "hooks.example.com", 8443,
                           (ipaddress.ip_address("93.184.215.14"),))
    assert pinned_request(target) == PinnedRequest("https://93.184.215.14:8443/in?x=1",
                                                   {"host": "hooks.example.com:8443"}, "hooks.example.com")


def test_an_ip_literal_is_left_alone():
    target = CheckedTarget("http://127.0.0.1:9000/h", "127.0.0.1", 9000, (ipaddress.ip_address("127.0.0.1"),))
    assert pinned_request(target) == PinnedRequest("http://127.0.0.1:9000/h")


def test_ipv6_addresses_are_bracketed():
    target = CheckedTarget("http://hooks.example.com/h", "hooks.example.com", 80,
                           (ipaddress.ip_address("2606:2800:220:1::1"),))
    assert pinned_request(target) == PinnedRequest("http://[2606:2800:220:1::1]/h", {"host": "hooks.example.com"})
