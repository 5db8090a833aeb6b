/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-project"

#include "config.h"

#include "lk-project-db.h"

/*
 * The settings table, kept in memory. The GTK thread reads settings on every
 * slider step (the Masks page renders its preview from all of them); reading
 * them from SQLite meant two dozen SELECTs per step under the connection's
 * lock, which a worker holds while it writes a batch of faces. Now a read is
 * a hash lookup under a lock of its own, and the database is touched only to
 * write.
 */
struct _LkProjectSettings
{
  GMutex      lock;
  GHashTable *values;   /* key -> text */
  GHashTable *warned;   /* keys whose stored value was reported unreadable */
};

LkProjectSettings *
_lk_project_settings_new (void)
{
  LkProjectSettings *settings = g_new0 (LkProjectSettings, 1);

  g_mutex_init (&settings->lock);
  settings->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  settings->warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return settings;
}

void
_lk_project_settings_free (LkProjectSettings *settings)
{
  g_hash_table_unref (settings->values);
  g_hash_table_unref (settings->warned);
  g_mutex_clear (&settings->lock);
  g_free (settings);
}

gboolean
_lk_project_settings_load (LkProject  *self,
                           GError    **error)
{
  LkProjectSettings *settings = _lk_project_get_settings (self);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  _lk_project_lock (self);
  stmt = _lk_project_prepare (self, "SELECT key, value FROM settings", error);
  if (stmt == NULL)
    {
      _lk_project_unlock (self);
      return FALSE;
    }
  g_mutex_lock (&settings->lock);
  g_hash_table_remove_all (settings->values);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *value = (const char *) sqlite3_column_text (stmt, 1);

      if (value != NULL)
        g_hash_table_insert (settings->values,
                             g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                             g_strdup (value));
    }
  g_mutex_unlock (&settings->lock);
  if (rc != SQLITE_DONE)
    _lk_project_set_error (self, error, "cannot read the settings");
  _lk_project_unlock (self);

  return rc == SQLITE_DONE;
}

char *
lk_project_get_setting (LkProject  *self,
                        const char *key)
{
  LkProjectSettings *settings;
  char *value;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  settings = _lk_project_get_settings (self);
  g_mutex_lock (&settings->lock);
  value = g_strdup (g_hash_table_lookup (settings->values, key));
  g_mutex_unlock (&settings->lock);

  return value;
}

/* Writes one setting; lock held. */
static gboolean
write_setting (LkProject   *self,
               const char  *key,
               const char  *value,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (value != NULL)
    stmt = _lk_project_prepare (self,
                                "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                "ON CONFLICT (key) DO UPDATE SET value = ?2", error);
  else
    stmt = _lk_project_prepare (self, "DELETE FROM settings WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_autofree char *what = g_strdup_printf ("cannot save the setting %s", key);

      _lk_project_set_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
lk_project_set_settings (LkProject          *self,
                         const char * const *keys,
                         const char * const *values,
                         guint               n,
                         GError            **error)
{
  LkProjectSettings *settings;
  g_autoptr(GPtrArray) changed = NULL;   /* indices into keys, as pointers */
  gboolean ok = TRUE;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (n == 0 || (keys != NULL && values != NULL), FALSE);

  for (guint i = 0; i < n; i++)
    g_return_val_if_fail (keys[i] != NULL, FALSE);

  settings = _lk_project_get_settings (self);
  changed = g_ptr_array_new ();

  /* Only what differs from memory is written: a slider that stops where it
   * was costs nothing. The connection's lock is taken first, so that two
   * writers cannot interleave memory and database. */
  _lk_project_lock (self);
  g_mutex_lock (&settings->lock);
  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (g_hash_table_lookup (settings->values, keys[i]), values[i]) != 0)
        g_ptr_array_add (changed, GUINT_TO_POINTER (i));
    }
  g_mutex_unlock (&settings->lock);

  if (changed->len > 1)
    ok = _lk_project_begin (self, error);
  for (guint j = 0; ok && j < changed->len; j++)
    {
      guint i = GPOINTER_TO_UINT (changed->pdata[j]);

      ok = write_setting (self, keys[i], values[i], error);
    }
  if (changed->len > 1)
    {
      if (ok)
        ok = _lk_project_commit (self, error);
      if (!ok)
        _lk_project_rollback (self);
    }

  if (ok)
    {
      g_mutex_lock (&settings->lock);
      for (guint j = 0; j < changed->len; j++)
        {
          guint i = GPOINTER_TO_UINT (changed->pdata[j]);

          if (values[i] != NULL)
            g_hash_table_insert (settings->values, g_strdup (keys[i]), g_strdup (values[i]));
          else
            g_hash_table_remove (settings->values, keys[i]);
          g_hash_table_remove (settings->warned, keys[i]);
        }
      g_mutex_unlock (&settings->lock);
    }
  _lk_project_unlock (self);

  if (ok)
    for (guint j = 0; j < changed->len; j++)
      {
        guint i = GPOINTER_TO_UINT (changed->pdata[j]);

        _lk_project_emit_setting_changed (self, keys[i], values[i]);
      }

  return ok;
}

gboolean
lk_project_set_setting (LkProject   *self,
                        const char  *key,
                        const char  *value,
                        GError     **error)
{
  g_return_val_if_fail (key != NULL, FALSE);

  return lk_project_set_settings (self, &key, &value, 1, error);
}

double
lk_project_get_setting_double (LkProject  *self,
                               const char *key,
                               double      default_value)
{
  g_autofree char *value = lk_project_get_setting (self, key);
  char *end = NULL;
  double result;

  if (value == NULL)
    return default_value;

  result = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0')
    return default_value;

  return result;
}

gboolean
lk_project_set_setting_double (LkProject   *self,
                               const char  *key,
                               double       value,
                               GError     **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return lk_project_set_setting (self, key, g_ascii_dtostr (buf, sizeof buf, value), error);
}

void
lk_project_load_settings (LkProject            *self,
                          const LkSettingGroup *group,
                          gpointer              instance)
{
  LkProjectSettings *settings;

  g_return_if_fail (LK_IS_PROJECT (self));
  g_return_if_fail (group != NULL);
  g_return_if_fail (instance != NULL);

  settings = _lk_project_get_settings (self);
  lk_setting_group_set_defaults (group, instance);

  g_mutex_lock (&settings->lock);
  for (guint i = 0; i < group->n_defs; i++)
    {
      const LkSettingDef *def = &group->defs[i];
      const char *text = g_hash_table_lookup (settings->values, def->key);
      g_autoptr(GError) error = NULL;

      if (text == NULL || lk_setting_parse (def, text, instance, &error))
        continue;
      /* Once per key and project: the Masks page loads on every step. */
      if (g_hash_table_add (settings->warned, g_strdup (def->key)))
        g_message ("%s; using the default %s", error->message, def->default_text);
    }
  g_mutex_unlock (&settings->lock);
}

gboolean
lk_project_store_settings (LkProject            *self,
                           const LkSettingGroup *group,
                           gconstpointer         instance,
                           GError              **error)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) values = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (group != NULL, FALSE);
  g_return_val_if_fail (instance != NULL, FALSE);

  if (!lk_setting_group_check (group, instance, error))
    return FALSE;

  keys = g_ptr_array_new ();
  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < group->n_defs; i++)
    {
      g_ptr_array_add (keys, (gpointer) group->defs[i].key);
      g_ptr_array_add (values, lk_setting_format (&group->defs[i], instance));
    }
  return lk_project_set_settings (self, (const char * const *) keys->pdata,
                                  (const char * const *) values->pdata, keys->len, error);
}
