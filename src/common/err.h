/* err.h - storyreel's one error space.
 *
 * Every function that can fail returns an int: 0 on success, a negative SR_E*
 * code on failure, and fills an sr_err (when given one) with the stable
 * error_code string's code, the field or file at fault, and a human sentence.
 * Codes and their names come from one X-macro; the names are the stable
 * `error_code` strings that users and API clients see. Never renumber or
 * rename: add at the end. */
#ifndef SR_ERR_H
#define SR_ERR_H

#include <stddef.h>

/* X(ENUM, "error_code", "default message") */
#define SR_ERRORS(X)                                                                               \
    X(OK, "OK", "success")                                                                         \
    X(NOMEM, "OUT_OF_MEMORY", "out of memory")                                                     \
    X(INVALID_JSON, "INVALID_JSON", "the document is not valid JSON")                              \
    X(INVALID_FIELD, "INVALID_REQUEST_BODY", "a field has an invalid value")                       \
    X(NO_SCENES, "NO_SCENES", "the storyboard has no scenes")                                      \
    X(LIMIT, "LIMIT_EXCEEDED", "a limit was exceeded")                                             \
    X(MEDIA_NOT_FOUND, "MEDIA_NOT_FOUND", "a media file was not found")                            \
    X(MEDIA_UNREADABLE, "MEDIA_UNREADABLE", "a media file cannot be read")                         \
    X(MEDIA_INVALID, "MEDIA_INVALID", "a media file is damaged or not of the expected kind")       \
    X(INVALID_SPEAKER, "INVALID_SPEAKER", "the voice-over speaker is not installed")               \
    X(TTS, "TTS_FAILED", "speech synthesis failed")                                                \
    X(FONT, "FONT_ERROR", "a font could not be loaded")                                            \
    X(ENCODE, "ENCODE_FAILED", "encoding the video failed")                                        \
    X(IO, "IO_ERROR", "a file could not be written")                                               \
    X(CANCELLED, "CANCELLED", "the render was cancelled")                                          \
    X(INTERNAL, "INTERNAL_ERROR", "internal error")                                                \
    X(NOT_FOUND, "NOT_FOUND", "not found")                                                         \
    X(UNAUTHORIZED, "UNAUTHORIZED", "unauthorized")                                                \
    X(DB, "DATABASE_ERROR", "the database failed")                                                 \
    X(TIMEOUT, "TIMEOUT", "the operation timed out")                                               \
    X(FETCH, "MEDIA_FETCH_FAILED", "a media URL could not be fetched")                             \
    X(FORBIDDEN, "MEDIA_FORBIDDEN", "the media location is not allowed")                           \
    X(WORKER, "WORKER_CRASHED", "the render worker died")                                          \
    X(BUSY, "SERVICE_BUSY", "the database is busy; try again shortly")

enum {
#define SR_X_ENUM(e, name, msg) SR_E_##e##_POS,
    SR_ERRORS(SR_X_ENUM)
#undef SR_X_ENUM
        SR_E__COUNT
};
#define SR_X_NEG(e, name, msg) SR_E##e = -SR_E_##e##_POS,
enum { SR_ERRORS(SR_X_NEG) };
#undef SR_X_NEG
/* SR_EOK == 0; SR_ENOMEM, SR_EINVALID_FIELD, ... are negative. */

typedef struct sr_err {
    int code;        /* 0 or a negative SR_E* */
    char field[160]; /* the field path (scenes[2].voiceOver.speed) or file name at fault, or "" */
    char msg[512];   /* one human sentence */
} sr_err;

/* The stable error_code string of code (SR_EMEDIA_NOT_FOUND -> "MEDIA_NOT_FOUND"). */
const char *sr_err_name(int code);
/* The default sentence for code. */
const char *sr_err_default_msg(int code);
/* The code whose name is name, or SR_EINTERNAL when unknown. */
int sr_err_from_name(const char *name);

/* Fill e (which may be NULL) and return code. Keeps the first error: a later
 * call on an e that already holds an error does nothing but return code. */
int sr_err_set(sr_err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void sr_err_clear(sr_err *e);
/* "error_code: message" in buf. */
const char *sr_err_line(const sr_err *e, char *buf, size_t n);

#endif
