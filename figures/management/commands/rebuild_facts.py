"""Recompute the facts table (figures.models.Facts) from the raw rows: after a migration that
changes a definition, a restore, or data loaded with bulk SQL. Pages keep reading the old rows
meanwhile; each chunk of nodes is replaced in its own transaction."""

from django.core.management.base import BaseCommand

from figures.refresh import rebuild, years


class Command(BaseCommand):
    help = "Recompute the per-community figures of every year (or of --years / --prefix)."

    def add_arguments(self, parser):
        parser.add_argument("--years", nargs="*", type=int, help="only these years (default: every year kept)")
        parser.add_argument("--prefix", default="", help="only the nodes whose code starts with this")

    def handle(self, *args, **options):
        year_list = options["years"] or years()
        out = self.stdout if options["verbosity"] > 1 else None
        written = rebuild(year_list=year_list, prefix=options["prefix"], stdout=out)
        if options["verbosity"]:
            self.stdout.write(f"{written} rows for the years {year_list[0]}–{year_list[-1]}.")
