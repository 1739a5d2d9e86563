"""The ``/me`` form key across replicas: a form one replica rendered is accepted by another.

The key is derived from a secret in the ledger, made on the first page load. Two replicas
whose first page loads came at once both found no secret and wrote their own; set_meta let
the second replace the first, and each kept its own in memory, so every form one of them
rendered was refused by the other (403, "the form has expired"), depending on which replica
the load balancer picked. Two services over one real database (a SQLite file, a PostgreSQL
database), each serving the real app on loopback; the second one's ledger does not yet see
the first one's secret when it looks, as a replica a moment behind does not.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from bot.adapters.http import build_app
from bot.adapters.store.ledger import Ledger
from bot.config import Config, ScheduleConfig, StorageConfig
from bot.service import Service
from tests.conftest import SHIPPED
from tests.slack_stub import serving

NOW = datetime(2017, 9, 1, 12, tzinfo=UTC)
EVENT = "aisys-sosp17"
ME = "mailto:me@example.org"
SECRET = "preferences_form_secret"


class BehindLedger(Ledger):
    """A replica's ledger that looked for the form secret before the other replica's commit
    landed: its first look finds none, so it writes one of its own."""

    looked = False

    def get_meta(self, name: str) -> str | None:
        if name == SECRET and not self.looked:
            self.looked = True
            return None
        return super().get_meta(name)



def _form_of(page: httpx.Response) -> dict[str, str | list[str]]:
    assert page.status_code == 200, page.text
    key = re.search(r'name="form_key" value="([0-9a-f]+)"', page.text)
    assert key
    return {"form_key": key[1], "date": ["abstract"], "leads": "", "zone": "",
            "language": "", "digest": ""}


def test_a_form_rendered_by_one_replica_is_accepted_by_another(url: str) -> None:
    config = Config(source="test.toml", storage=StorageConfig(database_url=url),
                    schedules=(ScheduleConfig(path=SHIPPED, reminders_to=("console:",)),))
    first = Service(config, clock=lambda: NOW, owner="a")
    second = Service(config, clock=lambda: NOW, owner="b",
                     ledger=BehindLedger.open(url, owner="b"))
    try:
        first.ledger.subscribe(EVENT, ME, NOW, source="mail")
        token = first.ledger.subscriber_token(EVENT, ME)
        assert token
        with serving(build_app(first)) as one, serving(build_app(second)) as two:
            by_first = _form_of(httpx.get(f"{one}/me/{token}", timeout=10))
            by_second = _form_of(httpx.get(f"{two}/me/{token}", timeout=10))
            assert by_second["form_key"] == by_first["form_key"]
            # The first replica's form, posted to the second, and the other way round.
            saved = httpx.post(f"{two}/me/{token}", data=by_first, timeout=10)
            assert saved.status_code == 200 and "Saved." in saved.text
            again = httpx.post(f"{one}/me/{token}", data=by_second, timeout=10)
            assert again.status_code == 200 and "Saved." in again.text
        assert second.ledger.get_meta(SECRET) == first.ledger.get_meta(SECRET)
    finally:
        first.ledger.close()
        second.ledger.close()
