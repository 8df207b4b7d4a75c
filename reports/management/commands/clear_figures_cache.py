"""Forget every cached dashboard: after restoring the database (docs/deploy.md 八.4), or whenever
figures look older than the data. Works with the cache down (the epoch lives in the database)."""

from django.core.management.base import BaseCommand

from core.cache import probe
from reports import cache


class Command(BaseCommand):
    help = "Forget every cached dashboard (run after restoring the database)."

    def handle(self, *args, **options):
        token = cache.new_epoch("manage.py clear_figures_cache")
        state = probe()
        self.stdout.write(f"figures cache cleared (epoch {token[:8]}); cache {state}")
