/* dlopen of the libraries only some commands use, once each, with every function looked up
 * in all of the library's handles (a function may come from any of them). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "yuqing/dynlib.h"
#include "yuqing/error.h"

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

enum { MAX_HANDLES = 8 };

static int open_all(yq_dynlib *lib, void *handles[MAX_HANDLES]) {
    int n = 0;
    for (; lib->sonames[n]; n++) {
        if (n == MAX_HANDLES) {
            snprintf(lib->error, sizeof lib->error, "more than %d libraries in one set", MAX_HANDLES);
            return -1;
        }
        if (!(handles[n] = dlopen(lib->sonames[n], RTLD_NOW | RTLD_LOCAL))) {
            snprintf(lib->error, sizeof lib->error, "cannot load %s: %s", lib->sonames[n], dlerror());
            return -1;
        }
    }
    return n;
}

static void load(yq_dynlib *lib) {
    void *handles[MAX_HANDLES];
    int n_handles = open_all(lib, handles);
    if (n_handles < 0) return;
    char *slot = lib->functions;
    for (int i = 0; lib->names[i]; i++, slot += sizeof(void *)) {
        void *address = NULL;
        for (int h = 0; h < n_handles && !address; h++)
            address = dlsym(handles[h], lib->names[i]);
        if (!address) {
            snprintf(lib->error, sizeof lib->error, "no function %s in %s%s", lib->names[i], lib->sonames[0],
                     n_handles > 1 ? " and the libraries loaded with it" : "");
            return;
        }
        /* POSIX requires function pointers to have the representation of void *, as dlsym
         * returns them; the struct is one such pointer per name. */
        memcpy(slot, &address, sizeof address);
    }
    lib->state = 1;
}

int yq_dynlib_load(yq_dynlib *lib) {
    pthread_mutex_lock(&load_lock);
    if (lib->state == 0) {
        lib->state = -1;
        load(lib);
    }
    int state = lib->state;
    pthread_mutex_unlock(&load_lock);
    return state == 1 ? YQ_OK : yq_error(YQ_EUNSUPPORTED, "%s", lib->error);
}
