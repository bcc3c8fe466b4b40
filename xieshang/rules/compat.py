"""The plugin API's version, and the names it still accepts from earlier versions.

``PLUGIN_API_VERSION`` is ``"MAJOR.MINOR"`` of what ``xieshang.rules`` offers plugins (see
docs/plugins.md, 兼容性 compatibility): a minor release only adds, a major one may rename or
remove. A name renamed or removed in a major release keeps working, with a DeprecationWarning,
until the next major release.
"""

from __future__ import annotations

#: The version of the plugin API this xieshang provides.
PLUGIN_API_VERSION = "2.0"

#: Names of earlier plugin API versions: old name → (current name, major version that
#: deprecated it). They are removed in the next major version.
DEPRECATED_NAMES: dict[str, tuple[str, int]] = {
    "Role": ("ProposerRole", 2),
}


def version_tuple(version: object) -> tuple[int, int]:
    """``"2.1"`` as ``(2, 1)``; ValueError for anything else."""
    if not isinstance(version, str):
        raise ValueError(f"{version!r} is not a plugin API version like '2.0'")
    major, dot, minor = version.partition(".")
    if not (dot and major.isdigit() and minor.isdigit()):
        raise ValueError(f"{version!r} is not a plugin API version like '2.0'")
    return int(major), int(minor)
