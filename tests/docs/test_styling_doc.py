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
