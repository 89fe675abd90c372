"""docs/styling.md: the build errors shown are, line for line, what `pyxle build` prints (the
Tailwind setups shown are built by tests/e2e/test_styling_tailwind.py)."""

from __future__ import annotations

from tests.docs._blocks import doc_block
from tests.e2e._styling import TAILWIND3_MODULES, build_error, vite_era_tailwind4

PAGE = "import './{css}'\n\nexport default function Home() {{\n  return <p>home</p>\n}}\n"


def test_a_missing_postcss_plugin_gives_the_error_shown(make_project) -> None:
    project = make_project({
        "postcss.config.js": 'module.exports = {\n  plugins: {\n    "postcss-nesting": {},\n  },\n}\n',
        "pages/global.css": "body { margin: 0 }\n",
        "pages/index.pyxl": PAGE.format(css="global.css"),
    }, node=True)
    assert doc_block("docs/styling.md", "missing-plugin").strip() in build_error(project)


def test_an_unknown_class_in_apply_gives_the_error_shown(make_project) -> None:
    project = make_project({
        "postcss.config.js": "module.exports = { plugins: { tailwindcss: {} } }\n",
        "tailwind.config.js": "module.exports = { content: ['./pages/**/*.pyxl'] }\n",
        "pages/global.css": "@tailwind utilities;\n\n.btn { @apply p-2 no-such-class; }\n",
        "pages/index.pyxl": PAGE.format(css="global.css"),
    })
    (project / "node_modules").symlink_to(TAILWIND3_MODULES, target_is_directory=True)
    assert doc_block("docs/styling.md", "apply-error").strip() in build_error(project)


def test_tailwind_without_its_compiler_gives_the_error_shown(make_project) -> None:
    """`tailwindcss` 4 alone, neither `@tailwindcss/vite` nor `@tailwindcss/postcss` (so no compiler)."""
    project = make_project({
        "pages/styles/app.css": '@import "tailwindcss";\n',
        "pages/index.pyxl": PAGE.format(css="styles/app.css"),
    })
    vite_era_tailwind4(project, compiler=False)
    assert doc_block("docs/styling.md", "vite-tailwind").strip() in build_error(project)


def test_a_tailwind_3_config_with_tailwind_4_installed_is_named_at_the_config(make_project) -> None:
    """Tailwind's own "use @tailwindcss/postcss" error was named at the first stylesheet built
    (components/Counter.module.css), which has nothing to do with it."""
    project = make_project({
        "postcss.config.js": doc_block("docs/styling.md", "tailwind3-postcss"),
        "components/Counter.module.css": ".counter { color: red }\n",
        "pages/global.css": "body { margin: 0 }\n",
        "pages/index.pyxl": "import './global.css'\nimport styles from '../components/Counter.module.css'\n\n"
                            "export default function Home() {\n  return <p className={styles.counter}>home</p>\n}\n",
    }, node=True)  # tests/node has Tailwind 4, with @tailwindcss/postcss and autoprefixer
    error = build_error(project)
    assert doc_block("docs/styling.md", "tailwind3-with-4").strip() in error, error
    assert "Counter.module.css" not in error and "global.css" not in error, error
