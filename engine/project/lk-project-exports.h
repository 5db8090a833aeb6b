/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-project.h"

G_BEGIN_DECLS

/* The exports table: a row per export, added when it starts ("running")
 * and closed when it ends ("done", "failed", "cancelled"). */

/* Returns the new row's id, or -1 with @error. */
gint64     lk_project_begin_export  (LkProject   *self,
                                     const char  *target,
                                     const char  *output,
                                     const char  *direction,
                                     const char  *settings_json,
                                     const char  *checkpoint_sha256,
                                     GError     **error);
gboolean   lk_project_end_export    (LkProject   *self,
                                     gint64       export_id,
                                     const char  *status,
                                     const char  *output_sha256,
                                     GError     **error);

/**
 * LkExportRecord:
 * A row of the exports table.
 */
typedef struct
{
  gint64  id;
  char   *target;
  char   *output;
  char   *direction;
  char   *settings;            /* JSON */
  char   *checkpoint_sha256;
  char   *output_sha256;       /* NULL until done */
  gint64  started_at;          /* unix seconds */
  gint64  finished_at;         /* 0 while running */
  char   *status;
} LkExportRecord;

void            lk_export_record_free (LkExportRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkExportRecord, lk_export_record_free)

/* NULL with LK_ERROR_NOT_FOUND when there is no such export. */
LkExportRecord *lk_project_get_export (LkProject   *self,
                                       gint64       export_id,
                                       GError     **error);

G_END_DECLS
