"""The configuration schemas the emulator serves at ``GET /api/connection_types/{id}``.

Bare JSON Schemas in the layout Polytomic's own schemas use (as published with its Terraform
provider): ``properties`` with ``type``, ``title``, ``sensitive: true`` on secrets, ``readOnly``
on values the service sets, ``enum`` entries that are plain strings or ``{"value", "label"}``
objects, and a top-level ``required`` list. Keys, types, required lists and sensitive markers
follow Polytomic's; titles and descriptions are our own words.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _schema(type_id: str, properties: Json, required: tuple[str, ...] = ()) -> Json:
    schema: Json = {"$schema": _DRAFT,
                    "$id": f"https://polytomic.com/schemas/{type_id}/connection-configuration",
                    "type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def _text(title: str = "", **extra: Any) -> Json:
    return {"type": "string", **({"title": title} if title else {}), **extra}


def _secret(title: str = "", **extra: Any) -> Json:
    return _text(title, sensitive=True, **extra)


def _flag(title: str, **extra: Any) -> Json:
    return {"type": "boolean", "title": title, **extra}


def _number(title: str, **extra: Any) -> Json:
    return {"type": "integer", "title": title, **extra}


def _choice(title: str, *options: tuple[str, str], **extra: Any) -> Json:
    return _text(title, enum=[{"value": value, "label": label} for value, label in options],
                 **extra)


# Keys an OAuth connection may be given instead of a browser consent (hidden in forms).
_OAUTH_API_KEYS: Json = {
    "oauth_refresh_token": _secret(api_field=True, hidden=True),
    "client_id": _secret(api_field=True, hidden=True),
    "client_secret": _secret(api_field=True, hidden=True),
}

SCHEMAS: dict[str, Json] = {
    "snowflake": _schema("snowflake", {
        "account": _text("Account identifier", examples=["FRXJLEC-UJA94780"]),
        "username": _text("User"),
        "password": _secret("Password", password=True),
        "dbname": _text("Database"),
        "warehouse": _text("Warehouse"),
        "params": _text("Extra parameters", description="Connection parameters as a query "
                                                         "string"),
        "key_pair_auth": _flag("Authenticate with a key pair", default=False),
        "private_key": _secret("Private key (PEM)", widget="file"),
        "private_key_passphrase": _secret("Private key passphrase", password=True),
        "use_bulk_sync_staging_schema": _flag("Stage bulk syncs in a schema of my choice",
                                              default=False),
        "bulk_sync_staging_schema": _text("Staging schema"),
    }, required=("account", "username", "dbname")),
    "linkedinads": _schema("linkedinads", {
        "oauth_refresh_token": _OAUTH_API_KEYS["oauth_refresh_token"],
        "oauth_token_expiry": _text(hidden=True),
        "accounts": {"type": "array", "title": "Ad accounts", "hierarchyCompletion": True,
                     "items": {"type": "object", "additionalProperties": False,
                               "properties": {"value": {"type": "string"},
                                              "label": {"type": "string"}}}},
        "connected_user": _text("Connected as", readOnly=True),
        "client_id": _OAUTH_API_KEYS["client_id"],
        "client_secret": _OAUTH_API_KEYS["client_secret"],
    }),
    "postgresql": _schema("postgresql", {
        "hostname": _text("Host", examples=["db.example.com"]),
        "username": _text("User"),
        "password": _secret("Password", password=True),
        "database": _text("Database"),
        "port": _number("Port", default=5432),
        "ssl": _flag("Require SSL", default=True),
        "ssh": _flag("Tunnel through SSH"),
        "ssh_user": _text("SSH user", default="root"),
        "ssh_host": _text("SSH bastion host"),
        "ssh_port": _number("SSH port", default=22),
        "ssh_private_key": _secret("SSH private key", widget="textarea"),
        "client_certs": _flag("Present a client certificate", default=False),
        "client_certificate": _secret("Client certificate", widget="file"),
        "client_key": _secret("Client key", widget="file"),
        "ca_cert": _secret("CA certificate", widget="file"),
        "change_detection": _flag("Bulk sync through logical replication", default=False),
        "publication": _text("Replication publication"),
    }, required=("hostname", "username", "password", "database", "port")),
    "bigquery": _schema("bigquery", {
        "auth_method": _choice("How to authenticate",
                               ("service_account_key", "Service account key"),
                               ("workload_identity_federation", "Workload identity federation"),
                               ("application_default_credentials",
                                "Application default credentials"),
                               default="service_account_key"),
        "project_id": _text("Project of the service account", readOnly=True),
        "client_email": _text("Service account", readOnly=True),
        "service_account": _secret("Service account key (JSON)"),
        "override_project_id": _text("Project to query instead"),
        "wif_project_id": _text("Google Cloud project"),
        "credential_config": _secret("Credential configuration (JSON)"),
        "location": _text("Location"),
        "structured_values_as_json": _flag("Write objects and arrays as JSON", default=False),
        "use_extract": _flag("Bulk sync through extract jobs"),
        "bucket": _text("Cloud Storage bucket"),
    }, required=("auth_method",)),
    "s3": _schema("s3", {
        "auth_mode": _choice("How to authenticate",
                             ("access_key_and_secret", "Access key and secret"),
                             ("iam_role", "IAM role"), default="access_key_and_secret"),
        "aws_access_key_id": _text("Access key ID"),
        "aws_secret_access_key": _secret("Secret access key"),
        "aws_user": _text("User ARN", readOnly=True),
        "iam_role_arn": _text("Role ARN"),
        "external_id": _text("External ID", readOnly=True),
        "s3_bucket_region": _text("Bucket region", examples=["us-east-1"]),
        "s3_bucket_name": _text("Bucket (and optional folder)",
                                examples=["s3://example-bucket/exports"]),
        "enable_event_notifications": _flag("Read new files from event notifications"),
        "event_queue_arn": _text("SQS queue ARN"),
        "csv_has_headers": _flag("CSV files start with a header row", default=True),
        "is_single_table": _flag("Files are snapshots of one table", default=False),
        "is_directory_snapshot": _flag("One table per directory", default=False),
        "directory_glob_pattern": _text("Table path pattern"),
        "single_table_name": _text("Table name"),
        "single_table_file_format": _choice("File format", ("csv", "CSV"), ("json", "JSON"),
                                            ("parquet", "Parquet"), default="csv"),
        "single_table_file_formats": {
            "type": "array", "title": "File formats",
            "items": _choice("", ("csv", "CSV"), ("json", "JSON"), ("parquet", "Parquet"))},
        "skip_lines": _number("Lines to skip at the top of each CSV file", default=0),
    }, required=("auth_mode", "s3_bucket_region", "s3_bucket_name")),
    "salesforce": _schema("salesforce", {
        "oauth_refresh_token": _OAUTH_API_KEYS["oauth_refresh_token"],
        "connect_mode": _text(enum=["browser", "clientcredentials", "code", "api"],
                              default="browser", api_field=True,
                              description="api when client_id and client_secret are given"),
        "client_id": _secret("Client ID"),
        "client_secret": _secret("Client secret"),
        "domain": _text("Login domain", examples=["example.my.salesforce.com"]),
        "instance_url_override": _text("Instance URL", readOnly=True),
        "username": _text("Connected as", readOnly=True),
        "enforce_api_limits": _flag("Cap daily API calls"),
        "daily_api_calls": _number("Daily API call cap"),
        "enable_tooling": _flag("Include Tooling API objects"),
        "enable_multicurrency_lookup": _flag("Convert currencies in incremental formula fields"),
    }, required=("client_id", "client_secret", "domain")),
    "hubspot": _schema("hubspot", {
        "oauth_refresh_token": _OAUTH_API_KEYS["oauth_refresh_token"],
        "hub_user": _text("Connected as", readOnly=True),
        "hub_domain": _text("Portal domain", readOnly=True),
        "client_id": _OAUTH_API_KEYS["client_id"],
        "client_secret": _OAUTH_API_KEYS["client_secret"],
        "include_static_list_support": _flag("Support static lists"),
        "use_search_api": _flag("Bulk sync incrementally through the search API",
                                default=True),
    }),
}
