/* libs: sr_storage sr_common */
/* AWS Signature V4 against AWS's published vectors: cases of the
 * aws-sig-v4-test-suite (AKIDEXAMPLE, us-east-1, service "service",
 * 20150830T123600Z) step by step, and the presigned URL example of the S3
 * documentation (examplebucket/test.txt, 20130524T000000Z, 86400 s). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "storage/sigv4.h"

#define SUITE_DATE "20150830T123600Z"
#define EMPTY_HASH "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
static const sr_sigv4_creds suite_creds = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL};

typedef struct vector {
    const char *name;
    const char *method, *query;
    const char *headers[5];
    const char *body;
    const char *creq; /* NULL where the suite's file is not quoted here: only the signature is checked */
    const char *sts;
    const char *authz;
} vector;

static const vector vectors[] = {
    {"get-vanilla", "GET", "", {"Host:example.amazonaws.com", "X-Amz-Date:" SUITE_DATE}, "",
     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_HASH,
     "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
     "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-vanilla-query-order-key-case", "GET", "Param2=value2&Param1=value1",
     {"Host:example.amazonaws.com", "X-Amz-Date:" SUITE_DATE}, "",
     "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" EMPTY_HASH,
     NULL,
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get-vanilla-query-order-key", "GET", "Param1=value2&Param1=Value1",
     {"Host:example.amazonaws.com", "X-Amz-Date:" SUITE_DATE}, "",
     "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" EMPTY_HASH,
     "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
     "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
    {"get-header-value-trim", "GET", "",
     {"Host:example.amazonaws.com", "My-Header1: value1", "My-Header2: \"a   b   c\"", "X-Amz-Date:" SUITE_DATE}, "",
     "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
     "host;my-header1;my-header2;x-amz-date\n" EMPTY_HASH,
     NULL,
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
     "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"post-x-www-form-urlencoded", "POST", "",
     {"Content-Type:application/x-www-form-urlencoded", "Host:example.amazonaws.com", "X-Amz-Date:" SUITE_DATE},
     "Param1=value1",
     "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
     "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
     "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
     "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=content-type;host;x-amz-date, "
     "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
};

static void test_suite_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *v = &vectors[i];
        size_t nh = 0;
        while (nh < 5 && v->headers[nh]) nh++;
        char payload[65];
        sr_sigv4_sha256_hex(v->body, strlen(v->body), payload);
        sr_sigv4_request r = {v->method, "/", v->query, v->headers, nh, payload};

        /* step 1: the canonical request */
        sr_buf creq, sts, authz;
        sr_buf_init(&creq, 0);
        sr_buf_init(&sts, 0);
        sr_buf_init(&authz, 0);
        assert_int_equal(sr_sigv4_canonical_request(&r, &creq, NULL), 0);
        if (v->creq && strcmp(creq.p, v->creq) != 0) fail_msg("%s: canonical request\n%s", v->name, creq.p);
        /* step 2: the string to sign */
        char scope[128];
        sr_sigv4_scope(SUITE_DATE, "us-east-1", "service", scope, sizeof scope);
        assert_string_equal(scope, "20150830/us-east-1/service/aws4_request");
        assert_int_equal(sr_sigv4_string_to_sign(SUITE_DATE, scope, creq.p, &sts), 0);
        if (v->sts && strcmp(sts.p, v->sts) != 0) fail_msg("%s: string to sign\n%s", v->name, sts.p);
        /* steps 3 and 4: key and signature, as the Authorization header */
        assert_int_equal(sr_sigv4_authorization(&r, &suite_creds, SUITE_DATE, "us-east-1", "service", &authz), 0);
        if (strcmp(authz.p, v->authz) != 0) fail_msg("%s: authorization\n%s", v->name, authz.p);
        sr_buf_free(&creq);
        sr_buf_free(&sts);
        sr_buf_free(&authz);
    }
}

static void test_s3_presigned_example(void **state)
{
    (void)state;
    const sr_sigv4_creds c = {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL};
    /* the documented canonical request and its hash */
    const char *creq_want = "GET\n/test.txt\n"
                            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
                            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
                            "X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD";
    const char *headers[] = {"host:examplebucket.s3.amazonaws.com"};
    sr_sigv4_request r = {"GET", "/test.txt",
                          "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
                          "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
                          "X-Amz-SignedHeaders=host",
                          headers, 1, "UNSIGNED-PAYLOAD"};
    sr_buf creq, sts, q;
    sr_buf_init(&creq, 0);
    sr_buf_init(&sts, 0);
    sr_buf_init(&q, 0);
    assert_int_equal(sr_sigv4_canonical_request(&r, &creq, NULL), 0);
    assert_string_equal(creq.p, creq_want);
    char hash[65];
    sr_sigv4_sha256_hex(creq.p, creq.len, hash);
    assert_string_equal(hash, "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
    const char *scope = "20130524/us-east-1/s3/aws4_request";
    assert_int_equal(sr_sigv4_string_to_sign("20130524T000000Z", scope, creq.p, &sts), 0);
    uint8_t key[32];
    sr_sigv4_signing_key(c.secret_key, "20130524T000000Z", "us-east-1", "s3", key);
    char sig[65];
    sr_sigv4_signature(key, sts.p, sig);
    assert_string_equal(sig, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");

    /* the whole presigned query in one call */
    assert_int_equal(sr_sigv4_presign_query(&c, "GET", "examplebucket.s3.amazonaws.com", "/test.txt",
                                            "20130524T000000Z", 86400, "us-east-1", "s3", &q),
                     0);
    assert_string_equal(q.p, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
                             "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
                             "X-Amz-SignedHeaders=host&X-Amz-Signature="
                             "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    /* a session token is a signed parameter: present, and it changes the signature */
    sr_buf t;
    sr_buf_init(&t, 0);
    const sr_sigv4_creds ct = {c.access_key, c.secret_key, "tok/en+="};
    assert_int_equal(sr_sigv4_presign_query(&ct, "GET", "examplebucket.s3.amazonaws.com", "/test.txt",
                                            "20130524T000000Z", 86400, "us-east-1", "s3", &t),
                     0);
    assert_non_null(strstr(t.p, "&X-Amz-Security-Token=tok%2Fen%2B%3D&X-Amz-SignedHeaders=host&"));
    assert_null(strstr(t.p, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"));
    sr_buf_free(&creq);
    sr_buf_free(&sts);
    sr_buf_free(&q);
    sr_buf_free(&t);
}

static void test_encoding(void **state)
{
    (void)state;
    sr_buf b;
    sr_buf_init(&b, 0);
    const char *s = "a b/\xc3\xbc~-_.!*'()";
    sr_sigv4_uri_encode(&b, s, strlen(s), 1);
    sr_buf_append(&b, "|", 1);
    sr_sigv4_uri_encode(&b, "a/b", 3, 0);
    assert_string_equal(b.p, "a%20b/%C3%BC~-_.%21%2A%27%28%29|a%2Fb");
    sr_buf_free(&b);
    /* a query is decoded then encoded: both spellings sign alike; bare names get '=' */
    sr_buf q1, q2;
    sr_buf_init(&q1, 0);
    sr_buf_init(&q2, 0);
    assert_int_equal(sr_sigv4_canonical_query("uploads&b=a%20b&a=x/y", &q1), 0);
    assert_int_equal(sr_sigv4_canonical_query("a=x%2Fy&&b=a b&uploads=", &q2), 0);
    assert_string_equal(q1.p, "a=x%2Fy&b=a%20b&uploads=");
    assert_string_equal(q2.p, q1.p);
    sr_buf_free(&q1);
    sr_buf_free(&q2);
    /* a header without ':' is refused */
    const char *bad[] = {"Host example"};
    sr_sigv4_request r = {"GET", "/", "", bad, 1, EMPTY_HASH};
    sr_buf c;
    sr_buf_init(&c, 0);
    assert_int_equal(sr_sigv4_canonical_request(&r, &c, NULL), -1);
    sr_buf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_vectors),
        cmocka_unit_test(test_s3_presigned_example),
        cmocka_unit_test(test_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
