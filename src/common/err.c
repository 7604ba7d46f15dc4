#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {
#define SR_X(e, name, msg) name,
    SR_ERRORS(SR_X)
#undef SR_X
};
static const char *const msgs[] = {
#define SR_X(e, name, msg) msg,
    SR_ERRORS(SR_X)
#undef SR_X
};

const char *sr_err_name(int code)
{
    int i = -code;
    if (i < 0 || i >= SR_E__COUNT) return "INTERNAL_ERROR";
    return names[i];
}

const char *sr_err_default_msg(int code)
{
    int i = -code;
    if (i < 0 || i >= SR_E__COUNT) return "internal error";
    return msgs[i];
}

int sr_err_from_name(const char *name)
{
    for (int i = 0; i < SR_E__COUNT; i++)
        if (name && strcmp(names[i], name) == 0) return -i;
    return SR_EINTERNAL;
}

int sr_err_set(sr_err *e, int code, const char *field, const char *fmt, ...)
{
    if (!e || e->code != 0) return code;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    } else {
        snprintf(e->msg, sizeof e->msg, "%s", sr_err_default_msg(code));
    }
    return code;
}

void sr_err_clear(sr_err *e)
{
    if (e) memset(e, 0, sizeof *e);
}

const char *sr_err_line(const sr_err *e, char *buf, size_t n)
{
    snprintf(buf, n, "%s: %s", sr_err_name(e->code), e->msg[0] ? e->msg : sr_err_default_msg(e->code));
    return buf;
}
