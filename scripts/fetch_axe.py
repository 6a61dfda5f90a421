"""Fetch axe-core (the accessibility engine the browser tests inject into each page) from the npm registry.

Pinned to one version and checked against the registry's sha512 integrity before anything is written; the
result is .venv/share/axe-core/axe.min.js. Run by ``./run setup``; does nothing when that file is already the
pinned version. Nothing is fetched while the tests run.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="


def main(venv: str) -> int:
    target = Path(venv) / "share" / "axe-core"
    stamp = target / "VERSION"
    if stamp.exists() and stamp.read_text().strip() == VERSION and (target / "axe.min.js").exists():
        return 0
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != INTEGRITY:
        print(f"axe-core {VERSION}: the download does not match the registry's integrity hash", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        script = archive.extractfile("package/axe.min.js").read()
    target.mkdir(parents=True, exist_ok=True)
    (target / "axe.min.js").write_bytes(script)
    stamp.write_text(VERSION + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
