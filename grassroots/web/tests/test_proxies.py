"""Residents behind the county's load balancer keep their own per-address limits."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from grassroots.web.proxies import client_address, networks

BALANCERS = networks(["10.0.0.0/24", "::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # Straight from the internet: the header is the sender's word, ignored.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # Through the balancer: the hop before it is the resident.
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
        # The resident wrote a header of their own; only the balancer's append counts.
        ("10.0.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # Two trusted proxies in a row are both skipped.
        ("10.0.0.5", "203.0.113.7, 10.0.0.9", "203.0.113.7"),
        # Ports and IPv6 in brackets, as some proxies write them.
        ("10.0.0.5", "203.0.113.7:51234", "203.0.113.7"),
        ("::1", "[2001:db8::7]:443", "2001:db8::7"),
        # Garbage stops the walk at the last vouched-for address.
        ("10.0.0.5", "not-an-address, 10.0.0.9", "10.0.0.9"),
        # Nothing forwarded: the peer itself.
        ("10.0.0.5", None, "10.0.0.5"),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(peer, forwarded, expected):
    assert client_address(peer, forwarded, BALANCERS) == expected


def test_a_misspelt_proxy_stops_start_up_with_its_text():
    with pytest.raises(ImproperlyConfigured, match=r"10\.0\.0\.300"):
        networks(["10.0.0.300"])
