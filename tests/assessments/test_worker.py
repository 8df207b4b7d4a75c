"""On PostgreSQL and a real Celery worker on Redis: two reviewers approving at once, and a
worker killed in the middle of a scoring run."""

import threading

from django.db import connection, connections

from assessments import services
from assessments.models import Chunk, Result, Run, RunState, Score
from communities.models import Level, Node
from tests.conftest import require_service, wait_until

LEAVES = 19


def _on_postgres():
    require_service("PostgreSQL (DATABASE_URL)", connection.vendor == "postgresql", connection.vendor)


def test_two_reviewers_at_once_one_wins_the_other_gets_409(transactional_db, tree, personas, api):
    _on_postgres()
    from core.models import Assignment, Role
    from tests.conftest import _user

    second = _user("second_reviewer", tree.district, Role.REVIEWER)
    assert Assignment.objects.filter(user=second).exists()
    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=2025)
    from sanqi.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # score inline: no worker in this test
    try:
        run = services.run_start(actor=personas.district_reviewer, scheme=scheme)
    finally:
        app.conf.task_always_eager = eager
    assert Run.objects.get(pk=run.pk).state == RunState.FINISHED
    result = Result.objects.get(community=tree.community_a1)
    result = services.result_transition(actor=personas.street_clerk, result=result, action="submit")
    url = f"/api/v1/assessments/results/{result.pk}/transition/"
    barrier = threading.Barrier(2)
    answers = {}

    def act(name, user, body):
        client = api(user=user)
        barrier.wait()
        try:
            answers[name] = client.post(url, body, format="json")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("a", personas.district_reviewer, {"action": "approve", "version": result.version})),
        threading.Thread(target=act, args=("b", second, {"action": "return", "comment": "材料不全", "version": result.version})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 409], {k: (v.status_code, v.content) for k, v in answers.items()}
    result.refresh_from_db()
    winner = next(k for k, v in answers.items() if v.status_code == 200)
    assert result.state == ("approved" if winner == "a" else "returned")
    assert result.events.count() == 2 and result.version == 2



def test_worker_killed_mid_run_every_community_scored_once(transactional_db, celery_worker_process, tree, personas):
    n = 240
    Node.objects.bulk_create([
        Node(code=f"620102{1 + i // 60:03d}{100 + i % 60:03d}", name=f"压测社区{i}", level=Level.COMMUNITY,
             parent=tree.street_a if i < 120 else tree.street_b, households=2000 + i)
        for i in range(n)
    ])
    total = n + 3
    scheme = services.scheme_create(actor=personas.district_reviewer, district=tree.district, year=2025)
    run = services.run_start(actor=personas.district_reviewer, scheme=scheme, chunk_size=3)  # queued on commit
    assert wait_until(lambda: Run.objects.get(pk=run.pk).done >= 24, 120), "the worker did not start scoring"
    celery_worker_process.process.kill()
    celery_worker_process.process.wait(20)
    done_at_kill = Run.objects.get(pk=run.pk).done
    assert 0 < done_at_kill < total, "the run must be cut off in the middle"
    celery_worker_process.restart()  # on start the worker queues the unfinished chunks again
    assert wait_until(lambda: Run.objects.get(pk=run.pk).state == RunState.FINISHED, 180, 0.2), Run.objects.get(pk=run.pk).done
    run.refresh_from_db()
    assert run.done == run.total == total
    assert not Chunk.objects.filter(run=run, done=False).exists()
    assert Result.objects.filter(scheme=scheme).count() == total
    assert Score.objects.filter(year=2025).count() == total * LEAVES
    assert Result.objects.filter(scheme=scheme, scored__isnull=True).count() == 0
