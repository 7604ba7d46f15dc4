/* shape_library.h - Pictory's featured shape names (badge-1..8, quote-1..6,
 * arrow-1..19, star-N, checkmark-1..6, cross-1..8, geometry-1..10,
 * doodle-1..12, blob-1..9, data-device-1..8, word-1..9, line-1..17,
 * speech-bubble-1..7, square-1..5, heart-1..3, thumbs-up, gift, leaves,
 * paperplane, idea-bulb) as generated outlines, for text_shape.c's table. */
#ifndef SR_SHAPE_LIBRARY_H
#define SR_SHAPE_LIBRARY_H

#include <stddef.h>

/* The outline of library shape name (case-insensitive) as an ASS drawing
 * path ("m x y l x y ...", sub-paths each starting with m) in a 0..100 box,
 * into path (n bytes), and its natural width:height into *aspect.
 * 0, or -1 when name is not a library shape (or path is too small). */
int tx_shape_library(const char *name, char *path, size_t n, double *aspect);

#endif
