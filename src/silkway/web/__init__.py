"""The web app: a FastAPI JSON API plus the single-page map UI, served by ``silkway serve``.

``create_app(settings)`` builds a fresh app each call (no module-level state); the API calls
``silkway.services.<topic>`` only.
"""

from silkway.web.app import create_app
from silkway.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
