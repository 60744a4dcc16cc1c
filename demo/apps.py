from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo people and their stories, for trying the app (``manage.py seed_demo``). Development
    only: the command refuses production. It sits above every app, so it may join them all."""

    name = "demo"
    verbose_name = "Demo data"
