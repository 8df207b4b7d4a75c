"""Recompute the cadres' ID-number and phone lookup hashes (after SANQI_LOOKUP_KEY changes)."""

from django.core.management.base import BaseCommand

from core.masking import refill_lookup_hashes
from staffing.models import Cadre

SOURCES = {"id_number_hash": "id_number", "phone_hash": "phone"}


class Command(BaseCommand):
    help = "Recompute the keyed hashes that find a cadre by a full ID number or phone."

    def handle(self, *args, **options):
        done = refill_lookup_hashes(Cadre, SOURCES)
        self.stdout.write(f"{done} cadres")
