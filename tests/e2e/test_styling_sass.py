"""Sass: .scss/.sass stylesheets and CSS modules compile with the project's `sass`, then go through
its PostCSS config; without `sass` installed the build says how to install it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import NODE_MODULES, PageWatch, server_env

PAGE = """
import './theme.scss'
import './legacy.sass'
import styles from './card.module.scss'

export default function Home() {
  return <main id="card" className={styles.card}><b id="title" className={styles.title}>hi</b><i id="old">o</i></main>
}
"""
FILES = {
    "pages/_vars.scss": "$pad: 12px;\n$ink: rgb(10, 20, 30);\n",
    "pages/theme.scss": "@use 'vars';\nbody { color: vars.$ink; }\n",
    "pages/legacy.sass": "#old\n  margin-top: 7px\n",
    "pages/card.module.scss": "@use 'vars';\n.card {\n  padding: vars.$pad;\n  .title { color: rgb(1, 2, 3); }\n}\n",
    "pages/index.pyxl": PAGE,
}


def styles(page: PageWatch) -> dict[str, str]:
    return page.page.evaluate("""() => {
      const s = (id) => getComputedStyle(document.getElementById(id))
      return {body: getComputedStyle(document.body).color, card: s('card').paddingTop,
              title: s('title').color, old: s('old').marginTop}
    }""")


def test_scss_sass_and_scss_modules_compile_in_build_and_dev(make_project, start_server, page: PageWatch) -> None:
    project = make_project(FILES, node=True)
    expected = {"body": "rgb(10, 20, 30)", "card": "12px", "title": "rgb(1, 2, 3)", "old": "7px"}
    for command in ("serve", "dev"):
        server = start_server(project, command)
        page.page.goto(server.url + "/")
        page.hydrated()
        assert styles(page) == expected, command
        assert page.problems() == []
        if command == "dev":  # an edit to a partial applies without a restart
            (project / "pages" / "_vars.scss").write_text("$pad: 20px;\n$ink: rgb(10, 20, 30);\n")
            page.page.wait_for_function("getComputedStyle(document.getElementById('card')).paddingTop === '20px'",
                                        timeout=15000)
        server.stop()


def test_scss_goes_through_the_postcss_config_after_sass(make_project) -> None:
    plugin = ("module.exports = () => ({ postcssPlugin: 'p', Declaration: { color: (d) => { d.value = 'rgb(4, 4, 4)' } } })\n"
              "module.exports.postcss = true\n")
    project = make_project({**FILES, "p.cjs": plugin, "postcss.config.js": "module.exports = { plugins: [require('./p.cjs')] }\n"},
                           node=True)
    built = subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], capture_output=True, text=True,
                           env=server_env(), timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    css = "".join(p.read_text() for p in (project / "dist" / "public" / "_pyxle").glob("*.css"))
    assert "#040404" in css and "#0a141e" not in css and "#010203" not in css


def test_sass_resolves_imports_from_node_modules(make_project) -> None:
    project = make_project({"pages/theme.scss": "@use 'theme-kit/colors';\nbody { color: colors.$brand; }\n",
                            "pages/index.pyxl": "import './theme.scss'\nexport default function H() { return <p>x</p> }\n"})
    (project / "node_modules").mkdir()
    for entry in NODE_MODULES.iterdir():
        (project / "node_modules" / entry.name).symlink_to(entry)
    (project / "node_modules" / "theme-kit").mkdir()
    (project / "node_modules" / "theme-kit" / "package.json").write_text('{"name": "theme-kit", "version": "1.0.0"}')
    (project / "node_modules" / "theme-kit" / "_colors.scss").write_text("$brand: rgb(5, 6, 7);\n")
    built = subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], capture_output=True, text=True,
                           env=server_env(), timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    css = "".join(p.read_text() for p in (project / "dist" / "public" / "_pyxle").glob("*.css"))
    assert "#050607" in css


def without_sass(project: Path) -> None:
    """The project's node_modules: everything tests/node has except Sass."""
    (project / "node_modules").mkdir()
    for entry in NODE_MODULES.iterdir():
        if entry.name not in ("sass", "sass-embedded", ".package-lock.json"):
            (project / "node_modules" / entry.name).symlink_to(entry)


def test_scss_without_sass_installed_fails_with_an_install_hint(make_project) -> None:
    project = make_project(FILES)
    without_sass(project)
    built = subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], capture_output=True, text=True,
                           env=server_env(), timeout=120, check=False)
    assert built.returncode == 1
    assert re.search(r'pages/\w+(\.module)?\.s[ac]ss: a Sass stylesheet needs the "sass" package, which is not installed',
                     built.stderr)
    assert "hint: npm install -D sass" in built.stderr
    assert "Traceback" not in built.stderr


def test_a_sass_error_names_the_file_line_and_column(make_project) -> None:
    project = make_project({**FILES, "pages/theme.scss": "@use 'vars';\n\nbody { color: $missing; }\n"}, node=True)
    built = subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], capture_output=True, text=True,
                           env=server_env(), timeout=120, check=False)
    assert built.returncode == 1
    assert "pages/theme.scss:3:15: Sass: Undefined variable." in built.stderr
    assert "body { color: $missing; }" in built.stderr
