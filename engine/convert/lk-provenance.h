/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "lk-image.h"

G_BEGIN_DECLS

/*
 * Provenance of exported videos.
 *
 * Every export is marked as synthetic, by default in two ways:
 *  - container tags (MP4/MOV keep custom keys; see lk-video-writer.h):
 *      comment   = "Synthetic media: face replaced with Likeness <version>"
 *      synthetic = "true"
 *      generator = "Likeness <version>"
 *    ("encoder" is left to the writer);
 *  - a sidecar "<output>.likeness.json", written atomically after the
 *    output has its final name: format and version, tool and version,
 *    creation time, the SHA-256 of the output, of the target, of each source
 *    video of the project and of the checkpoint, the direction and every
 *    setting used (lk_convert_params_to_json()).
 * Optionally a visible label is burned into the frames
 * (lk_provenance_draw_label(); off by default, since it changes the
 * picture: "export.burn-in-label").
 *
 * lk_provenance_verify() checks an output against its sidecar.
 */

#define LK_PROVENANCE_FORMAT          "likeness-provenance"
#define LK_PROVENANCE_FORMAT_VERSION  1
#define LK_PROVENANCE_SIDECAR_SUFFIX  ".likeness.json"
#define LK_PROVENANCE_LABEL_TEXT      "AI-GENERATED"

/* "<output>.likeness.json" */
char        *lk_provenance_sidecar_path (const char    *output);

/* "Likeness <version>" */
const char  *lk_provenance_generator    (void);

/* The container tags above as a NULL-terminated key, value, ... list for
 * LkVideoWriterParams.metadata (free with g_strfreev). */
char       **lk_provenance_metadata_tags (void);

/* SHA-256 of a file's bytes, lowercase hex; NULL with an error naming the
 * file. */
char        *lk_provenance_file_sha256  (const char    *path,
                                         GCancellable  *cancellable,
                                         GError       **error);

/**
 * lk_provenance_write_sidecar:
 * @output: the finished output file
 * @record: the JSON object to write (the caller fills in what it knows:
 *   target, sources, checkpoint, direction, settings, ...); "format",
 *   "format-version", "generator", "synthetic", "created" and "output"
 *   (file name, size and SHA-256, computed here) are set here
 *
 * Writes the sidecar atomically (temporary file + rename).
 */
gboolean     lk_provenance_write_sidecar (const char   *output,
                                          JsonObject   *record,
                                          GCancellable *cancellable,
                                          GError      **error);

/**
 * LkProvenanceReport:
 * What lk_provenance_verify() found.
 */
typedef struct
{
  char     *output;
  char     *sidecar;
  char     *expected_sha256;   /* from the sidecar */
  char     *actual_sha256;     /* of the file now */
  gboolean  hash_matches;
  gboolean  metadata_expected; /* the sidecar says the tags were written */
  gboolean  metadata_synthetic;/* the container says synthetic="true" */
  char     *generator;         /* the sidecar's generator */
  char     *created;           /* the sidecar's creation time */
  char     *direction;
  char     *checkpoint_sha256;
  char     *target_sha256;
} LkProvenanceReport;

void         lk_provenance_report_free  (LkProvenanceReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkProvenanceReport, lk_provenance_report_free)

/**
 * lk_provenance_verify:
 * @output: an exported video
 * @report: (out) (optional): what was found (also set on a mismatch, when
 *   the sidecar could be read)
 *
 * Reads "<output>.likeness.json", recomputes the output's SHA-256 and
 * compares it, and checks that the container says it is synthetic (when
 * the sidecar says the tags were written).
 *
 * Returns: TRUE when all matches; FALSE with LK_ERROR_NOT_FOUND (no output
 *   or no sidecar), LK_ERROR_CORRUPT (a malformed sidecar) or
 *   LK_ERROR_INVALID_INPUT (the output's bytes or its metadata do not match
 *   the sidecar), the message saying which.
 */
gboolean     lk_provenance_verify       (const char          *output,
                                         LkProvenanceReport **report,
                                         GCancellable        *cancellable,
                                         GError             **error);

/**
 * lk_provenance_draw_label:
 * @frame: RGB or RGBA, drawn on in place
 * @text: (nullable): upper-case ASCII (A-Z, 0-9, space and - . : / ( ));
 *   NULL: LK_PROVENANCE_LABEL_TEXT
 *
 * Burns a visible label into the bottom-right corner: white text from a
 * built-in 5x7 bitmap font on a dark box, scaled with the frame's height
 * (a glyph is about 2.2% of it).
 */
void         lk_provenance_draw_label   (LkImage             *frame,
                                         const char          *text);

/* The rectangle lk_provenance_draw_label() covers on a frame of this size. */
void         lk_provenance_label_rect   (int                  frame_width,
                                         int                  frame_height,
                                         const char          *text,
                                         int                 *x,
                                         int                 *y,
                                         int                 *width,
                                         int                 *height);

G_END_DECLS
