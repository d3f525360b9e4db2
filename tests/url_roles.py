"""What each role should get from a URL: the rows of the permission table.

``tests/core/test_url_permissions.py`` walks every URL. Each app with URLs of its own may keep
its part of the table in ``tests/<app>/url_table.py``, defining

- ``EXPECTED``: URL name -> {role: status for a GET}, built from the rows below;
- ``world_kwargs(strategy_data, users, make_user) -> dict``: URL name -> reverse() kwargs, making
  whatever objects those URLs need.
"""

from __future__ import annotations

from cohesion.core.models import Role

ROLES = ["anonymous", Role.PARTNER, Role.COUNCILLOR, Role.OFFICER, Role.ADMIN]
EVERYONE = dict.fromkeys(ROLES, 200)
SIGNED_IN = {
    "anonymous": 302,
    Role.PARTNER: 200,
    Role.COUNCILLOR: 200,
    Role.OFFICER: 200,
    Role.ADMIN: 200,
}
STAFF = {
    "anonymous": 302,
    Role.PARTNER: 403,
    Role.COUNCILLOR: 403,
    Role.OFFICER: 200,
    Role.ADMIN: 200,
}
STAFF_POST_ONLY = {**STAFF, Role.OFFICER: 405, Role.ADMIN: 405}
REPORTS = {
    "anonymous": 302,
    Role.PARTNER: 403,
    Role.COUNCILLOR: 200,
    Role.OFFICER: 200,
    Role.ADMIN: 200,
}
ADMIN_ONLY = {
    "anonymous": 302,
    Role.PARTNER: 403,
    Role.COUNCILLOR: 403,
    Role.OFFICER: 403,
    Role.ADMIN: 200,
}
API_READ = {
    "anonymous": 401,
    Role.PARTNER: 200,
    Role.COUNCILLOR: 200,
    Role.OFFICER: 200,
    Role.ADMIN: 200,
}
DJANGO_ADMIN = {
    "anonymous": 302,
    Role.PARTNER: 302,
    Role.COUNCILLOR: 302,
    Role.OFFICER: 302,
    Role.ADMIN: 200,
}
