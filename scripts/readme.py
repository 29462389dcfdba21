#!/usr/bin/env python3
"""Build the addon's README.rst (and static/description/index.html) from readme/*.md.

The addon's documentation is written once, as Markdown fragments in readme/, and
assembled the way OCA's oca-gen-addon-readme does: the manifest's name as title,
maturity and licence badges, DESCRIPTION, then Configuration, Usage, Known issues /
Roadmap... and Credits. OCA's tool needs packages and GitHub access that this
project's machines do not have, so this script does the same job with the standard
library: it understands the Markdown that the fragments use (paragraphs, nested
lists, pipe tables, headings, code spans and blocks, links, bold and italics) and
refuses what it does not, so that nothing is silently mangled.

Odoo does not render README.rst for an application, so the Apps page shows
static/description/index.html, written from README.rst with docutils (an Odoo
requirement) as OCA does.

    python3 scripts/readme.py           # rewrite README.rst and index.html
    python3 scripts/readme.py --check   # exit 1 when either is stale
"""

import argparse
import ast
import difflib
import re
import sys
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ADDON = REPO_ROOT / "okr_order_management"

# (fragment, section title) in OCA's order; DESCRIPTION opens the page untitled.
SECTIONS = (
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
)
CREDIT_SECTIONS = (("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits"))
KNOWN_FRAGMENTS = {"DESCRIPTION"} | {name for name, _ in SECTIONS + CREDIT_SECTIONS}
# Section underlines by level; the page title has "=" over and under, a style apart.
UNDERLINES = "=-~^"

MATURITY_BADGES = {
    "alpha": ("Alpha", "red"),
    "beta": ("Beta", "yellow"),
    "production/stable": ("Production%2FStable", "green"),
    "mature": ("Mature", "brightgreen"),
}
LICENCE_URLS = {
    "LGPL-3": "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "AGPL-3": "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "GPL-3": "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
}
# Docutils settings for the HTML page: no file inclusion, no raw HTML, and any
# warning from docutils is an error.
DOCUTILS_SETTINGS = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "halt_level": 2,
    "report_level": 2,
    "embed_stylesheet": True,
    "output_encoding": "unicode",
    "xml_declaration": False,
}
GENERATED_BY = "scripts/readme.py"


class MarkdownError(ValueError):
    """A construct of the fragments that this converter does not translate."""


# Inline Markdown ----------------------------------------------------------------

INLINE_RE = re.compile(
    r"(?P<code>(?P<ticks>`+)(?P<code_text>.+?)(?P=ticks))"
    r"|(?P<link>\[(?P<link_text>[^\]]+)\]\((?P<url>[^)\s]+)\))"
    r"|(?P<auto><(?P<auto_url>https?://[^>\s]+)>)"
    r"|(?P<strong>\*\*(?P<strong_text>\S(?:.*?\S)?)\*\*)"
    r"|(?P<em>\*(?P<em_text>\S(?:.*?\S)?)\*)"
    r"|(?P<escape>\\(?P<escaped>[\\`*_{}\[\]()#+\-.!|<>]))",
    re.DOTALL,
)
START_OK_ASCII = set("-:/'\"<([{")
END_OK_ASCII = set("-.,:;!?\\/'\")]}>")


def _start_ok(before):
    """May an RST inline start-string follow the character `before`?"""
    if not before or before.isspace() or before in START_OK_ASCII:
        return True
    return not before.isascii() and unicodedata.category(before) in {
        "Pd",
        "Po",
        "Ps",
        "Pi",
        "Pf",
    }


def _end_ok(after):
    """May an RST inline end-string be followed by the character `after`?"""
    if not after or after.isspace() or after in END_OK_ASCII:
        return True
    return not after.isascii() and unicodedata.category(after) in {
        "Pd",
        "Po",
        "Pe",
        "Pi",
        "Pf",
    }


def _escape_text(text):
    """Plain Markdown text as RST text: markup characters lose their meaning."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*`|])", r"\\\1", text)
    # "word_" and "word__" are references in RST.
    return re.sub(r"(?<=\w)(_+)(?!\w)", lambda m: "\\_" * len(m.group(1)), text)


def _literal(text):
    text = text.strip() if text.strip() else text
    if "``" in text:
        raise MarkdownError(f"a code span holds a double backtick: {text!r}")
    return f"``{text}``"


def inline(text):
    """One paragraph's (or cell's) Markdown inline markup as RST."""
    parts = []  # (is_markup, rst)
    pos = 0
    for match in INLINE_RE.finditer(text):
        if match.start() > pos:
            parts.append((False, _escape_text(text[pos : match.start()])))
        pos = match.end()
        if match.group("code"):
            parts.append((True, _literal(match.group("code_text"))))
        elif match.group("link"):
            label = _escape_text(match.group("link_text")).replace("<", "\\<")
            parts.append((True, f"`{label} <{match.group('url')}>`__"))
        elif match.group("auto"):
            parts.append((False, match.group("auto_url")))
        elif match.group("strong"):
            parts.append((True, f"**{_escape_text(match.group('strong_text'))}**"))
        elif match.group("em"):
            parts.append((True, f"*{_escape_text(match.group('em_text'))}*"))
        else:
            parts.append((False, _escape_text(match.group("escaped"))))
    if pos < len(text):
        parts.append((False, _escape_text(text[pos:])))
    out = ""
    for index, (is_markup, rst) in enumerate(parts):
        if is_markup:
            # RST only sees markup next to spaces or punctuation: "\ " is an
            # invisible separator where Markdown glued it to a word.
            if not _start_ok(out[-1:]):
                out += "\\ "
            out += rst
            following = parts[index + 1][1][:1] if index + 1 < len(parts) else ""
            if not _end_ok(following):
                out += "\\ "
        else:
            out += rst
    return out


# Block Markdown -----------------------------------------------------------------

BULLET_RE = re.compile(r"^( {0,3})([-*+]) +(?=\S)")
ORDERED_RE = re.compile(r"^( {0,3})(\d{1,9})[.)] +(?=\S)")
HEADING_RE = re.compile(r"^(#{1,6}) +(.+?)\s*#*\s*$")
FENCE_RE = re.compile(r"^( {0,3})(```+|~~~+)\s*([\w+-]*)\s*$")
TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
IMAGE_RE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)\s*$")
# A paragraph that RST would read as an enumerated list, a field or a comment.
RST_LOOKALIKE_RE = re.compile(
    r"^(\(?([0-9]+|[a-zA-Z]|[ivxlcdmIVXLCDM]+|#)[.)]\s|:\w[^:]*:\s|\.\.\s)"
)


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _list_marker(line):
    return BULLET_RE.match(line) or ORDERED_RE.match(line)


def _split_row(line):
    """The cells of a pipe-table row; pipes inside code spans do not split."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells, cell, in_code = [], "", False
    for index, char in enumerate(line):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code and (index == 0 or line[index - 1] != "\\"):
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
    cells.append(cell.strip())
    return [c.replace("\\|", "|") for c in cells]


class BlockConverter:
    """Markdown blocks as RST, heading levels relative to `heading_base`."""

    def __init__(self, heading_base):
        self.heading_base = heading_base

    def convert(self, lines):
        blocks = self._blocks(lines)
        return "\n\n".join(blocks)

    def _blocks(self, lines):
        blocks = []
        min_heading = min(
            (len(m.group(1)) for m in map(HEADING_RE.match, lines) if m), default=1
        )
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.strip():
                i += 1
            elif HEADING_RE.match(line):
                blocks.append(self._heading(HEADING_RE.match(line), min_heading))
                i += 1
            elif FENCE_RE.match(line):
                i = self._fence(lines, i, blocks)
            elif _list_marker(line):
                i = self._list(lines, i, blocks)
            elif (
                "|" in line and i + 1 < len(lines) and TABLE_SEP_RE.match(lines[i + 1])
            ):
                i = self._table(lines, i, blocks)
            elif IMAGE_RE.match(line.strip()):
                m = IMAGE_RE.match(line.strip())
                blocks.append(f".. image:: {m.group('src')}\n   :alt: {m.group('alt')}")
                i += 1
            elif line.lstrip().startswith((">", "<")) or _indent(line) >= 4:
                raise MarkdownError(
                    f"unsupported Markdown (quote, HTML or indented code): {line!r}"
                )
            else:
                i = self._paragraph(lines, i, blocks)
        return blocks

    def _heading(self, match, min_heading):
        level = self.heading_base + len(match.group(1)) - min_heading
        if level >= len(UNDERLINES):
            raise MarkdownError(f"heading nested too deep: {match.group(0)!r}")
        title = inline(match.group(2))
        return f"{title}\n{UNDERLINES[level] * _width(title)}"

    def _fence(self, lines, i, blocks):
        fence = FENCE_RE.match(lines[i]).group(2)
        body = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise MarkdownError("a code block is not closed")
        blocks.append(
            "::\n\n" + "\n".join(f"   {b}" if b.strip() else "" for b in body)
        )
        return i + 1

    def _paragraph(self, lines, i, blocks):
        para = []
        while i < len(lines) and lines[i].strip():
            line = lines[i]
            if para and (
                _list_marker(line) or HEADING_RE.match(line) or FENCE_RE.match(line)
            ):
                break
            para.append(line.strip())
            i += 1
        text = inline("\n".join(para))
        if RST_LOOKALIKE_RE.match(text):
            text = "\\" + text
        if text.endswith("::"):
            text = text[:-1] + "\\:"
        blocks.append(text)
        return i

    def _list(self, lines, i, blocks):
        first = _list_marker(lines[i])
        base, ordered = len(first.group(1)), first.re is ORDERED_RE
        number = int(first.group(2)) if ordered else None
        items, loose = [], False
        while i < len(lines):
            match = _list_marker(lines[i])
            if not match or len(match.group(1)) != base:
                break
            if (match.re is ORDERED_RE) != ordered:
                break
            content_col = match.end()
            body = [lines[i][content_col:]]
            i += 1
            while i < len(lines):
                line = lines[i]
                if not line.strip():
                    nxt = next((ln for ln in lines[i:] if ln.strip()), None)
                    if nxt is None or _indent(nxt) < content_col:
                        break
                    body.append("")
                elif _indent(line) >= content_col:
                    body.append(line[content_col:])
                elif (
                    _list_marker(line) or HEADING_RE.match(line) or FENCE_RE.match(line)
                ):
                    break
                else:
                    body.append(line.strip())  # Markdown's lazy continuation
                i += 1
            items.append(body)
            # A blank line between items makes the list loose.
            if i < len(lines) and not lines[i].strip():
                nxt = next((j for j in range(i, len(lines)) if lines[j].strip()), None)
                nxt_match = nxt is not None and _list_marker(lines[nxt])
                if (
                    nxt_match
                    and len(nxt_match.group(1)) == base
                    and (nxt_match.re is ORDERED_RE) == ordered
                ):
                    loose = True
                    i = nxt
        rendered = []
        for index, body in enumerate(items):
            marker = f"{number + index}." if ordered else "-"
            pad = " " * (len(marker) + 1)
            text = BlockConverter(self.heading_base).convert(body)
            sub = [f"{pad}{ln}" if ln else "" for ln in text.split("\n")]
            sub[0] = f"{marker} {sub[0][len(pad) :]}"
            rendered.append("\n".join(sub))
            # RST wants a blank line where an item of several blocks ends.
            loose = loose or "\n\n" in text
        blocks.append(("\n\n" if loose else "\n").join(rendered))
        return i

    def _table(self, lines, i, blocks):
        header = _split_row(lines[i])
        rows = []
        i += 2
        while i < len(lines) and lines[i].strip() and "|" in lines[i]:
            rows.append(_split_row(lines[i]))
            i += 1
        out = [".. list-table::", "   :header-rows: 1", ""]
        for row in [header, *rows]:
            if len(row) != len(header):
                raise MarkdownError(f"a table row has {len(row)} cells: {row!r}")
            for col, cell in enumerate(row):
                out.append(f"   {'* -' if col == 0 else '  -'} {inline(cell)}".rstrip())
        blocks.append("\n".join(out))
        return i


def _width(text):
    """Display width of a title, wide East Asian characters counting twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def markdown_to_rst(text, heading_base=0):
    return BlockConverter(heading_base).convert(text.expandtabs(4).splitlines())


# README.rst ---------------------------------------------------------------------


def read_manifest(addon_dir):
    return ast.literal_eval((addon_dir / "__manifest__.py").read_text("utf-8"))


def read_fragments(addon_dir):
    fragments = {}
    for path in sorted((addon_dir / "readme").glob("*")):
        if path.suffix != ".md" or path.stem not in KNOWN_FRAGMENTS:
            raise SystemExit(
                f"{path}: unknown fragment; use one of "
                f"{', '.join(sorted(KNOWN_FRAGMENTS))} (.md)"
            )
        text = path.read_text("utf-8").strip()
        if text:
            fragments[path.stem] = text
    if "DESCRIPTION" not in fragments:
        raise SystemExit(f"{addon_dir}/readme/DESCRIPTION.md is missing or empty")
    return fragments


def _section(title, body, level):
    return f"{title}\n{UNDERLINES[level] * _width(title)}\n\n{body}"


def build_readme(addon_dir):
    manifest = read_manifest(addon_dir)
    fragments = read_fragments(addon_dir)
    name = manifest["name"]
    out = [
        "=" * _width(name),
        name,
        "=" * _width(name),
        "",
        "..",
        f"   Generated by {GENERATED_BY} from readme/*.md and __manifest__.py:",
        "   edit those and run it again; changes made here are overwritten.",
        "",
    ]
    badges = []
    status = manifest.get("development_status", "Beta").lower()
    if status in MATURITY_BADGES:
        label, colour = MATURITY_BADGES[status]
        badges.append(
            (
                f"https://img.shields.io/badge/maturity-{label}-{colour}.png",
                "https://odoo-community.org/page/development-status",
                manifest.get("development_status", "Beta"),
            )
        )
    licence = manifest.get("license")
    if licence in LICENCE_URLS:
        badges.append(
            (
                f"https://img.shields.io/badge/licence-{licence.replace('-', '--')}"
                "-blue.png",
                LICENCE_URLS[licence],
                f"License: {licence}",
            )
        )
    for index, (image, target, alt) in enumerate(badges, 1):
        out += [
            f".. |badge{index}| image:: {image}",
            f"    :target: {target}",
            f"    :alt: {alt}",
        ]
    if badges:
        out += ["", " ".join(f"|badge{i}|" for i in range(1, len(badges) + 1)), ""]
    out += [markdown_to_rst(fragments["DESCRIPTION"], heading_base=0), ""]
    if status == "alpha":
        out += [
            ".. IMPORTANT::",
            "   This is an alpha version: the data model and design can change at any",
            "   time. Only for development or testing purposes, not for production.",
            "",
        ]
    out += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    for key, title in SECTIONS:
        if key in fragments:
            body = markdown_to_rst(fragments[key], heading_base=1)
            out += [_section(title, body, 0), ""]
    credits = []
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        credits.append(_section("Authors", "\n".join(f"- {a}" for a in authors), 1))
    for key, title in CREDIT_SECTIONS:
        if key in fragments:
            credits.append(
                _section(title, markdown_to_rst(fragments[key], heading_base=2), 1)
            )
    maintainers = manifest.get("maintainers") or []
    if maintainers:
        credits.append(
            _section("Maintainers", "\n".join(f"- {m}" for m in maintainers), 1)
        )
    if credits:
        out += [_section("Credits", "\n\n".join(credits), 0), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# index.html ---------------------------------------------------------------------


def docutils_version():
    try:
        import docutils
    except ImportError:
        return None
    return docutils.__version__


def build_index(readme_text, source_path):
    """README.rst as the HTML page of Odoo's Apps; raises on any docutils warning."""
    from docutils.core import publish_string

    html = publish_string(
        source=readme_text,
        source_path=str(source_path),
        writer_name="html4css1",
        settings_overrides=DOCUTILS_SETTINGS,
    )
    return html if html.endswith("\n") else html + "\n"


def _stale(path, expected, fix_hint):
    if not path.exists():
        print(f"{path} is missing: {fix_hint}", file=sys.stderr)
        return True
    current = path.read_text("utf-8")
    if current == expected:
        return False
    diff = difflib.unified_diff(
        current.splitlines(),
        expected.splitlines(),
        f"{path} (committed)",
        f"{path} (from the fragments)",
        lineterm="",
        n=1,
    )
    print("\n".join(list(diff)[:40]), file=sys.stderr)
    print(f"{path} is stale: {fix_hint}", file=sys.stderr)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "addon_dir", nargs="?", type=Path, default=DEFAULT_ADDON, help="addon folder"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when README.rst or index.html is stale",
    )
    args = parser.parse_args(argv)
    addon_dir = args.addon_dir.resolve()
    readme_path = addon_dir / "README.rst"
    index_path = addon_dir / "static" / "description" / "index.html"
    try:
        readme = build_readme(addon_dir)
    except MarkdownError as error:
        raise SystemExit(f"{addon_dir}/readme: {error}") from error

    version = docutils_version()
    index = None
    if version is None:
        print(
            "docutils is missing: index.html is neither built nor checked",
            file=sys.stderr,
        )
    else:
        from docutils.utils import SystemMessage

        try:
            index = build_index(readme, readme_path)
        except SystemMessage as error:
            raise SystemExit(
                f"{readme_path} does not render cleanly: {error}"
            ) from error

    hint = f"run 'python3 {GENERATED_BY}' and commit the result"
    if args.check:
        stale = _stale(readme_path, readme, hint)
        if index is not None:
            written_by = re.search(
                r'name="generator" content="Docutils ([^:" ]+)',
                index_path.read_text("utf-8") if index_path.exists() else "",
            )
            if written_by and written_by.group(1) != version:
                print(
                    f"{index_path}: written by docutils {written_by.group(1)}, this is "
                    f"{version}: its HTML is not compared",
                    file=sys.stderr,
                )
            else:
                stale = _stale(index_path, index, hint) or stale
        return 1 if stale else 0
    readme_path.write_text(readme, "utf-8")
    if index is not None:
        index_path.parent.mkdir(parents=True, exist_ok=True)
        index_path.write_text(index, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
