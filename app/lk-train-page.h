/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_TRAIN_PAGE (lk_train_page_get_type ())

G_DECLARE_FINAL_TYPE (LkTrainPage, lk_train_page, LK, TRAIN_PAGE, GtkWidget)

LkProject *lk_train_page_get_project (LkTrainPage *self);
void       lk_train_page_set_project (LkTrainPage *self,
                                     LkProject  *project);

G_END_DECLS
