"""WSGI entry point for gunicorn: ``gunicorn grassroots.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
application = get_wsgi_application()


def _settle() -> None:
    """Import every view now, then put what is loaded out of the collector's reach.

    A full collection walks every object the worker holds: with Django, DRF and
    scikit-learn loaded that is over 200,000 objects, and a walk took 100–130 ms — one
    request in fifteen paid it (docs/performance.md). Modules, classes and functions
    live as long as the worker, so they are frozen (``gc.freeze``) once loaded and a
    collection walks only what requests made since."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # the URLconf imports every view module
    gc.collect()
    gc.freeze()


_settle()
