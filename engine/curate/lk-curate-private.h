/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Of @faces (LkFace, any order), the duplicate-group members to exclude:
 * among the faces with skip[i] FALSE, each group keeps its sharpest (NaN
 * counts as least sharp; ties keep the smaller id) and sets out[i] TRUE for
 * the others. */
void _lk_curate_mark_duplicates (GPtrArray      *faces,
                                 const gboolean *skip,
                                 gboolean       *out);

G_END_DECLS
