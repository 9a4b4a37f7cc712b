"""The demo's fixtures: Acme loaded once per module for read-only tests.

Loading Acme creates five logins; a fast password hasher keeps that cheap in tests.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def acme_shared(django_db_setup, django_db_blocker):
    """Acme, loaded once for a module whose tests only read it; removed afterwards."""
    from django.contrib.auth import get_user_model

    from unstuck.demo import services

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        workspace = services.load_demo_workspace(reset=True)
    yield workspace
    with django_db_blocker.unblock():
        workspace.delete()
        get_user_model().objects.filter(
            email__in=[e for _, e, _ in services.demo_logins()]
        ).delete()
