/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* For tests that look into a project's database file the way another
 * program would: a connection of their own, read-only, beside the
 * project's (WAL lets it read what the project committed). The engine
 * itself reaches the database only through engine/project. */

#include <glib.h>
#include <sqlite3.h>

#include "lk-project.h"

/* The first column of the first row of @sql, as an integer; -1 when there
 * is no row. */
static inline gint64
lk_test_db_query_int (LkProject  *project,
                      const char *sql)
{
  g_autofree char *path = g_build_filename (lk_project_get_path (project), LK_PROJECT_DB_NAME,
                                            NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 3000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}
