"""Two clerks appointing a secretary to one community at the same moment: the service locks the
community's row and its appointments, so exactly one succeeds (PostgreSQL; SQLite has no row locks)."""

import threading
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from staffing import services
from staffing.models import Appointment
from tests.conftest import require_service
from tests.staffing.conftest import make_cadre


@pytest.mark.services
def test_concurrent_secretaries_one_wins(transactional_db, tree, personas, monkeypatch):
    require_service("PostgreSQL (row locks)", connection.vendor == "postgresql", connection.vendor)
    first = make_cadre(tree.community_a1, "王建国", date(1980, 3, 1))
    second = make_cadre(tree.community_a1, "刘芳", date(1988, 5, 6), gender="F")
    locked = threading.Event()
    original = services._check_single_holder

    def slow_check(appointment):
        # The first writer passes the check, then dawdles before saving; the second arrives
        # meanwhile. Without the lock both would pass the check and save.
        original(appointment)
        if not locked.is_set():
            locked.set()
            time.sleep(1.0)

    monkeypatch.setattr(services, "_check_single_holder", slow_check)
    outcomes = {}

    def appoint(name, cadre):
        try:
            services.appointment_create(actor=personas.street_clerk, cadre=cadre, post="secretary", start_date=date(2024, 1, 1),
                                        employment_form="career", recruitment_channel="street_seconded",
                                        selection_method="general_election")
            outcomes[name] = "saved"
        except ValidationError as exc:
            outcomes[name] = exc.message_dict["post"][0]
        finally:
            connections.close_all()

    a = threading.Thread(target=appoint, args=("a", first))
    a.start()
    assert locked.wait(5)
    b = threading.Thread(target=appoint, args=("b", second))
    b.start()
    a.join(10)
    b.join(10)
    assert outcomes["a"] == "saved"
    assert "已有党组织书记：王建国" in outcomes["b"]
    assert Appointment.objects.filter(post="secretary").count() == 1
