"""CSS modules as pyxle-framework 0.9 (Vite) built them: `:global`, `:local`, `composes` (the same
module, another one, global) and scoped `@keyframes`, in the built CSS and in Chromium, with the
same class names in server rendering and in the browser."""

from __future__ import annotations

import re
import urllib.request

from tests.conftest import PageWatch
from tests.docs._blocks import cites
from tests.e2e._styling import build_error, build_ok, built_css

PAGE = """
import s from '../components/G.module.css'
import c from '../components/Card.module.css'
import m from '../components/Mix.module.scss'

export default function Home() {
  return <div className="gl-outer">
    <p id="inner" className={s.inner}>inner</p>
    <p id="pg" className="plain-global">pg</p>
    <p id="loc" className={s.loc}>loc</p>
    <p id="spin" className={s.spin}>spin</p>
    <p id="title" className={c.title}>title</p>
    <p id="mix" className={m.mix}>mix</p>
  </div>
}
"""
FILES = {
    "components/G.module.css": (
        ":global(.gl-outer) .inner { color: rgb(0, 128, 0); }\n"
        ":global .plain-global { color: rgb(0, 0, 200); }\n"
        ":local(.loc) { color: rgb(7, 7, 7); }\n"
        "@keyframes fade { from { opacity: 0.5; } to { opacity: 1; } }\n"
        ".spin { animation: fade 100s linear; }\n"
    ),
    "components/Card.module.css": (
        ".card { border: 2px solid rgb(1, 2, 3); padding: 4px; }\n"
        ".title { composes: card; composes: edge from './Other.module.css'; composes: gx from global;"
        " color: rgb(10, 20, 30); }\n"
    ),
    "components/Other.module.css": ".edge { margin-top: 9px; }\n",
    "components/Mix.module.scss": "$w: 3px;\n.base { outline: $w solid red; }\n.mix { composes: base; }\n",
    "pages/index.pyxl": PAGE,
}


def computed(page: PageWatch) -> dict[str, object]:
    return page.page.evaluate("""() => {
      const s = (id) => getComputedStyle(document.getElementById(id))
      const frames = [...document.styleSheets].flatMap((sheet) => [...sheet.cssRules])
        .filter((rule) => rule instanceof CSSKeyframesRule).map((rule) => rule.name)
      return {inner: s('inner').color, pg: s('pg').color, loc: s('loc').color,
              animation: s('spin').animationName, keyframes: frames,
              title: [s('title').color, s('title').borderTopWidth, s('title').marginTop],
              mix: s('mix').outlineWidth}
    }""")


def classes(html: str) -> dict[str, str]:
    """The class attribute of each element with an id."""
    return dict(re.findall(r'<p id="(\w+)" class="([^"]*)"', html))


@cites("docs/styling.md", "`:global(.x)` and `:global .x` keep a name as written, and `:local(.x)` scopes it.")
@cites("docs/styling.md", "`composes: a b;` adds the module's own classes to a class's name, "
                          "`composes: a from './other.module.css'` another module's, and `composes: a from global` a "
                          "global class.")
@cites("docs/styling.md", "`animation-name` refer to the renamed keyframes")
@cites("docs/styling.md", "Each module is scoped once per build, so server rendering and the browser get the same names.")
def test_global_local_composes_and_keyframes_style_the_page_in_build_and_dev(make_project, start_server,
                                                                               page: PageWatch) -> None:
    project = make_project(FILES, node=True)
    for command in ("serve", "dev"):
        server = start_server(project, command)
        with urllib.request.urlopen(server.url + "/") as response:
            rendered = classes(response.read().decode())
        page.page.goto(server.url + "/")
        page.hydrated()
        styles = computed(page)
        assert styles["inner"] == "rgb(0, 128, 0)" and styles["pg"] == "rgb(0, 0, 200)", command
        assert styles["loc"] == "rgb(7, 7, 7)", command
        assert styles["animation"] != "fade" and styles["animation"] in styles["keyframes"], command
        assert "fade" not in styles["keyframes"], command
        assert styles["title"] == ["rgb(10, 20, 30)", "2px", "9px"], command
        assert styles["mix"] == "3px", command
        hydrated = classes(page.page.content())
        assert rendered == hydrated and rendered["pg"] == "plain-global", command
        title = rendered["title"].split()
        assert "gx" in title and len(title) == 4, command
        if command == "dev":  # an edit to one module applies; the others keep their names (scoped before)
            (project / "components" / "G.module.css").write_text(
                FILES["components/G.module.css"].replace("rgb(0, 128, 0)", "rgb(0, 0, 128)"))
            page.page.wait_for_function("getComputedStyle(document.getElementById('inner')).color === 'rgb(0, 0, 128)'",
                                        timeout=15000)
            assert classes(page.page.content())["title"] == rendered["title"]
            assert computed(page)["title"] == ["rgb(10, 20, 30)", "2px", "9px"]
            (project / "components" / "Other.module.css").write_text(".edge { margin-top: 11px; }\n")
            page.page.wait_for_function("getComputedStyle(document.getElementById('title')).marginTop === '11px'",
                                        timeout=15000)
        assert page.problems() == []
        server.stop()


@cites("docs/styling.md", "Its class names and `@keyframes` names become `Name_class_hash`")
def test_the_built_css_keeps_global_names_and_drops_module_syntax(make_project) -> None:
    project = make_project(FILES, node=True)
    build_ok(project)
    css = built_css(project)
    assert ".gl-outer .G_" in css and ".plain-global{" in css
    assert ":global" not in css and ":local" not in css and "composes" not in css
    assert re.search(r"@keyframes G_fade_[0-9a-f]{6}\{", css)
    assert re.search(r"\.Card_title_[0-9a-f]{6}\{", css)


@cites("docs/styling.md", "A name that `composes` takes from a module that does not have it is a build error at its line.")
def test_composing_a_name_another_module_lacks_is_an_error_at_its_line(make_project) -> None:
    project = make_project({**FILES, "components/Other.module.css": ".rim { margin-top: 9px; }\n"}, node=True)
    error = build_error(project)
    assert 'components/Card.module.css:2:36: The name "edge" never appears in "components/Other.module.css"' in error
    assert "hint: compose a class that components/Other.module.css has, or add .edge to it" in error
