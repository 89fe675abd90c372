"""The project's own PostCSS config: where it is read from, what it runs on, and how a broken
one stops `pyxle build` and `pyxle serve` naming the file and line."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import PageWatch
from tests.e2e._styling import TAILWIND3_MODULES, build_error, build_ok, built_css, node_modules, vite_era_tailwind4

# A plugin of the project's own: every `color` becomes rgb(1, 2, 3), and a rule names the file.
MARK = """
const path = require('node:path')
module.exports = (options = {}) => ({
  postcssPlugin: 'mark',
  Declaration: { color: (decl) => { decl.value = options.color || 'rgb(1, 2, 3)' } },
  OnceExit: (root) => { root.append(`.marked { --from: "${path.basename(root.source.input.file)}" }`) },
})
module.exports.postcss = true
"""
PAGE = """
import './global.css'
import styles from './page.module.css'

export default function Home() {
  return <main className={styles.box}>hello</main>
}
"""
FILES = {
    "mark.cjs": MARK,
    "pages/global.css": "body { color: red; }\n",
    "pages/page.module.css": ".box { color: blue; padding: 3px; }\n",
    "pages/index.pyxl": PAGE,
}


CONFIG_FORMS = {
    "postcss.config.js": "module.exports = { plugins: [require('./mark.cjs')] }\n",
    "postcss.config.cjs": "module.exports = { plugins: { './mark.cjs': {} } }\n",
    "postcss.config.mjs": "import mark from './mark.cjs'\nexport default { plugins: [mark()] }\n",
    ".postcssrc.json": '{"plugins": {"./mark.cjs": {}}}\n',
    ".postcssrc": '{"plugins": {"./mark.cjs": {}}}\n',
    ".postcssrc.cjs": "module.exports = { plugins: [require('./mark.cjs')] }\n",
    "package.json": '{"name": "x", "private": true, "postcss": {"plugins": {"./mark.cjs": {}}}}\n',
}


@pytest.mark.parametrize("name", list(CONFIG_FORMS))
def test_every_postcss_config_form_runs_on_global_css_and_css_modules(name: str, make_project) -> None:
    project = make_project({**FILES, name: CONFIG_FORMS[name]}, node=True)
    build_ok(project)
    css = built_css(project)
    assert '--from: "global.css"' in css and '--from: "page.module.css"' in css  # with its file as `from`
    assert "red" not in css and "blue" not in css
    assert "padding: 3px" in css or "padding:3px" in css


def test_a_function_config_gets_the_build_mode_and_plugin_options_apply(make_project) -> None:
    config = ("module.exports = (ctx) => ({ plugins: { './mark.cjs': { color: ctx.env === 'production' && "
              "process.env.NODE_ENV === 'production' ? 'rgb(7, 7, 7)' : 'rgb(9, 9, 9)' } } })\n")
    project = make_project({**FILES, "postcss.config.js": config}, node=True)
    build_ok(project)
    css = built_css(project)
    assert "#070707" in css and "rgb(9, 9, 9)" not in css and "#090909" not in css


def test_css_from_an_npm_package_goes_through_postcss_too(make_project) -> None:
    page = "import 'fancy-widgets/widgets.css'\nexport default function Home() { return <p>x</p> }\n"
    project = make_project({"mark.cjs": MARK, "postcss.config.js": CONFIG_FORMS["postcss.config.js"],
                            "pages/index.pyxl": page})
    node_modules(project, packages={"fancy-widgets": {"widgets.css": ".widget { color: green; }\n"}})
    build_ok(project)
    assert '--from: "widgets.css"' in built_css(project) and "green" not in built_css(project)


def test_css_module_names_come_from_the_processed_css_and_match_the_server_html(make_project, start_server) -> None:
    """A plugin that writes a class (here: `.added`) gives the module that name, in SSR and the browser alike."""
    plugin = ("module.exports = () => ({ postcssPlugin: 'add', OnceExit: (root) => { root.append('.added { margin: 1px }') } })\n"
              "module.exports.postcss = true\n")
    page = ("import styles from './page.module.css'\n"
            "export default function Home() { return <main className={styles.added}>x</main> }\n")
    project = make_project({"add.cjs": plugin, "postcss.config.js": "module.exports = { plugins: [require('./add.cjs')] }\n",
                            "pages/page.module.css": ".box { padding: 1px }\n", "pages/index.pyxl": page}, node=True)
    server = start_server(project)
    html = httpx.get(server.url + "/").text
    name = html.split('<main class="', 1)[1].split('"', 1)[0]
    assert name.startswith("page_added_")
    assert f".{name}" in built_css(project)


def test_without_a_postcss_config_stylesheets_are_left_as_written(make_project) -> None:
    """No config: PostCSS never runs, even with Tailwind installed (the directive reaches the output)."""
    project = make_project({"pages/global.css": "@tailwind utilities;\nbody { color: red }\n",
                            "pages/index.pyxl": "import './global.css'\nexport default function Home() { return <p>x</p> }\n"})
    (project / "node_modules").symlink_to(TAILWIND3_MODULES, target_is_directory=True)
    build_ok(project)
    assert "@tailwind utilities" in built_css(project)


def test_editing_the_postcss_config_makes_the_build_stale(make_project, start_server) -> None:
    project = make_project({**FILES, "postcss.config.cjs": "module.exports = { plugins: [] }\n"}, node=True)
    build_ok(project)
    assert "--from" not in built_css(project)
    (project / "postcss.config.cjs").write_text(CONFIG_FORMS["postcss.config.js"])
    start_server(project, "serve")  # rebuilds a stale dist/ first
    assert '--from: "global.css"' in built_css(project)


# -- errors -------------------------------------------------------------------------------------


def test_a_syntax_error_in_the_config_names_the_file_and_line(make_project) -> None:
    broken = "module.exports = {\n  plugins: {\n    './mark.cjs': {},,\n  },\n}\n"
    project = make_project({**FILES, "postcss.config.js": broken}, node=True)
    error = build_error(project)
    assert "postcss.config.js:3: the PostCSS config cannot be loaded: SyntaxError" in error
    assert "'./mark.cjs': {},," in error


def test_a_plugin_that_is_not_installed_is_named_with_an_install_hint(make_project) -> None:
    config = "module.exports = {\n  plugins: {\n    'postcss-nesting': {},\n  },\n}\n"
    project = make_project({**FILES, "postcss.config.cjs": config}, node=True)
    error = build_error(project)
    assert 'postcss.config.cjs:3: the PostCSS plugin "postcss-nesting" is not installed' in error
    assert "hint: npm install -D postcss-nesting" in error


def test_a_package_the_config_imports_that_is_not_installed_is_named(make_project) -> None:
    config = "import presetEnv from 'postcss-preset-env'\nexport default { plugins: [presetEnv()] }\n"
    project = make_project({**FILES, "postcss.config.mjs": config}, node=True)
    error = build_error(project)
    assert 'postcss.config.mjs:1: the PostCSS config needs "postcss-preset-env", which is not installed' in error
    assert "hint: npm install -D postcss-preset-env" in error


def test_a_config_without_postcss_installed_says_to_install_it(make_project) -> None:
    project = make_project({**FILES, "postcss.config.cjs": "module.exports = { plugins: [] }\n"})
    node_modules(project, without=("postcss",))
    error = build_error(project)
    assert "postcss.config.cjs: the project has a PostCSS config but PostCSS is not installed" in error
    assert "hint: npm install -D postcss" in error


def test_a_css_error_names_the_stylesheet_line_and_column(make_project) -> None:
    project = make_project({**FILES, "postcss.config.js": CONFIG_FORMS["postcss.config.js"],
                            "pages/global.css": "body { color: red; }\n\n.open { color: blue;\n"}, node=True)
    error = build_error(project)
    assert "pages/global.css:3:1: Unclosed block" in error
    assert ".open { color: blue;" in error


def test_a_plugin_error_names_the_stylesheet_and_line(make_project) -> None:
    """Tailwind 3's own error for an unknown class in @apply points into the user's CSS."""
    project = make_project({"postcss.config.js": "module.exports = { plugins: { tailwindcss: {} } }\n",
                            "tailwind.config.js": "module.exports = { content: ['./pages/**/*.pyxl'] }\n",
                            "pages/global.css": "@tailwind utilities;\n\n.btn { @apply p-2 no-such-class; }\n",
                            "pages/index.pyxl": "import './global.css'\nexport default function H() { return <p>x</p> }\n"})
    (project / "node_modules").symlink_to(TAILWIND3_MODULES, target_is_directory=True)
    error = build_error(project)
    assert "pages/global.css:3:8: The `no-such-class` class does not exist" in error


def test_a_syntax_error_in_tailwind_config_names_it(make_project) -> None:
    project = make_project({"postcss.config.js": "module.exports = { plugins: { tailwindcss: {} } }\n",
                            "tailwind.config.js": "module.exports = {\n  content: [./pages],\n}\n",
                            "pages/global.css": "@tailwind utilities;\n",
                            "pages/index.pyxl": "import './global.css'\nexport default function H() { return <p>x</p> }\n"})
    (project / "node_modules").symlink_to(TAILWIND3_MODULES, target_is_directory=True)
    error = build_error(project)
    assert "tailwind.config.js:2:" in error and "SyntaxError: Unexpected token" in error


@pytest.mark.parametrize("name", ["postcss.config.ts", ".postcssrc.yaml"])
def test_a_postcss_config_pyxle_cannot_read_is_refused_not_skipped(name: str, make_project) -> None:
    project = make_project({**FILES, name: "plugins: {}\n"}, node=True)
    error = build_error(project)
    assert f"{name}: this PostCSS config is not read by Pyxle" in error
    assert "hint: write it as postcss.config.js" in error


def test_a_broken_postcss_config_stops_serve_at_start_up(make_project, start_server) -> None:
    project = make_project({**FILES, "postcss.config.js": "module.exports = { plugins: { 'nope-plugin': {} } }\n"},
                           node=True)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit() != 0
    assert 'postcss.config.js:1: the PostCSS plugin "nope-plugin" is not installed' in server.output()


def test_a_css_error_in_dev_shows_the_overlay_and_a_fix_clears_it(make_project, start_server, page: PageWatch) -> None:
    project = make_project({**FILES, "postcss.config.js": CONFIG_FORMS["postcss.config.js"]}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    (project / "pages" / "global.css").write_text("body { color: red; }\n\n.open { color: blue;\n")
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.wait_for(timeout=15000)
    assert "pages/global.css:3:1: Unclosed block" in overlay.text_content()
    (project / "pages" / "global.css").write_text("body { margin: 4px; }\n")
    page.page.wait_for_function("getComputedStyle(document.body).marginTop === '4px'", timeout=15000)
    assert page.page.locator("#pyxle-dev-overlay").count() == 0


TAILWIND4_PAGE = {"pages/app.css": '/* styles */\n@import "tailwindcss";\n.own { margin: 3px; }\n',
                  "pages/plain.css": ".plain { color: rgb(1, 2, 3); }\n",
                  "pages/index.pyxl": ("import './app.css'\nimport './plain.css'\n"
                                       "export default function H() { return <p className=\"flex p-4\">x</p> }\n")}


def test_tailwind4_set_up_for_vite_runs_without_a_postcss_config(make_project) -> None:
    """0.9's `init --tailwind` apps (Tailwind through `@tailwindcss/vite`, no PostCSS config) run
    unchanged: Pyxle runs Tailwind's compiler on the stylesheets that use it."""
    project = make_project(TAILWIND4_PAGE)
    vite_era_tailwind4(project)
    build_ok(project)
    css = built_css(project)
    assert ".flex{display:flex}" in css and ".p-4{padding:calc(var(--spacing) * 4)}" in css
    assert ".own{margin:3px}" in css and ".plain{color:#010203}" in css  # its own rules, and plain CSS as it was
    assert "@import" not in css


def test_tailwind4_without_its_compiler_says_what_to_install(make_project) -> None:
    """`tailwindcss` 4 alone would give CSS without utilities: the build stops at the import."""
    project = make_project(TAILWIND4_PAGE)
    vite_era_tailwind4(project, compiler=False)
    error = build_error(project)
    assert 'pages/app.css:2:9: @import "tailwindcss" needs Tailwind\'s compiler, which is not installed' in error
    assert "hint: npm install -D @tailwindcss/postcss (Pyxle runs it; no PostCSS config is needed)" in error


def test_tailwind3_reads_a_typescript_tailwind_config(make_project) -> None:
    project = make_project({"postcss.config.js": "module.exports = { plugins: { tailwindcss: {} } }\n",
                            "tailwind.config.ts": ("import type { Config } from 'tailwindcss'\n"
                                                   "export default { content: ['./pages/**/*.pyxl'] } satisfies Config\n"),
                            "pages/global.css": "@tailwind utilities;\n",
                            "pages/index.pyxl": ("import './global.css'\n"
                                                 "export default function H() { return <p className=\"flex p-4\">x</p> }\n")})
    (project / "node_modules").symlink_to(TAILWIND3_MODULES, target_is_directory=True)
    build_ok(project)
    assert ".flex{display:flex}" in built_css(project) and ".p-4{padding:1rem}" in built_css(project)
