"""Image references, parsed the way the kubelet and the runtime parse them.

`whatwant/node-web:1.0`, `nginx`, `registry.k8s.io/echoserver:1.10@sha256:…`
all name an image in some registry. The kubelet normalises the reference
with distribution's `reference.ParseNormalizedNamed` before pulling: a first
path component with a dot, a colon or `localhost` is a registry, anything
else lives on Docker Hub (`docker.io`), a one-component Docker Hub name gets
`library/`, and a missing tag becomes `latest` unless a digest pins the
image. A reference that does not parse never reaches the registry: the
kubelet reports `InvalidImageName` with distribution's words.

`k8s.gcr.io` is the frozen predecessor of `registry.k8s.io`; the catalogue
treats them as one registry, so `lookup_key` maps the old name to the new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_COMPONENT_RE = re.compile(rf"^{_COMPONENT}$")
_DOMAIN_RE = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)"
                        r"(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$")
_TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST_RE = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_SHA256_RE = re.compile(r"^sha256:[0-9a-f]{64}$")

DOCKER_HUB = "docker.io"
_REGISTRY_ALIASES = {"index.docker.io": DOCKER_HUB, "k8s.gcr.io": "registry.k8s.io"}


class ImageRefError(ValueError):
    """A reference distribution/reference refuses; str() is its error text."""


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str = ""
    digest: str = ""

    @property
    def canonical(self) -> str:
        """`docker.io/library/nginx:1.14.2`: what containerd records."""
        return self.registry + "/" + self.repository + self._suffix()

    @property
    def familiar(self) -> str:
        """`nginx:1.14.2`: what `docker images` and the catalogue print."""
        name = self.repository
        if self.registry == DOCKER_HUB:
            name = name.removeprefix("library/")
        else:
            name = self.registry + "/" + name
        return name + self._suffix()

    @property
    def lookup_key(self) -> str:
        """The familiar name with registry aliases folded (k8s.gcr.io → registry.k8s.io)."""
        registry = _REGISTRY_ALIASES.get(self.registry, self.registry)
        return ImageRef(registry, self.repository, self.tag or "latest").familiar.split("@")[0]

    def _suffix(self) -> str:
        return (":" + self.tag if self.tag else "") + ("@" + self.digest if self.digest else "")


def parse_image_ref(image: str) -> ImageRef:
    """Parse and normalise `image`; raise ImageRefError with distribution's message."""
    if not image or image != image.strip():
        raise ImageRefError("invalid reference format")
    rest, digest = _split_digest(image)
    name, tag = _split_tag(rest)
    registry, path = _split_registry(name)
    _check_path(path, name)
    if registry == DOCKER_HUB and "/" not in path:
        path = "library/" + path
    if tag == "" and digest == "":
        tag = "latest"
    return ImageRef(registry, path, tag, digest)


def _split_digest(image: str) -> tuple[str, str]:
    rest, at, digest = image.partition("@")
    if not at:
        return image, ""
    if not _DIGEST_RE.match(digest) or (digest.startswith("sha256:") and not _SHA256_RE.match(digest)):
        raise ImageRefError("invalid reference format")
    return rest, digest


def _split_tag(rest: str) -> tuple[str, str]:
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon <= slash:
        return rest, ""
    tag = rest[colon + 1:]
    if not _TAG_RE.match(tag):
        raise ImageRefError("invalid reference format")
    return rest[:colon], tag


def _split_registry(name: str) -> tuple[str, str]:
    first, slash, remainder = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        if not _DOMAIN_RE.match(first):
            raise ImageRefError("invalid reference format")
        return (DOCKER_HUB if first == "index.docker.io" else first), remainder
    return DOCKER_HUB, name


def _check_path(path: str, name: str) -> None:
    if not path:
        raise ImageRefError("repository name must have at least one component")
    if len(name) > 255:
        raise ImageRefError("repository name must not be more than 255 characters")
    for component in path.split("/"):
        if _COMPONENT_RE.match(component):
            continue
        if _COMPONENT_RE.match(component.lower()):
            raise ImageRefError("repository name must be lowercase")
        raise ImageRefError("invalid reference format")


def canonical_name(image: str) -> str:
    """`docker.io/library/nginx:latest`: status.image as containerd reports it. A reference
    that does not parse is returned as written (the runtime never saw it)."""
    try:
        return parse_image_ref(image).canonical
    except ImageRefError:
        return image


def familiar_name(image: str) -> str:
    """`nginx:latest`, `myregistry:5000/app:1.0`: status.image as dockershim reports it."""
    try:
        return parse_image_ref(image).familiar
    except ImageRefError:
        return image


def repository_digest(image: str, digest: str, familiar: bool = False) -> str:
    """`docker.io/library/nginx@sha256:<digest>` (containerd's imageID), or with `familiar`
    `nginx@sha256:<digest>` (dockershim's, after `docker-pullable://`): the repository the
    reference names, pinned to the pulled image's digest."""
    try:
        ref = parse_image_ref(image)
    except ImageRefError:
        return f"{image}@sha256:{digest}"
    pinned = ImageRef(ref.registry, ref.repository, digest="sha256:" + digest)
    return pinned.familiar if familiar else pinned.canonical


def invalid_image_message(image: str, error: ImageRefError) -> str:
    """The kubelet's InvalidImageName message (pkg/kubelet/images/image_manager.go)."""
    return (f"Failed to apply default image tag {_go_quote(image)}: "
            f"couldn't parse image reference {_go_quote(image)}: {error}")


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
