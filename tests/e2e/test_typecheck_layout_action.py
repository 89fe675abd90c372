"""`pyxle typecheck` of a layout and a template that define an `@action`: after a no-JS post to it
fails validation their component is given the `action` prop, as a page is for its own actions, so
reading `action?.fields` type-checks (with generated types and without), and misreading it is an error."""

from __future__ import annotations

from pathlib import Path

from tests.docs._blocks import cites
from tests.e2e.test_typecheck_starters import pyxle, starter, where

DOC = "docs/types.md"

# No annotations: the props are written inline, with `data: Record<string, any>`.
LAYOUT = '''
@server
async def load(request):
    return {"site": "app"}

@action
async def subscribe(request):
    return {"subscribed": True}

import { Form } from 'pyxle/client'

export default function Layout({ data, children, action }) {
  return (
    <>
      <Form action="subscribe">
        <input name="email" defaultValue={action ? String(action.values.email) : ''} />
        {action?.fields.email && <p>{action.fields.email.join(' ')}</p>}
        <button type="submit">{data.site}</button>
      </Form>
      <main>{children}</main>
    </>
  )
}
'''

# An annotated action: the props are the template's generated `Props`.
TEMPLATE = '''
from pydantic import BaseModel, Field

class Comment(BaseModel):
    text: str = Field(min_length=3)

@action
async def comment(request, body: Comment) -> Comment:
    return body

import { Form } from 'pyxle/client'

export default function Template({ routePath, children, action }) {
  return (
    <section data-path={routePath}>
      <Form action="comment">
        <textarea name="text" />
        {action?.fields.text && <p>{action.error}: {action.fields.text.join(' ')}</p>}
      </Form>
      {children}
    </section>
  )
}
'''

BLOG = "export default function Blog() {\n  return <h1>Blog</h1>\n}\n"


@cites(DOC, "In `layout.pyxl` and `template.pyxl` it is `data`, `layoutData`,\n  `routePath`, `children` and `action`")
@cites(DOC, "`{ data: Record<string, any>, layoutData: Record<string, any>, routePath: string, children?: import(\"react\").ReactNode, action?:")
def test_a_layout_and_a_template_that_read_their_actions_fields_pass_pyxle_typecheck(tmp_path: Path) -> None:
    project = starter(tmp_path)
    (project / "pages" / "layout.pyxl").write_text(LAYOUT)
    (project / "pages" / "blog").mkdir()
    (project / "pages" / "blog" / "template.pyxl").write_text(TEMPLATE)
    (project / "pages" / "blog" / "index.pyxl").write_text(BLOG)
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pyxle typecheck: no type errors" in done.stderr


def test_misreading_a_layouts_action_prop_is_a_type_error(tmp_path: Path) -> None:
    project = starter(tmp_path)
    layout = project / "pages" / "layout.pyxl"
    layout.write_text(LAYOUT.replace("action?.fields.email &&", "action?.feilds.email &&"))
    done = pyxle("typecheck", str(project), cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (f"{where(project, 'pages/layout.pyxl', 'feilds', 'feilds')}: error TS2551: "
            "Property 'feilds' does not exist on type 'ActionProp'. Did you mean 'fields'?") in done.stdout
