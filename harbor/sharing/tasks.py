"""Task wrappers of the sharing hub: ids in, load, call."""

from __future__ import annotations

from django_tasks import task

from harbor.sharing.notifications import attempt_delivery


@task()
def deliver_webhook_task(delivery_id: int) -> str:
    return attempt_delivery(delivery_id).status


@task()
def translate_record_task(translation_id: int) -> str:
    from harbor.sharing.translations import run_translation  # the module enqueues this task

    return run_translation(translation_id)
