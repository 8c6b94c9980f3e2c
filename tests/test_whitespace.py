"""generator.whitespace: indentation out of built pages, everything a reader sees kept."""

from __future__ import annotations

from generator.whitespace import squeeze


def test_runs_with_a_line_break_become_one_line_break():
    assert squeeze("<div>\n    <p>a\n   \n  b</p>  \n\t<p>c</p>\n</div>") == "<div>\n<p>a\nb</p>\n<p>c</p>\n</div>"


def test_spaces_within_a_line_stay():
    # A run without a line break may be a reader's spacing (or inside an attribute): untouched.
    assert squeeze('<p title="a  b">x   y</p>') == '<p title="a  b">x   y</p>'


def test_preformatted_text_and_code_keep_their_whitespace():
    kept = ("<pre class=\"om-snippet\"><code>line one\n    indented\n\n  end</code></pre>"
            "<textarea>\n  typed\n</textarea><script>\n  var a = 1;\n</script><STYLE>\n  p { }\n</STYLE>")
    assert squeeze("<div>\n   " + kept + "\n   </div>") == "<div>\n" + kept + "\n</div>"


def test_a_tag_that_only_starts_like_pre_is_not_kept():
    assert squeeze("<prefix>\n   a</prefix>") == "<prefix>\na</prefix>"
