"""The one YAML loader for text a person sends: manifests, API bodies, uploads.

It reads YAML the way kubectl and the API server do (sigs.k8s.io/yaml over
go-yaml v2), in three respects where PyYAML's safe loader does not:

- aliases. go-yaml counts every value it decodes and every one that comes
  from expanding an alias; past 100 alias-driven values and 1,000 in all it
  refuses a document whose alias share exceeds a ratio (99% for documents up
  to 400,000 values, sliding to 10% at 4,000,000) with `yaml: document
  contains excessive aliasing`. PyYAML builds an alias as a shared
  reference, so a 476-byte "billion laughs" loads in microseconds and
  explodes later, when the object is copied or written out. `load_all`
  counts the composed node graph with go-yaml's rule before building any
  object, so the explosion never starts. An anchor that contains itself is
  refused as go-yaml refuses it.
- nesting deeper than `bounds.MAX_DEPTH` is refused (`yaml: exceeded max
  depth of N`, go-yaml's words with this engine's limit; see `bounds`).
- tags. go-yaml decodes into plain JSON values: a timestamp stays the
  string it was written as, `!!binary` becomes the decoded bytes as a string
  (invalid UTF-8 replaced, as Go's JSON encoder does), and `!!set` is a
  mapping whose values are null. PyYAML's date, bytes and set objects are
  not JSON and failed later as 500s.

JSON text (first non-blank character `{` or `[`) is read as JSON, as
kubectl's YAMLOrJSONDecoder does: its `\\ud83d\\ude00` escapes make one emoji,
where YAML's escapes would make two surrogates (which libyaml refuses). A lone
surrogate escape becomes U+FFFD, as in Go's `encoding/json`.

The trade-off: counting walks the node graph once more before
construction; it is linear in what go-yaml would decode, which the rule
itself bounds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from simcore import bounds

_BASE: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when PyYAML has it
ALIAS_RATIO_LOW = 400_000
ALIAS_RATIO_HIGH = 4_000_000
EXCESSIVE_ALIASING = "document contains excessive aliasing"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class DocumentRefused(yaml.YAMLError):
    """A document refused by go-yaml's limits; `problem` is go-yaml's message."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


class _Loader(_BASE):
    """The safe loader with go-yaml's JSON-shaped values for timestamps, binary and sets."""


def _timestamp_as_text(loader: _Loader, node: yaml.Node) -> str:
    text: str = loader.construct_scalar(node)
    return text


def _binary_as_text(loader: _Loader, node: yaml.Node) -> str:
    data: bytes = yaml.SafeLoader.construct_yaml_binary(loader, node)
    return data.decode("utf-8", "replace")


def _set_as_mapping(loader: _Loader, node: yaml.Node) -> Iterator[dict[Any, Any]]:
    value: dict[Any, Any] = {}
    yield value
    value.update(loader.construct_mapping(node))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_Loader.add_constructor("tag:yaml.org,2002:binary", _binary_as_text)
_Loader.add_constructor("tag:yaml.org,2002:set", _set_as_mapping)


def allowed_alias_ratio(decoded: int) -> float:
    """go-yaml v2's allowedAliasRatio: 99% up to 400,000 decoded values, 10% from 4,000,000."""
    if decoded <= ALIAS_RATIO_LOW:
        return 0.99
    if decoded >= ALIAS_RATIO_HIGH:
        return 0.10
    span = ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW
    return 0.99 - 0.89 * ((decoded - ALIAS_RATIO_LOW) / span)


def check_node(root: yaml.Node, max_depth: int = bounds.MAX_DEPTH) -> None:
    """Walk `root` as go-yaml's decoder would, counting values and alias expansions;
    raise `DocumentRefused` where go-yaml would stop."""
    decoded, aliased = 1, 0  # the document node; values decoded inside an alias
    owner: dict[int, tuple[int, int]] = {}  # node -> the edge that defined it
    active: set[int] = set()  # anchors being expanded, to refuse one that contains itself
    stack: list = [(root, (0, 0), False, 1)]
    while stack:
        entry = stack.pop()
        if entry[0] is None:  # leaving an expansion
            active.discard(entry[1])
            continue
        node, edge, in_alias, depth = entry
        decoded += 1
        aliased += in_alias
        key = id(node)
        if owner.setdefault(key, edge) != edge:  # reached by another edge: an alias
            if key in active:
                raise DocumentRefused("anchor value contains itself")
            active.add(key)
            stack.append((None, key))
            in_alias = True
            decoded += 1  # the alias node, then its target
            aliased += 1
        if aliased > 100 and decoded > 1000 and \
                aliased / decoded > allowed_alias_ratio(decoded):
            raise DocumentRefused(EXCESSIVE_ALIASING)
        if isinstance(node, yaml.ScalarNode):
            continue
        if depth > max_depth:
            raise DocumentRefused(f"exceeded max depth of {max_depth}")
        children = [c for pair in node.value for c in pair] \
            if isinstance(node, yaml.MappingNode) else node.value
        for index in range(len(children) - 1, -1, -1):
            stack.append((children[index], (key, index), in_alias, depth + 1))


def load_all(text: str) -> Iterator[object]:
    """The documents of `text`, each checked before it is built; YAMLError when refused."""
    if _looks_like_json(text):
        try:
            value = load_json(text)
        except json.JSONDecodeError:
            pass  # flow-style YAML (`{a: 1}`) is not JSON: read it as YAML
        else:
            yield value
            return
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            check_node(node)
            yield loader.construct_document(node)
    finally:
        loader.dispose()


def load(text: str) -> object:
    """The single document of `text` (None when empty), checked as `load_all` checks."""
    docs = list(load_all(text))
    if len(docs) > 1:
        raise DocumentRefused("expected a single document in the stream")
    return docs[0] if docs else None


def load_json(text: str) -> object:
    """JSON text as Go decodes it: depth-limited, a lone surrogate escape made U+FFFD.
    Raises json.JSONDecodeError for malformed text and DocumentRefused for too deep."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise DocumentRefused("exceeded max depth") from None
    if bounds.depth_exceeds(value):
        raise DocumentRefused("exceeded max depth")
    return _replace_surrogates(value) if _LONE_SURROGATE.search(text) or "\\u" in text \
        else value


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _replace_surrogates(value: object) -> object:
    """U+FFFD for each lone surrogate in keys and strings; a pair was already joined by
    json.loads."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    return value
