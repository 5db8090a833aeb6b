/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-project"

#include "config.h"

#include "lk-error.h"
#include "lk-project-db.h"
#include "lk-project-runs.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

gint64
lk_project_begin_run (LkProject   *self,
                      const char  *device,
                      const char  *config_json,
                      gint64       first_iteration,
                      double      *elapsed_base,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(sqlite3_stmt) sel = NULL;
  gint64 run_id = -1;
  double elapsed = 0.0;

  g_return_val_if_fail (LK_IS_PROJECT (self), -1);
  g_return_val_if_fail (config_json != NULL, -1);

  _lk_project_lock (self);
  if (!_lk_project_begin (self, error))
    goto out;

  del = _lk_project_prepare (self, "DELETE FROM losses WHERE iteration > ?1", error);
  ins = _lk_project_prepare (self,
                             "INSERT INTO training_runs (started_at, device, config, "
                             "first_iteration, last_iteration) VALUES (?1, ?2, ?3, ?4, ?4)",
                             error);
  sel = _lk_project_prepare (self,
                             "SELECT elapsed FROM losses WHERE iteration <= ?1 "
                             "ORDER BY iteration DESC, run_id DESC LIMIT 1", error);
  if (del == NULL || ins == NULL || sel == NULL)
    goto rollback;

  sqlite3_bind_int64 (del, 1, first_iteration);
  if (sqlite3_step (del) != SQLITE_DONE)
    goto db_error;

  sqlite3_bind_int64 (ins, 1, now_seconds ());
  sqlite3_bind_text (ins, 2, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 3, config_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (ins, 4, first_iteration);
  if (sqlite3_step (ins) != SQLITE_DONE)
    goto db_error;
  run_id = sqlite3_last_insert_rowid (_lk_project_get_db (self));

  sqlite3_bind_int64 (sel, 1, first_iteration);
  elapsed = sqlite3_step (sel) == SQLITE_ROW ? sqlite3_column_double (sel, 0) : 0.0;

  g_clear_pointer (&del, sqlite3_finalize);
  g_clear_pointer (&ins, sqlite3_finalize);
  g_clear_pointer (&sel, sqlite3_finalize);
  if (!_lk_project_commit (self, error))
    run_id = -1;
  goto out;

db_error:
  _lk_project_set_error (self, error, "starting a training run");
rollback:
  _lk_project_rollback (self);
  run_id = -1;
out:
  _lk_project_unlock (self);
  if (run_id > 0 && elapsed_base != NULL)
    *elapsed_base = elapsed;
  return run_id;
}

gboolean
lk_project_add_losses (LkProject          *self,
                       gint64              run_id,
                       const LkLossPoint  *points,
                       const char * const *extras,
                       guint               n,
                       gint64              last_iteration,
                       gboolean            ended,
                       GError            **error)
{
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(sqlite3_stmt) upd = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (n == 0 || points != NULL, FALSE);

  _lk_project_lock (self);
  if (!_lk_project_begin (self, error))
    goto out;

  ins = _lk_project_prepare (self,
                             "INSERT OR REPLACE INTO losses (run_id, iteration, elapsed, loss_a, "
                             "loss_b, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  upd = _lk_project_prepare (self,
                             "UPDATE training_runs SET last_iteration = ?2, "
                             "ended_at = coalesce (?3, ended_at) WHERE id = ?1", error);
  if (ins == NULL || upd == NULL)
    goto rollback;

  for (guint i = 0; i < n; i++)
    {
      sqlite3_reset (ins);
      sqlite3_bind_int64 (ins, 1, run_id);
      sqlite3_bind_int64 (ins, 2, points[i].iteration);
      sqlite3_bind_double (ins, 3, points[i].elapsed);
      sqlite3_bind_double (ins, 4, points[i].loss_a);
      sqlite3_bind_double (ins, 5, points[i].loss_b);
      if (extras != NULL && extras[i] != NULL)
        sqlite3_bind_text (ins, 6, extras[i], -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (ins, 6);
      if (sqlite3_step (ins) != SQLITE_DONE)
        goto db_error;
    }

  sqlite3_bind_int64 (upd, 1, run_id);
  sqlite3_bind_int64 (upd, 2, last_iteration);
  if (ended)
    sqlite3_bind_int64 (upd, 3, now_seconds ());
  else
    sqlite3_bind_null (upd, 3);
  if (sqlite3_step (upd) != SQLITE_DONE)
    goto db_error;

  g_clear_pointer (&ins, sqlite3_finalize);
  g_clear_pointer (&upd, sqlite3_finalize);
  ok = _lk_project_commit (self, error);
  goto out;

db_error:
  _lk_project_set_error (self, error, "storing the loss history");
rollback:
  _lk_project_rollback (self);
out:
  _lk_project_unlock (self);
  return ok;
}

GArray *
lk_project_load_loss_history (LkProject  *self,
                              GError    **error)
{
  g_autoptr(GArray) points = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  points = g_array_new (FALSE, FALSE, sizeof (LkLossPoint));

  db = _lk_project_read_lock (self);
  /* A resumed run replaces the rows after its first iteration, so one row
   * per iteration is left; the newest run wins should there be more. */
  stmt = _lk_project_prepare_on (self, db,
                                 "SELECT iteration, elapsed, loss_a, loss_b FROM losses "
                                 "ORDER BY iteration, run_id",
                                 error);
  if (stmt == NULL)
    {
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LkLossPoint p = {
        .iteration = sqlite3_column_int64 (stmt, 0),
        .elapsed = sqlite3_column_double (stmt, 1),
        .loss_a = (float) sqlite3_column_double (stmt, 2),
        .loss_b = (float) sqlite3_column_double (stmt, 3),
      };

      if (points->len > 0 &&
          g_array_index (points, LkLossPoint, points->len - 1).iteration == p.iteration)
        g_array_index (points, LkLossPoint, points->len - 1) = p;
      else
        g_array_append_val (points, p);
    }
  if (rc != SQLITE_DONE)
    {
      _lk_project_set_error_on (self, db, error, "reading the loss history");
      g_clear_pointer (&stmt, sqlite3_finalize);
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return g_steal_pointer (&points);
}
