/* libs: sr_render sr_common */
/* The audio feed (afeed.h) between the audio thread and the assembler:
 * packets in order with their parameters, the end and the producer's error
 * passed on, the lead bound on what the producer holds, and a closed feed
 * releasing a producer that waits for room. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <libavcodec/avcodec.h>

#include "render/afeed.h"

#define DUR 1024 /* samples per packet, as AAC */
#define RATE 48000

static AVCodecParameters *params(void)
{
    AVCodecParameters *p = avcodec_parameters_alloc();
    assert_non_null(p);
    p->codec_type = AVMEDIA_TYPE_AUDIO;
    p->codec_id = AV_CODEC_ID_AAC;
    p->sample_rate = RATE;
    p->bit_rate = 96000;
    return p;
}

/* A packet numbered i: its byte says which. */
static int put_one(sr_afeed *f, int i, sr_err *err)
{
    AVPacket *p = av_packet_alloc();
    assert_non_null(p);
    assert_int_equal(av_new_packet(p, 1), 0);
    p->data[0] = (uint8_t)i;
    p->pts = p->dts = (int64_t)i * DUR - DUR;
    p->duration = DUR;
    int rc = sr_afeed_put(f, p, err);
    av_packet_free(&p);
    return rc;
}

typedef struct producer {
    sr_afeed *f;
    int n, fail_with; /* packets to put, then sr_afeed_end(fail_with) */
    volatile int put; /* how many put returned */
    int rc;
} producer;

static void *produce(void *arg)
{
    producer *pr = arg;
    sr_err err = {0};
    AVCodecParameters *p = params();
    int rc = sr_afeed_start(pr->f, p, 1, RATE, &err);
    avcodec_parameters_free(&p);
    for (int i = 0; !rc && i < pr->n; i++) {
        rc = put_one(pr->f, i, &err);
        if (!rc) __atomic_store_n(&pr->put, i + 1, __ATOMIC_SEQ_CST);
    }
    pr->rc = rc;
    sr_afeed_end(pr->f, rc ? rc : pr->fail_with);
    return NULL;
}

/* Every packet comes in order, the producer never holds more than the lead
 * (half a second: 24000 samples, 23.4 packets) beyond what was taken, then the end. */
static void test_order_and_lead(void **state)
{
    (void)state;
    sr_afeed *f = NULL;
    sr_err err = {0};
    assert_int_equal(sr_afeed_create(&f, 0.5, &err), 0);
    producer pr = {.f = f, .n = 200};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, produce, &pr), 0);
    const AVCodecParameters *par = NULL;
    int num = 0, den = 0;
    assert_int_equal(sr_afeed_params(f, &par, &num, &den), 0);
    assert_int_equal(par->codec_id, AV_CODEC_ID_AAC);
    assert_int_equal(par->bit_rate, 96000);
    assert_int_equal(num, 1);
    assert_int_equal(den, RATE);
    AVPacket *pkt = av_packet_alloc();
    const int bound = RATE / 2 / DUR + 2; /* the lead, the packet over it, and the one being put */
    for (int i = 0; i < 200; i++) {
        if (i < 4) usleep(20000); /* give a producer that ignored the lead time to run ahead */
        int ahead = __atomic_load_n(&pr.put, __ATOMIC_SEQ_CST) - i;
        if (ahead > bound) fail_msg("the producer ran %d packets ahead (bound %d)", ahead, bound);
        assert_int_equal(sr_afeed_next(f, pkt), 0);
        assert_int_equal(pkt->size, 1);
        assert_int_equal(pkt->data[0], (uint8_t)i);
        assert_int_equal(pkt->pts, (int64_t)i * DUR - DUR);
        av_packet_unref(pkt);
    }
    assert_int_equal(sr_afeed_next(f, pkt), 1); /* the end, and it stays the end */
    assert_int_equal(sr_afeed_next(f, pkt), 1);
    pthread_join(th, NULL);
    assert_int_equal(pr.rc, 0);
    av_packet_free(&pkt);
    sr_afeed_destroy(f);
}

/* The producer's error reaches the consumer, before the parameters or after packets. */
static void test_producer_error(void **state)
{
    (void)state;
    sr_afeed *f = NULL;
    sr_err err = {0};
    const AVCodecParameters *par = NULL;
    int num, den;
    assert_int_equal(sr_afeed_create(&f, 10, &err), 0);
    sr_afeed_end(f, SR_EMEDIA_UNREADABLE); /* failed before its encoder was open */
    assert_int_equal(sr_afeed_params(f, &par, &num, &den), SR_EMEDIA_UNREADABLE);
    sr_afeed_destroy(f);

    assert_int_equal(sr_afeed_create(&f, 10, &err), 0);
    producer pr = {.f = f, .n = 3, .fail_with = SR_EIO};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, produce, &pr), 0);
    pthread_join(th, NULL);
    assert_int_equal(sr_afeed_params(f, &par, &num, &den), 0);
    AVPacket *pkt = av_packet_alloc();
    assert_int_equal(sr_afeed_next(f, pkt), SR_EIO); /* not a short stream taken for whole */
    av_packet_free(&pkt);
    sr_afeed_destroy(f);
}

/* A consumer that stops (the render failed) releases the producer waiting for room. */
static void test_close_releases_producer(void **state)
{
    (void)state;
    sr_afeed *f = NULL;
    sr_err err = {0};
    assert_int_equal(sr_afeed_create(&f, 0.1, &err), 0);
    producer pr = {.f = f, .n = 100000};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, produce, &pr), 0);
    const AVCodecParameters *par = NULL;
    int num, den;
    assert_int_equal(sr_afeed_params(f, &par, &num, &den), 0);
    AVPacket *pkt = av_packet_alloc();
    assert_int_equal(sr_afeed_next(f, pkt), 0);
    av_packet_free(&pkt);
    sr_afeed_close(f);
    pthread_join(th, NULL); /* returns: the producer is not left waiting */
    assert_int_equal(pr.rc, SR_ECANCELLED);
    assert_true(pr.put < 100000);
    sr_afeed_destroy(f); /* frees what was left queued */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_lead),
        cmocka_unit_test(test_producer_error),
        cmocka_unit_test(test_close_releases_producer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
