/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-project"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "lk-enum-types.h"
#include "lk-error.h"
#include "lk-project-db.h"
#include "lk-types.h"

struct _LkProject
{
  GObject       parent_instance;

  char         *path;        /* the folder, absolute */
  char         *name;        /* folder name without LK_PROJECT_SUFFIX */
  char         *db_path;
  char         *faces_dir[2];
  char         *model_dir;
  char         *renders_dir;

  GRecMutex     lock;
  sqlite3      *db;
  GThread      *lock_owner;  /* the thread holding lock, or NULL; atomic */
  guint         lock_depth;  /* under lock */

  /* Read-only, for the pure reads the studio makes: in WAL mode it sees
   * what was committed, and never waits for a worker's open transaction on
   * db. NULL when it could not be opened; then reads share db. */
  GMutex        read_lock;
  sqlite3      *reader;
  gboolean      single_connection;
  int           schema_version;
  GMainContext *context;     /* where signals are emitted */
  int           statements;  /* prepared or executed, for tests and benchmarks */

  LkProjectSettings *settings; /* lk-project-settings.c */
};

G_DEFINE_FINAL_TYPE (LkProject, lk_project, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_NAME,
  N_PROPS
};

enum {
  SOURCES_CHANGED,
  FACES_CHANGED,
  SETTING_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/*
 * Schema migrations. migrations[i] takes a database from user_version i to
 * i + 1; a new version appends one entry and bumps
 * LK_PROJECT_SCHEMA_VERSION. Each runs in the same transaction as the
 * user_version update, after a backup copy of the database file.
 */
static const char * const migrations[] = {
  /* 0 -> 1: the first schema */
  "CREATE TABLE identities ("
  "  id INTEGER PRIMARY KEY,"           /* LkIdentity */
  "  letter TEXT NOT NULL UNIQUE,"
  "  label TEXT"                        /* the artist's name for the person */
  ");"
  "INSERT INTO identities (id, letter) VALUES (0, 'A'), (1, 'B');"
  ""
  "CREATE TABLE sources ("
  "  id INTEGER PRIMARY KEY,"
  "  identity INTEGER NOT NULL REFERENCES identities(id),"
  "  path TEXT NOT NULL,"
  "  sha256 TEXT,"
  "  size INTEGER,"
  "  duration REAL NOT NULL DEFAULT 0,"
  "  fps REAL NOT NULL DEFAULT 0,"
  "  width INTEGER NOT NULL DEFAULT 0,"
  "  height INTEGER NOT NULL DEFAULT 0,"
  "  added_at INTEGER NOT NULL,"
  "  extracted_at INTEGER,"             /* set when an extraction pass completed */
  "  extract_params TEXT,"              /* JSON of the parameters of that pass */
  "  UNIQUE (identity, path)"
  ");"
  ""
  /* Every frame an extraction pass looked at, with or without faces, so a
   * second pass (or a resumed one) skips it. */
  "CREATE TABLE frames ("
  "  id INTEGER PRIMARY KEY,"
  "  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
  "  frame_index INTEGER NOT NULL,"
  "  pts INTEGER NOT NULL,"             /* in the stream time base */
  "  time REAL NOT NULL,"               /* seconds */
  "  face_count INTEGER NOT NULL,"
  "  UNIQUE (source_id, pts)"
  ");"
  ""
  "CREATE TABLE faces ("
  "  id INTEGER PRIMARY KEY,"
  "  identity INTEGER NOT NULL REFERENCES identities(id),"
  "  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
  "  frame_id INTEGER NOT NULL REFERENCES frames(id) ON DELETE CASCADE,"
  "  face_index INTEGER NOT NULL,"      /* 0.. within the frame, left to right */
  "  file TEXT NOT NULL,"               /* relative to the project folder */
  "  crop_size INTEGER NOT NULL,"
  "  coverage REAL NOT NULL,"
  "  box_x REAL NOT NULL, box_y REAL NOT NULL, box_w REAL NOT NULL, box_h REAL NOT NULL,"
  "  score REAL,"
  "  landmarks BLOB NOT NULL,"          /* 68 x 2 float32, frame coordinates */
  "  matrix BLOB NOT NULL,"             /* 2 x 3 float64, frame -> face */
  "  faces_in_frame INTEGER NOT NULL,"
  "  sharpness REAL, face_size REAL, exposure REAL,"
  "  clipped_dark REAL, clipped_bright REAL, colour_cast REAL,"
  "  landmark_fit REAL, yaw REAL, pitch REAL, roll REAL,"
  "  phash INTEGER, dup_group INTEGER,"
  "  included INTEGER NOT NULL DEFAULT 1,"
  "  exclude_reason TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  UNIQUE (frame_id, face_index)"
  ");"
  "CREATE INDEX faces_by_identity ON faces (identity, included);"
  "CREATE INDEX faces_by_source ON faces (source_id);"
  ""
  "CREATE TABLE settings ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ");"
  ""
  "CREATE TABLE training_runs ("
  "  id INTEGER PRIMARY KEY,"
  "  started_at INTEGER NOT NULL,"
  "  ended_at INTEGER,"
  "  device TEXT,"
  "  config TEXT NOT NULL,"             /* JSON */
  "  first_iteration INTEGER NOT NULL,"
  "  last_iteration INTEGER"
  ");"
  "CREATE TABLE losses ("
  "  run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,"
  "  iteration INTEGER NOT NULL,"
  "  elapsed REAL NOT NULL,"
  "  loss_a REAL NOT NULL,"
  "  loss_b REAL NOT NULL,"
  "  extra TEXT,"                       /* JSON: GAN losses, examples/s */
  "  PRIMARY KEY (run_id, iteration)"
  ");"
  "CREATE TABLE checkpoints ("
  "  id INTEGER PRIMARY KEY,"
  "  run_id INTEGER REFERENCES training_runs(id) ON DELETE SET NULL,"
  "  iteration INTEGER NOT NULL,"
  "  file TEXT NOT NULL,"               /* relative to the project folder */
  "  sha256 TEXT,"
  "  created_at INTEGER NOT NULL"
  ");"
  ""
  "CREATE TABLE exports ("
  "  id INTEGER PRIMARY KEY,"
  "  target TEXT NOT NULL,"
  "  output TEXT NOT NULL,"
  "  direction TEXT NOT NULL,"
  "  settings TEXT NOT NULL,"           /* JSON */
  "  checkpoint_sha256 TEXT,"
  "  output_sha256 TEXT,"
  "  started_at INTEGER NOT NULL,"
  "  finished_at INTEGER,"
  "  status TEXT NOT NULL"              /* running, done, failed, cancelled */
  ");",

  /* 1 -> 2: the occlusion metric (engine/curate), NULL until measured */
  "ALTER TABLE faces ADD COLUMN occlusion REAL;",

  /* 2 -> 3: identity descriptors (engine/identity), 128 float32, NULL until
   * computed */
  "ALTER TABLE faces ADD COLUMN descriptor BLOB;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == LK_PROJECT_SCHEMA_VERSION);

static void
lk_project_finalize (GObject *object)
{
  LkProject *self = (LkProject *) object;

  /* The reader first: the last connection to close checkpoints the WAL,
   * and only the writer may. */
  g_clear_pointer (&self->reader, sqlite3_close_v2);
  if (self->db != NULL)
    {
      /* A clean close checkpoints the WAL into the main file. */
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->faces_dir[0], g_free);
  g_clear_pointer (&self->faces_dir[1], g_free);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_pointer (&self->renders_dir, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->settings, _lk_project_settings_free);
  g_rec_mutex_clear (&self->lock);
  g_mutex_clear (&self->read_lock);

  G_OBJECT_CLASS (lk_project_parent_class)->finalize (object);
}

static void
lk_project_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LkProject *self = LK_PROJECT (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_project_class_init (LkProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lk_project_finalize;
  object_class->get_property = lk_project_get_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SOURCES_CHANGED] =
    g_signal_new ("sources-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* identity: the LkIdentity whose faces were added, removed or changed */
  signals[FACES_CHANGED] =
    g_signal_new ("faces-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  /* detailed by the key; key: the setting that changed; value: its new
   * stored text (NULL: removed, the default applies) */
  signals[SETTING_CHANGED] =
    g_signal_new ("setting-changed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
lk_project_init (LkProject *self)
{
  g_rec_mutex_init (&self->lock);
  g_mutex_init (&self->read_lock);
  self->context = g_main_context_ref_thread_default ();
  self->settings = _lk_project_settings_new ();
}

/* Private API */

sqlite3 *
_lk_project_get_db (LkProject *self)
{
  return self->db;
}

void
_lk_project_lock (LkProject *self)
{
  g_rec_mutex_lock (&self->lock);
  /* GRecMutex cannot say who holds it; the reads need to know. */
  if (self->lock_depth++ == 0)
    g_atomic_pointer_set (&self->lock_owner, g_thread_self ());
}

void
_lk_project_unlock (LkProject *self)
{
  g_assert (self->lock_depth > 0);
  if (--self->lock_depth == 0)
    g_atomic_pointer_set (&self->lock_owner, NULL);
  g_rec_mutex_unlock (&self->lock);
}

sqlite3 *
_lk_project_read_lock (LkProject *self)
{
  /* A thread that holds the write lock may be inside its own transaction,
   * whose changes only db sees; it also must not wait for itself. Only
   * this thread ever stores itself in lock_owner, so the unlocked read
   * cannot mistake another thread's ownership for its own. */
  if (self->reader == NULL || self->single_connection ||
      g_atomic_pointer_get (&self->lock_owner) == g_thread_self ())
    {
      _lk_project_lock (self);
      return self->db;
    }

  g_mutex_lock (&self->read_lock);
  return self->reader;
}

void
_lk_project_read_unlock (LkProject *self,
                         sqlite3   *db)
{
  if (db == self->db)
    {
      _lk_project_unlock (self);
      return;
    }

  /* A statement left unfinalized would keep its read transaction open,
   * and the next reader would see that old snapshot instead of what was
   * committed since, even by its own thread. */
  g_assert (sqlite3_next_stmt (db, NULL) == NULL);
  g_mutex_unlock (&self->read_lock);
}

void
_lk_project_set_single_connection (LkProject *self,
                                   gboolean   single)
{
  self->single_connection = single;
}

void
_lk_project_set_error (LkProject   *self,
                       GError     **error,
                       const char  *what)
{
  _lk_project_set_error_on (self, self->db, error, what);
}

void
_lk_project_set_error_on (LkProject   *self,
                          sqlite3     *db,
                          GError     **error,
                          const char  *what)
{
  int code = sqlite3_extended_errcode (db);
  int primary = code & 0xff;
  g_autofree char *display = g_filename_display_name (self->db_path);
  LkError lk_code;

  switch (primary)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      lk_code = LK_ERROR_BUSY;
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      lk_code = LK_ERROR_CORRUPT;
      break;

    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      lk_code = LK_ERROR_IO;
      break;

    default:
      lk_code = LK_ERROR_FAILED;
    }

  if (lk_code == LK_ERROR_BUSY)
    g_set_error (error, LK_ERROR, lk_code,
                 "%s: %s: the project is in use by another program (%s)",
                 display, what, sqlite3_errmsg (db));
  else if (primary == SQLITE_FULL)
    g_set_error (error, LK_ERROR, lk_code,
                 "%s: %s: the disk is full", display, what);
  else
    g_set_error (error, LK_ERROR, lk_code, "%s: %s: %s", display, what, sqlite3_errmsg (db));
}

gboolean
_lk_project_exec (LkProject   *self,
                  const char  *sql,
                  GError     **error)
{
  g_atomic_int_inc (&self->statements);
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      _lk_project_set_error (self, error, "database error");
      return FALSE;
    }

  return TRUE;
}

sqlite3_stmt *
_lk_project_prepare (LkProject   *self,
                     const char  *sql,
                     GError     **error)
{
  return _lk_project_prepare_on (self, self->db, sql, error);
}

sqlite3_stmt *
_lk_project_prepare_on (LkProject   *self,
                        sqlite3     *db,
                        const char  *sql,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  g_atomic_int_inc (&self->statements);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      _lk_project_set_error_on (self, db, error, "database error");
      return NULL;
    }

  return stmt;
}

gboolean
_lk_project_begin (LkProject  *self,
                   GError    **error)
{
  return _lk_project_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
_lk_project_commit (LkProject  *self,
                    GError    **error)
{
  if (!_lk_project_exec (self, "COMMIT", error))
    {
      _lk_project_rollback (self);
      return FALSE;
    }

  return TRUE;
}

void
_lk_project_rollback (LkProject *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

typedef struct
{
  LkProject *project;
  guint      signal_id;
  GQuark     detail;
  int        identity;
  char      *key;
  char      *value;
} Emission;

static gboolean
emit_in_context (gpointer data)
{
  Emission *emission = data;

  if (emission->signal_id == signals[FACES_CHANGED])
    g_signal_emit (emission->project, emission->signal_id, 0, emission->identity);
  else if (emission->signal_id == signals[SETTING_CHANGED])
    g_signal_emit (emission->project, emission->signal_id, emission->detail, emission->key,
                   emission->value);
  else
    g_signal_emit (emission->project, emission->signal_id, 0);

  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->project);
  g_free (emission->key);
  g_free (emission->value);
  g_free (emission);
}

static void
lk_project_emit (LkProject  *self,
                 guint       signal_id,
                 int         identity,
                 const char *key)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->project = g_object_ref (self);
  emission->signal_id = signal_id;
  emission->identity = identity;
  emission->key = g_strdup (key);
  emission->detail = key != NULL ? g_quark_from_string (key) : 0;

  /* Runs at once when called on the owning thread, else queued there. */
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                              emit_in_context, emission, emission_free);
}

void
_lk_project_emit_faces_changed (LkProject  *self,
                                LkIdentity  identity)
{
  lk_project_emit (self, signals[FACES_CHANGED], identity, NULL);
}

void
_lk_project_emit_setting_changed (LkProject  *self,
                                  const char *key,
                                  const char *value)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->project = g_object_ref (self);
  emission->signal_id = signals[SETTING_CHANGED];
  emission->key = g_strdup (key);
  emission->value = g_strdup (value);
  emission->detail = g_quark_from_string (key);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                              emit_in_context, emission, emission_free);
}

gint64
lk_project_get_statement_count (LkProject *self)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), 0);

  return g_atomic_int_get (&self->statements);
}

LkProjectSettings *
_lk_project_get_settings (LkProject *self)
{
  return self->settings;
}

void
_lk_project_emit_sources_changed (LkProject *self)
{
  lk_project_emit (self, signals[SOURCES_CHANGED], 0, NULL);
}

/* Opening, creating, migrating */

char *
_lk_project_absolute_path (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

  return g_file_get_path (file);
}

char *
_lk_project_relative_path (LkProject  *self,
                           const char *path)
{
  gsize n = strlen (self->path);

  if (g_str_has_prefix (path, self->path) && path[n] == G_DIR_SEPARATOR)
    return g_strdup (path + n + 1);
  return g_strdup (path);
}

char *
_lk_project_resolve_path (LkProject  *self,
                          const char *file)
{
  return g_path_is_absolute (file) ? g_strdup (file) : g_build_filename (self->path, file, NULL);
}

gboolean
lk_project_is_project_dir (const char *path)
{
  g_autofree char *db_path = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  db_path = g_build_filename (path, LK_PROJECT_DB_NAME, NULL);

  return g_file_test (db_path, G_FILE_TEST_IS_REGULAR);
}

static void
lk_project_set_paths (LkProject  *self,
                      const char *folder)
{
  g_autofree char *base = g_path_get_basename (folder);

  self->path = g_strdup (folder);
  if (g_str_has_suffix (base, LK_PROJECT_SUFFIX) && strlen (base) > strlen (LK_PROJECT_SUFFIX))
    self->name = g_strndup (base, strlen (base) - strlen (LK_PROJECT_SUFFIX));
  else
    self->name = g_steal_pointer (&base);
  self->db_path = g_build_filename (folder, LK_PROJECT_DB_NAME, NULL);
  self->faces_dir[LK_IDENTITY_A] = g_build_filename (folder, "faces", "A", NULL);
  self->faces_dir[LK_IDENTITY_B] = g_build_filename (folder, "faces", "B", NULL);
  self->model_dir = g_build_filename (folder, "model", NULL);
  self->renders_dir = g_build_filename (folder, "renders", NULL);
}

static gboolean
lk_project_make_dirs (LkProject  *self,
                      GError    **error)
{
  const char *dirs[] = {
    self->faces_dir[LK_IDENTITY_A], self->faces_dir[LK_IDENTITY_B],
    self->model_dir, self->renders_dir,
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      if (g_mkdir_with_parents (dirs[i], 0755) != 0)
        {
          int errsv = errno;
          g_autofree char *display = g_filename_display_name (dirs[i]);

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       "%s: cannot create the folder: %s", display, g_strerror (errsv));
          return FALSE;
        }
    }

  return TRUE;
}

static int
lk_project_read_user_version (LkProject *self)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

static gboolean
lk_project_backup_db (LkProject  *self,
                      int         from_version,
                      GError    **error)
{
  g_autofree char *backup = g_strdup_printf ("%s.v%d.bak", self->db_path, from_version);
  g_autofree char *sql = NULL;
  char *quoted;

  g_remove (backup);
  quoted = sqlite3_mprintf ("VACUUM INTO %Q", backup);
  sql = g_strdup (quoted);
  sqlite3_free (quoted);

  return _lk_project_exec (self, sql, error);
}

static gboolean
lk_project_migrate (LkProject  *self,
                    GError    **error)
{
  int version = lk_project_read_user_version (self);
  g_autofree char *display = g_filename_display_name (self->db_path);

  if (version < 0)
    {
      /* Not a database at all, or an unreadable one. */
      _lk_project_set_error (self, error, "cannot read the project database");
      return FALSE;
    }

  if (version > LK_PROJECT_SCHEMA_VERSION)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_VERSION,
                   "%s: the project was saved by a newer version of Likeness "
                   "(schema %d; this version reads up to %d)",
                   display, version, LK_PROJECT_SCHEMA_VERSION);
      return FALSE;
    }

  if (version == LK_PROJECT_SCHEMA_VERSION)
    return TRUE;

  /* Back up an existing database before changing its schema. */
  if (version > 0 && !lk_project_backup_db (self, version, error))
    return FALSE;

  if (!_lk_project_begin (self, error))
    return FALSE;

  for (int v = version; v < LK_PROJECT_SCHEMA_VERSION; v++)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      g_debug ("Migrating %s from schema %d to %d", display, v, v + 1);
      if (!_lk_project_exec (self, migrations[v], error) ||
          !_lk_project_exec (self, pragma, error))
        {
          _lk_project_rollback (self);
          return FALSE;
        }
    }

  return _lk_project_commit (self, error);
}

/* Opened once the writer has set WAL and migrated: a read-only connection
 * cannot do either. Without it the project still works, reads then wait
 * for the writer as they used to. */
static void
lk_project_open_reader (LkProject *self)
{
  int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX;
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (self->db_path, &db, flags, NULL) != SQLITE_OK ||
      sqlite3_exec (db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_debug ("%s: no read-only connection, reads wait for writes: %s",
               self->db_path, db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close_v2 (db);
      return;
    }

  sqlite3_extended_result_codes (db, 1);
  /* Rarely busy in WAL mode (while another process recovers the WAL). */
  sqlite3_busy_timeout (db, 3000);
  self->reader = db;
}

static gboolean
lk_project_open_db (LkProject  *self,
                    gboolean    create,
                    GError    **error)
{
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
  g_autofree char *display = g_filename_display_name (self->db_path);
  int rc;

  if (create)
    flags |= SQLITE_OPEN_CREATE;

  rc = sqlite3_open_v2 (self->db_path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, LK_ERROR, rc == SQLITE_CANTOPEN ? LK_ERROR_IO : LK_ERROR_FAILED,
                   "%s: cannot open the project database: %s",
                   display, self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  /* Another process holding a write lock gets a few seconds before we give
   * up with a clear "in use" error. */
  sqlite3_busy_timeout (self->db, 3000);

  /* WAL: readers never block the writer, and a kill loses at most the
   * transaction in flight. synchronous=NORMAL is durable against process
   * kills in WAL mode; FULL also against power loss at some cost. */
  if (!_lk_project_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !_lk_project_exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !_lk_project_exec (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;

  if (!lk_project_migrate (self, error))
    return FALSE;

  self->schema_version = lk_project_read_user_version (self);

  lk_project_open_reader (self);

  return _lk_project_settings_load (self, error);
}

LkProject *
lk_project_create (const char  *path,
                   GError     **error)
{
  g_autoptr(LkProject) self = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *absolute = NULL;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  absolute = _lk_project_absolute_path (path);
  if (g_str_has_suffix (absolute, LK_PROJECT_SUFFIX))
    folder = g_steal_pointer (&absolute);
  else
    folder = g_strconcat (absolute, LK_PROJECT_SUFFIX, NULL);

  if (lk_project_is_project_dir (folder))
    {
      g_autofree char *display = g_filename_display_name (folder);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s: a project already exists there", display);
      return NULL;
    }

  self = g_object_new (LK_TYPE_PROJECT, NULL);
  lk_project_set_paths (self, folder);

  if (!lk_project_make_dirs (self, error) ||
      !lk_project_open_db (self, TRUE, error))
    return NULL;

  return g_steal_pointer (&self);
}

LkProject *
lk_project_open (const char  *path,
                 GError     **error)
{
  g_autoptr(LkProject) self = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  folder = _lk_project_absolute_path (path);
  base = g_path_get_basename (folder);
  if (g_str_equal (base, LK_PROJECT_DB_NAME))
    {
      char *parent = g_path_get_dirname (folder);

      g_free (folder);
      folder = parent;
    }

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *display = g_filename_display_name (folder);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "%s: no such project folder", display);
      return NULL;
    }

  if (!lk_project_is_project_dir (folder))
    {
      g_autofree char *display = g_filename_display_name (folder);

      g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                   "%s: not a Likeness project (no %s inside)", display, LK_PROJECT_DB_NAME);
      return NULL;
    }

  self = g_object_new (LK_TYPE_PROJECT, NULL);
  lk_project_set_paths (self, folder);

  if (!lk_project_open_db (self, FALSE, error) ||
      !lk_project_make_dirs (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
lk_project_get_sqlite_version (void)
{
  return sqlite3_libversion ();
}

const char *
lk_project_get_path (LkProject *self)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  return self->path;
}

const char *
lk_project_get_name (LkProject *self)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  return self->name;
}

int
lk_project_get_schema_version (LkProject *self)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), -1);

  return self->schema_version;
}

const char *
lk_project_get_model_dir (LkProject *self)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  return self->model_dir;
}

const char *
lk_project_get_renders_dir (LkProject *self)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  return self->renders_dir;
}

/* Identities */

const char *
lk_identity_to_string (LkIdentity identity)
{
  return lk_enum_to_nick (LK_TYPE_IDENTITY, identity == LK_IDENTITY_B ? LK_IDENTITY_B
                                                                       : LK_IDENTITY_A);
}

int
lk_identity_from_string (const char *name)
{
  return lk_enum_from_nick (LK_TYPE_IDENTITY, name);
}
