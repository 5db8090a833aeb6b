/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * The one path for what the studio tells its user. Any widget calls these
 * with itself as @source; the window that holds it (for a dialog: the
 * window it belongs to) shows them — a toast for a note, a message dialog
 * for an error — and each message is logged (g_message) as well. Widgets do
 * not call the window: these activate its actions win.notify and
 * win.report-error (lk-window.c), so the pages need not know it.
 */

/* A short note. */
void lk_notify             (GtkWidget    *source,
                            const char   *message);

/* A note with a button that activates @action_name (with @target, may be
 * NULL; floating references are sunk); @urgent shows it before the queue. */
void lk_notify_with_action (GtkWidget    *source,
                            const char   *message,
                            const char   *button_label,
                            const char   *action_name,
                            GVariant     *target,
                            gboolean      urgent);

/* What failed (@heading), why (@error's message) and what to do (@advice,
 * may be NULL). */
void lk_notify_error       (GtkWidget    *source,
                            const char   *heading,
                            const GError *error,
                            const char   *advice);

G_END_DECLS
