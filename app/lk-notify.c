/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-notify"

#include "config.h"

#include "lk-notify.h"

/* Activates @name on @source's window; for a widget of a dialog, on the
 * window the dialog belongs to. FALSE when no window handles it. */
static gboolean
activate_on_window (GtkWidget  *source,
                    const char *name,
                    GVariant   *parameter)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (parameter);
  GtkRoot *root;

  if (source == NULL)
    return FALSE;
  if (gtk_widget_activate_action_variant (source, name, owned))
    return TRUE;

  root = gtk_widget_get_root (source);
  if (GTK_IS_WINDOW (root) && gtk_window_get_transient_for (GTK_WINDOW (root)) != NULL)
    return gtk_widget_activate_action_variant (
        GTK_WIDGET (gtk_window_get_transient_for (GTK_WINDOW (root))), name, owned);

  return FALSE;
}

void
lk_notify_with_action (GtkWidget  *source,
                       const char *message,
                       const char *button_label,
                       const char *action_name,
                       GVariant   *target,
                       gboolean    urgent)
{
  g_return_if_fail (source == NULL || GTK_IS_WIDGET (source));
  g_return_if_fail (message != NULL);

  g_message ("%s", message);
  if (target != NULL)
    g_variant_ref_sink (target);
  activate_on_window (source, "win.notify",
                      g_variant_new ("(sssmvb)", message,
                                     button_label != NULL ? button_label : "",
                                     action_name != NULL ? action_name : "",
                                     target, urgent));
  if (target != NULL)
    g_variant_unref (target);
}

void
lk_notify (GtkWidget  *source,
           const char *message)
{
  lk_notify_with_action (source, message, NULL, NULL, NULL, FALSE);
}

void
lk_notify_error (GtkWidget    *source,
                 const char   *heading,
                 const GError *error,
                 const char   *advice)
{
  const char *message = error != NULL ? error->message : "";

  g_return_if_fail (source == NULL || GTK_IS_WIDGET (source));
  g_return_if_fail (heading != NULL);

  g_message ("%s: %s", heading, message);
  activate_on_window (source, "win.report-error",
                      g_variant_new ("(sss)", heading, message, advice != NULL ? advice : ""));
}
