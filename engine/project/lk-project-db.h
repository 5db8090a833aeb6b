/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "lk-project.h"

G_BEGIN_DECLS

/* Inside engine/project only: the other folders of the engine reach the
 * database through the typed calls of lk-project.h, lk-faces.h,
 * lk-project-runs.h, lk-project-checkpoints.h and lk-project-exports.h,
 * each of which takes the lock and runs its own transaction.
 *
 * All use of the writable connection happens between _lk_project_lock()
 * and _lk_project_unlock() (a recursive mutex): workers and the GTK thread
 * share it, and a transaction must not interleave with another thread's
 * statements.
 *
 * A pure read (one query, or a few that need not agree with each other)
 * goes between _lk_project_read_lock() and _lk_project_read_unlock()
 * instead, on the connection the former returns: a read-only one, so the
 * GTK thread does not wait while a worker writes a batch. It sees what was
 * committed; on a thread that holds the write lock (maybe inside its own
 * transaction) it is the writable connection. Finalize every statement
 * before _lk_project_read_unlock(). A read that decides a write stays on
 * the writable connection, under the write lock. */
sqlite3  *_lk_project_get_db        (LkProject   *self);
void      _lk_project_lock          (LkProject   *self);
void      _lk_project_unlock        (LkProject   *self);
sqlite3  *_lk_project_read_lock     (LkProject   *self);
void      _lk_project_read_unlock   (LkProject   *self,
                                     sqlite3     *db);
/* For tests and benchmarks: every read on the writable connection, as
 * before there was a reader. Call while no read is in flight. */
void      _lk_project_set_single_connection (LkProject *self,
                                             gboolean   single);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; call with the lock held. */
gboolean  _lk_project_begin         (LkProject   *self,
                                     GError     **error);
gboolean  _lk_project_commit        (LkProject   *self,
                                     GError     **error);
void      _lk_project_rollback      (LkProject   *self);

/* Runs @sql (one or more statements, no results); lock held. */
gboolean  _lk_project_exec          (LkProject   *self,
                                     const char  *sql,
                                     GError     **error);
/* Prepares @sql; lock held. The statement is owned by the caller. */
sqlite3_stmt *_lk_project_prepare   (LkProject   *self,
                                     const char  *sql,
                                     GError     **error);
/* The same on @db, from _lk_project_read_lock(). */
sqlite3_stmt *_lk_project_prepare_on (LkProject  *self,
                                      sqlite3    *db,
                                      const char *sql,
                                      GError    **error);
/* Sets @error from the connection's last error, naming the database. */
void      _lk_project_set_error     (LkProject   *self,
                                     GError     **error,
                                     const char  *what);
void      _lk_project_set_error_on  (LkProject   *self,
                                     sqlite3     *db,
                                     GError     **error,
                                     const char  *what);

/* Emit the project's signals on the thread that opened the project, from
 * any thread. */
void      _lk_project_emit_faces_changed   (LkProject  *self,
                                            LkIdentity  identity);
void      _lk_project_emit_sources_changed (LkProject  *self);
void      _lk_project_emit_setting_changed (LkProject  *self,
                                            const char *key,
                                            const char *value);

/* The settings kept in memory (lk-project-settings.c): made empty with the
 * project, filled from the database when it is opened. */
typedef struct _LkProjectSettings LkProjectSettings;

LkProjectSettings *_lk_project_settings_new  (void);
void               _lk_project_settings_free (LkProjectSettings *settings);
gboolean           _lk_project_settings_load (LkProject         *self,
                                              GError           **error);
LkProjectSettings *_lk_project_get_settings  (LkProject         *self);

/* An absolute path for @path (as given on a command line). */
char     *_lk_project_absolute_path        (const char *path);
/* @path relative to the project folder when inside it, else a copy. */
char     *_lk_project_relative_path        (LkProject  *self,
                                            const char *path);
/* The reverse: a stored file name made absolute. */
char     *_lk_project_resolve_path         (LkProject  *self,
                                            const char *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
