"""Speed benchmarks, run as ``python -m bench.<name>`` (``make bench`` runs them all).

Importing the package sets Django up (``portal.settings`` unless DJANGO_SETTINGS_MODULE says
otherwise), so that a benchmark module can import models at its top; under pytest Django is
already set up and nothing happens.
"""

import os

import django
from django.apps import apps

if not apps.ready:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
