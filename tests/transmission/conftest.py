import pytest

from tests.transmission.standin import StandInServer, configure


@pytest.fixture
def standin(settings):
    """The stand-in platform on loopback, the EINVOICING_* settings on it."""
    with StandInServer() as server:
        configure(settings, server.state.base_url)
        yield server.state
        assert server.state.violations == []
