"""Task wrappers of the sharing hub: ids in, load, call."""

from __future__ import annotations

from django_tasks import task

from harbor.sharing.notifications import attempt_delivery


@task()
def deliver_webhook_task(delivery_id: int) -> str:
    return attempt_delivery(delivery_id).status
