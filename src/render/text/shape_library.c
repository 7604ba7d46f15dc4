/* shape_library.c - Pictory's shape library (shape_library.h): the featured
 * shapes of its catalogue (badge-N, quote-N, arrow-N, star-N, checkmark-N,
 * cross-N, geometry-N, doodle-N, blob-N, data-device-N, word-N, line-N,
 * speech-bubble-N, square-N, heart-N, and thumbs-up, gift, leaves,
 * paperplane, idea-bulb) drawn from a few base outlines per family, each
 * number a variant of its family's outline (direction, thickness, points,
 * phase). Pictory's own artwork is not reproduced; every name draws a
 * recognisable shape of its family in the element's fill.
 *
 * A generator builds sub-paths of points in any units (y down); the result
 * is fitted into the 0..100 box of text_shape.c's paths, and its aspect is
 * the points' bounding box. */
#include "render/text/shape_library.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXP 240 /* points of one shape */
#define MAXSUB 12

typedef struct pb {
    double x[MAXP], y[MAXP];
    int n;
    int start[MAXSUB + 1];
    int nsub;
} pb;

static void move_to(pb *p, double x, double y)
{
    if (p->nsub >= MAXSUB || p->n >= MAXP) return;
    p->start[p->nsub++] = p->n;
    p->x[p->n] = x, p->y[p->n++] = y;
}

static void line_to(pb *p, double x, double y)
{
    if (!p->nsub || p->n >= MAXP) return;
    p->x[p->n] = x, p->y[p->n++] = y;
}

/* A closed polygon of n points (xs, ys). */
static void poly(pb *p, const double *xy, int n)
{
    for (int i = 0; i < n; i++)
        (i ? line_to : move_to)(p, xy[2 * i], xy[2 * i + 1]);
}

/* An ellipse of seg points; reverse: the other winding (a hole). */
static void ellipse(pb *p, double cx, double cy, double rx, double ry, int seg, int reverse)
{
    for (int i = 0; i < seg; i++) {
        double a = 2 * M_PI * (reverse ? seg - i : i) / seg;
        (i ? line_to : move_to)(p, cx + rx * cos(a), cy + ry * sin(a));
    }
}

static void rect(pb *p, double x0, double y0, double x1, double y1)
{
    double xy[] = {x0, y0, x1, y0, x1, y1, x0, y1};
    poly(p, xy, 4);
}

/* Rotates every point by deg about the origin. */
static void rotate(pb *p, double deg)
{
    double a = deg * M_PI / 180, c = cos(a), s = sin(a);
    for (int i = 0; i < p->n; i++) {
        double x = p->x[i], y = p->y[i];
        p->x[i] = x * c - y * s;
        p->y[i] = x * s + y * c;
    }
}

/* A star or polygon outline: n outer points, inner radius ratio (1: polygon). */
static void star(pb *p, int n, double inner, double phase_deg)
{
    int m = inner < 1 ? 2 * n : n;
    for (int i = 0; i < m && i < MAXP; i++) {
        double a = -M_PI / 2 + phase_deg * M_PI / 180 + 2 * M_PI * i / m;
        double r = inner < 1 && i % 2 ? inner : 1;
        (i ? line_to : move_to)(p, r * cos(a), r * sin(a));
    }
}

/* A band of thickness t along y = f(x) for x in 0..len (k samples). */
static void band(pb *p, double len, double t, int k, double (*f)(double x, double a, double b),
                 double a, double b)
{
    for (int i = 0; i <= k; i++) {
        double x = len * i / k;
        (i ? line_to : move_to)(p, x, f(x, a, b) - t / 2);
    }
    for (int i = k; i >= 0; i--) {
        double x = len * i / k;
        line_to(p, x, f(x, a, b) + t / 2);
    }
}

static double f_sine(double x, double amp, double freq)
{
    return amp * sin(x * freq);
}
static double f_zigzag(double x, double amp, double freq)
{
    double ph = fmod(x * freq / (2 * M_PI), 1.0);
    return amp * (ph < 0.5 ? 4 * ph - 1 : 3 - 4 * ph);
}
static double f_flat(double x, double a, double b)
{
    (void)x, (void)a, (void)b;
    return 0;
}

/* --- families ------------------------------------------------------------ */

/* A block arrow pointing right (head h of the length, shaft thickness t). */
static void block_arrow(pb *p, double head, double t)
{
    double xy[] = {0,  50 - t / 2, 100 - head, 50 - t / 2, 100 - head, 0, 100,
                   50, 100 - head, 100,        100 - head, 50 + t / 2, 0, 50 + t / 2};
    poly(p, xy, 7);
}

static int g_arrow(int n, pb *p)
{
    static const double dirs[8] = {0, 180, 270, 90, 45, 135, 225, 315};
    if (n >= 5 && n <= 12) { /* a broad block arrow in eight directions */
        block_arrow(p, 45, 30);
        for (int i = 0; i < p->n; i++)
            p->x[i] -= 50, p->y[i] -= 50;
        rotate(p, dirs[n - 5]);
    } else if (n == 13 || n == 14) { /* a chevron */
        double xy[] = {0, 0, 35, 0, 100, 50, 35, 100, 0, 100, 65, 50};
        poly(p, xy, 6);
        if (n == 14) rotate(p, 180);
    } else if (n == 15) { /* a double chevron */
        for (int k = 0; k < 2; k++) {
            double o = k * 60;
            double xy[] = {o, 0, o + 30, 0, o + 80, 50, o + 30, 100, o, 100, o + 50, 50};
            poly(p, xy, 6);
        }
    } else if (n == 16) { /* a curved arrow: an arc band with a head */
        for (int i = 0; i <= 16; i++) {
            double a = M_PI + M_PI * i / 16 * 0.8;
            (i ? line_to : move_to)(p, 60 * cos(a), 60 * sin(a));
        }
        double ex = 60 * cos(M_PI * 1.8), ey = 60 * sin(M_PI * 1.8);
        line_to(p, ex + 22, ey - 5);
        line_to(p, ex + 8, ey + 38);
        line_to(p, ex - 22, ey + 10);
        line_to(p, ex - 8, ey + 4);
        for (int i = 16; i >= 0; i--) {
            double a = M_PI + M_PI * i / 16 * 0.8;
            line_to(p, 42 * cos(a), 42 * sin(a));
        }
    } else if (n == 17) { /* a long thin arrow */
        double xy[] = {0, 46, 85, 46, 85, 35, 100, 50, 85, 65, 85, 54, 0, 54};
        poly(p, xy, 7);
    } else if (n == 18 || n == 19) { /* double-headed */
        double xy[] = {0,   50, 20, 25, 20, 40, 80, 40, 80, 25,
                       100, 50, 80, 75, 80, 60, 20, 60, 20, 75};
        poly(p, xy, 10);
        if (n == 19) rotate(p, 90);
    } else {
        return -1;
    }
    return 0;
}

/* Quotation marks: two (or one, 5-6) commas of a disc and a tail; even
 * numbers open, odd close; 3-4 square blocks. */
static int g_quote(int n, pb *p)
{
    if (n < 1 || n > 6) return -1;
    int marks = n <= 4 ? 2 : 1;
    for (int k = 0; k < marks; k++) {
        double o = k * 55;
        if (n == 3 || n == 4) {
            double xy[] = {o, 0, o + 40, 0, o + 40, 45, o + 20, 90, o + 8, 90, o + 18, 45, o, 45};
            poly(p, xy, 7);
        } else {
            ellipse(p, o + 20, 22, 20, 20, 24, 0);
            double xy[] = {o + 40, 24, o + 34, 60, o + 12, 88, o + 8, 82, o + 22, 58, o + 20, 42};
            poly(p, xy, 6);
        }
    }
    if (n % 2 == 0) rotate(p, 180);
    return 0;
}

static int g_badge(int n, pb *p)
{
    static const struct {
        int points;
        double inner;
    } v[] = {{12, 0.88}, {20, 0.90}, {24, 0.92}, {10, 0.80}, {32, 0.94}, {8, 0.924}};
    if (n < 3 || n > 8) return -1;
    star(p, v[n - 3].points, v[n - 3].inner, 0);
    if (n == 5 || n == 7) ellipse(p, 0, 0, 0.7, 0.7, 32, 1); /* a rosette with a hole */
    if (n == 5 || n == 7) ellipse(p, 0, 0, 0.6, 0.6, 32, 0);
    return 0;
}

static int g_star(int n, pb *p)
{
    static const struct {
        int points;
        double inner;
    } v[] = {{5, 0.5}, {5, 0.3}, {7, 0.45}, {0, 0}, {0, 0}, {0, 0}, {12, 0.6}, {0, 0}};
    if (n < 1 || n > 8 || !v[n - 1].points) return -1;
    star(p, v[n - 1].points, v[n - 1].inner, 0);
    return 0;
}

static int g_check(int n, pb *p)
{
    if (n < 2 || n > 6) return -1;
    double t = n == 3 ? 0.6 : n == 4 ? 1.4 : 1.0; /* stroke thickness */
    double xy[] = {0,  55, 15 * t,      55 - 15 * t, 38, 62 - 22 * (t - 1),
                   85, 8,  85 + 15 * t, 8 + 14 * t,  38, 78 + 14 * t};
    if (n == 5) { /* in a ring */
        ellipse(p, 50, 50, 62, 62, 40, 0);
        ellipse(p, 50, 50, 52, 52, 40, 1);
    }
    if (n == 6) { /* cut out of a disc: the check's points in the other winding */
        ellipse(p, 50, 50, 62, 62, 40, 0);
        for (int i = 5; i >= 0; i--)
            (i == 5 ? move_to : line_to)(p, 20 + 0.6 * xy[2 * i], 22 + 0.6 * xy[2 * i + 1]);
        return 0;
    }
    poly(p, xy, 6);
    if (n == 2) rotate(p, -10);
    return 0;
}

static int g_cross(int n, pb *p)
{
    if (n < 1 || n > 8) return -1;
    double t = (n - 1) % 4 * 8 + 18; /* arm half-width of a 100 box */
    double xy[] = {-t, -50, t,  -50, t,  -t, 50,  -t, 50,  t,  t,  t,
                   t,  50,  -t, 50,  -t, t,  -50, t,  -50, -t, -t, -t};
    poly(p, xy, 12);
    if (n > 4) rotate(p, 45);
    return 0;
}

static int g_geometry(int n, pb *p)
{
    static const int sides[] = {3, 4, 5, 6, 8, 7, 0, 0, 0, 0};
    if (n < 1 || n > 10) return -1;
    if (sides[n - 1]) {
        star(p, sides[n - 1], 1, n == 2 ? 0 : 0);
    } else if (n == 7) { /* parallelogram */
        double xy[] = {25, 0, 100, 0, 75, 60, 0, 60};
        poly(p, xy, 4);
    } else if (n == 8) { /* trapezoid */
        double xy[] = {25, 0, 75, 0, 100, 60, 0, 60};
        poly(p, xy, 4);
    } else if (n == 9) { /* half disc */
        for (int i = 0; i <= 24; i++)
            (i ? line_to : move_to)(p, 50 * cos(M_PI * i / 24), -50 * sin(M_PI * i / 24));
    } else { /* ring */
        ellipse(p, 0, 0, 50, 50, 40, 0);
        ellipse(p, 0, 0, 32, 32, 40, 1);
    }
    return 0;
}

static int g_doodle(int n, pb *p)
{
    if (n < 1 || n > 12) return -1;
    int waves = 2 + n % 4;
    double amp = 8 + (n % 3) * 5, t = 5 + (n % 2) * 3;
    if (n <= 4)
        band(p, 100, t, 48, f_sine, amp, waves * 2 * M_PI / 100);
    else if (n <= 8)
        band(p, 100, t, 4 * waves, f_zigzag, amp, waves * 2 * M_PI / 100);
    else { /* a loose spiral of a band */
        int k = 60;
        double turns = 1.5 + (n - 9) * 0.5;
        for (int i = 0; i <= k; i++) {
            double a = turns * 2 * M_PI * i / k, r = 6 + 40 * i / k;
            (i ? line_to : move_to)(p, r * cos(a), r * sin(a));
        }
        for (int i = k; i >= 0; i--) {
            double a = turns * 2 * M_PI * i / k, r = 6 + 40 * i / k + t;
            line_to(p, r * cos(a), r * sin(a));
        }
    }
    return 0;
}

static int g_blob(int n, pb *p)
{
    if (n < 1 || n > 9) return -1;
    int k1 = 2 + n % 3, k2 = 3 + n % 4;
    double a1 = 0.10 + 0.03 * (n % 3), a2 = 0.06 + 0.02 * (n % 2), p1 = n * 0.9, p2 = n * 2.3;
    for (int i = 0; i < 72; i++) {
        double th = 2 * M_PI * i / 72;
        double r = 1 + a1 * sin(k1 * th + p1) + a2 * sin(k2 * th + p2);
        (i ? line_to : move_to)(p, r * cos(th), r * sin(th));
    }
    return 0;
}

static int g_data(int n, pb *p)
{
    if (n < 1 || n > 8) return -1;
    if (n <= 3) { /* a bar chart */
        int bars = 3 + n;
        for (int i = 0; i < bars; i++) {
            double h = 30 + 60 * fabs(sin(i * 1.7 + n));
            rect(p, i * 20, 100 - h, i * 20 + 14, 100);
        }
    } else if (n == 4) { /* a pie with a slice out */
        move_to(p, 0, 0);
        for (int i = 0; i <= 30; i++) {
            double a = 0.5 + (2 * M_PI - 1.2) * i / 30;
            line_to(p, 50 * cos(a), 50 * sin(a));
        }
        double xy[] = {8, -4, 58, -10, 55, -36};
        poly(p, xy, 3);  /* the slice, pulled out */
    } else if (n == 5) { /* a donut */
        ellipse(p, 0, 0, 50, 50, 40, 0);
        ellipse(p, 0, 0, 28, 28, 40, 1);
    } else if (n == 6) { /* a line chart */
        static const double ys[] = {80, 55, 65, 30, 45, 10};
        for (int i = 0; i < 6; i++)
            (i ? line_to : move_to)(p, i * 20, ys[i] - 5);
        for (int i = 5; i >= 0; i--)
            line_to(p, i * 20, ys[i] + 5);
    } else if (n == 7) { /* a screen */
        rect(p, 0, 0, 100, 62);
        rect(p, 44, 62, 56, 74);
        rect(p, 28, 74, 72, 80);
    } else { /* a phone */
        double xy[] = {0, 6, 6, 0, 44, 0, 50, 6, 50, 94, 44, 100, 6, 100, 0, 94};
        poly(p, xy, 8);
    }
    return 0;
}

static int g_word(int n, pb *p)
{
    if (n < 1 || n > 9) return -1;
    if (n <= 3) { /* a ribbon banner with notched ends */
        double d = 8 + n * 4;
        double xy[] = {0, 0, 100, 0, 100 - d, 15, 100, 30, 0, 30, d, 15};
        poly(p, xy, 6);
    } else if (n <= 6) { /* a tag */
        double xy[] = {0, 0, 80, 0, 100, 20, 80, 40, 0, 40};
        poly(p, xy, 5);
        if (n == 5) rotate(p, 180);
        if (n == 6) ellipse(p, 78, 20, 5, 5, 16, 1);
    } else { /* a burst sticker */
        star(p, 16 + (n - 7) * 4, 0.82, 0);
    }
    return 0;
}

static int g_line(int n, pb *p)
{
    if (n < 1 || n > 17) return -1;
    double t = n <= 4 ? 3 + n * 2 : 5;
    if (n <= 4)
        band(p, 300, t, 1, f_flat, 0, 0); /* straight, four weights */
    else if (n <= 7) {                    /* dashed */
        int k = 4 + (n - 5) * 3;
        for (int i = 0; i < k; i++)
            rect(p, i * 300.0 / k, 0, i * 300.0 / k + 300.0 / k * 0.6, t);
    } else if (n <= 9) { /* dotted */
        for (int i = 0; i < 8; i++)
            ellipse(p, i * 40 + 6, 6, 6, 6, 12, 0);
    } else if (n <= 12) /* wavy */
        band(p, 300, 4, 48, f_sine, 6 + (n - 10) * 3, 2 * M_PI * (3 + n - 10) / 300);
    else if (n == 13) { /* double */
        rect(p, 0, 0, 300, 4);
        rect(p, 0, 10, 300, 14);
    } else if (n == 14 || n == 15) { /* with an arrowhead (15: both ends) */
        double xy[] = {n == 15 ? 14 : 0, 8, 286, 8, 286, 0, 300, 10, 286, 20, 286, 12,
                       n == 15 ? 14 : 0, 12};
        poly(p, xy, 7);
        if (n == 15) {
            double h[] = {14, 0, 0, 10, 14, 20};
            poly(p, h, 3);
        }
    } else { /* rounded ends (16), zigzag (17) */
        if (n == 16) {
            rect(p, 5, 0, 295, 10);
            ellipse(p, 5, 5, 5, 5, 12, 0);
            ellipse(p, 295, 5, 5, 5, 12, 0);
        } else {
            band(p, 300, 4, 24, f_zigzag, 8, 2 * M_PI * 6 / 300);
        }
    }
    return 0;
}

static int g_bubble(int n, pb *p)
{
    if (n < 1 || n > 7) return -1;
    if (n <= 3) { /* a rounded rectangle with a tail left, centre or right */
        double tx = n == 1 ? 20 : n == 2 ? 45 : 70;
        double xy[] = {10, 0,  90, 0,      100, 10, 100, 50, 90, 60, tx + 15,
                       60, tx, 80, tx + 2, 60,  10, 60,  0,  50, 0,  10};
        poly(p, xy, 11);
    } else if (n <= 5) { /* an oval with a tail */
        int seg = 40;
        for (int i = 0; i < seg; i++) {
            double a = 2 * M_PI * i / seg;
            (i ? line_to : move_to)(p, 50 + 50 * cos(a), 30 + 30 * sin(a));
            if (i == (n == 4 ? 12 : 7))
                line_to(p, n == 4 ? 15 : 85, 80); /* the tail, below left or right */
        }
    } else { /* a thought bubble (6), a shout (7) */
        if (n == 6) {
            ellipse(p, 50, 30, 50, 30, 40, 0);
            ellipse(p, 22, 70, 9, 7, 16, 0);
            ellipse(p, 10, 86, 5, 4, 12, 0);
        } else {
            star(p, 14, 0.78, 0);
        }
    }
    return 0;
}

static int g_square(int n, pb *p)
{
    if (n < 1 || n > 5) return -1;
    if (n == 5) {
        star(p, 4, 1, 45); /* a diamond */
        return 0;
    }
    double e = n == 1 ? 2.5 : n == 2 ? 4 : n == 3 ? 8 : 20; /* superellipse exponent */
    for (int i = 0; i < 64; i++) {
        double a = 2 * M_PI * i / 64, c = cos(a), s = sin(a);
        double x = copysign(pow(fabs(c), 2 / e), c), y = copysign(pow(fabs(s), 2 / e), s);
        (i ? line_to : move_to)(p, x, y);
    }
    return 0;
}

static int g_heart(int n, pb *p)
{
    if (n < 1 || n > 3) return -1;
    for (int i = 0; i < 64; i++) {
        double t = 2 * M_PI * i / 64, s = sin(t);
        double x = 16 * s * s * s,
               y = -(13 * cos(t) - 5 * cos(2 * t) - 2 * cos(3 * t) - cos(4 * t));
        (i ? line_to : move_to)(p, x * (n == 2 ? 1.25 : 1), y);
    }
    if (n == 3) rotate(p, -15);
    return 0;
}

static int g_named(const char *name, pb *p)
{
    if (!strcasecmp(name, "thumbs-up")) {
        double xy[] = {0, 45, 22, 45, 22, 100, 0, 100};
        poly(p, xy, 4);
        double h[] = {28, 45, 48, 0,  58, 2,  60, 12, 54, 40, 92,  40, 100,
                      48, 96, 58, 98, 66, 93, 76, 94, 86, 86, 100, 28, 100};
        poly(p, h, 13);
    } else if (!strcasecmp(name, "gift")) {
        rect(p, 0, 30, 100, 50);
        rect(p, 6, 50, 94, 100);
        double bow[] = {50, 30, 25, 5, 40, 2, 50, 22, 60, 2, 75, 5};
        poly(p, bow, 6);
    } else if (!strcasecmp(name, "leaves")) {
        for (int k = 0; k < 3; k++) {
            double a0 = (-60 + 60 * k) * M_PI / 180;
            int seg = 20;
            for (int i = 0; i <= seg; i++) { /* a lens-shaped leaf along direction a0 */
                double u = (double)i / seg, w = 18 * sin(M_PI * u);
                double x = 60 * u, y = -w;
                (i ? line_to : move_to)(p, x * cos(a0) - y * sin(a0) + 50,
                                        x * sin(a0) + y * cos(a0) + 70);
            }
            for (int i = seg; i >= 0; i--) {
                double u = (double)i / seg, w = 18 * sin(M_PI * u);
                double x = 60 * u, y = w;
                line_to(p, x * cos(a0) - y * sin(a0) + 50, x * sin(a0) + y * cos(a0) + 70);
            }
        }
        rotate(p, -90);
    } else if (!strcasecmp(name, "paperplane")) {
        double xy[] = {0, 45, 100, 0, 70, 100, 48, 62, 85, 12, 40, 55};
        poly(p, xy, 6);
    } else if (!strcasecmp(name, "idea-bulb")) {
        for (int i = 0; i <= 30; i++) { /* the glass: a circle open at the bottom */
            double a = (120 + 300.0 * i / 30) * M_PI / 180;
            (i ? line_to : move_to)(p, 50 + 40 * cos(a), 40 + 40 * sin(a));
        }
        line_to(p, 66, 80);
        line_to(p, 34, 80);
        rect(p, 34, 84, 66, 92);
        rect(p, 40, 95, 60, 100);
    } else {
        return -1;
    }
    return 0;
}

static const struct {
    const char *prefix;
    int (*gen)(int n, pb *p);
} families[] = {
    {"arrow-", g_arrow},
    {"quote-", g_quote},
    {"badge-", g_badge},
    {"star-", g_star},
    {"checkmark-", g_check},
    {"cross-", g_cross},
    {"geometry-", g_geometry},
    {"doodle-", g_doodle},
    {"blob-", g_blob},
    {"data-device-", g_data},
    {"word-", g_word},
    {"line-", g_line},
    {"speech-bubble-", g_bubble},
    {"square-", g_square},
    {"heart-", g_heart},
};

int tx_shape_library(const char *name, char *path, size_t n, double *aspect)
{
    pb *p = calloc(1, sizeof *p);
    int rc = -1;
    if (!p || !name) goto done;
    for (size_t i = 0; rc && i < sizeof families / sizeof families[0]; i++) {
        size_t l = strlen(families[i].prefix);
        if (strncasecmp(name, families[i].prefix, l)) continue;
        char *end;
        long k = strtol(name + l, &end, 10);
        if (end == name + l || *end || k < 1 || k > 99) continue;
        memset(p, 0, sizeof *p);
        rc = families[i].gen((int)k, p);
    }
    if (rc) rc = g_named(name, p);
    if (rc || p->n < 3) {
        rc = -1;
        goto done;
    }
    /* fit into the 0..100 box */
    double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
    for (int i = 0; i < p->n; i++)
        x0 = fmin(x0, p->x[i]), x1 = fmax(x1, p->x[i]), y0 = fmin(y0, p->y[i]),
        y1 = fmax(y1, p->y[i]);
    if (!(x1 > x0) || !(y1 > y0)) {
        rc = -1;
        goto done;
    }
    *aspect = (x1 - x0) / (y1 - y0);
    p->start[p->nsub] = p->n;
    size_t o = 0;
    for (int s = 0; s < p->nsub && o < n; s++)
        for (int i = p->start[s]; i < p->start[s + 1] && o < n; i++) {
            int w = snprintf(path + o, n - o, "%s%s %.1f %.1f", o ? " " : "",
                             i == p->start[s] ? "m" : "l", (p->x[i] - x0) / (x1 - x0) * 100,
                             (p->y[i] - y0) / (y1 - y0) * 100);
            if (w < 0 || (size_t)w >= n - o) {
                rc = -1;
                goto done;
            }
            o += (size_t)w;
        }
done:
    free(p);
    return rc;
}
