"""Two clerks claim the last place of a post at the same moment: the post row is locked in the
service, so exactly one claim is saved. Needs PostgreSQL (SQLite serialises writers anyway)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from regional_building import models as m
from regional_building import services as sv
from tests.conftest import require_service
from tests.regional_building import factories as fx


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_claims_on_the_last_place(tree, personas):
    require_service("PostgreSQL (row locks)", connection.vendor == "postgresql", connection.vendor)
    post = fx.post(tree.community_a1, capacity=1)
    regs = [fx.registration(tree.community_a1) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def claim(reg):
        try:
            barrier.wait(timeout=10)
            sv.claim_create(actor=personas.street_clerk, post=post, member=reg, claimed_on=datetime.date(2025, 4, 1), hours=1)
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("refused" if "已认领满" in str(exc) else repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(reg,)) for reg in regs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"], outcomes
    assert m.Claim.objects.filter(post=post).count() == 1
