"""The demo loader: a scored and partly reviewed assessment of last year; running it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Event, Result, Score, State


@pytest.mark.django_db
def test_demo_is_scored_partly_reviewed_and_idempotent(capsys, settings):
    settings.DEBUG = True  # the demo loads on development and demo servers only
    call_command("load_demo")
    year = timezone.localdate().year - 1
    results = Result.objects.filter(year=year)
    assert results.count() == 148 and Score.objects.filter(year=year).count() == 148 * 19
    states = {s: results.filter(state=s).count() for s in State}
    assert states[State.APPROVED] > 0 and states[State.RETURNED] == 1 and states[State.SUBMITTED] > 0 and states[State.DRAFT] > 0
    assert results.filter(final_total__gt=0).count() == 148
    snapshot = (list(results.values_list("pk", "state", "final_total")), Event.objects.count(), Score.objects.count())
    call_command("load_demo")
    assert (list(results.values_list("pk", "state", "final_total")), Event.objects.count(), Score.objects.count()) == snapshot
    assert "考核考评" in capsys.readouterr().out
