"""Two clerks posting spending at the same moment cannot overdraw a community (PostgreSQL,
two threads, each with its own connection). SQLite serialises all writers by itself and has
no row locks, so the test needs PostgreSQL (CI provides it; elsewhere it is skipped)."""

import threading
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from funding import services
from funding.models import Expenditure
from tests.conftest import require_service
from tests.funding.conftest import YEAR, D, allocate

pytestmark = pytest.mark.django_db(transaction=True)


def race(personas, community, amount, monkeypatch, *, lock=True):
    """Both clerks post ``amount`` at once; the balance check is slowed so that, without the
    lock, each would read the balance before the other's spending is written."""
    original = services.funds_position

    def slow_position(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(0.4)
        return result

    monkeypatch.setattr(services, "funds_position", slow_position)
    if not lock:
        monkeypatch.setattr(services, "_lock_communities", lambda *ids: None)
    barrier = threading.Barrier(2)
    outcomes = []

    def clerk(user, voucher):
        try:
            barrier.wait(timeout=10)
            services.expenditure_create(
                actor=user, community=community, spent_on=date(YEAR, 9, 1), category="utilities",
                amount=D(amount), purpose="水电费", voucher_number=voucher,
            )
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["amount"][0])
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=clerk, args=(personas.street_clerk, "A-1")),
        threading.Thread(target=clerk, args=(personas.community_clerk, "B-1")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def require_postgres():
    require_service("PostgreSQL (row locks)", connection.vendor == "postgresql", connection.vendor)


def test_two_clerks_at_once_cannot_overdraw(tree, personas, monkeypatch):
    require_postgres()
    allocate(tree.community_a1, "1000.00")
    outcomes = race(personas, tree.community_a1, "600.00", monkeypatch)
    assert len(outcomes) == 2 and outcomes.count("saved") == 1, outcomes
    refusal = next(o for o in outcomes if o != "saved")
    assert "余额为¥400.00" in refusal  # the second clerk sees the first one's spending
    assert Expenditure.objects.filter(community=tree.community_a1).count() == 1
    assert sum(e.amount for e in Expenditure.objects.all()) == D(600)


def test_without_the_lock_the_same_race_would_overdraw(tree, personas, monkeypatch):
    """The harness is sharp enough: with the lock taken out, both clerks' spending goes through."""
    require_postgres()
    allocate(tree.community_a1, "1000.00")
    outcomes = race(personas, tree.community_a1, "600.00", monkeypatch, lock=False)
    assert outcomes == ["saved", "saved"]
    assert sum(e.amount for e in Expenditure.objects.all()) == D(1200)
