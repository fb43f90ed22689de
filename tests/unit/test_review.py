"""preview-summary on small `pulumi preview --json` documents.

The steps below were captured from `pulumi preview --json` of the reference dev stack (CLI v3.274.1)
and trimmed to the fields the summary reads; where a test needs a value the reference stack does not
have (a multi-line query, a secret the program forgot to mark), it says so.
"""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from polytomic_components.__main__ import main
from polytomic_components.review import read_preview, render

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PREVIEW = REPO_ROOT / "tests" / "unit" / "data" / "preview-example.json"
STACK_URN = "urn:pulumi:dev::polytomic-pipelines::pulumi:pulumi:Stack::polytomic-pipelines-dev"
PIPELINE_URN = ("urn:pulumi:dev::polytomic-pipelines::polytomic:index:LinkedInAudiencePipeline"
                "::newsletter-subscribers")
MODEL_URN = ("urn:pulumi:dev::polytomic-pipelines::polytomic:index:LinkedInAudiencePipeline"
             "$pulumi-python:dynamic/polytomic:Model::newsletter-subscribers-model")
CONNECTION_URN = "urn:pulumi:dev::polytomic-pipelines::pulumi-python:dynamic/polytomic:Connection::snowflake"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
OLD_QUERY = "SELECT email, first_name, last_name FROM users WHERE is_active"
NEW_QUERY = "SELECT email, first_name, last_name FROM users WHERE country = 'US'"


def model_inputs(query: str, connection_id: str = "4642b94e-0d0d-4170-9101-43a72ecbc186") -> dict[str, Any]:
    return {"__provider": "[secret]", "configuration": {"query": query}, "connection_id": connection_id,
            "name": "newsletter-subscribers",
            "resource_key": "polytomic-pipelines/dev/Model/newsletter-subscribers-model"}


def model_update(old_query: str = OLD_QUERY, new_query: str = NEW_QUERY) -> dict[str, Any]:
    state = {"urn": MODEL_URN, "custom": True, "type": "pulumi-python:dynamic/polytomic:Model",
             "parent": PIPELINE_URN}
    return {"op": "update", "urn": MODEL_URN,
            "oldState": {**state, "inputs": model_inputs(old_query)},
            "newState": {**state, "inputs": model_inputs(new_query)}, "detailedDiff": None}


def model_create() -> dict[str, Any]:
    state = {"urn": MODEL_URN, "custom": True, "type": "pulumi-python:dynamic/polytomic:Model",
             "parent": PIPELINE_URN}
    return {"op": "create", "urn": MODEL_URN, "detailedDiff": None,
            "newState": {**state, "inputs": model_inputs(OLD_QUERY, UNKNOWN)}}


def connection_update(old_secret: Any = "[secret]", new_secret: Any = "[secret]") -> dict[str, Any]:
    state = {"urn": CONNECTION_URN, "custom": True, "type": "pulumi-python:dynamic/polytomic:Connection",
             "parent": STACK_URN}
    inputs = {"__provider": "[secret]", "configuration": {"account": "uc193736182", "dbname": "analytics_dev",
              "username": "pulumi_dev", "warehouse": "dev_wh"}, "force_destroy": False, "name": "Snowflake",
              "resource_key": "polytomic-pipelines/dev/Connection/snowflake", "type": "snowflake"}
    return {"op": "update", "urn": CONNECTION_URN, "detailedDiff": None,
            "oldState": {**state, "inputs": {**inputs, "secret_configuration": old_secret}},
            "newState": {**state, "inputs": {**inputs, "secret_configuration": new_secret}}}


TRIAL_SYNC_URN = ("urn:pulumi:dev::polytomic-pipelines::polytomic:index:LinkedInAudiencePipeline"
                  "$pulumi-python:dynamic/polytomic:Sync::trial-signups-sync")
SYNC_CREATE: dict[str, Any] = {
    "op": "create", "urn": TRIAL_SYNC_URN, "detailedDiff": None,
    "newState": {
        "urn": TRIAL_SYNC_URN, "custom": True, "type": "pulumi-python:dynamic/polytomic:Sync",
        "parent": PIPELINE_URN.replace("newsletter-subscribers", "trial-signups"),
        "inputs": {
            "__provider": "[secret]", "active": True,
            "fields": [{"source": {"field": field, "model_id": UNKNOWN}, "target": target} for field, target
                       in (("first_name", "FirstName"), ("last_name", "LastName"), ("title", "Title"))],
            "identity": {"function": "Equality", "source": {"field": "email", "model_id": UNKNOWN},
                         "target": "Email"},
            "mode": "create", "name": "trial-signups to LinkedIn Ads",
            "resource_key": "polytomic-pipelines/dev/Sync/trial-signups-sync",
            "schedule": {"frequency": "continuous"}, "skip_initial_backfill": False,
            "sync_all_records": False,
            "target": {"connection_id": UNKNOWN, "create": {
                "account": "512630692::urn:li:organization:28818517", "name": "Trial signups (dev)",
                "type": "user_audience"}}}}}


def document(*steps: dict[str, Any], diagnostics: list[dict[str, Any]] | None = None) -> str:
    root = {"op": "same", "urn": STACK_URN, "detailedDiff": None}
    body: dict[str, Any] = {"steps": [root, *steps], "changeSummary": {}}
    if diagnostics:
        body["diagnostics"] = diagnostics
    return json.dumps(body)


def summary_of(text: str, stack: str | None = None) -> str:
    return render([read_preview(text, stack)])


def test_property_change_is_computed_from_old_and_new_inputs():
    preview = read_preview(document(model_update()))
    [change] = preview.changes
    assert (change.op, change.kind, change.name, change.pipeline) == (
        "update", "Model", "newsletter-subscribers-model", "newsletter-subscribers")
    assert [(p.path, p.old, p.new) for p in change.properties] == [
        ("configuration.query", OLD_QUERY, NEW_QUERY)]


def test_stack_name_comes_from_the_urns_unless_given():
    assert read_preview(document(model_update())).stack == "dev"
    assert read_preview(document(model_update()), "dev-eu").stack == "dev-eu"


def test_bookkeeping_inputs_are_not_shown():
    text = summary_of(document(model_create()))
    assert "resource_key" not in text
    assert "__provider" not in text


def test_unknown_values_read_known_after_apply():
    text = summary_of(document(model_create()))
    assert "  - `connection_id`: (known after apply)" in text
    assert "04da6b54" not in text


def test_a_change_only_to_secret_values_says_so_without_values():
    text = summary_of(document(connection_update()))
    assert "- update Connection `snowflake`: only secret or internal values changed (not shown)" in text


def test_an_input_declared_secret_is_masked_even_when_not_marked_secret():
    # The engine would print a plain value had the program not marked it secret.
    step = connection_update({"password": "old-pass-123"}, {"password": "new-pass-456"})
    text = summary_of(document(step))
    assert "old-pass-123" not in text
    assert "new-pass-456" not in text


def test_a_value_in_the_engines_secret_form_is_masked():
    # How the engine serializes a secret in state (`pulumi stack export`): a signature object.
    sealed = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
              "ciphertext": "v1:abc:def"}
    step = model_update()
    step["newState"]["inputs"]["configuration"] = sealed
    text = summary_of(document(step))
    assert "ciphertext" not in text
    assert f"`configuration`: `{json.dumps({'query': OLD_QUERY})}` → [secret]" in text


def test_a_multiline_value_is_shown_as_a_diff_block():
    step = model_update(OLD_QUERY, "SELECT email\nFROM users\nWHERE is_active")
    text = summary_of(document(step))
    assert ("  - `configuration.query`:\n\n    ```diff\n    - " + OLD_QUERY +
            "\n    + SELECT email\n    + FROM users\n    + WHERE is_active\n    ```") in text


def test_backticks_in_a_value_keep_the_code_span_intact():
    step = model_update(OLD_QUERY, "SELECT `email` FROM users")
    assert "→ ``SELECT `email` FROM users``" in summary_of(document(step))


def test_a_resource_outside_any_pipeline_is_listed_on_its_own():
    text = summary_of(document(model_update(), connection_update()))
    assert text.index("**Pipeline `newsletter-subscribers`**") < text.index("**Outside any pipeline**")
    assert "**Outside any pipeline**\n\n- update Connection `snowflake`" in text


def test_warnings_of_the_preview_need_attention():
    message = "polytomic: newsletter-subscribers-sync: could not reach the service; checks skipped\n"
    text = summary_of(document(model_update(), diagnostics=[{"message": message, "severity": "info#err"}]))
    assert f"- **dev**: {message.strip()}" in text.split("### Needs attention", 1)[1]


def test_output_that_is_not_json_is_a_failed_preview_with_that_text():
    # What `pulumi preview --json` prints (on stderr, with nothing on stdout) for a missing stack.
    preview = read_preview("error: no stack named 'nosuch' found\n", "nosuch")
    assert preview.error == "error: no stack named 'nosuch' found"
    assert "```text\nerror: no stack named 'nosuch' found\n```" in render([preview])


def test_empty_output_is_a_failed_preview():
    preview = read_preview("", source="preview-prod.json")
    assert preview.stack == "preview-prod.json"
    assert preview.error == "preview-prod.json: no output from `pulumi preview`"


def test_a_preview_with_error_diagnostics_failed_and_keeps_the_changes_it_planned():
    error = {"message": "error: an unhandled error occurred: program exited with non-zero exit code: 1\n",
             "severity": "error"}
    preview = read_preview(document(model_update(), diagnostics=[error]))
    assert preview.error == error["message"].strip()
    assert len(preview.changes) == 1
    text = render([preview])
    assert "| dev | **failed** | 0 | 1 | 0 | 0 |" in text
    assert text.index("these are the changes it planned before it stopped") < text.index(
        "- update Model `newsletter-subscribers-model`") < text.index("The preview failed:\n\n```text")


def test_command_line_reads_standard_input_without_files(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(document(model_update())))
    assert main(["preview-summary"]) == 0
    assert "| dev | ok | 0 | 1 | 0 | 0 |" in capsys.readouterr().out


def test_command_line_names_stacks_given_as_name_equals_file(tmp_path, capsys):
    other = copy.deepcopy(model_update())
    (tmp_path / "a.json").write_text(document(model_update()))
    (tmp_path / "b.json").write_text(document(other))
    assert main(["preview-summary", str(tmp_path / "a.json"), "--stack", f"eu={tmp_path / 'b.json'}"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Pulumi preview: 2 stacks\n")
    assert "\n### dev\n" in out
    assert "\n### eu\n" in out


def test_command_line_refuses_a_stack_without_a_file(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["preview-summary", "--stack", "dev"])
    assert exit_.value.code == 2
    assert "expected NAME=FILE" in capsys.readouterr().err


def test_the_readme_example_is_the_summary_of_the_example_preview(capsys):
    """The README shows the summary of tests/unit/data/preview-example.json, a preview captured
    by tests/engine/test_review.py."""
    assert main(["preview-summary", str(EXAMPLE_PREVIEW)]) == 0
    rendered = capsys.readouterr().out
    readme = (REPO_ROOT / "README.md").read_text()
    example = re.search(r"<!-- preview-summary example -->\n````markdown\n(.*?)````\n", readme, re.S)
    assert example, "README.md lacks the preview-summary example block"
    assert example.group(1) == rendered, f"README.md's example is out of date; it now reads:\n{rendered}"


def test_command_line_reports_a_file_it_cannot_read_as_a_failed_preview(tmp_path, capsys):
    missing = tmp_path / "preview-prod.json"
    assert main(["preview-summary", "--stack", f"prod={missing}"]) == 0
    out = capsys.readouterr().out
    assert "| prod | **failed** | 0 | 0 | 0 | 0 |" in out
    assert f"cannot read {missing}: No such file or directory" in out


def test_a_new_sync_in_remove_mode_needs_attention():
    step = copy.deepcopy(SYNC_CREATE)
    step["newState"]["inputs"]["mode"] = "remove"
    [change] = read_preview(document(step)).changes
    assert change.attention[1] == (
        "sync `trial-signups-sync` is created with `mode` `remove`: it removes the model's rows from a new "
        "audience \"Trial signups (dev)\" (`user_audience`, "
        "account `512630692::urn:li:organization:28818517`)")


def sync_update(new_fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The captured sync as an update step whose new inputs have these `fields`."""
    state = SYNC_CREATE["newState"]
    return {"op": "update", "urn": SYNC_CREATE["urn"], "detailedDiff": None, "oldState": state,
            "newState": {**state, "inputs": {**state["inputs"], "fields": new_fields}}}


def test_an_item_added_in_the_middle_of_a_list_is_one_change():
    fields = copy.deepcopy(SYNC_CREATE["newState"]["inputs"]["fields"])
    fields.insert(1, {"source": {"field": "company", "model_id": UNKNOWN}, "target": "Company"})
    [change] = read_preview(document(sync_update(fields))).changes
    assert [(p.path, p.old, p.new) for p in change.properties] == [
        ("fields[1]", None, '{"source": {"field": "company", "model_id": "(known after apply)"}, '
                            '"target": "Company"}')]


def test_a_changed_list_item_shows_the_changed_leaf():
    fields = copy.deepcopy(SYNC_CREATE["newState"]["inputs"]["fields"])
    fields[2]["target"] = "JobTitle"
    [change] = read_preview(document(sync_update(fields))).changes
    assert [(p.path, p.old, p.new) for p in change.properties] == [("fields[2].target", "Title", "JobTitle")]


# --- event logs (what the workflows save): policy verdicts and failed previews ----------------

#: The engine's event log of a prod preview with the policy pack (CLI v3.274.1, debug events left
#: out): pipeline `newsletter-subscribers` switched to `remove` and to a continuous schedule,
#: pipeline `target-accounts` removed. Two mandatory violations fail it; one advisory.
POLICY_EVENTS = REPO_ROOT / "tests" / "unit" / "data" / "preview-policy-events.jsonl"


def policy_summary() -> str:
    return render([read_preview(POLICY_EVENTS.read_text())])


def test_an_event_log_reads_as_the_preview_it_logged():
    preview = read_preview(POLICY_EVENTS.read_text())
    assert preview.stack == "prod"
    objects = [(c.op, c.kind, c.name) for c in preview.changes
               if c.kind != "polytomic:index:LinkedInAudiencePipeline"]
    assert objects == [("update", "Sync", "newsletter-subscribers-sync"),
                       ("delete", "Sync", "target-accounts-sync"),
                       ("delete", "Model", "target-accounts-model")]


def test_policy_verdicts_need_attention_under_their_pipeline_with_policy_and_fix():
    attention = policy_summary().split("### Needs attention", 1)[1].split("### prod", 1)[0]
    assert ("- **prod**: pipeline `newsletter-subscribers`: policy `remove-mode-allowed` (mandatory): sync "
            "'newsletter-subscribers-sync' (pipeline 'newsletter-subscribers') is in `remove` mode"
            ) in attention
    assert ('To exempt it: `{"remove-mode-allowed": {"allow": ["newsletter-subscribers"]}}` in the policy '
            "config.") in attention


def test_an_advisory_verdict_is_listed_after_the_mandatory_ones():
    attention = policy_summary().split("### Needs attention", 1)[1].split("### prod", 1)[0]
    assert attention.index("(mandatory)") < attention.index(
        "policy `minimum-schedule-interval` (advisory): sync 'newsletter-subscribers-sync' (pipeline "
        "'newsletter-subscribers') runs continuous; the minimum interval is hourly")
    assert attention.rindex("(mandatory)") < attention.index("(advisory)")


def test_a_stack_policys_verdict_is_placed_under_the_pipeline_its_message_names():
    # The engine reports a stack policy's violation against the stack, whatever resource it names.
    prod = policy_summary().split("\n### prod\n", 1)[1]
    deleted = prod.split("**Pipeline `target-accounts`** (deleted)", 1)[1]
    assert deleted.lstrip().startswith(
        "- policy `production-syncs-kept` (mandatory): sync 'target-accounts-sync'")
    assert '`{"production-syncs-kept": {"allow": ["target-accounts"]}}`' in deleted


def test_a_preview_failed_by_policies_still_shows_what_it_would_change():
    text = policy_summary()
    assert "| prod | **failed**; policy violations: 2 mandatory, 1 advisory | 0 | 1 | 0 | 2 |" in text
    assert "these are the changes it planned before it stopped" in text
    assert "- delete Sync `target-accounts-sync`" in text
    assert "  - `mode`: `create` → `remove`" in text


def test_a_providers_message_about_an_explained_change_is_not_repeated():
    text = policy_summary()
    assert "switches to mode 'remove': members this query selects are REMOVED" not in text
    assert text.count("switches `mode` to `remove`") == 1


def test_a_deleted_pipelines_audience_is_marked_as_kept():
    assert ("deletes sync `target-accounts-sync`, which writes to audience "
            "`508814420::urn:li:organization:10493027~user_audience.31140115`; the audience is kept"
            ) in policy_summary()


def test_the_summary_names_the_commit_and_links_the_run(tmp_path, capsys):
    assert main(["preview-summary", "--commit", "0123456789abcdef0123", "--run-url",
                 "https://github.com/o/r/actions/runs/42", "--stack", f"prod={POLICY_EVENTS}"]) == 0
    assert "\nCommit `0123456789ab` · [workflow run](https://github.com/o/r/actions/runs/42)\n" in (
        capsys.readouterr().out)


def test_a_sync_runs_settings_fingerprint_is_not_shown():
    urn = TRIAL_SYNC_URN.replace("polytomic:Sync::trial-signups-sync",
                                 "polytomic:SyncRun::trial-signups-first-run")
    step = {"op": "create", "urn": urn, "newState": {
        "urn": urn, "type": "pulumi-python:dynamic/polytomic:SyncRun",
        "parent": SYNC_CREATE["newState"]["parent"],
        "inputs": {"sync_id": UNKNOWN, "fingerprint": "5f2c9a0e1b7d"}}}
    text = summary_of(document(step))
    assert "- create SyncRun `trial-signups-first-run`" in text
    assert "fingerprint" not in text and "5f2c9a0e1b7d" not in text


def test_a_pipeline_component_is_not_counted_as_an_object():
    pipeline = {"op": "create", "urn": PIPELINE_URN, "newState": {"urn": PIPELINE_URN, "inputs": {}}}
    assert "| dev | ok | 1 | 0 | 0 | 0 |" in summary_of(document(pipeline, model_create()))


def model_delete(**state_extra: Any) -> dict[str, Any]:
    state = {"urn": MODEL_URN, "custom": True, "type": "pulumi-python:dynamic/polytomic:Model",
             "parent": PIPELINE_URN, **state_extra}
    return {"op": "delete", "urn": MODEL_URN, "detailedDiff": None,
            "oldState": {**state, "inputs": {**model_inputs(OLD_QUERY), "adopt_id": "m-made-in-the-ui"}}}


def test_deleting_an_adopted_object_needs_attention():
    text = summary_of(document(model_delete()))
    assert ("deletes model `newsletter-subscribers-model` (m-made-in-the-ui), which this stack "
            "adopted (made outside it)") in text.split("### Needs attention", 1)[1]


def test_an_adopted_object_kept_on_destroy_is_said_to_stay():
    text = summary_of(document(model_delete(retainOnDelete=True)))
    assert "forgets model `newsletter-subscribers-model` (m-made-in-the-ui), which this stack adopted; " \
           "it stays in Polytomic" in text


def test_a_new_audience_is_listed_once_not_again_as_the_providers_message():
    message = "polytomic: trial-signups-sync: creates a NEW LinkedIn audience 'Trial signups (dev)'\n\n"
    text = summary_of(document(SYNC_CREATE, diagnostics=[{"message": message, "severity": "info#err"}]))
    attention = text.split("### Needs attention", 1)[1].split("\n### ", 1)[0]
    assert attention.count("Trial signups (dev)") == 1
    assert "creates sync `trial-signups-sync`, writing to a new audience" in attention
