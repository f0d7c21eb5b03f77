#!/usr/bin/env python3
"""Funnel's app icons, drawn here from a few rounded rectangles (no third-party art or tools):
a blue tile with three white bars narrowing like a funnel, and a dot for the deal coming out.

Writes, from the one geometry below, the SVG and the PNGs the manifest names:
    web/icons/icon.svg               any size (browsers that take SVG icons)
    web/icons/icon-192.png           rounded tile, 192 px
    web/icons/icon-512.png           rounded tile, 512 px
    web/icons/icon-maskable-512.png  full-bleed tile, the drawing inside the 80 % safe circle
    web/icons/apple-touch-icon.png   180 px, full-bleed (iOS rounds it itself)
Standard library only (zlib + struct): each shape's coverage is computed exactly along the row
at 8 sub-rows per pixel, which anti-aliases as well as the renderers do at these sizes.
    /usr/bin/python3 assets/icons/make_icons.py [out_dir]   (default: web/icons)
"""
import math
import os
import struct
import sys
import zlib

# [SECTION] Geometry on a 512 grid: (x0, y0, x1, y1, radius, colour)
BLUE = (0x3B, 0x6F, 0xD8)
WHITE = (0xFF, 0xFF, 0xFF)
TILE_RADIUS = 112
BARS = [
    (88, 118, 424, 182, 32, WHITE),
    (148, 214, 364, 278, 32, WHITE),
    (208, 310, 304, 374, 32, WHITE),
    (228, 400, 284, 456, 28, WHITE),   # the won deal, a dot under the funnel
]
THEME = '#%02x%02x%02x' % BLUE


def shapes(maskable):
    """The tile and its bars; a maskable icon is full bleed with the bars scaled into its
    safe zone (a circle of 40 % of the size around the centre)."""
    if maskable:
        tile = (0, 0, 512, 512, 0, BLUE)
        s, c = 0.8, 256
        bars = [(c + (x0 - c) * s, c + (y0 - c) * s, c + (x1 - c) * s, c + (y1 - c) * s, r * s, col)
                for (x0, y0, x1, y1, r, col) in BARS]
    else:
        tile = (0, 0, 512, 512, TILE_RADIUS, BLUE)
        bars = BARS
    return [tile] + bars


# [SECTION] SVG
def svg():
    def rect(x0, y0, x1, y1, r, col):
        return ('<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="#%02x%02x%02x"/>'
                % (x0, y0, x1 - x0, y1 - y0, r, *col))
    body = '\n  '.join(rect(*s) for s in shapes(False))
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">\n'
            '  <title>Funnel</title>\n  %s\n</svg>\n' % body)


# [SECTION] Raster
def row_span(shape, y, scale):
    """The x interval (pixels) a rounded rectangle covers on the horizontal line at y (pixels)."""
    x0, y0, x1, y1, r = (v * scale for v in shape[:5])
    if y < y0 or y >= y1:
        return None
    dy = max(y0 + r - y, y - (y1 - r), 0.0)
    inset = r - math.sqrt(max(r * r - dy * dy, 0.0)) if r > 0 else 0.0
    return x0 + inset, x1 - inset


def render(size, maskable):
    sub = 8
    scale = size / 512.0
    layers = shapes(maskable)
    pixels = bytearray()
    for py in range(size):
        rgb = [[0.0, 0.0, 0.0] for _ in range(size)]
        alpha = [0.0] * size
        for shape in layers:
            cover = [0.0] * size
            for sy in range(sub):
                span = row_span(shape, py + (sy + 0.5) / sub, scale)
                if not span:
                    continue
                a, b = max(span[0], 0.0), min(span[1], float(size))
                for px in range(int(a), min(int(math.ceil(b)), size)):
                    cover[px] += (min(b, px + 1) - max(a, px)) / sub
            col = shape[5]
            for px in range(size):
                c = min(cover[px], 1.0)
                if c <= 0:
                    continue
                # "over" with premultiplied colour
                for k in range(3):
                    rgb[px][k] = col[k] * c + rgb[px][k] * (1 - c)
                alpha[px] = c + alpha[px] * (1 - c)
        pixels.append(0)   # PNG filter: none
        for px in range(size):
            a = alpha[px]
            if a <= 0:
                pixels += b'\0\0\0\0'
            else:
                pixels += bytes(int(round(min(rgb[px][k] / a, 255))) for k in range(3))
                pixels.append(int(round(a * 255)))
    return png(size, size, bytes(pixels))


def png(w, h, raw):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'web', 'icons')
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'icon.svg'), 'w') as f:
        f.write(svg())
    for name, size, maskable in [('icon-192.png', 192, False), ('icon-512.png', 512, False),
                                 ('icon-maskable-512.png', 512, True), ('apple-touch-icon.png', 180, True)]:
        with open(os.path.join(out, name), 'wb') as f:
            f.write(render(size, maskable))
    print('icons: wrote', out)


if __name__ == '__main__':
    main()
