/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-setting.h"
#include "lk-types.h"

G_BEGIN_DECLS

/* A project is a folder "Name.likeness" holding project.db (SQLite, WAL),
 * faces/A, faces/B, model/ and renders/. See DESIGN.md, "The project on
 * disk". */
#define LK_PROJECT_SUFFIX          ".likeness"
#define LK_PROJECT_DB_NAME         "project.db"
#define LK_PROJECT_SCHEMA_VERSION  3

#define LK_TYPE_PROJECT (lk_project_get_type ())

G_DECLARE_FINAL_TYPE (LkProject, lk_project, LK, PROJECT, GObject)

/**
 * LkSource:
 * A video or image file added to a project for one identity.
 */
typedef struct
{
  gint64      id;
  LkIdentity  identity;
  char       *path;         /* absolute path as added */
  char       *sha256;       /* of the file's bytes, hex; NULL until hashed */
  double      duration;     /* seconds; 0 for stills or when not yet probed */
  double      fps;          /* average frame rate; 0 when unknown */
  int         width;
  int         height;
  gint64      added_at;     /* unix seconds */
} LkSource;

#define LK_TYPE_SOURCE (lk_source_get_type ())

GType      lk_source_get_type (void) G_GNUC_CONST;
LkSource  *lk_source_copy     (const LkSource *source);
void       lk_source_free     (LkSource       *source);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkSource, lk_source_free)

/* Creation and opening. @path is the project folder; lk_project_create()
 * appends LK_PROJECT_SUFFIX when it is missing and fails if the folder
 * already holds a project. lk_project_open() accepts the folder or the
 * project.db inside it, migrates an older schema (in one transaction, after
 * a backup copy of the database) and refuses a newer one. */
LkProject   *lk_project_create            (const char   *path,
                                           GError      **error);
LkProject   *lk_project_open              (const char   *path,
                                           GError      **error);
gboolean     lk_project_is_project_dir    (const char   *path);
/* The version of the SQLite library the project files are written with. */
const char  *lk_project_get_sqlite_version (void);

const char  *lk_project_get_path          (LkProject    *self);
const char  *lk_project_get_name          (LkProject    *self);
int          lk_project_get_schema_version (LkProject   *self);
/* model/ and renders/ inside the project; owned by the project */
const char  *lk_project_get_model_dir     (LkProject    *self);
const char  *lk_project_get_renders_dir   (LkProject    *self);

/* Settings: a key/value table of text (mask, convert and training
 * parameters; their keys, types, defaults and ranges are declared once in
 * the settings schema, lk-setting.h). The project reads them all when it is
 * opened and keeps them in memory: reading one never touches the database
 * and never waits for a worker's write. A change is written through at
 * once (one statement; several in one transaction with
 * lk_project_set_settings ()) and then announced by "setting-changed",
 * detailed by the key, with the new value. A value set by another process
 * while the project is open is seen when it is opened again. */
char        *lk_project_get_setting       (LkProject    *self,
                                           const char   *key);
/* @value NULL removes the setting (its default applies again). */
gboolean     lk_project_set_setting       (LkProject    *self,
                                           const char   *key,
                                           const char   *value,
                                           GError      **error);
/* @keys and @values of the same length (@values[i] NULL: removed), all
 * written in one transaction or none. */
gboolean     lk_project_set_settings      (LkProject          *self,
                                           const char * const *keys,
                                           const char * const *values,
                                           guint               n,
                                           GError            **error);
double       lk_project_get_setting_double (LkProject   *self,
                                            const char  *key,
                                            double       default_value);
gboolean     lk_project_set_setting_double (LkProject   *self,
                                            const char  *key,
                                            double       value,
                                            GError     **error);

/* The settings of @group (lk-setting.h) from the project into @instance:
 * each field starts at its default; a stored value that is out of range or
 * cannot be read keeps the default and is logged once, never fatal. */
void         lk_project_load_settings     (LkProject            *self,
                                           const LkSettingGroup *group,
                                           gpointer              instance);
/* Every field of @group from @instance into the project, in one
 * transaction. Values are checked first: nothing is written when one is
 * out of range (@error names it). */
gboolean     lk_project_store_settings    (LkProject            *self,
                                           const LkSettingGroup *group,
                                           gconstpointer         instance,
                                           GError              **error);

/* How many SQL statements the project has prepared or run since it was
 * opened (for tests and benchmarks). */
gint64       lk_project_get_statement_count (LkProject  *self);

/* Sources. Adding the same path twice for the same identity returns the
 * existing row's id. */
gint64       lk_project_add_source        (LkProject    *self,
                                           LkIdentity    identity,
                                           const char   *path,
                                           GError      **error);
gboolean     lk_project_remove_source     (LkProject    *self,
                                           gint64        source_id,
                                           GError      **error);
/* Element type LkSource; @identity -1 lists both. */
GPtrArray   *lk_project_list_sources      (LkProject    *self,
                                           int           identity,
                                           GError      **error);

/* Faces of one identity: all, or only those included for training. */
guint        lk_project_count_faces       (LkProject    *self,
                                           LkIdentity    identity,
                                           gboolean      included_only);

/* Single letter "A"/"B" and back; -1 when @name is not an identity. */
const char  *lk_identity_to_string        (LkIdentity    identity);
int          lk_identity_from_string      (const char   *name);

G_END_DECLS
