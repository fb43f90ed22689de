"""GitHub Actions expressions (`${{ ... }}` and `if:` conditions), as the runner evaluates them.

The subset the example workflows use, with GitHub's semantics: contexts (`inputs.stack`,
`steps.preview.outputs.status`, `github.event.pull_request.number`), string, number and boolean
literals, `!`, `==`, `!=` (strings compared ignoring case), `&&` and `||` (which return one of their
operands, so `a && 'x' || 'y'` picks a value), parentheses, and the functions `success()`,
`failure()`, `always()`, `cancelled()`, `format()`, `contains()` and `startsWith()`.
A property that does not exist is `null`, which renders as the empty string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<op>==|!=|&&|\|\||[!().,\[\]*])
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.X)
_TEMPLATE = re.compile(r"\$\{\{((?:(?!\}\}).)*)\}\}", re.S)  # no `}}` inside one


class ExpressionError(ValueError):
    """An expression the evaluator cannot read, named in the message."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {text[position:]!r} in expression {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes (no tree: expressions are small)."""

    def __init__(self, text: str, contexts: Mapping[str, Any],
                 functions: Mapping[str, Callable[..., Any]]) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.contexts = contexts
        self.functions = functions

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise ExpressionError(f"expression {self.text!r} ends early")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"expected {expected!r}, found {token[1]!r} in {self.text!r}")
        self.position += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.position != len(self.tokens):
            raise ExpressionError(f"unexpected {self.peek()!r} in expression {self.text!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self.peek() == "&&":
            self.take()
            right = self.equality()
            value = right if truthy(value) else value
        return value

    def equality(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!="):
            operator = self.take()[1]
            equal = _equal(value, self.unary())
            value = equal if operator == "==" else not equal
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind != "name":
            raise ExpressionError(f"unexpected {text!r} in expression {self.text!r}")
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        if self.peek() == "(":
            return self.call(text)
        if text not in self.contexts:
            raise ExpressionError(f"unknown context {text!r} in expression {self.text!r}")
        return self.properties(self.contexts[text])

    def call(self, name: str) -> Any:
        function = self.functions.get(name.lower())
        if function is None:
            raise ExpressionError(f"unknown function {name!r} in expression {self.text!r}")
        self.take("(")
        arguments = []
        while self.peek() != ")":
            arguments.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return function(*arguments)

    def properties(self, value: Any) -> Any:
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key: Any = self.take()[1]
            else:
                key = self.or_()
                self.take("]")
            value = value.get(key) if isinstance(value, Mapping) else None
        return value


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "") and value == value  # NaN is falsy too


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is not type(right) and None not in (left, right):
        # GitHub converts both sides to numbers when the types differ.
        return _number(left) == _number(right)
    return bool(left == right)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def to_text(value: Any) -> str:
    """How a value renders inside a string: null as '', booleans in lower case, objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list)):
        return json.dumps(value, indent=2)
    return str(value)


def _format(template: str, *arguments: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: to_text(arguments[int(m.group(1))]), template)


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, list):
        return any(_equal(item, needle) for item in haystack)
    return to_text(needle).lower() in to_text(haystack).lower()


STRING_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "format": _format,
    "contains": _contains,
    "startswith": lambda text, prefix: to_text(text).lower().startswith(to_text(prefix).lower()),
    "tojson": lambda value: json.dumps(value, indent=2),
}


def evaluate(text: str, contexts: Mapping[str, Any],
             functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """The value of one expression (the inside of `${{ }}`); `functions` adds to the string
    functions: the status functions (success() and kin) where a condition is evaluated."""
    return _Parser(text, contexts, {**STRING_FUNCTIONS, **(functions or {})}).parse()


def substitute(text: str, contexts: Mapping[str, Any],
               functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """A value with its `${{ }}` replaced. A value that is one whole expression keeps its type
    (`${{ inputs.command == 'preview' }}` is a boolean); otherwise the results are rendered as text.
    `functions` adds to the string functions (a step's `hashFiles`, say)."""
    whole = _TEMPLATE.fullmatch(text.strip())
    if whole:
        return evaluate(whole.group(1), contexts, functions)
    return _TEMPLATE.sub(lambda m: to_text(evaluate(m.group(1), contexts, functions)), text)


def condition(text: Any, contexts: Mapping[str, Any], status: Mapping[str, Callable[..., Any]]) -> bool:
    """Whether an `if:` holds. As on GitHub, `${{ }}` is optional there, and a condition that calls
    no status function is read as `success() && (condition)`."""
    if text is None:
        return bool(status["success"]())
    if isinstance(text, bool):
        return text and bool(status["success"]())
    source = str(text).strip()
    whole = _TEMPLATE.fullmatch(source)
    source = whole.group(1) if whole else source
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", source):
        source = f"success() && ({source})"
    return truthy(evaluate(source, contexts, status))
