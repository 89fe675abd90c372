"""`pyxle typecheck` in a monorepo whose app tsconfig `extends` a root config: the inherited `paths`
resolve (they were replaced by Pyxle's own), the inherited options apply (`strict`), what the chain
leaves unset is filled in as without `extends`, and an inherited option that breaks React's types is
named in a hint."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites

BADGE = "export default function Badge({ text }: { text: string }) { return <b>{text}</b> }\n"
PAGE = ("# --- TSX ---\nimport Badge from '@/components/Badge'\n\n"
        "export default function Page() { return <Badge text=\"hi\" /> }\n")
BASE = {"strict": True, "jsx": "react-jsx", "target": "es2022", "module": "esnext", "moduleResolution": "bundler",
        "lib": ["es2022", "dom"], "skipLibCheck": True, "baseUrl": ".",
        "paths": {"@/components/*": ["apps/web/components/*"]}}


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args, str(project)], cwd=project, capture_output=True, text=True,
                          timeout=300, env=server_env(), check=False)


def monorepo(make_project, base: dict[str, object], app: dict[str, object], files: dict[str, str] | None = None) -> Path:
    """``mono/tsconfig.base.json`` (``base`` its compilerOptions) and ``mono/apps/web`` (``app`` its tsconfig)."""
    project = make_project({"pages/index.pyxl": PAGE, "components/Badge.tsx": BADGE,
                            "tsconfig.json": json.dumps(app), **(files or {})}, "mono/apps/web", node=True)
    (project.parent.parent / "tsconfig.base.json").write_text(json.dumps({"compilerOptions": base}))
    return project


@cites("docs/types.md", "Pyxle adds `pyxle/client` and `pyxle/types/*` to the `paths` your config has")
def test_paths_inherited_from_a_root_config_resolve_and_its_strict_applies(make_project) -> None:
    """The generated config's own `paths` replaced the inherited ones: `@/components/Badge` was TS2307."""
    project = monorepo(make_project, BASE, {"extends": "../../tsconfig.base.json"})
    assert pyxle(project, "build").returncode == 0
    done = pyxle(project, "typecheck")
    assert done.returncode == 0, done.stdout + done.stderr
    (project / "components" / "util.ts").write_text("export function twice(x) { return [x, x] }\n")
    done = pyxle(project, "typecheck")  # the root's strict (noImplicitAny) holds in the app
    assert done.returncode == 1 and "components/util.ts:1:23: error TS7006" in done.stdout, done.stdout


@cites("docs/types.md", "`extends` is followed as tsc follows it")
def test_an_extends_array_and_a_package_config_are_followed(make_project) -> None:
    """TypeScript 5's `extends: [...]`, with a shared config from an npm package (a workspace package)."""
    project = monorepo(make_project, {"baseUrl": ".", "paths": {"@/components/*": ["apps/web/components/*"]}},
                       {"extends": ["@mono/tsconfig/strict.json", "../../tsconfig.base.json"]})
    shared = project.parent.parent / "node_modules" / "@mono" / "tsconfig"
    shared.mkdir(parents=True)
    (shared / "package.json").write_text('{"name": "@mono/tsconfig", "version": "1.0.0"}')
    (shared / "strict.json").write_text('{ "compilerOptions": { "strict": true, "jsx": "react-jsx" } }')
    (project / "components" / "util.ts").write_text("export function twice(x) { return [x, x] }\n")
    done = pyxle(project, "typecheck")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("error TS") == 1 and "components/util.ts:1:23: error TS7006" in done.stdout, done.stdout


@cites("docs/types.md", "what your config and the ones it `extends` leave unset")
def test_an_extends_only_config_gets_the_bundlers_options_as_an_own_config_does(make_project) -> None:
    """A root config with only `strict` and `jsx` gave errors inside @types/react and Pyxle's client
    types (tsc's ES5 target and classic resolution); the same options written in the app's file passed."""
    own = {"baseUrl": ".", "paths": {"@/components/*": ["components/*"]}}
    project = monorepo(make_project, {"strict": True, "jsx": "react-jsx"},
                       {"extends": "../../tsconfig.base.json", "compilerOptions": own})
    done = pyxle(project, "typecheck")
    assert done.returncode == 0, done.stdout + done.stderr
    (project / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": True, "jsx": "react-jsx", **own}}))
    done = pyxle(project, "typecheck")  # the case without extends, as it was
    assert done.returncode == 0, done.stdout + done.stderr


@cites("docs/types.md", "a hint names the option and the file that sets it")
def test_an_inherited_option_that_breaks_react_is_named_in_a_hint(make_project) -> None:
    """`moduleResolution: classic` in the root config: React is not found, with nothing saying why."""
    project = monorepo(make_project, {**BASE, "moduleResolution": "classic"}, {"extends": "../../tsconfig.base.json"})
    done = pyxle(project, "typecheck")
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("hint: `moduleResolution: \"classic\"` (set in ../../tsconfig.base.json) is not what the bundler uses "
            "(`\"bundler\"`)") in done.stdout, done.stdout


@cites("docs/types.md", "(or in the config it extends that sets it)")
def test_a_removed_option_in_the_root_config_is_named_at_its_line_there(make_project) -> None:
    """tsc blames the config it was given (Pyxle's); the option is in the monorepo's root config."""
    project = monorepo(make_project, BASE, {"extends": "../../tsconfig.base.json"})
    (project.parent.parent / "tsconfig.base.json").write_text(
        '{\n  "compilerOptions": {\n    "strict": true,\n    "keyofStringsOnly": true\n  }\n}\n')
    done = pyxle(project, "typecheck")
    assert done.returncode == 1
    assert done.stdout.startswith("../../tsconfig.base.json:4:5: error TS5102: Option 'keyofStringsOnly' has been removed."), \
        done.stdout
