"""Posting the government's reviewed reply back to the platform that assigned the item, once.

A job can be handed out again after its work was done: the worker crashed, or lost the engine,
between the platform's receipt and the job's completion. The answer therefore carries a key that is
the same whenever the same answer is posted (adapter.answer_key). Once the ledger holds the
platform's receipt for that key, a repeated job posts nothing; in the narrower gap between the
platform's receipt and the ledger's record, the platform sees the key again and can keep one.
"""

import asyncio
from datetime import datetime

from workers.upstream.adapter import Answer, Receipt, UpstreamPlatform, answer_key
from workers.upstream.store import UpstreamStore


async def post_answer_once(
    platform: UpstreamPlatform,
    store: UpstreamStore,
    upstream_id: str,
    text: str,
    unit: str,
    answered_at: datetime,
    case_number: str | None = None,
) -> Receipt | None:
    """Post the answer and record the platform's receipt; None, posting nothing, when the ledger
    already holds the receipt of this very answer. Raises the platform's errors unrecorded."""
    key = answer_key(platform.name, upstream_id, text, unit)
    item = await asyncio.to_thread(store.item, platform.name, upstream_id)
    if item is not None and item.answer_key == key and item.answered_at is not None:
        return None
    receipt = await platform.post_answer(upstream_id, Answer(text, answered_at, unit, key))
    await asyncio.to_thread(
        store.record_answer, platform.name, upstream_id, key, receipt.receipt_id, case_number
    )
    return receipt
