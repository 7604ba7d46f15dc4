/* media.h - probing media files with libavformat: what a file holds, checked
 * before a render starts so that a bad file fails at once with its name. */
#ifndef SR_MEDIA_H
#define SR_MEDIA_H

#include "common/err.h"

enum sr_media_kind { SR_MEDIA_IMAGE = 1, SR_MEDIA_VIDEO = 2, SR_MEDIA_AUDIO = 4 };

typedef struct sr_media_info {
    int has_video, has_audio, is_image; /* is_image: a still (jpeg, png, webp, ...) */
    int width, height;
    double duration; /* seconds; 0 for a still */
} sr_media_info;

/* Opens path (a local file), reads its header, and decodes its first video
 * and/or audio frame to prove it is intact. expect is a mask of sr_media_kind:
 * the file must provide one of them (an image where an image or video is
 * expected, audio where audio is expected). field names the storyboard field
 * for the error. Returns 0 or SR_EMEDIA_NOT_FOUND / SR_EMEDIA_UNREADABLE /
 * SR_EMEDIA_INVALID with the file named. */
int sr_media_probe(const char *path, int expect, const char *field, sr_media_info *info, sr_err *err);

#endif
