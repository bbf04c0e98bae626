/* yq_dynlib: functions of a library found at run time are the library's own (zlib's, which the
 * test also links, so the address is known), and a missing library or function is an error that
 * names it, reported again on every call. */
#include <string.h>
#include <zlib.h>

#include "testutil.h"
#include "yuqing/dynlib.h"
#include "yuqing/error.h"

#define ZLIB_FUNCTIONS(X) X(zlibVersion) X(crc32)

static void test_found(void) {
    struct {
        ZLIB_FUNCTIONS(YQ_DYNLIB_POINTER)
    } z = {0};
    yq_dynlib lib = {.sonames = (const char *const[]){"libz.so.1", NULL},
                     .names = (const char *const[]){ZLIB_FUNCTIONS(YQ_DYNLIB_NAME) NULL},
                     .functions = &z};
    CHECK(yq_dynlib_load(&lib) == YQ_OK);
    CHECK(z.zlibVersion == zlibVersion && z.crc32 == crc32);
    /* CRC-32 of "123456789" is 0xCBF43926 (the check value of the CRC catalogue). */
    CHECK(z.crc32 && z.crc32(0, (const Bytef *)"123456789", 9) == 0xCBF43926u);
    CHECK(yq_dynlib_load(&lib) == YQ_OK);
}

static void test_missing(void) {
    void *slot[1] = {0};
    yq_dynlib no_lib = {.sonames = (const char *const[]){"libyuqing-no-such-library.so.0", NULL},
                        .names = (const char *const[]){"anything", NULL},
                        .functions = slot};
    for (int i = 0; i < 2; i++) {
        CHECK(yq_dynlib_load(&no_lib) == YQ_EUNSUPPORTED);
        CHECKF(strstr(yq_last_error(), "cannot load libyuqing-no-such-library.so.0"), "%s", yq_last_error());
    }
    yq_dynlib no_function = {.sonames = (const char *const[]){"libz.so.1", NULL},
                             .names = (const char *const[]){"zlibVersion", "no_such_function", NULL},
                             .functions = (void *[2]){0}};
    CHECK(yq_dynlib_load(&no_function) == YQ_EUNSUPPORTED);
    CHECKF(strstr(yq_last_error(), "no function no_such_function in libz.so.1"), "%s", yq_last_error());
}

int main(void) {
    test_found();
    test_missing();
    return test_summary("test_dynlib");
}
