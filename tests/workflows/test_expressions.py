"""The runner's expression evaluator agrees with GitHub's rules on what the workflows use."""

from __future__ import annotations

import pytest

from tests.workflows.expressions import ExpressionError, condition, evaluate, substitute

CONTEXTS = {
    "inputs": {"command": "preview", "stack": "prod"},
    "steps": {"preview": {"outputs": {"status": "1"}}},
    "github": {"event": {"pull_request": {"number": 7, "head": {"repo": {"full_name": "a/b"}}}},
               "repository": "a/b", "ref": "refs/pull/7/merge"},
}
PASSED = {"success": lambda: True, "failure": lambda: False, "always": lambda: True,
          "cancelled": lambda: False}
FAILED = {**PASSED, "success": lambda: False, "failure": lambda: True}


def test_a_property_path_reads_the_context():
    assert evaluate("github.event.pull_request.number", CONTEXTS) == 7


def test_a_missing_property_is_null_and_renders_empty():
    assert evaluate("inputs.nothing.deeper", CONTEXTS) is None
    assert substitute("x=${{ inputs.nothing }}", CONTEXTS) == "x="


def test_string_comparison_ignores_case():
    assert evaluate("inputs.command == 'PREVIEW'", CONTEXTS) is True


def test_and_or_pick_an_operand_as_a_ternary():
    assert evaluate("inputs.command == 'preview' && github.ref || 'main'", CONTEXTS) == "refs/pull/7/merge"
    assert evaluate("inputs.command == 'up' && github.ref || 'main'", CONTEXTS) == "main"


def test_a_whole_expression_keeps_its_type_and_an_embedded_one_becomes_text():
    assert substitute("${{ inputs.command == 'preview' }}", CONTEXTS) is True
    assert substitute("pulumi-${{ inputs.stack }}-${{ inputs.command == 'up' }}", CONTEXTS) == (
        "pulumi-prod-false")


def test_two_expressions_side_by_side_are_two_texts():
    assert substitute("${{ inputs.command }} ${{ inputs.stack }}", CONTEXTS) == "preview prod"


def test_different_types_compare_as_numbers():
    assert evaluate("steps.preview.outputs.status != 0", CONTEXTS) is True
    assert evaluate("steps.preview.outputs.status == 1", CONTEXTS) is True


def test_format_and_contains():
    assert evaluate("format('{0}-{1}', inputs.stack, 'x')", CONTEXTS) == "prod-x"
    assert evaluate("contains(github.ref, 'pull')", CONTEXTS) is True


def test_a_condition_without_a_status_function_also_needs_success():
    assert condition("inputs.command == 'preview'", CONTEXTS, PASSED)
    assert not condition("inputs.command == 'preview'", CONTEXTS, FAILED)


def test_a_condition_with_a_status_function_is_taken_as_written():
    assert condition("${{ !cancelled() && inputs.stack == 'prod' }}", CONTEXTS, FAILED)
    assert condition("failure()", CONTEXTS, FAILED)
    assert not condition("failure()", CONTEXTS, PASSED)


def test_an_unknown_context_or_function_is_an_error_not_a_silent_null():
    with pytest.raises(ExpressionError, match="unknown context 'input'"):
        evaluate("input.stack", CONTEXTS)
    with pytest.raises(ExpressionError, match="unknown function 'hashfile'"):
        evaluate("hashfile('x')", CONTEXTS)


def test_unreadable_text_is_an_error():
    with pytest.raises(ExpressionError, match="cannot read"):
        evaluate("inputs.stack = 'x'", CONTEXTS)
