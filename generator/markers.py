"""Build-time markers of the hand-written pages: a line of its own, ``<!-- KIND: NAME -->``.

The build replaces each marker with what it names (a figure, generator/figures.py; a rule sentence,
generator/rule_text.py). An unknown name stops the build with the page and line, so a typo never
reaches readers as an empty space.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from generator.errors import BuildError


def expand_markers(page_text: str, path: str, kind: str, known: Collection[str],
                   replace: Callable[[str, int], str]) -> str:
    """``page_text`` with every ``kind`` marker replaced by ``replace(name, nth use of that name)``.

    Raises BuildError for a name not in ``known``; ``path`` is the page's path under site_src/.
    """
    if "<!--" not in page_text:
        return page_text
    marker = re.compile(rf"^<!--\s*{re.escape(kind)}:\s*(?P<name>[^\s>]*)\s*-->\s*$")
    out, used = [], {}
    for number, row in enumerate(page_text.split("\n"), start=1):
        found = marker.match(row)
        if not found:
            out.append(row)
            continue
        name = found["name"]
        if name not in known:
            raise BuildError(f"site_src/{path}:{number}: unknown {kind} '{name}'; "
                             f"known {kind}s: {', '.join(sorted(known))}")
        used[name] = used.get(name, 0) + 1
        out.append(replace(name, used[name]))
    return "\n".join(out)
