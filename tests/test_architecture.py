"""The house rules: which top-level package of ``app/`` may import which.

Every module under ``app/`` is parsed (nothing is imported or run) and each ``app.X...`` import,
wherever it stands in the module, becomes an arrow from the module's top-level package (or
top-level module: ``app/cli.py`` is ``cli``) to ``X``. An arrow inside one package is not
checked. Every other arrow must be in ``ALLOWED``, or be one of the ``KNOWN_EXCEPTIONS``: arrows
that run upward today, each named with the file that draws it, kept only until it is removed.
docs/architecture.md draws the same rules in words.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Shared leaf modules: small, import nothing of the app but each other (settings reads home),
# and every package above the pure core may import them. The pure core (credentials, catalog,
# net) does not: it takes what it needs as arguments and raises its own errors.
SHARED = frozenset({"problems", "settings", "home", "jsontext", "gcpause", "logs"})

CORE = frozenset({"credentials", "catalog", "net"})
DOMAINS = frozenset(
    {"issuer", "achievements", "webhooks", "awards", "verifier", "endorsements", "records"}
)

# package -> the packages it may import; read from the ground floor up.
ALLOWED: dict[str, frozenset[str]] = {
    # shared leaves
    "home": frozenset(),
    "jsontext": frozenset(),
    "gcpause": frozenset(),
    "logs": frozenset(),
    "problems": frozenset(),
    "settings": frozenset({"home"}),
    # pure core: imports nothing else of the app
    "credentials": frozenset(),
    "catalog": frozenset(),
    "net": frozenset(),
    # the database: every query
    "store": frozenset({"jsontext"}),
    # domains, each above the ones it names
    "issuer": SHARED | {"credentials", "store"},
    "achievements": SHARED | {"catalog", "credentials", "issuer", "store"},
    "webhooks": SHARED | {"net", "store"},
    "awards": SHARED | {"achievements", "catalog", "credentials", "issuer", "store", "webhooks"},
    "verifier": SHARED | {"credentials", "net"},
    "endorsements": SHARED
    | {"achievements", "awards", "credentials", "issuer", "store", "verifier"},
    "records": SHARED | {"achievements", "awards", "catalog", "credentials", "issuer", "store"},
    "access": SHARED | {"store"},
    # presentation of the domains
    "pages": SHARED | CORE | DOMAINS | {"store"},
    # the database's schema (engines come from store, so connections time out alike) and this
    # instance's files
    "migrations": SHARED | {"store"},
    "instance": SHARED | {"migrations"},
    # the composition root: builds the long-lived parts of the process
    "runtime": SHARED | CORE | DOMAINS | {"store", "access", "pages"},
    # entry points and the HTTP face, above the composition root
    "health": SHARED | {"issuer", "migrations", "runtime", "store"},
    "bootstrap": SHARED | CORE | DOMAINS | {"store", "migrations", "runtime"},
    "api": SHARED | CORE | DOMAINS | {"store", "access", "pages", "runtime", "health"},
    "main": SHARED | CORE | DOMAINS | {"store", "access", "pages", "runtime", "health", "api"},
    "openapi_file": SHARED | {"main"},
    "cli": frozenset(),  # filled below: the top floor may import every other package
}
ALLOWED["cli"] = frozenset(ALLOWED) - {"cli"}

# Arrows that break the table today: (file, imported package) -> why, and what removes it.
# Each is to remove; the test fails when one is gone, so the list only shrinks.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("app/verifier/service.py", "achievements"): (
        "finds our own achievements to verify against; to remove: hand in a lookup port"
    ),
    ("app/verifier/service.py", "issuer"): (
        "resolves our own keys, DIDs, status lists, addresses locally; to remove: a port"
    ),
    ("app/verifier/service.py", "store"): (
        "reads awards and endorsements to verify local ones; to remove: the same lookup port"
    ),
    ("app/verifier/service.py", "runtime"): (
        "takes the whole Runtime to pick settings and keys; to remove: take only those"
    ),
    ("app/verifier/issuer_checks.py", "issuer"): (
        "checks issuer profiles against our own identity; to remove: the local-keys port"
    ),
    ("app/verifier/issuer_checks.py", "store"): (
        "looks issuers and achievements up by URL; to remove: the lookup port"
    ),
    ("app/records/exports.py", "pages"): (
        "an export carries each credential's rendered page; to remove: compose in runtime/cli"
    ),
    ("app/records/exports.py", "runtime"): (
        "takes the whole Runtime for settings, keys and pages; to remove: take only those"
    ),
    ("app/pages/credential_page.py", "runtime"): (
        "takes the whole Runtime for settings, keys and the verifier; to remove: take those"
    ),
}


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> Iterable[str]:
    """Every module that an import in ``tree`` names, as a dotted name (relative ones resolved;
    ``from app import x`` names ``app.x``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                if not is_package:
                    parts = parts[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            if base == "app":
                yield from (f"app.{alias.name}" for alias in node.names)
            else:
                yield base


def package_arrows(app_dir: Path) -> list[tuple[str, str, str]]:
    """(file relative to the app's parent, from package, to package) for every import of another
    top-level package of ``app_dir``, sorted."""
    arrows = set()
    for path in sorted(app_dir.rglob("*.py")):
        relative = path.relative_to(app_dir)
        is_package = path.name == "__init__.py"
        parts = relative.with_suffix("").parts
        module = ".".join(["app", *(parts[:-1] if is_package else parts)])
        source = relative.parts[0].removesuffix(".py")
        if source == "__init__":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for imported in imported_modules(tree, module, is_package):
            pieces = imported.split(".")
            if pieces[0] != "app" or len(pieces) < 2:
                continue
            target = pieces[1]
            if not (app_dir / target).is_dir() and not (app_dir / f"{target}.py").exists():
                continue  # a name that app/__init__.py holds (__version__): no package
            if target != source:
                name = (Path(app_dir.name) / relative).as_posix()
                arrows.add((name, source, target))
    return sorted(arrows)


def forbidden_arrows(
    app_dir: Path,
    allowed: Mapping[str, frozenset[str]],
    exceptions: Mapping[tuple[str, str], str],
) -> tuple[list[str], list[str]]:
    """The arrows neither allowed nor excepted (``app/path.py: pkgA -> pkgB``), and the
    exceptions that no longer happen."""
    forbidden = []
    seen = set()
    for name, source, target in package_arrows(app_dir):
        if target in allowed.get(source, frozenset()):
            continue
        if (name, target) in exceptions:
            seen.add((name, target))
            continue
        forbidden.append(f"{name}: {source} -> {target}")
    gone = [f"{name} -> {target}" for name, target in exceptions if (name, target) not in seen]
    return forbidden, gone


def test_imports_between_packages_follow_the_table() -> None:
    packages = {
        p.name.removesuffix(".py")
        for p in APP.iterdir()
        if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())
    } - {"__init__"}
    assert packages == set(ALLOWED), "every top-level package of app/ has a row in ALLOWED"

    forbidden, gone = forbidden_arrows(APP, ALLOWED, KNOWN_EXCEPTIONS)
    assert not forbidden, "imports that the table forbids:\n" + "\n".join(forbidden)
    assert not gone, "known exceptions that no longer happen (strike them):\n" + "\n".join(gone)


def test_the_table_has_no_circle() -> None:
    placed: set[str] = set()
    while len(placed) < len(ALLOWED):
        ground = {p for p, targets in ALLOWED.items() if p not in placed and targets <= placed}
        assert ground, f"a circle among {sorted(set(ALLOWED) - placed)}"
        placed |= ground


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "credentials").mkdir(parents=True)
    (app / "store").mkdir()
    (app / "__init__.py").write_text("")
    (app / "credentials" / "__init__.py").write_text("")
    (app / "credentials" / "proof.py").write_text("from app.credentials import jwk\n")
    (app / "store" / "__init__.py").write_text("")
    (app / "store" / "models.py").write_text("import json\nfrom app import jsontext\n")
    (app / "jsontext.py").write_text("")
    allowed = {
        "credentials": frozenset(),
        "store": frozenset({"jsontext"}),
        "jsontext": frozenset(),
    }

    assert forbidden_arrows(app, allowed, {}) == ([], [])

    (app / "credentials" / "late.py").write_text(
        "def f():\n    from app.store.models import Award\n    return Award\n"
    )
    (app / "credentials" / "relative.py").write_text("from ..store import models\n")
    forbidden, gone = forbidden_arrows(
        app, allowed, {("app/store/models.py", "credentials"): "to remove"}
    )
    assert forbidden == [
        "app/credentials/late.py: credentials -> store",
        "app/credentials/relative.py: credentials -> store",
    ]
    assert gone == ["app/store/models.py -> credentials"]
