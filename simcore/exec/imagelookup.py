"""Which image profile a reference names: the exact catalogue, then the image families.

What: `image_profile(image)` (None when no registry would serve it) and
`repository_known(image)` (does any registry have the repository, whatever the tag), both
keyed by exec/imageref.py's normalised name with the catalogue's aliases folded in.

Why a module of its own: the catalogue (images.py) and the families built from its parts
(families.py) are both consulted; with the lookup in images.py, images.py and families.py
imported each other.
"""

from __future__ import annotations

import functools

from simcore.exec import images
from simcore.exec.families import FAMILIES, family_profile
from simcore.exec.imageref import ImageRefError, parse_image_ref


def image_profile(image: str) -> images.ImageProfile | None:
    """The profile for `image`, or None when no registry would serve it: the exact
    catalogue first, then the image's family and tag era (families.py)."""
    key = _lookup_key(image)
    if key is None:
        return None
    profile = images.catalogue().get(key)
    if profile is None:
        profile = family_profile(key)
    return profile


def repository_known(image: str) -> bool:
    """Does a registry have this repository (whatever the tag)? A catalogue entry or a
    family names it; a private one counts as unknown to an anonymous pull."""
    key = _lookup_key(image)
    if key is None:
        return False
    repo = key.rpartition(":")[0]
    return repo in FAMILIES or any(name.rpartition(":")[0] == repo and not profile.private
                                   for name, profile in images.catalogue().items())


@functools.lru_cache(maxsize=1024)
def _lookup_key(image: str) -> str | None:
    # the kubelet asks for the same few image names for every pod it starts: parse each once
    try:
        key = parse_image_ref(image).lookup_key
    except ImageRefError:
        return None
    return images.ALIASES.get(key, key)
