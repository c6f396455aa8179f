"""Kubernetes release checks: images are pinned to a version or a digest."""

from __future__ import annotations

import re
from dataclasses import dataclass

from prc.registry import check
from prc.targets import Container

# The grammar of github.com/distribution/reference, reduced to what pinning needs.
_TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$")
_ALGORITHM_RE = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*$")
_ENCODED_RE = re.compile(r"^[a-zA-Z0-9=_-]+$")
_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_VARIABLE_RE = re.compile(r"\$\{|\$\(|\{\{|<[A-Za-z_]+>")


class ImageRefError(ValueError):
    pass


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into repository (with registry), tag and digest; '' when absent."""

    repository: str
    tag: str = ""
    digest: str = ""

    @property
    def registry(self) -> str:
        """The registry host when the first path component names one (has a '.' or ':', or is localhost)."""
        first, _, rest = self.repository.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            return first
        return ""


def parse_image(reference: str) -> ImageRef:
    """Split `[registry[:port]/]path[:tag][@algorithm:hex]`; a colon before the last slash is a port, not a tag."""
    text = reference.strip()
    if not text or any(ch.isspace() for ch in text):
        raise ImageRefError("empty or contains spaces")
    name, at, digest = text.partition("@")
    if at:
        algorithm, colon, encoded = digest.partition(":")
        if not colon or not _ALGORITHM_RE.match(algorithm) or not _ENCODED_RE.match(encoded):
            raise ImageRefError(f"digest {digest!r} is not algorithm:hex")
        expected = _HEX_LENGTH.get(algorithm)
        if expected and (len(encoded) != expected or not re.fullmatch(r"[a-f0-9]+", encoded)):
            raise ImageRefError(f"a {algorithm} digest has {expected} lowercase hex digits")
    tag = ""
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1:]
        if not _TAG_RE.match(tag):
            raise ImageRefError(f"tag {tag!r} is not a valid tag")
    if not name or name.startswith("/") or name.endswith("/") or "//" in name:
        raise ImageRefError("the repository name is empty or malformed")
    return ImageRef(name, tag, digest if at else "")


# A Git commit SHA used as a tag can, rarely, have no digit at all.
_COMMIT_SHA_RE = re.compile(r"^[0-9a-f]{7,40}$")


def floats(tag: str, extra: set[str]) -> bool:
    """A tag that moves to new builds: one with no digit (latest, alpine, slim, lts, stable, bookworm, jammy,
    edge, mainline...) unless it reads as a commit SHA, or one listed in `extra` (lower-case)."""
    lowered = tag.lower()
    if lowered in extra:
        return True
    return not any(ch.isdigit() for ch in tag) and not _COMMIT_SHA_RE.match(lowered)


@check(id="PRC-K8S-100", slug="image-tag-pinned", target=Container, item="images-pinned", severity="high",
       fix="Reference the image by an immutable version tag, ideally with its digest: app:1.4.2@sha256:<digest>.",
       options={"floating_tags": ([], "more tags that count as floating (compared case-insensitively), for tags "
                                      "that contain a digit but still move, such as a major-only channel; tags "
                                      "with no digit float anyway")})
def image_tag_pinned(c: Container, opts):
    """What: every container (including init containers and native sidecars) references its image by a digest or by an explicit tag that names a version. A tag with no digit in it floats like latest: variants and channels such as alpine, slim, lts, stable, edge, mainline, bookworm or jammy fail (a tag of 7 to 40 hexadecimal letters is taken as a Git commit SHA), and so do tags listed in the floating_tags option. A version tag passes; a digest is best.

    Why: an image without a tag means :latest, and a floating tag points to whatever was pushed last, so two pods of one Deployment can run different code, a node restart can silently upgrade a service, and a rollback to the same manifest does not bring the old code back. redis:alpine is a new Redis release every time one ships.

    How to fix: deploy an immutable version tag produced by CI (a semantic version or the Git SHA, e.g. redis:7.2.5-alpine rather than redis:alpine), ideally pinned by digest (app:1.4.2@sha256:...), and let your CD tool or Renovate bump it.
    """
    image = c.spec.get("image")
    if image is None or image == "":
        yield c.unknown(f"container {c.name} has no image (left for config management to set?)", at="image")
        return
    if not isinstance(image, str):
        yield c.unknown(f"container {c.name}: image {image!r} is not a string", at="image")
        return
    if _VARIABLE_RE.search(image):
        yield c.unknown(f"container {c.name}: image {image} contains an unresolved variable", at="image")
        return
    try:
        ref = parse_image(image)
    except ImageRefError as exc:
        yield c.fail(f"container {c.name}: image {image} is not a valid image reference: {exc}", at="image")
        return
    extra = {str(t).lower() for t in opts["floating_tags"]}
    if ref.digest:
        yield c.ok(f"container {c.name}: image pinned by digest", at="image")
    elif not ref.tag:
        yield c.fail(f"container {c.name}: image {image} has no tag, so the node pulls :latest", at="image")
    elif ref.tag.lower() in extra or ref.tag.lower() == "latest":
        yield c.fail(f"container {c.name}: image {image} uses the floating tag {ref.tag}", at="image")
    elif floats(ref.tag, extra):
        yield c.fail(f"container {c.name}: image {image} uses the floating tag {ref.tag} (no version number in the "
                     "tag, so it moves to new builds)", at="image")
    else:
        yield c.ok(f"container {c.name}: image tagged {ref.tag}; add its digest (@sha256:...) to make it immutable",
                   at="image")
