import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from portal.logging import mask_every_handler

        mask_every_handler()
        backend = settings.CACHES["default"]["BACKEND"]
        if not settings.DEBUG and backend.endswith("LocMemCache"):
            logger.warning(
                "The cache is per-process memory: every web process counts portal "
                "misses and keeps pages on its own. Set REDIS_URL."
            )
        elif not settings.DEBUG and backend.endswith("DatabaseCache"):
            logger.warning(
                "REDIS_URL is not set: the cache and the rate limits live in the "
                "database (table portal_cache). Redis is faster with many processes."
            )
