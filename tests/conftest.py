import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fast_isolated_edges(settings):
    """Fake only the edges: files in memory, a fast password hasher, a clean cache."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()
