"""The layering docs/architecture.md names, checked on the code as it is: apps import only from their own layer
or below (import-linter's contract in pyproject.toml), no module is part of an import cycle, and the code that
reads a real library system never imports the generators of made-up ones."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("closedstacks", cache_dir=None)


def test_the_apps_keep_to_their_layers(monkeypatch):
    from click.testing import CliRunner
    from importlinter.cli import lint_imports_command

    monkeypatch.chdir(ROOT)  # where pyproject.toml holds the contract
    done = CliRunner().invoke(lint_imports_command, ["--no-cache"])
    assert done.exit_code == 0, done.output[-4000:]
    assert "1 kept, 0 broken" in done.output


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan's algorithm, iteratively): each is an import cycle."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_is_part_of_an_import_cycle(graph):
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    made = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        made.add_module(name)
    made.add_import(importer="pkg.a", imported="pkg.b")
    made.add_import(importer="pkg.b", imported="pkg.a")
    made.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(made) == [["pkg.a", "pkg.b"]]


def test_reading_a_library_system_never_imports_the_generators(graph):
    assert not graph.chain_exists(importer="closedstacks.ils.connectors", imported="closedstacks.ils.generators",
                                  as_packages=True)
    assert not graph.chain_exists(importer="closedstacks.records", imported="closedstacks.ils.generators",
                                  as_packages=True)


def _declared(extra: str | None = None) -> set[str]:
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return {re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-") for spec in wanted}


def _imported_distributions(package: str) -> dict[str, set[str]]:
    """Distribution → the modules of ``package`` importing it (the standard library left out)."""
    import sys
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    found = {}
    scanned = grimp.build_graph(package, include_external_packages=True, cache_dir=None)
    for module in scanned.modules:
        top = module.split(".")[0]
        if top == package or top in sys.stdlib_module_names or top == "__future__":
            continue
        for distribution in owners.get(top, [top]):
            found.setdefault(distribution.lower().replace("_", "-"), set()).update(
                scanned.find_modules_that_directly_import(module))
    return found


def test_every_package_the_code_imports_is_declared():
    missing = {dist: sorted(users)[:3] for dist, users in _imported_distributions("closedstacks").items()
               if dist not in _declared()}
    assert missing == {}


def test_every_dependency_is_locked_with_its_hashes():
    import re

    locked = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / "lock.txt").read_text()):
        pinned = re.match(r"([A-Za-z0-9_.-]+)==\S+", block)
        if pinned:
            locked[pinned.group(1).lower().replace("_", "-")] = "--hash=sha256:" in block
    wanted = _declared() | _declared("test")
    assert wanted <= set(locked), sorted(wanted - set(locked))
    assert all(locked.values()), sorted(name for name, hashed in locked.items() if not hashed)
