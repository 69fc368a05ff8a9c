"""D-6: five wrong passwords within 15 minutes lock the user for 15 minutes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, Row, select, update

from openmaas.app import create_app
from openmaas.auth import passwords
from openmaas.auth.passwords import HashCost, hash_password, verify_password
from openmaas.clock import now_ms
from openmaas.config import Settings
from openmaas.db.session import transaction
from openmaas.iam.tables import domains, users
from tests.conftest import ADMIN_PASSWORD, HOME, password_body
from tests.iam.conftest import WRONG_CREDENTIALS

TOKENS = "/v3/auth/tokens"
LOCKED = {
    "error": {
        "code": 401,
        "message": "The account is locked due to too many failed login attempts. Try again later.",
        "title": "Unauthorized",
    }
}
FIFTEEN_MINUTES_MS = 15 * 60 * 1000


def _right(client: TestClient) -> tuple[int, object]:
    response = client.post(TOKENS, json=password_body(scope={"project": {"name": HOME}}))
    return response.status_code, response.json()


def _wrong(client: TestClient, times: int = 1) -> None:
    for _ in range(times):
        response = client.post(TOKENS, json=password_body(password="not-the-password"))
        assert (response.status_code, response.json()) == (401, WRONG_CREDENTIALS)


def _admin_row(engine: Engine) -> Row[Any]:
    with transaction(engine, write=False) as connection:
        return connection.execute(select(users).where(users.c.name == "admin")).one()


def _set_admin(engine: Engine, **values: int | None) -> None:
    with transaction(engine, write=True) as connection:
        connection.execute(update(users).where(users.c.name == "admin").values(**values))


def test_five_wrong_passwords_lock_even_the_right_one_d6(client: TestClient, engine: Engine) -> None:
    _wrong(client, 5)
    assert _right(client) == (401, LOCKED)
    # Wrong ones while locked say locked too, and never reveal whether the password was right.
    response = client.post(TOKENS, json=password_body(password="not-the-password"))
    assert (response.status_code, response.json()) == (401, LOCKED)


def test_the_lock_lasts_15_minutes_d6(client: TestClient, engine: Engine) -> None:
    before = now_ms()
    _wrong(client, 5)
    locked_until = _admin_row(engine).locked_until
    assert before + FIFTEEN_MINUTES_MS <= locked_until <= now_ms() + FIFTEEN_MINUTES_MS


def test_four_wrong_passwords_do_not_lock_d6(client: TestClient) -> None:
    _wrong(client, 4)
    assert _right(client)[0] == 201


def test_the_lock_lifts_when_its_time_is_over_d6(client: TestClient, engine: Engine) -> None:
    _wrong(client, 5)
    assert _right(client) == (401, LOCKED)
    _set_admin(engine, locked_until=now_ms() - 1)
    assert _right(client)[0] == 201
    # After the lock the count starts again from zero.
    _wrong(client, 4)
    assert _right(client)[0] == 201


def test_wrong_passwords_outside_the_window_do_not_add_up_d6(client: TestClient, engine: Engine) -> None:
    _wrong(client, 4)
    _set_admin(engine, failed_window_start=now_ms() - FIFTEEN_MINUTES_MS - 1000)
    _wrong(client, 1)
    assert _right(client)[0] == 201


def test_a_success_resets_the_count_d6(client: TestClient) -> None:
    _wrong(client, 4)
    assert _right(client)[0] == 201
    _wrong(client, 4)
    assert _right(client)[0] == 201


def test_concurrent_wrong_passwords_all_count_d6(client: TestClient, engine: Engine) -> None:
    def attempt(_: int) -> int:
        response = client.post(TOKENS, json=password_body(password="not-the-password"))
        return response.status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(attempt, range(5)))
    assert statuses == [401] * 5
    assert _right(client) == (401, LOCKED)


def test_the_lock_is_in_the_store_so_every_replica_honours_it_d6(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    _wrong(client, 5)
    with TestClient(create_app(settings, engine)) as replica:
        assert _right(replica) == (401, LOCKED)


def test_lockout_settings_change_the_threshold_and_duration(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """``lockout_attempts`` and ``lockout_seconds`` are settings; the defaults are D-6's 5 and 15 min."""
    assert (settings.lockout_attempts, settings.lockout_seconds) == (5, 900)
    strict = settings.model_copy(update={"lockout_attempts": 2, "lockout_seconds": 60})
    with TestClient(create_app(strict, engine)) as other:
        _wrong(other, 2)
        assert _right(other) == (401, LOCKED)
    locked_until = _admin_row(engine).locked_until
    assert locked_until <= now_ms() + 60_000


def test_unknown_users_never_lock_and_stay_wrong_credentials_d6(client: TestClient) -> None:
    for _ in range(6):
        response = client.post(TOKENS, json=password_body(user="ghost", password="x"))
        assert (response.status_code, response.json()) == (401, WRONG_CREDENTIALS)
    assert _right(client)[0] == 201


def test_an_unknown_user_costs_the_configured_hash_work() -> None:
    """An unknown user name is checked against a hash made at the configured cost, so it takes as
    long as a wrong password for a real user (no user-name probing by timing)."""
    cost = HashCost(time_cost=2, memory_kib=2048)
    assert verify_password(None, "anything", cost) is False
    assert "$m=2048,t=2," in passwords._dummy_hash(cost)
    assert verify_password(hash_password("right", cost), "right", cost) is True


def _at_once(client: TestClient, password: str, attempts: int) -> list[tuple[int, object]]:
    def attempt(_: int) -> tuple[int, object]:
        response = client.post(
            TOKENS, json=password_body(password=password, scope={"project": {"name": HOME}})
        )
        body = response.json()
        return response.status_code, body if response.status_code != 201 else "token"

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return list(pool.map(attempt, range(attempts)))


def test_guesses_sent_at_once_get_no_more_checks_than_the_limit_d6(client: TestClient) -> None:
    """A user's password checks take turns, so the count is exact however the guesses arrive: of 15
    wrong passwords sent at the same moment, 5 are checked and the other 10 find the user locked."""
    answers = _at_once(client, "not-the-password", 15)
    assert answers.count((401, WRONG_CREDENTIALS)) == 5
    assert answers.count((401, LOCKED)) == 10
    assert _right(client) == (401, LOCKED)


def test_right_passwords_sent_at_once_are_never_locked_d6(client: TestClient) -> None:
    """Only wrong passwords count (D-6): logins that overlap, after four wrong ones even, all succeed."""
    assert _at_once(client, ADMIN_PASSWORD, 8) == [(201, "token")] * 8
    _wrong(client, 4)
    assert _at_once(client, ADMIN_PASSWORD, 8) == [(201, "token")] * 8
    _wrong(client, 4)
    assert _right(client)[0] == 201


def test_a_right_password_after_four_wrong_ones_leaves_no_count_d6(
    client: TestClient, engine: Engine
) -> None:
    _wrong(client, 4)
    assert _right(client)[0] == 201
    admin = _admin_row(engine)
    assert (admin.failed_logins, admin.failed_window_start, admin.locked_until) == (0, None, None)


def test_a_login_hashes_the_password_again_at_the_configured_cost(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """After an operator changes the work factors, each user's hash moves to them at the next login,
    so a wrong password costs the same time for every user (and for an unknown one)."""
    configured = HashCost.of(settings)
    other = HashCost(time_cost=configured.time_cost + 1, memory_kib=configured.memory_kib)
    _set_admin_hash(engine, hash_password(ADMIN_PASSWORD, other))
    assert passwords.needs_rehash(_admin_row(engine).password_hash, configured)
    assert _right(client)[0] == 201
    rehashed = _admin_row(engine).password_hash
    assert not passwords.needs_rehash(rehashed, configured)
    assert verify_password(rehashed, ADMIN_PASSWORD, configured)
    # The next login keeps it: nothing to redo.
    assert _right(client)[0] == 201
    assert _admin_row(engine).password_hash == rehashed


def _set_admin_hash(engine: Engine, password_hash: str) -> None:
    with transaction(engine, write=True) as connection:
        connection.execute(update(users).where(users.c.name == "admin").values(password_hash=password_hash))


def test_guesses_naming_the_domain_by_id_or_by_name_share_one_count_d6(
    client: TestClient, engine: Engine
) -> None:
    """The turns are the user's, however a request names its domain."""
    with transaction(engine, write=False) as connection:
        domain_id = connection.execute(select(domains.c.id).where(domains.c.name == "openmaas")).scalar_one()

    def attempt(index: int) -> tuple[int, object]:
        body = password_body(password="not-the-password")
        if index % 2:
            body["auth"]["identity"]["password"]["user"]["domain"] = {"id": domain_id}
        response = client.post(TOKENS, json=body)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(attempt, range(12)))
    assert answers.count((401, WRONG_CREDENTIALS)) == 5
    assert answers.count((401, LOCKED)) == 7
