"""The wire models refuse malformed messages."""

import pytest
from pydantic import ValidationError

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import (
    CLIENT_WRITABLE,
    MAX_PUSH_MUTATIONS,
    Mutation,
    PushRequest,
)


def _mutation(seq: int = 1, **extra: object) -> dict[str, object]:
    return {
        "seq": seq,
        "mutation_id": f"m{seq}",
        "entity": "account",
        "entity_id": "a",
        "op": "upsert",
        "fields": {"name": "Acme"},
    } | extra


def test_mutation_round_trips_through_json() -> None:
    mutation = Mutation.model_validate(_mutation(base_version=4))
    assert Mutation.model_validate_json(mutation.model_dump_json()) == mutation


@pytest.mark.parametrize(
    "bad", [{"seq": 0}, {"entity": "planet"}, {"op": "merge"}, {"surprise": 1}, {"entity_id": ""}]
)
def test_malformed_mutations_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Mutation.model_validate(_mutation() | bad)


def test_push_is_bounded() -> None:
    too_many = [_mutation(i + 1) for i in range(MAX_PUSH_MUTATIONS + 1)]
    with pytest.raises(ValidationError):
        PushRequest.model_validate({"device_id": "d", "mutations": too_many})


def test_users_and_quotas_are_server_owned() -> None:
    assert EntityKind.USER not in CLIENT_WRITABLE
    assert EntityKind.QUOTA not in CLIENT_WRITABLE
    assert EntityKind.MANAGER_ADJUSTMENT in CLIENT_WRITABLE
