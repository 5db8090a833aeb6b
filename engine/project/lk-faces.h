/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-project.h"

G_BEGIN_DECLS

#define LK_N_LANDMARKS 68

/* The length of a face's identity descriptor (engine/identity's
 * LK_FACE_DESCRIPTOR_DIM), stored as float32. */
#define LK_PROJECT_DESCRIPTOR_DIM 128

/**
 * LkFaceMetrics:
 * Quality figures of one aligned face (engine/curate computes them). NAN
 * where not computed yet.
 */
typedef struct
{
  double sharpness;       /* variance of the Laplacian, normalised to a 256 px crop */
  double face_size;       /* face width in the source frame, px */
  double exposure;        /* mean luma of the face area, 0..1 */
  double clipped_dark;    /* fraction of face pixels at or near black */
  double clipped_bright;  /* fraction at or near white */
  double colour_cast;     /* Lab a*b* distance of the mean chroma from skin tones (lk-metrics.h) */
  double landmark_fit;    /* how well the landmarks fit the face: 0 (bad) .. 1 */
  double yaw;             /* degrees; positive: the face turns to its left */
  double pitch;           /* degrees; positive: looks up */
  double roll;            /* degrees; positive: tilts clockwise in the image */
  double occlusion;       /* share of the face area not of the skin's colour: 0 (clean) .. ~0.5 */
} LkFaceMetrics;

/**
 * LkFace:
 * One extracted face: a row of the faces table with its frame's timing.
 */
typedef struct
{
  gint64         id;
  LkIdentity     identity;
  gint64         source_id;
  gint64         frame_id;
  int            face_index;       /* within the frame, left to right */
  int            frame_index;      /* decode order within the source */
  gint64         pts;              /* stream time base */
  double         time;             /* seconds */
  char          *file;             /* absolute path of the aligned crop */
  int            crop_size;
  double         coverage;
  float          box[4];           /* x, y, width, height in frame pixels */
  float          score;
  float          landmarks[LK_N_LANDMARKS * 2];  /* frame coordinates */
  double         matrix[6];        /* 2x3 frame -> face */
  int            faces_in_frame;
  LkFaceMetrics  metrics;
  gint64         phash;
  gint64         dup_group;        /* -1: none */
  gboolean       included;
  char          *exclude_reason;   /* NULL when included */
  float         *descriptor;       /* LK_PROJECT_DESCRIPTOR_DIM floats; NULL: not computed */
} LkFace;

#define LK_TYPE_FACE (lk_face_get_type ())

GType    lk_face_get_type (void) G_GNUC_CONST;
LkFace  *lk_face_new      (void);
LkFace  *lk_face_copy     (const LkFace *face);
void     lk_face_free     (LkFace       *face);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkFace, lk_face_free)

void     lk_face_metrics_init (LkFaceMetrics *metrics);

typedef enum
{
  LK_FACE_FILTER_ALL,
  LK_FACE_FILTER_INCLUDED,
  LK_FACE_FILTER_EXCLUDED,
} LkFaceFilter;

/* Faces of @identity (-1: both), in the order of @sort_key: "id" (the
 * order of extraction), "time", "sharpness", "face_size", "exposure",
 * "colour_cast", "landmark_fit", "occlusion", "yaw", "pitch", "roll",
 * "faces_in_frame", "dup_group"; descending when @descending. @reason,
 * when not NULL, keeps only faces excluded for that reason. Element type
 * LkFace. */
GPtrArray *lk_project_list_faces (LkProject     *self,
                                  int            identity,
                                  LkFaceFilter   filter,
                                  const char    *reason,
                                  const char    *sort_key,
                                  gboolean       descending,
                                  GError       **error);
LkFace    *lk_project_get_face   (LkProject     *self,
                                  gint64         face_id,
                                  GError       **error);
gboolean   lk_face_sort_key_is_valid (const char *sort_key);

/* Includes or excludes faces in one transaction. @reason is stored with an
 * exclusion ("manual", "blurry", "multi-face", ...) and cleared on
 * inclusion. Nothing is deleted. */
gboolean   lk_project_set_faces_included (LkProject    *self,
                                          const gint64 *face_ids,
                                          guint         n_faces,
                                          gboolean      included,
                                          const char   *reason,
                                          GError      **error);

/* Sets each face's include flag and reason exactly as given (for undo and
 * redo: pass the states read before a change). One transaction. */
gboolean   lk_project_set_faces_state    (LkProject          *self,
                                          const gint64       *face_ids,
                                          const gboolean     *included,
                                          const char * const *reasons,
                                          guint               n_faces,
                                          GError            **error);

/* Stores metrics (and pose) of faces, in one transaction. */
gboolean   lk_project_store_metrics      (LkProject           *self,
                                          const gint64        *face_ids,
                                          const LkFaceMetrics *metrics,
                                          guint                n_faces,
                                          GError             **error);
/* Identity descriptors (engine/identity): LK_PROJECT_DESCRIPTOR_DIM floats
 * per face, NULL until computed. Extraction stores them with the faces
 * (LkFace.descriptor); faces of older projects get theirs later. */

/* Stores the descriptors of @n_faces faces (@descriptors holds them one
 * after the other), in one transaction. */
gboolean   lk_project_set_face_descriptors (LkProject    *self,
                                            const gint64 *face_ids,
                                            const float  *descriptors,
                                            guint         n_faces,
                                            GError      **error);
/* Reads a face's descriptor into @out; %LK_ERROR_NOT_FOUND when the face
 * does not exist or has no descriptor yet. */
gboolean   lk_project_get_face_descriptor  (LkProject    *self,
                                            gint64        face_id,
                                            float         out[LK_PROJECT_DESCRIPTOR_DIM],
                                            GError      **error);
/* The ids (gint64, ascending) of the faces of @identity (-1: both) that
 * have no descriptor yet. */
GArray    *lk_project_list_faces_without_descriptor (LkProject  *self,
                                                     int         identity,
                                                     GError    **error);

/* Stores perceptual hashes and duplicate groups (-1: none). */
gboolean   lk_project_store_duplicates   (LkProject           *self,
                                          const gint64        *face_ids,
                                          const gint64        *phashes,
                                          const gint64        *groups,
                                          guint                n_faces,
                                          GError             **error);

/* Deletes faces from the project AND their crop files: only on the artist's
 * explicit request. */
gboolean   lk_project_delete_faces       (LkProject    *self,
                                          const gint64 *face_ids,
                                          guint         n_faces,
                                          GError      **error);

/* Extraction's side: frames already processed for a source (a set of pts,
 * gint64 keys via g_int64_hash), and storing one frame with its faces in one
 * transaction; the faces' crop files must be written before. Returns the
 * frame's id, or -1 with @error. */
GHashTable *lk_project_get_processed_frames (LkProject  *self,
                                             gint64      source_id,
                                             GError    **error);
gint64     lk_project_store_frame (LkProject   *self,
                                   gint64       source_id,
                                   int          frame_index,
                                   gint64       pts,
                                   double       time,
                                   LkFace     **faces,
                                   guint        n_faces,
                                   GError     **error);
/* What extraction learnt about a source. */
gboolean   lk_project_update_source_info (LkProject   *self,
                                          gint64       source_id,
                                          const char  *sha256,
                                          double       duration,
                                          double       fps,
                                          int          width,
                                          int          height,
                                          GError     **error);
gboolean   lk_project_mark_source_extracted (LkProject  *self,
                                             gint64      source_id,
                                             const char *params_json,
                                             GError    **error);
/* Whether an extraction pass with @params_json completed on the source. */
gboolean   lk_project_source_is_extracted_with (LkProject  *self,
                                                gint64      source_id,
                                                const char *params_json);
/* Takes back part of an extraction pass, in one transaction: the frames
 * @frame_ids (with their faces) and, when @remove_source, the source
 * itself. The crop files are the caller's. */
gboolean   lk_project_discard_frames     (LkProject    *self,
                                          gint64        source_id,
                                          const gint64 *frame_ids,
                                          guint         n_frames,
                                          gboolean      remove_source,
                                          GError      **error);

/* The crop size and coverage most of the project's faces were extracted
 * with; 0 for each when there are no faces. */
gboolean   lk_project_get_face_geometry  (LkProject    *self,
                                          int          *crop_size,
                                          double       *coverage,
                                          GError      **error);

/* The relative file name a face crop of (source, pts, index) gets. */
char      *lk_project_face_file_name     (LkProject   *self,
                                          LkIdentity   identity,
                                          gint64       source_id,
                                          gint64       pts,
                                          int          face_index);

G_END_DECLS
