/* account_routes.c - quota and smart layouts (account_routes.h). */
#include "api/account_routes.h"

#include "compiler/smartlayouts.h"

int sr_api_quota(const sr_res_req *q, json_t **out, sr_err *err)
{
    (void)q;
    static const char *const kinds[] = {"videoMinutes", "transcriptionMinutes",
                                        "elevenLabsVoiceOverMinutes", "aiCredits"};
    json_t *o = json_pack("{s:b,s:b}", "success", 1, "metered", 0);
    for (size_t i = 0; o && i < sizeof kinds / sizeof kinds[0]; i++)
        if (json_object_set_new(o, kinds[i],
                                json_pack("{s:i,s:i}", "used", 0, "limit", SR_QUOTA_UNLIMITED))) {
            json_decref(o);
            o = NULL;
        }
    *out = o;
    return o ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}

int sr_api_smartlayouts(const sr_res_req *q, json_t **out, sr_err *err)
{
    (void)q;
    *out = sr_smartlayouts_list();
    return *out ? 0 : sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
}
