/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-face-states.h"
#include "lk-image.h"
#include "lk-project.h"

G_BEGIN_DECLS

/*
 * Near-duplicate faces.
 *
 * The perceptual hash is the classic 64-bit DCT pHash: grey, area-averaged
 * to 32x32, 2D DCT-II, and one bit per coefficient of the 8x8 lowest
 * frequencies, set where the coefficient is above their median. Faces are
 * hashed over the face region of the aligned crop (the box of the mean
 * face's landmarks, the same for every crop of a size and coverage), so the
 * hash follows expression, pose and lighting rather than the background;
 * JPEG-like quantisation, slight noise or re-encoding change a few bits.
 *
 * Faces are grouped per identity around leaders: in extraction order, each
 * face joins the group of the nearest earlier leader whose hash differs in
 * at most @max_distance bits, or becomes a leader itself. So every member is
 * within @max_distance of its group's first face. (Plain single linkage,
 * union-find over all close pairs, chains a whole talking-head clip into one
 * group: successive frames are always close.)
 */

#define LK_DUPLICATES_DEFAULT_DISTANCE 4

/* The pHash of @image (1, 3 or 4 channels, at least 8x8). Never 0 for a
 * real picture (0 means "no hash" in the project); a flat picture hashes to
 * 1. */
guint64 lk_curate_phash        (const LkImage *image);

static inline int
lk_curate_hamming (guint64 a,
                   guint64 b)
{
  return __builtin_popcountll (a ^ b);
}

/* The pHash of the face region of an aligned crop made with @coverage
 * (LkAlignParams; <= 0: the default). */
guint64 lk_curate_face_phash   (const LkImage *crop,
                                double         coverage);

/* Groups @n hashes (in this order): @groups_out[i] is the index of the
 * leader (first member) of i's group, or -1 when i has no near-duplicate
 * (or hashes[i] is 0). Returns the number of groups with two or more
 * members. O(n x leaders). */
guint   lk_curate_group_hashes (const guint64 *hashes,
                                guint          n,
                                int            max_distance,
                                gint64        *groups_out);

/* Groups the faces of @identity (-1: both, each separately) by their stored
 * hashes (lk_curate_analyse() computes them) and stores the groups: a
 * group's id is the id of its first face. Faces without a hash are left out.
 * @n_groups (may be NULL) receives the number of groups. */
gboolean lk_curate_find_duplicates (LkProject  *project,
                                    int         identity,
                                    int         max_distance,
                                    guint      *n_groups,
                                    GError    **error);

/* Of each duplicate group of @identity (-1: both), keeps the sharpest
 * included face (on equal sharpness, the first) and excludes the group's
 * other included faces with reason "duplicate". @previous (may be NULL)
 * receives the states of the faces it changed, for undo. */
gboolean lk_curate_keep_best_of_groups (LkProject     *project,
                                        int            identity,
                                        LkFaceStates **previous,
                                        guint         *n_excluded,
                                        GError       **error);

G_END_DECLS
