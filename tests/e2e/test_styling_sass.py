"""Sass: .scss/.sass stylesheets and CSS modules compile with the project's `sass`, then go through
its PostCSS config; without `sass` installed the build says how to install it."""

from __future__ import annotations

import re

from tests.conftest import PageWatch
from tests.e2e._styling import build_error, build_ok, built_css, node_modules

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
    build_ok(project)
    css = built_css(project)
    assert "#040404" in css and "#0a141e" not in css and "#010203" not in css


def test_sass_resolves_imports_from_node_modules(make_project) -> None:
    project = make_project({"pages/theme.scss": "@use 'theme-kit/colors';\nbody { color: colors.$brand; }\n",
                            "pages/index.pyxl": "import './theme.scss'\nexport default function H() { return <p>x</p> }\n"})
    node_modules(project, packages={"theme-kit": {"_colors.scss": "$brand: rgb(5, 6, 7);\n"}})
    build_ok(project)
    assert "#050607" in built_css(project)


def test_scss_without_sass_installed_fails_with_an_install_hint(make_project) -> None:
    project = make_project(FILES)
    node_modules(project, without=("sass", "sass-embedded"))
    error = build_error(project)
    assert re.search(r'pages/\w+(\.module)?\.s[ac]ss: a Sass stylesheet needs the "sass" package, which is not installed',
                     error)
    assert "hint: npm install -D sass" in error


def test_a_sass_error_names_the_file_line_and_column(make_project) -> None:
    project = make_project({**FILES, "pages/theme.scss": "@use 'vars';\n\nbody { color: $missing; }\n"}, node=True)
    error = build_error(project)
    assert "pages/theme.scss:3:15: Sass: Undefined variable." in error
    assert "body { color: $missing; }" in error
