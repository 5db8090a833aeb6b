/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"

G_BEGIN_DECLS

/* A scratch buffer that only grows: reused between calls so that the
 * preview's hot path does not allocate. */
typedef struct
{
  void  *data;
  gsize  size;
} LkScratch;

void *_lk_scratch_get   (LkScratch *scratch,
                         gsize      size);
void  _lk_scratch_clear (LkScratch *scratch);

/* Same width and height (any channel counts). */
static inline gboolean
_lk_same_dims (const LkImage *a,
               const LkImage *b)
{
  return a->width == b->width && a->height == b->height;
}

/* @swap, @original and @out 3-channel images of one size, @mask (may be
 * NULL) 1-channel of that size; else an error saying what @what needs. */
gboolean _lk_check_compose_buffers (const LkImage  *swap,
                                    const LkImage  *original,
                                    const LkImage  *mask,
                                    const LkImage  *out,
                                    const char     *what,
                                    GError        **error);

G_END_DECLS
