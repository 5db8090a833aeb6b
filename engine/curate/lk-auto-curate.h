/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-face-states.h"
#include "lk-job.h"
#include "lk-metrics.h"
#include "lk-project.h"

G_BEGIN_DECLS

/**
 * LkCurateRule:
 * The rules of the automatic first pass, in the order they are tried: a
 * face that several rules flag is excluded with the first one's name as
 * its reason (lk_curate_rule_to_string()).
 */
typedef enum
{
  /* "another-person": the face's identity descriptor is far from the
   * median of its identity's (engine/identity) */
  LK_CURATE_RULE_ANOTHER_PERSON,
  LK_CURATE_RULE_MULTI_FACE,   /* "multi-face": more than one person in the frame */
  LK_CURATE_RULE_SMALL,        /* "small": face narrower than min_face_size in its frame */
  LK_CURATE_RULE_OCCLUDED,     /* "occluded": landmarks fit the mean face badly, or much
                                * of the face is not of the skin's colour */
  LK_CURATE_RULE_BLURRY,       /* "blurry": low sharpness (relative and/or absolute) */
  LK_CURATE_RULE_DARK,         /* "dark": low exposure or much clipped black */
  LK_CURATE_RULE_BRIGHT,       /* "bright": high exposure or much clipped white */
  LK_CURATE_RULE_TINTED,       /* "tinted": a colour cast beyond skin's */
  /* "extreme-pose": |yaw| or |pitch| beyond a limit */
  LK_CURATE_RULE_POSE,         /*< nick=extreme-pose >*/
  LK_CURATE_RULE_DUPLICATE,    /* "duplicate": near-duplicate of a sharper kept face */
  LK_CURATE_N_RULES            /*< skip >*/
} LkCurateRule;

const char *lk_curate_rule_to_string   (LkCurateRule  rule);
/* -1 when @name is not a rule. */
int         lk_curate_rule_from_string (const char   *name);

/**
 * LkAutoCurateParams:
 * The automatic pass's thresholds; a threshold of 0 (or a FALSE flag) turns
 * its rule off. Start from lk_auto_curate_params_default().
 */
typedef struct
{
  double   max_identity_distance;/* descriptor distance from the median of the identity's
                                  * faces above which a face is another person (default
                                  * LK_FACE_SAME_PERSON_DISTANCE, 0.6); needs the face
                                  * recognition network, faces without a descriptor are
                                  * not flagged */
  gboolean multi_face;           /* exclude faces of frames with several faces */
  double   min_face_size;        /* px in the source frame (default 64) */
  double   min_landmark_fit;     /* 0..1 (default 0.3) */
  double   max_occlusion;        /* the occlusion metric (lk-metrics.h) above this is occluded
                                  * (default 0.2: a fifth of the face covered; the faces of
                                  * clean footage score about 0 to 0.1, an object over a
                                  * quarter of the face about 0.25) */
  double   blurry_relative;      /* fraction of the identity's median sharpness (default 0.35) */
  double   blurry_absolute;      /* absolute sharpness (default 0: off) */
  double   dark_exposure;        /* mean luma below this is dark (default 0.15) */
  double   bright_exposure;      /* above this is bright (default 0.88) */
  double   max_clipped;          /* clipped black (dark) or white (bright) fraction (default 0.2) */
  double   max_colour_cast;      /* Lab distance from skin (default 12) */
  double   colour_cast_margin;   /* a face of a video is tinted only when its cast also exceeds
                                  * its video's median cast by this much (default 8): footage
                                  * lit in one colour throughout is kept, since colour transfer
                                  * at conversion matches it; 0: the absolute bar alone */
  double   max_yaw;              /* degrees (default 0: off) */
  double   max_pitch;            /* degrees (default 0: off) */
  gboolean duplicates;           /* keep only the sharpest of each duplicate group (default on) */
  int      duplicate_distance;   /* pHash bits for lk_curate_prepare() (default 4) */
} LkAutoCurateParams;

LkAutoCurateParams lk_auto_curate_params_default (void);

/**
 * LkAutoCuratePlan:
 * What the automatic pass would do: the preview and, unchanged, what
 * lk_auto_curate_apply() then does.
 *
 * Only included faces are looked at (faces already excluded keep their
 * reason). @flagged counts per rule every face the rule flags on its own;
 * @excluded counts per rule the faces that get its name as their reason
 * (each face once, the first rule in order); @total is their sum.
 */
typedef struct
{
  int       identity;                        /* -1: both */
  guint     considered;                      /* included faces looked at */
  guint     flagged[LK_CURATE_N_RULES];
  guint     excluded[LK_CURATE_N_RULES];
  guint     total;
  double    median_sharpness[2];             /* per identity, NAN when unknown */
  guint     with_descriptor;                 /* considered faces with an identity descriptor */
  GArray   *face_ids;                        /* gint64: faces to exclude */
  GArray   *rules;                           /* int (LkCurateRule): each one's reason */
} LkAutoCuratePlan;

void     lk_auto_curate_plan_free  (LkAutoCuratePlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkAutoCuratePlan, lk_auto_curate_plan_free)

/* Computes what lk_curate_analyse() and lk_curate_find_duplicates() have not
 * yet (metrics and hashes of new faces; the groups always, since the
 * distance may have changed), and, when the "another-person" rule is on,
 * the identity descriptors of faces lacking one (lk_identity_describe_faces();
 * without the network that rule flags nothing and one message says so).
 * Progress through @job; blocking. */
gboolean lk_curate_prepare         (LkProject                *project,
                                    int                       identity,
                                    const LkAutoCurateParams *params,
                                    LkJob                    *job,
                                    LkAnalyseSummary         *summary,
                                    GError                  **error);

/* The preview: decides, changes nothing. Faces lacking a metric are not
 * flagged by the rules of that metric. */
LkAutoCuratePlan *lk_auto_curate_plan (LkProject                *project,
                                       int                       identity,
                                       const LkAutoCurateParams *params,
                                       GError                  **error);

/* Excludes the plan's faces with their rules' names as reasons, in one
 * transaction. @previous (may be NULL) receives their states before, for
 * an exact undo with lk_face_states_restore(). Nothing is deleted. */
gboolean lk_auto_curate_apply      (LkProject                *project,
                                    const LkAutoCuratePlan   *plan,
                                    LkFaceStates            **previous,
                                    GError                  **error);

/**
 * lk_curate_identity_distances:
 * @faces: (element-type LkFace): the faces to measure
 * @reference: (element-type LkFace) (nullable): the faces whose median
 *   descriptor stands for each identity (%NULL: @faces)
 *
 * The distance of each face's descriptor from the element-wise median of
 * the descriptors of its identity's faces in @reference: how far it is
 * from the person the set is of.
 *
 * Returns: (transfer full): doubles parallel to @faces; NAN for a face
 *   without a descriptor or an identity without any
 */
GArray  *lk_curate_identity_distances (GPtrArray *faces,
                                       GPtrArray *reference);

/* Sorts @faces (LkFace) by lk_curate_identity_distances() (@reference as
 * there): nearest first, or farthest first when @descending; faces without
 * a distance last either way, ties in id order. */
void     lk_curate_sort_by_identity   (GPtrArray *faces,
                                       GPtrArray *reference,
                                       gboolean   descending);

G_END_DECLS
