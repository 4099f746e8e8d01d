"""Generated names: `generateName` suffixes and the Deployment's pod-template-hash.

Both use apimachinery's 27-character alphabet `bcdfghjklmnpqrstvwxz2456789`:
no vowels, no `y`, no `0 1 3`, so a random name never spells a word. The
apiserver's SimpleNameGenerator cuts the base to 58 characters and appends 5
random ones, which keeps the result within the 63 a name may have; a clash
is the client's to retry.

The pod-template-hash is fnv-32a over the template, optionally followed by
the collision count as 8 little-endian bytes, printed in decimal and mapped
digit by digit onto the alphabet (`rand.SafeEncodeString`), hence 1 to 10
characters, usually 9 or 10, all from `456789bcdf` (the letters the ten
digits land on), like the lecture's `coredns-74ff55c5b`. The Go
controller hashes spew's dump of the typed struct; we hash canonical JSON
instead: the same template always gives the same hash and a changed
template a different one, which is all the simulator relies on, but the
value differs from what a real cluster computes for the same template.
"""

from __future__ import annotations

import json
import random
import struct

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
MAX_NAME_LENGTH = 63
RANDOM_LENGTH = 5
MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH

_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193


def generate_name(base: str, rng: random.Random) -> str:
    """`generateName` + 5 random characters, as names.SimpleNameGenerator does."""
    return base[:MAX_GENERATED_NAME_LENGTH] + random_string(RANDOM_LENGTH, rng)


def random_string(length: int, rng: random.Random) -> str:
    """utilrand.String: `length` characters drawn from ALPHANUMS."""
    return "".join(rng.choice(ALPHANUMS) for _ in range(length))


def safe_encode_string(text: str) -> str:
    """rand.SafeEncodeString: each character's code point picks a letter of ALPHANUMS."""
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in text)


def fnv32a(data: bytes) -> int:
    value = _FNV32_OFFSET
    for byte in data:
        value = ((value ^ byte) * _FNV32_PRIME) & 0xFFFFFFFF
    return value


def pod_template_hash(template: dict, collision_count: int | None) -> str:
    """The `pod-template-hash` label value for a Deployment's pod template."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()
    if collision_count is not None:
        # controller.ComputeHash writes a uint32 into an 8-byte buffer
        data += struct.pack("<I", collision_count & 0xFFFFFFFF) + bytes(4)
    return safe_encode_string(str(fnv32a(data)))
