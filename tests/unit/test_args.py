"""LinkedInAudiencePipelineArgs and its parts reject bad shapes when they are built."""

from __future__ import annotations

import pytest

from polytomic_components import (
    FieldMapping,
    LinkedInAudiencePipelineArgs,
    LinkedInDestination,
    NewAudience,
    SnowflakeSource,
)

ACCOUNT = "512630692::urn:li:organization:28818517"


def args(**overrides):
    values = {"model_name": "Users", "query": "SELECT email FROM users",
              "source_connection_id": "s", "destination_connection_id": "d", "audience_id": "a"}
    return LinkedInAudiencePipelineArgs(**{**values, **overrides})


def test_audience_and_create_together_are_refused():
    with pytest.raises(ValueError, match="exactly one of `audience_id` or `create`"):
        args(create=NewAudience(account=ACCOUNT, type="user_audience", name="New"))


def test_neither_audience_nor_create_is_refused():
    with pytest.raises(ValueError, match="got neither"):
        args(audience_id=None)


def test_a_new_and_an_existing_source_together_are_refused():
    with pytest.raises(ValueError, match="source"):
        args(source=SnowflakeSource(account="a", username="u", dbname="d", password="p"))


def test_an_unknown_audience_type_is_refused():
    with pytest.raises(ValueError, match="type"):
        NewAudience(account=ACCOUNT, type="group_audience", name="New")


def test_a_mode_other_than_create_or_remove_is_refused():
    with pytest.raises(ValueError, match="mode"):
        args(mode="updateOrCreate")


def test_fields_may_be_given_as_a_mapping():
    mapping = FieldMapping(source="first_name", target="FirstName")
    assert args(fields={"first_name": "FirstName"}).fields == (mapping,)


def test_defaults_follow_the_guide():
    built = args()
    assert (built.mode, dict(built.schedule)) == ("create", {"frequency": "continuous"})
    assert built.identity == FieldMapping(source="email", target="Email")


def test_snowflake_needs_a_password_or_a_private_key_but_not_both():
    with pytest.raises(ValueError, match="password"):
        SnowflakeSource(account="a", username="u", dbname="d")
    with pytest.raises(ValueError, match="password"):
        SnowflakeSource(account="a", username="u", dbname="d", password="p", private_key="k")


def test_snowflake_key_pair_sets_key_pair_auth():
    source = SnowflakeSource(account="a", username="u", dbname="d", private_key="-----BEGIN")
    assert source.configuration()["key_pair_auth"] is True
    assert source.secret_configuration() == {"private_key": "-----BEGIN"}


def test_linkedin_credentials_come_all_or_none():
    with pytest.raises(ValueError, match="all of client_id"):
        LinkedInDestination(accounts=[ACCOUNT], client_id="id")


def test_secrets_stay_out_of_repr():
    source = SnowflakeSource(account="a", username="u", dbname="d", password="hunter2")
    destination = LinkedInDestination(accounts=[ACCOUNT], client_id="i", client_secret="s3cr3t",
                                      oauth_refresh_token="r3fr3sh")
    assert "hunter2" not in repr(source)
    assert "s3cr3t" not in repr(destination) and "r3fr3sh" not in repr(destination)
