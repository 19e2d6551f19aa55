import pytest

from tests.transmission import chorus_standin
from tests.transmission.standin import StandInServer, configure


@pytest.fixture
def standin(settings):
    """The stand-in platform on loopback, the EINVOICING_* settings on it."""
    with StandInServer() as server:
        configure(settings, server.state.base_url)
        yield server.state
        assert server.state.violations == []


@pytest.fixture
def chorus(settings):
    """The stand-in Chorus Pro (PISTE) on loopback, the CHORUS_* settings on it."""
    with chorus_standin.ChorusStandInServer() as server:
        chorus_standin.configure(settings, server.state.base_url)
        yield server.state
