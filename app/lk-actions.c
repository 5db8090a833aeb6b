/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-actions"

#include "config.h"

#include "lk-actions.h"

void
lk_actions_add (GActionMap     *map,
                const LkAction *actions,
                guint           n_actions,
                gpointer        owner)
{
  g_return_if_fail (G_IS_ACTION_MAP (map));

  for (guint i = 0; i < n_actions; i++)
    g_action_map_add_action_entries (map, &actions[i].entry, 1, owner);
}

void
lk_actions_update (GActionMap     *map,
                   const LkAction *actions,
                   guint           n_actions,
                   gpointer        owner)
{
  g_return_if_fail (G_IS_ACTION_MAP (map));

  for (guint i = 0; i < n_actions; i++)
    {
      GAction *action = g_action_map_lookup_action (map, actions[i].entry.name);

      if (G_IS_SIMPLE_ACTION (action))
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                                     actions[i].enabled == NULL || actions[i].enabled (owner));
    }
}

void
lk_actions_changed (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_widget_activate_action (widget, "win.update-actions", NULL);
}

GAction *
lk_actions_lookup (GtkWidget  *widget,
                   const char *name)
{
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  root = gtk_widget_get_root (widget);
  return G_IS_ACTION_MAP (root) ? g_action_map_lookup_action (G_ACTION_MAP (root), name) : NULL;
}
