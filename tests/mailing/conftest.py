import re

import pytest

from mailing.models import MailingList


@pytest.fixture
def news_list(db) -> MailingList:
    return MailingList.objects.get(slug="network-news")


@pytest.fixture
def partners_list(db) -> MailingList:
    return MailingList.objects.get(slug="partners-information-exchange")


def link_path(body: str, kind: str) -> str:
    """The path of the first /mailing-list/<kind>/<token>/ link in an email body."""
    match = re.search(r"http://testserver(/(?:sl/)?mailing-list/" + kind + r"/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


class QueuedTasks:
    """Celery with a broker (kombu's in-memory transport) instead of running each task where it
    is queued: ``take()`` removes and returns the tasks queued since, in order, as
    ``(task name, args)``; ``run(name, args)`` runs one as a worker would."""

    def __init__(self, app) -> None:
        self.app = app

    def take(self) -> list[tuple[str, tuple]]:
        taken = []
        with self.app.connection_for_read() as connection:
            queue = connection.SimpleQueue(self.app.conf.task_default_queue, no_ack=True)
            try:
                while True:
                    try:
                        message = queue.get(block=False)
                    except queue.Empty:
                        return taken
                    args, kwargs, _options = message.decode()
                    assert not kwargs, "tasks take positional ids"
                    taken.append((message.headers["task"], tuple(args)))
            finally:
                queue.close()

    def run(self, name: str, args: tuple):
        return self.app.tasks[name](*args)


@pytest.fixture
def queued_tasks(settings):
    from portal.celery import app
    from tests.broker import point_celery_at

    working = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    point_celery_at("memory://", task_always_eager=False)
    tasks = QueuedTasks(app)
    try:
        yield tasks
    finally:
        tasks.take()  # nothing left for the next test
        point_celery_at(**working)
