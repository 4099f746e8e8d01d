"""Label selectors, parsed, matched and printed as apimachinery does.

Three places in a cluster select objects by label: a query string
(`kubectl get pods -l 'app in (node-web)'`), a `metav1.LabelSelector`
(ReplicaSet, Deployment, Job: `matchLabels` + `matchExpressions`) and a plain
map (a Service's `spec.selector`). All three become one `Selector`, an AND of
`Requirement`s, so controllers, the API server's list filter and the printers
share one matching rule and one textual form.

The parser is a port of apimachinery's `pkg/labels/selector.go` lexer and
recursive-descent parser rather than a regular expression, because students
see its exact error words (`unable to parse requirement: ...`, `found ',',
expected: ...`) and those depend on the token stream, not just on validity.
Keys and values are validated with the same label-key / label-value rules
and messages (`pkg/api/validate/content`), rendered like `field.Error`.

Two apimachinery quirks are kept on purpose: requirements are sorted by key
(so `str()` is deterministic), and a nil LabelSelector selects nothing while
an empty one selects everything (`LabelSelectorAsSelector`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from simcore.errors import FieldError, invalid

# selection.Operator values, spelled as apimachinery spells them.
IN = "in"
NOT_IN = "notin"
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
EXISTS = "exists"
DOES_NOT_EXIST = "!"
GREATER_THAN = "gt"
LESS_THAN = "lt"

_BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
_SELECTOR_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS,
                       "DoesNotExist": DOES_NOT_EXIST}


# --- validation (apimachinery pkg/api/validate/content) -------------------------------------

_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_KEY_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character")
_VALUE_FMT = f"({_KEY_FMT})?"
_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, "
              "'-', '_' or '.', and must start and end with an alphanumeric character")
_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN_FMT = _DNS1123_LABEL + "(\\." + _DNS1123_LABEL + ")*"
_SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                  "characters, '-' or '.', and must start and end with an alphanumeric character")
_KEY_RE = re.compile(f"^{_KEY_FMT}$")
_VALUE_RE = re.compile(f"^{_VALUE_FMT}$")
_SUBDOMAIN_RE = re.compile(f"^{_SUBDOMAIN_FMT}$")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    # The doubled space after each comma is apimachinery's, kept verbatim.
    shown = " or ".join(f"'{e}', " for e in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def _subdomain_errors(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append("must be no more than 253 bytes")
    if not _SUBDOMAIN_RE.match(value):
        errs.append(_regex_error(_SUBDOMAIN_MSG, _SUBDOMAIN_FMT, "example.com"))
    return errs


def label_key_errors(key: str) -> list[str]:
    """`content.IsLabelKey`: an optional DNS-subdomain prefix, '/', and a 63-byte name."""
    parts = key.split("/")
    if len(parts) > 2:
        return ["a valid label key " + _regex_error(_KEY_MSG, _KEY_FMT, "MyName", "my.name",
                                                    "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    errs: list[str] = []
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            errs.append("prefix part must be non-empty")
        else:
            errs += ["prefix part " + m for m in _subdomain_errors(parts[0])]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errs.append("name part must be no more than 63 bytes")
    if not _KEY_RE.match(name):
        errs.append("name part " + _regex_error(_KEY_MSG, _KEY_FMT, "MyName", "my.name",
                                                "123-abc"))
    return errs


def label_value_errors(value: str) -> list[str]:
    """`content.IsLabelValue`: empty, or up to 63 bytes of the label-key alphabet."""
    errs = []
    if len(value.encode()) > 63:
        errs.append("must be no more than 63 bytes")
    if not _VALUE_RE.match(value):
        errs.append(_regex_error(_VALUE_MSG, _VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _aggregate(errors: list[FieldError]) -> str:
    """utilerrors.Aggregate's text: one message alone, several deduplicated in brackets."""
    seen: list[str] = []
    for e in errors:
        if str(e) not in seen:
            seen.append(str(e))
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


def _requirement_errors(key: str, op: str, values: tuple[str, ...], path: str) -> list[FieldError]:
    """`labels.NewRequirement`'s checks; `path` is "" for apimachinery's nil path."""
    def at(child: str) -> str:
        return f"{path}.{child}" if path else child

    errs: list[FieldError] = []
    if key_errs := label_key_errors(key):
        errs.append(invalid(at("key"), key, "; ".join(key_errs)))
    vals = list(values)
    if op in (IN, NOT_IN) and not vals:
        errs.append(invalid(at("values"), vals, "for 'in', 'notin' operators, values set "
                                                 "can't be empty"))
    elif op in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS) and len(vals) != 1:
        errs.append(invalid(at("values"), vals, "exact-match compatibility requires one "
                                                 "single value"))
    elif op in (EXISTS, DOES_NOT_EXIST) and vals:
        errs.append(invalid(at("values"), vals, "values set must be empty for exists and "
                                                 "does not exist"))
    elif op in (GREATER_THAN, LESS_THAN):
        errs += _integer_value_errors(vals, at("values"))
    for i, v in enumerate(vals):
        if value_errs := label_value_errors(v):
            errs.append(invalid(f"{at('values')}[{i}][{key}]", v, "; ".join(value_errs)))
    return errs


def _integer_value_errors(vals: list[str], path: str) -> list[FieldError]:
    errs = []
    if len(vals) != 1:
        errs.append(invalid(path, vals, "for 'Gt', 'Lt' operators, exactly one value is "
                                        "required"))
    for i, v in enumerate(vals):
        if _parse_int(v) is None:
            errs.append(invalid(f"{path}[{i}]", v, "for 'Gt', 'Lt' operators, the value must "
                                                   "be an integer"))
    return errs


def _parse_int(text: str) -> int | None:
    # strconv.ParseInt(s, 10, 64): optional sign, ASCII digits, 64-bit range.
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None
    number = int(text)
    return number if -(2 ** 63) <= number < 2 ** 63 else None


# --- requirements and selectors -------------------------------------------------------------

@dataclass(frozen=True)
class Requirement:
    """One `key op values` clause. `values` keeps the order it was given in."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        has = self.key in labels
        if self.operator in (IN, EQUALS, DOUBLE_EQUALS):
            return has and labels[self.key] in self.values
        if self.operator in (NOT_IN, NOT_EQUALS):
            return not has or labels[self.key] not in self.values
        if self.operator == EXISTS:
            return has
        if self.operator == DOES_NOT_EXIST:
            return not has
        return has and self._compare(labels[self.key])

    def _compare(self, label_value: str) -> bool:
        have = _parse_int(label_value)
        want = _parse_int(self.values[0]) if len(self.values) == 1 else None
        if have is None or want is None:
            return False
        return have > want if self.operator == GREATER_THAN else have < want

    def __str__(self) -> str:
        if self.operator == EXISTS:
            return self.key
        if self.operator == DOES_NOT_EXIST:
            return "!" + self.key
        # Several values print sorted (safeSort) without reordering the requirement itself.
        shown = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if self.operator in (IN, NOT_IN):
            return f"{self.key} {self.operator} ({shown})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(self.operator, self.operator)
        return f"{self.key}{symbol}{shown}"


@dataclass(frozen=True)
class Selector:
    """An AND of requirements, sorted by key; `nothing` marks labels.Nothing()."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def empty(self) -> bool:
        """True when the selector does not restrict anything (labels.Everything())."""
        return not self.nothing and not self.requirements

    def equality_pairs(self) -> tuple[tuple[str, str], ...]:
        """(key, value) pairs every matching object carries: `=`, `==` and one-value `in`.

        Mirrors RequiresExactMatch; an index can narrow candidates by any of them, and
        still has to call `matches` for the remaining requirements.
        """
        return tuple((r.key, r.values[0]) for r in self.requirements
                     if r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


def _sorted_by_key(requirements: Iterable[Requirement]) -> tuple[Requirement, ...]:
    return tuple(sorted(requirements, key=lambda r: r.key))


def everything() -> Selector:
    return Selector()


def nothing() -> Selector:
    return Selector(nothing=True)


def from_map(m: Mapping[str, str] | None) -> Selector:
    """labels.SelectorFromSet: equality on every pair; an empty or missing map selects all.

    Like apimachinery it does not validate; a Service without a selector must be skipped
    by its caller (the endpoints controller manages no endpoints for it).
    """
    return Selector(_sorted_by_key(Requirement(k, EQUALS, (v,)) for k, v in (m or {}).items()))


def from_label_selector(ls: Mapping | None) -> Selector:
    """metav1.LabelSelectorAsSelector: None selects nothing, `{}` selects everything.

    Raises ValueError with apimachinery's words for an unknown operator or a
    requirement NewRequirement rejects.
    """
    if ls is None:
        return nothing()
    reqs = [Requirement(k, EQUALS, (v,)) for k, v in (ls.get("matchLabels") or {}).items()]
    for expr in ls.get("matchExpressions") or []:
        op = _SELECTOR_OPERATORS.get(expr.get("operator", ""))
        if op is None:
            raise ValueError(f'"{expr.get("operator", "")}" is not a valid label selector '
                             "operator")
        reqs.append(Requirement(expr.get("key", ""), op, tuple(expr.get("values") or ())))
    for r in reqs:
        if errs := _requirement_errors(r.key, r.operator, r.values, ""):
            raise ValueError(_aggregate(errs))
    return Selector(_sorted_by_key(reqs))


def format_map(m: Mapping[str, str] | None) -> str:
    """labels.FormatLabels: `app=node-web,tier=web` by sorted key, `<none>` when empty."""
    return ",".join(f"{k}={m[k]}" for k in sorted(m)) if m else "<none>"


def format_label_selector(ls: Mapping | None) -> str:
    """metav1.FormatLabelSelector: the SELECTOR column of RS, Job, DaemonSet, CronJob."""
    try:
        text = str(from_label_selector(ls))
    except ValueError:
        return "<error>"
    return text or "<none>"


# --- the query-string parser (labels.Parse) -------------------------------------------------

_ERROR, _END, _CLOSE, _COMMA, _NOT, _DOUBLE_EQ, _EQ, _GT, _IDENT, _IN, _LT, _NOT_EQ, _NOT_IN, \
    _OPEN = range(14)
_LITERALS = {")": _CLOSE, ",": _COMMA, "!": _NOT, "==": _DOUBLE_EQ, "=": _EQ, ">": _GT,
             "in": _IN, "<": _LT, "!=": _NOT_EQ, "notin": _NOT_IN, "(": _OPEN}
_SPECIAL = set("=!(),><")
_WHITESPACE = set(" \t\r\n")


def _lex(text: str) -> list[tuple[int, str]]:
    """The whole token stream, ending with (_END, "")."""
    tokens, pos = [], 0
    while True:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        if pos == len(text):
            tokens.append((_END, ""))
            return tokens
        scan = _scan_special if text[pos] in _SPECIAL else _scan_word
        token, pos = scan(text, pos)
        tokens.append(token)


def _scan_word(text: str, pos: int) -> tuple[tuple[int, str], int]:
    end = pos
    while end < len(text) and text[end] not in _SPECIAL and text[end] not in _WHITESPACE:
        end += 1
    word = text[pos:end]
    return (_LITERALS.get(word, _IDENT), word), end


def _scan_special(text: str, pos: int) -> tuple[tuple[int, str], int]:
    # Longest operator made of special characters: "!=" beats "!", "(" stops at "((".
    best, end = None, pos
    while end < len(text) and text[end] in _SPECIAL:
        candidate = text[pos:end + 1]
        if candidate in _LITERALS:
            best = (_LITERALS[candidate], candidate)
        elif best is not None:
            break
        end += 1
    if best is None:
        return (_ERROR, f"error expected: keyword found '{text[pos:end]}'"), end
    return best, pos + len(best[1])


class _Parser:
    """labels.Parser: `in`/`notin` read as identifiers wherever a value may stand."""

    def __init__(self, text: str):
        self.tokens = _lex(text)
        self.pos = 0

    def peek(self, values: bool = True) -> tuple[int, str]:
        return self._as(self.tokens[self.pos], values)

    def take(self, values: bool = True) -> tuple[int, str]:
        self.pos += 1
        return self._as(self.tokens[self.pos - 1], values)

    @staticmethod
    def _as(token: tuple[int, str], values: bool) -> tuple[int, str]:
        if values and token[0] in (_IN, _NOT_IN):
            return _IDENT, token[1]
        return token

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok, lit = self.peek()
            if tok == _END:
                return requirements
            if tok not in (_IDENT, _NOT):
                raise ValueError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                requirements.append(self.requirement())
            except ValueError as err:
                raise ValueError(f"unable to parse requirement: {err}") from None
            if self._after_requirement():
                return requirements

    def _after_requirement(self) -> bool:
        """Consume the separator; True at the end of the string."""
        tok, lit = self.take()
        if tok == _END:
            return True
        if tok != _COMMA:
            raise ValueError(f"found '{lit}', expected: ',' or 'end of string'")
        tok, lit = self.peek()
        if tok not in (_IDENT, _NOT):
            raise ValueError(f"found '{lit}', expected: identifier after ','")
        return False

    def requirement(self) -> Requirement:
        key, op = self.key_and_inferred_operator()
        if op not in (EXISTS, DOES_NOT_EXIST):
            op = self.operator()
            values = self.value_set() if op in (IN, NOT_IN) else self.exact_value()
        else:
            values = ()
        if errs := _requirement_errors(key, op, values, ""):
            raise ValueError(_aggregate(errs))
        return Requirement(key, op, values)

    def key_and_inferred_operator(self) -> tuple[str, str]:
        op = ""
        tok, lit = self.take()
        if tok == _NOT:
            op = DOES_NOT_EXIST
            tok, lit = self.take()
        if tok != _IDENT:
            raise ValueError(f"found '{lit}', expected: identifier")
        if errs := label_key_errors(lit):
            # apimachinery validates with a nil *field.Path here, which prints as "<nil>".
            raise ValueError(str(invalid("<nil>", lit, "; ".join(errs))))
        if self.peek()[0] in (_END, _COMMA) and op != DOES_NOT_EXIST:
            op = EXISTS
        return lit, op

    def operator(self) -> str:
        tok, lit = self.take(values=False)
        ops = {_IN: IN, _EQ: EQUALS, _DOUBLE_EQ: DOUBLE_EQUALS, _GT: GREATER_THAN,
               _LT: LESS_THAN, _NOT_IN: NOT_IN, _NOT_EQ: NOT_EQUALS}
        if tok not in ops:
            raise ValueError(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        return ops[tok]

    def value_set(self) -> tuple[str, ...]:
        tok, lit = self.take()
        if tok != _OPEN:
            raise ValueError(f"found '{lit}' expected: '('")
        tok, lit = self.peek()
        if tok == _CLOSE:
            self.take()
            return ("",)
        if tok not in (_IDENT, _COMMA):
            raise ValueError(f"found '{lit}', expected: ',', ')' or identifier")
        values = self.identifiers()
        self.take()  # the ")" that ended the list
        return tuple(sorted(values))

    def identifiers(self) -> set[str]:
        """A comma list in which empty entries stand for the empty value: `(a,,b)`, `(,a)`."""
        found: set[str] = set()
        while True:
            tok, lit = self.take()
            if tok == _IDENT:
                found.add(lit)
                tok2, lit2 = self.peek()
                if tok2 == _CLOSE:
                    return found
                if tok2 != _COMMA:
                    raise ValueError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:
                if not found:
                    found.add("")
                tok2, _ = self.peek()
                if tok2 == _CLOSE:
                    found.add("")
                    return found
                if tok2 == _COMMA:
                    self.take()
                    found.add("")
            else:
                raise ValueError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> tuple[str, ...]:
        if self.peek()[0] in (_END, _COMMA):
            return ("",)
        tok, lit = self.take()
        if tok != _IDENT:
            raise ValueError(f"found '{lit}', expected: identifier")
        return (lit,)


def parse_selector(text: str) -> Selector:
    """labels.Parse: the `-l` / `labelSelector=` form. Raises ValueError with its message."""
    return Selector(_sorted_by_key(_Parser(text).parse()))
