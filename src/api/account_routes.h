/* account_routes.h - account calls that Pictory clients make and that a
 * self-hosted server answers without metering: GET /v1/quota and GET
 * /v1/smartlayouts. Same calling shape as brand_routes.h (sr_res_fn). */
#ifndef SR_ACCOUNT_ROUTES_H
#define SR_ACCOUNT_ROUTES_H

#include "api/brand_routes.h"

/* Pictory's quota shape, {videoMinutes, transcriptionMinutes,
 * elevenLabsVoiceOverMinutes, aiCredits} each {used, limit}: nothing is
 * metered here, so used is 0 and limit SR_QUOTA_UNLIMITED; plus
 * "metered":false and "success":true. */
#define SR_QUOTA_UNLIMITED 2147483647
int sr_api_quota(const sr_res_req *q, json_t **out, sr_err *err);

/* {"items":[...]} of smartlayouts.h. */
int sr_api_smartlayouts(const sr_res_req *q, json_t **out, sr_err *err);

#endif
