"""`pyxle typecheck` accepts the imports `pyxle build` does: every stylesheet and file kind the
bundler loads, a component written with its `.tsx` extension, a tsconfig's `baseUrl`; and an
option tsc refuses in the project's tsconfig is named at its line there, not in Pyxle's config."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import REPO, pyxle_command, server_env
from tests.docs._blocks import cites

# The suffixes docs/styling.md says import as a URL ("images (`.png`, ...)" to `.webmanifest`).
_TABLE = next(line for line in (REPO / "docs" / "styling.md").read_text().splitlines() if "images (`.png`" in line)
FILE_SUFFIXES = re.findall(r"`(\.[a-z0-9]+)`", _TABLE.split("images (", 1)[1])
BOX = "export default function Box({ n }: { n: number }) { return <b>{n}</b> }\n"


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args, str(project)], cwd=project, capture_output=True, text=True,
                          timeout=300, env=server_env(), check=False)


def passes(project: Path, command: str) -> None:
    done = pyxle(project, command)
    assert done.returncode == 0, done.stdout + done.stderr


@cites("docs/types.md", "an ambient declaration of every stylesheet and file the bundler imports")
def test_every_stylesheet_and_file_kind_styling_md_lists_builds_and_typechecks(make_project) -> None:
    """Sass, `.avif`, `.ttf`, `.ico`... built but were TS2307 (TS2882 for `import './theme.scss'`)."""
    assert len(FILE_SUFFIXES) > 25 and ".avif" in FILE_SUFFIXES and ".webmanifest" in FILE_SUFFIXES
    files = {f"assets/f{suffix}": "x" for suffix in FILE_SUFFIXES} | {"assets/PHOTO.JPG": "x"}
    imports = [f"import f{n} from '../assets/f{suffix}'" for n, suffix in enumerate(FILE_SUFFIXES)]
    component = "\n".join([
        "import styles from './Box.module.scss'", "import legacy from './legacy.module.sass'",
        "import './theme.scss'", "import './old.sass'", "import photo from '../assets/PHOTO.JPG'", *imports,
        f"export const urls: string[] = [photo, {', '.join(f'f{n}' for n in range(len(imports)))}]",
        "export default function Box() { return <b className={styles.box + legacy.old}>x</b> }", ""])
    files |= {"components/Box.tsx": component, "components/Box.module.scss": ".box { b { color: red } }\n",
              "components/legacy.module.sass": ".old\n  color: blue\n", "components/theme.scss": "$c: red;\nbody { color: $c }\n",
              "components/old.sass": "p\n  margin: 0\n",
              "pages/index.pyxl": "import Box from '../components/Box'\nexport default function Home() { return <Box /> }\n"}
    project = make_project(files, node=True)
    passes(project, "build")
    passes(project, "typecheck")


@cites("docs/types.md", "`allowImportingTsExtensions`")
def test_a_component_imported_with_its_tsx_extension_typechecks(make_project) -> None:
    """`import Box from '../components/Box.tsx'` built but was TS5097 (allowImportingTsExtensions)."""
    page = "import Box from '../components/Box.tsx'\nexport default function Home() { return <Box n={1} /> }\n"
    project = make_project({"pages/index.pyxl": page, "components/Box.tsx": BOX}, node=True)
    passes(project, "typecheck")
    (project / "tsconfig.json").write_text('{"compilerOptions": {"strict": true, "jsx": "react-jsx"}}\n')
    passes(project, "typecheck")  # a config of the project's that says nothing of it


@cites("docs/types.md", "A `baseUrl` is read as the bundler reads it")
def test_a_base_url_with_paths_builds_and_typechecks_and_is_left_out_of_the_checked_config(make_project) -> None:
    """TypeScript 7 removed `baseUrl`: the check said TS5102 at `.pyxle/typecheck/tsconfig.json` and
    checked nothing else. Pyxle resolves the paths against it itself, and bare imports into it."""
    page = ("import Box from '@/components/Box'\nimport { greet } from 'lib/format'\nimport { useState } from 'react'\n"
            "export default function Home() { const [n] = useState(1); return <Box n={greet(n)} /> }\n")
    tsconfig = ('{ "compilerOptions": { "strict": true, "jsx": "react-jsx", "baseUrl": "src",\n'
                '  "paths": { "@/*": ["../*"] } } }\n')
    project = make_project({"pages/index.pyxl": page, "components/Box.tsx": BOX, "tsconfig.json": tsconfig,
                            "src/lib/format.ts": "export const greet = (n: number): number => n + 1\n"}, node=True)
    passes(project, "build")
    passes(project, "typecheck")
    assert '"baseUrl": null' in (project / ".pyxle" / "typecheck" / "tsconfig.json").read_text()
    (project / "src" / "lib" / "format.ts").write_text("export const greet = (n: number): string => `${n}`\n")
    done = pyxle(project, "typecheck")  # still checked: a type error through the baseUrl import is found
    assert done.returncode == 1 and "pages/index.pyxl:4:" in done.stdout and "error TS2322" in done.stdout, done.stdout


@cites("docs/types.md", "An option TypeScript refuses in your config is reported at its line in your `tsconfig.json`")
def test_a_removed_option_in_the_projects_tsconfig_is_named_at_its_line_there(make_project) -> None:
    """tsc blames the config it was given, which was Pyxle's generated `.pyxle/typecheck/tsconfig.json`."""
    tsconfig = '{\n  "compilerOptions": {\n    "strict": true,\n    "keyofStringsOnly": true\n  }\n}\n'
    project = make_project({"pages/index.pyxl": "export default function Home() { return <p>x</p> }\n",
                            "tsconfig.json": tsconfig}, node=True)
    done = pyxle(project, "typecheck")
    assert done.returncode == 1
    assert done.stdout.startswith(
        "tsconfig.json:4:5: error TS5102: Option 'keyofStringsOnly' has been removed. "
        "Please remove it from your configuration.\n"
        '        "keyofStringsOnly": true\n'
        "        ^\n"), done.stdout
    assert ".pyxle" not in done.stdout + done.stderr
