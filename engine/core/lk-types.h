/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * LkError:
 * Error codes of the %LK_ERROR domain. Libraries the engine calls keep their
 * own domains (GIOError for files, for example); these cover everything else.
 */
typedef enum
{
  LK_ERROR_FAILED,        /* anything not listed below */
  LK_ERROR_INVALID_INPUT, /* bad argument or malformed file */
  LK_ERROR_NOT_FOUND,     /* a file, face, row or identity that does not exist */
  LK_ERROR_CORRUPT,       /* a file or database that is damaged or truncated */
  LK_ERROR_UNSUPPORTED,   /* a format, codec or feature not available here */
  LK_ERROR_VERSION,       /* made by a newer version of Likeness */
  LK_ERROR_IO,            /* reading or writing failed (disk full, permissions) */
  LK_ERROR_BUSY,          /* the project is locked by another process */
  LK_ERROR_NO_FACE,       /* an image or frame without a usable face */
  LK_ERROR_MODEL,         /* the torch or dlib shims reported a failure */
} LkError;

/**
 * LkIdentity:
 * The two people of a project: A (the source, whose face is put in) and
 * B (the target, whose video receives it).
 */
typedef enum
{
  LK_IDENTITY_A, /*< nick=A >*/
  LK_IDENTITY_B, /*< nick=B >*/
} LkIdentity;

/*
 * Enums with a string form (stored in project databases, printed and read by
 * the CLI) get a GType from gnome.mkenums_simple, and their strings are the
 * values' nicks (set with nick annotations where the default differs): one
 * table, in the header, for each enum.
 */

/* The nick of @value of the enum @type, or NULL when @value is not one of
 * its values. */
const char *lk_enum_to_nick   (GType       type,
                               int         value);
/* The value of the enum @type whose nick is @nick, ignoring ASCII case, or
 * -1 when none is. */
int         lk_enum_from_nick (GType       type,
                               const char *nick);

G_END_DECLS
