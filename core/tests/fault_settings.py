"""Settings of the fault tests' worker processes: the product's, plus the test message's templates.

Only ``core/tests`` workers use it (``DJANGO_SETTINGS_MODULE``); the web and real workers never do.
"""

from portal.settings import *  # noqa: F403
from portal.settings import BASE_DIR, TEMPLATES

TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "core" / "tests" / "templates"]
