/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"

G_BEGIN_DECLS

/*
 * Plane geometry on pixel grids: the convex hull of landmarks, polygons
 * rasterised into masks or row spans, and resampling of whole images.
 *
 * Coordinates are in pixels with pixel centres at integers (pixel (x, y)
 * covers [x - 0.5, x + 0.5] x [y - 0.5, y + 0.5]) unless stated otherwise;
 * y grows downwards.
 */

/**
 * LkPoint:
 * @x: column
 * @y: row
 *
 * A point in the plane. Its layout is that of `double[2]`.
 */
typedef struct
{
  double x;
  double y;
} LkPoint;

/**
 * lk_convex_hull:
 * @points: (array length=n): the points, in any order, duplicates allowed
 * @n: their count
 * @hull: (out): room for @n + 1 points
 *
 * Andrew's monotone chain. The hull starts at the point with the smallest x
 * (then y) and turns with positive cross products in (x, y) (clockwise on
 * screen, where y grows downwards). Duplicates and points on an edge are
 * left out; all points alike give one, all on a line the two ends.
 *
 * Returns: the hull's vertex count
 */
int      lk_convex_hull        (const LkPoint  *points,
                                int             n,
                                LkPoint        *hull);

/**
 * LkPolygonRule:
 * @LK_POLYGON_EVEN_ODD: any outline, even-odd rule; an edge covers the rows
 *   [y0, y1) and a span the columns [a, b): a pixel centre on a top or left
 *   edge is inside, on a bottom or right one outside, so polygons sharing
 *   an edge share no pixel.
 * @LK_POLYGON_CONVEX_CLOSED: a convex outline, taken as a closed set: pixel
 *   centres on the outline (horizontal edges and vertices too) are inside.
 *
 * Which pixel centres a polygon holds.
 */
typedef enum
{
  LK_POLYGON_EVEN_ODD,
  LK_POLYGON_CONVEX_CLOSED,
} LkPolygonRule;

/**
 * lk_polygon_span:
 * @poly: (array length=n): the outline of a convex polygon
 * @n: its vertex count
 * @y: the horizontal line, in any units the outline is in
 * @rule: which edge ends count (%LK_POLYGON_EVEN_ODD: [y0, y1))
 * @lo: (out): the leftmost crossing
 * @hi: (out): the rightmost crossing
 *
 * The extent of the convex polygon on the line at @y, unrounded (the sub-
 * scanlines of an anti-aliased fill use it).
 *
 * Returns: %FALSE when the line misses the polygon
 */
gboolean lk_polygon_span       (const LkPoint  *poly,
                                int             n,
                                double          y,
                                LkPolygonRule   rule,
                                double         *lo,
                                double         *hi);

/**
 * lk_polygon_row_spans:
 * @poly: (array length=n): the outline of a convex polygon
 * @n: its vertex count
 * @rule: which pixel centres it holds
 * @width: pixels per row
 * @height: rows
 * @x0: (out caller-allocates) (array length=height): first pixel inside per row
 * @x1: (out caller-allocates) (array length=height): last pixel inside per row
 *
 * For each row of a @width x @height grid, the pixels inside as the
 * inclusive span @x0[y] .. @x1[y], clamped to the grid; @x0[y] > @x1[y] for
 * an empty row.
 *
 * Returns: the count of pixels inside
 */
gsize    lk_polygon_row_spans  (const LkPoint  *poly,
                                int             n,
                                LkPolygonRule   rule,
                                int             width,
                                int             height,
                                int            *x0,
                                int            *x1);

/**
 * lk_polygon_fill:
 * @mask: a 1-channel image
 * @poly: (array length=n): the outline
 * @n: its vertex count; %LK_POLYGON_EVEN_ODD fills nothing under 3, while
 *   %LK_POLYGON_CONVEX_CLOSED holds the centres on a segment or a point
 * @rule: which pixel centres it holds
 * @value: what those pixels are set to
 *
 * Sets the pixels of @mask whose centres lie inside the polygon to @value
 * (no anti-aliasing: see lk_spans_coverage() for that); the others are left
 * as they are.
 *
 * Returns: the count of pixels set
 */
gsize    lk_polygon_fill       (LkImage        *mask,
                                const LkPoint  *poly,
                                int             n,
                                LkPolygonRule   rule,
                                guint8          value);

/**
 * lk_spans_coverage:
 * @l: (array): left ends, @sub per row of @out, top to bottom
 * @r: (array): right ends, likewise; @l > @r for an empty sub-scanline
 * @sub: sub-scanlines per row
 * @out: a 1-channel image
 * @acc: scratch of 2 x (@out->width + 1) 32-bit integers
 *
 * Anti-aliased fill of a region given by its horizontal spans: each pixel
 * of @out gets the part of its area inside, 0..255, with the horizontal
 * coverage exact and the vertical one averaged over @sub sub-scanlines.
 * Here (unlike elsewhere) pixel x covers [x, x + 1): the spans are in the
 * coordinates of the pixels' edges.
 */
void     lk_spans_coverage     (const float    *l,
                                const float    *r,
                                int             sub,
                                LkImage        *out,
                                gint32         *acc);

/**
 * lk_resample:
 * @src: any image
 * @width: the result's width
 * @height: the result's height
 *
 * @src scaled to @width x @height, as a new image with its channels: a
 * copy at the same size; the mean of k x k blocks (rounded) when @src is
 * exactly k times larger in both directions, so nothing aliases; bilinear
 * otherwise, the pixel grids' outer edges matched and edges replicated.
 *
 * Returns: (transfer full): the new image
 */
LkImage *lk_resample           (const LkImage  *src,
                                int             width,
                                int             height);

G_END_DECLS
