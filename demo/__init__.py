"""The demo data: a believable small service for ``manage.py seed_demo`` and for tests that want
one. Not an app (no models, nothing installed): it uses the apps' services and models, and no
product module imports it, so demo data never ships inside the product's code paths."""
