"""The drafting job on a real Celery worker (CI: PostgreSQL and Redis): a summary started for a
large node is queued, drafted by the worker process with its progress written as it goes, and
its files are kept for download."""

import io

import docx
import pytest
from django.urls import reverse

from reports import services
from reports.models import Summary, SummaryState
from tests.conftest import wait_until

YEAR = 2025


@pytest.fixture
def media(settings):
    """The worker process writes under the default MEDIA_ROOT; read the files from there."""
    return settings.MEDIA_ROOT



def test_the_worker_drafts_a_large_node(transactional_db, celery_worker_process, tree, personas, client):
    summary = services.summary_start(actor=personas.district_reviewer, node=tree.district, year=YEAR, enqueue=True)
    assert summary.state == SummaryState.QUEUED  # queued on commit (autocommit here), not drafted inline
    assert wait_until(lambda: Summary.objects.get(pk=summary.pk).state in (SummaryState.DRAFT, SummaryState.FAILED), 90)
    summary.refresh_from_db()
    try:
        assert summary.state == SummaryState.DRAFT, summary.error
        assert summary.steps_done == summary.steps_total == 4
        client.force_login(personas.district_reviewer)
        progress = client.get(reverse("reports:summary_progress", args=[summary.pk])).json()
        assert (progress["state"], progress["percent"]) == ("draft", 100)
        word = client.get(reverse("reports:summary_docx", args=[summary.pk]))
        assert docx.Document(io.BytesIO(word.content)).paragraphs[0].text.startswith("城关区2025年")
        assert client.get(reverse("reports:summary_xlsx", args=[summary.pk])).status_code == 200
    finally:
        for f in (summary.statistics, summary.document):
            if f:
                f.delete(save=False)
