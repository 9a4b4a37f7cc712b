import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unstuck.settings")


def freeze_startup_objects() -> None:
    """Load every view module now and move what startup created out of the garbage
    collector's reach (gc.freeze). Django and the app leave ~140,000 tracked objects, and
    each full collection walked all of them: an xAPI batch of 500 statements allocates
    enough to trigger one every few requests, 75 ms each (21 µs per statement, measured
    with gc.callbacks in the ingestion bench), sometimes while holding SQLite's write lock.
    After freezing, a full collection only walks what requests allocated."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()
    gc.freeze()


application = get_wsgi_application()
freeze_startup_objects()
