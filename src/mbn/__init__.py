"""Mon Bureau Numérique: the project kernel."""

from mbn.celery import app as celery_app

__all__ = ["celery_app"]
