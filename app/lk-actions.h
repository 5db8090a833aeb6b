/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * The studio's window actions, declared the same way everywhere: the window
 * and each of its pages have one table of LkAction — the GActionEntry
 * (name, handler, parameter, state) and when the action is enabled. The
 * window adds every table to its action map (so all of them are win.* and
 * exported on D-Bus for scripts and tests) and sets every action's
 * sensitivity in one function, lk_window_update_actions(). A page whose
 * state changed calls lk_actions_changed(); it never calls the window.
 */

/* Whether the action can run now, from its owner's state. */
typedef gboolean (*LkActionEnabledFunc) (gpointer owner);

typedef struct
{
  GActionEntry        entry;
  LkActionEnabledFunc enabled;  /* NULL: always enabled */
} LkAction;

/* Adds @actions to @map; their handlers and predicates get @owner. */
void     lk_actions_add     (GActionMap     *map,
                             const LkAction *actions,
                             guint           n_actions,
                             gpointer        owner);

/* Sets each action's enabled state from its predicate. */
void     lk_actions_update  (GActionMap     *map,
                             const LkAction *actions,
                             guint           n_actions,
                             gpointer        owner);

/* Tells the window holding @widget that its actions' sensitivity may have
 * changed (activates win.update-actions); nothing when not in a window. */
void     lk_actions_changed (GtkWidget      *widget);

/* The action of the window holding @widget, or NULL (for a page that sets
 * an action's state, e.g. a toggle it also changes itself). */
GAction *lk_actions_lookup  (GtkWidget      *widget,
                             const char     *name);

G_END_DECLS
