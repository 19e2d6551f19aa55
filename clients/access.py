"""What the access log keeps of a visitor: a coarse network and a browser
family, never the full address or user agent."""

import ipaddress

# Checked in order: several browsers also name the ones they derive from.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def coarse_network(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) the address belongs to; "" if not an address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def browser_family(user_agent: str) -> str:
    """ "Firefox, Linux", "Safari, iOS"…; "Other" when unknown."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "Other")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return f"{browser}, {system}" if system else browser
