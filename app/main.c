/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-main"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "lk-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LkApplication) app = NULL;
  const char *localedir;

  /* LIKENESS_LOCALEDIR lets tests find the catalogues in the build folder. */
  localedir = g_getenv ("LIKENESS_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Likeness"));

  app = lk_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
