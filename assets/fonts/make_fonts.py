#!/usr/bin/python3
"""Builds Funnel's web fonts from Debian's font packages (run with /usr/bin/python3 + fontTools).

  cjk-sc.otf, cjk-tc.otf, cjk-kr.otf  Noto Sans CJK SC / TC / KR faces (CFF outlines, which
                                      stb_truetype reads; no CFF2, no WOFF2), each covering
                                      GB2312 + Big5 + all 11172 Hangul syllables + CJK
                                      punctuation, so text in any of the three scripts renders
                                      with the glyph forms of the UI language.
  ui-latin.ttf                        Inter Regular, Latin + punctuation + currency + symbols,
                                      converted to TrueType outlines.

The code point sets come from Python's gb2312 / big5 codecs instead of hard-coded tables.
Layout features and hinting are dropped: ImGui shapes nothing and rasterizes unhinted.

usage: make_fonts.py OUT_DIR [cjk-sc|cjk-tc|cjk-kr|ui-latin ...]
       make_fonts.py --check OUT_DIR     verify built fonts (tests/e2e/fonts.test.mjs runs it)
"""
import os
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
INTER = "/usr/share/fonts/opentype/inter/Inter-Regular.otf"

# Face names inside the Noto Sans CJK collection (name ID 4), picked by name, not index,
# so a repacked collection does not silently swap the regional glyph forms.
CJK_FACES = {
    "cjk-sc": "Noto Sans CJK SC",
    "cjk-tc": "Noto Sans CJK TC",
    "cjk-kr": "Noto Sans CJK KR",
}


def decoded(codec, lead_bytes, trail_bytes):
    """Every character a double-byte codec maps the given byte pairs to."""
    out = set()
    for lead in lead_bytes:
        for trail in trail_bytes:
            try:
                text = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            out.update(ord(c) for c in text)
    return out


def cjk_codepoints():
    gb2312 = decoded("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    big5_trail = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    # Big5 0xA140-0xA3BF: symbols and punctuation; 0xA440-0xC67E: level 1 hanzi.
    big5_symbols = decoded("big5", range(0xA1, 0xA4), big5_trail)
    big5_level1 = {
        cp for lead in range(0xA4, 0xC7) for trail in big5_trail
        if (lead << 8 | trail) <= 0xC67E
        for cp in decoded("big5", [lead], [trail])
    }
    hangul = set(range(0xAC00, 0xD7A4))           # all 11172 syllables
    extra = set()
    extra.update(range(0x20, 0x7F))               # ASCII, so CJK-only strings keep one face
    extra.update(range(0x3000, 0x3040))           # CJK symbols and punctuation
    extra.update(range(0x3040, 0x3100))           # kana (GB2312 has them; cheap)
    extra.update(range(0x3100, 0x3130))           # bopomofo: zhuyin IME preedit
    extra.update(range(0x3130, 0x3190))           # Hangul compatibility jamo: Korean IME preedit
    extra.update(range(0xFF00, 0xFFF0))           # halfwidth and fullwidth forms
    extra.update((0x00B7, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x20A9, 0xFFFD))
    return gb2312 | big5_symbols | big5_level1 | hangul | extra


def latin_codepoints():
    cps = set()
    for lo, hi in (
        (0x0020, 0x007F),   # ASCII
        (0x00A0, 0x0100),   # Latin-1
        (0x0100, 0x0180),   # Latin Extended-A (names in customer records)
        (0x2000, 0x2070),   # general punctuation
        (0x20A0, 0x20D0),   # currency symbols: ₩ € ¥ ₹ …
        (0x2100, 0x2150),   # letterlike: № ™
        (0x2190, 0x2200),   # arrows
        (0x2200, 0x2300),   # mathematical operators
        (0x2300, 0x2400),   # technical: ⌘ ⏎
        (0x25A0, 0x2600),   # geometric shapes
        (0x2600, 0x27C0),   # symbols and dingbats: ★ ✓
    ):
        cps.update(range(lo, hi))
    cps.add(0xFFFD)
    return cps


def subset_options():
    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.notdef_outline = True
    opts.name_IDs = ["*"]         # keep family names and the licence notice
    opts.name_languages = ["*"]
    opts.drop_tables += ["VORG", "vhea", "vmtx", "DSIG"]
    return opts


def subset_font(font, codepoints):
    subsetter = subset.Subsetter(options=subset_options())
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    return font


def cff_to_truetype(font, max_err=1.0):
    """Replaces CFF cubic outlines with TrueType quadratic ones (the file is named .ttf)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    font.sfntVersion = "\000\001\000\000"
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(glyph_order)
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    return font


def cjk_face(name):
    collection = TTCollection(NOTO_CJK)
    for face in collection.fonts:
        if face["name"].getDebugName(4) == name:
            return face
    raise SystemExit(f"make_fonts: face '{name}' not found in {NOTO_CJK}")


def build(target, out_dir):
    out = os.path.join(out_dir, target + (".ttf" if target == "ui-latin" else ".otf"))
    if target == "ui-latin":
        font = subset_font(TTFont(INTER), latin_codepoints())
        font = cff_to_truetype(font)
    else:
        font = subset_font(cjk_face(CJK_FACES[target]), cjk_codepoints())
    tmp = out + ".tmp"
    font.save(tmp)
    os.replace(tmp, out)  # never leave a half-written font where the build looks for it
    print(f"{out}: {os.path.getsize(out) // 1024} KB, {len(font.getBestCmap())} code points")


def required_cjk():
    """What a CJK font must map, whatever the source face lacks elsewhere."""
    gb2312_hanzi = decoded("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF))
    big5_trail = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    big5_level1 = {
        cp for lead in range(0xA4, 0xC7) for trail in big5_trail
        if (lead << 8 | trail) <= 0xC67E
        for cp in decoded("big5", [lead], [trail])
    }
    hangul = set(range(0xAC00, 0xD7A4))
    punctuation = {0x3001, 0x3002, 0x300C, 0x300D, 0xFF0C, 0xFF01, 0xFF1F, 0xFF1A}
    return {"GB2312 hanzi": gb2312_hanzi, "Big5 level 1": big5_level1, "Hangul syllables": hangul,
            "CJK punctuation": punctuation}


def check(out_dir):
    """Prints one line per fact checked; exits non-zero on the first font that falls short."""
    problems = []
    fonts = {}
    for target in ["ui-latin"] + list(CJK_FACES):
        path = os.path.join(out_dir, target + (".ttf" if target == "ui-latin" else ".otf"))
        if not os.path.exists(path):
            problems.append(f"{path} missing")
            continue
        font = fonts[target] = TTFont(path)
        if "CFF2" in font or "fvar" in font or font.sfntVersion == "wOF2":
            problems.append(f"{target}: CFF2, variable or WOFF2 font (stb_truetype cannot read it)")
        cmap = font.getBestCmap()
        if target == "ui-latin":
            if "glyf" not in font:
                problems.append("ui-latin: not TrueType outlines")
            need = set(range(0x20, 0x7F)) | set(range(0xA1, 0x100)) | {0x20A9, 0x20AC, 0xA5, 0x2026, 0x2192}
            miss = sorted(need - set(cmap))
            print(f"ui-latin: {len(cmap)} code points, missing required: {len(miss)}")
            if miss:
                problems.append(f"ui-latin lacks {[hex(c) for c in miss[:10]]}")
            continue
        family = font["name"].getDebugName(1) or ""
        if CJK_FACES[target] not in family:
            problems.append(f"{target}: family is '{family}', expected {CJK_FACES[target]}")
        for label, need in required_cjk().items():
            miss = sorted(need - set(cmap))
            print(f"{target}: {label}: {len(need) - len(miss)}/{len(need)}")
            if miss:
                problems.append(f"{target} lacks {len(miss)} {label}, e.g. {[hex(c) for c in miss[:5]]}")
    # The point of three faces: regional glyph forms. 骨 (U+9AA8) is drawn differently in SC and
    # TC; 述 (U+8FF0) in SC and KR.
    def outline(target, cp):
        font = fonts.get(target)
        if not font:
            return None
        name = font.getBestCmap().get(cp)
        return font["CFF "].cff.topDictIndex[0].CharStrings[name].bytecode if name else None
    for a, b, cp in (("cjk-sc", "cjk-tc", 0x9AA8), ("cjk-sc", "cjk-kr", 0x8FF0)):
        oa, ob = outline(a, cp), outline(b, cp)
        if oa is not None and ob is not None:
            same = oa == ob
            print(f"{a} vs {b}: U+{cp:04X} {'same' if same else 'different'} glyph")
            if same:
                problems.append(f"{a} and {b} draw U+{cp:04X} alike: wrong faces picked")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        raise SystemExit(check(argv[2]))
    if len(argv) < 2:
        raise SystemExit(__doc__)
    out_dir = argv[1]
    targets = argv[2:] or ["ui-latin", "cjk-sc", "cjk-tc", "cjk-kr"]
    for path in (NOTO_CJK, INTER):
        if not os.path.exists(path):
            raise SystemExit(f"make_fonts: {path} missing (scripts/setup installs fonts-noto-cjk and fonts-inter)")
    os.makedirs(out_dir, exist_ok=True)
    for target in targets:
        if target != "ui-latin" and target not in CJK_FACES:
            raise SystemExit(f"make_fonts: unknown font '{target}'")
        build(target, out_dir)


if __name__ == "__main__":
    main(sys.argv)
