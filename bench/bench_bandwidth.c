/* Prints this machine's read bandwidth (median of 7 passes over 1 GiB) for each thread count
 * given on the command line, as "THREADS BYTES_PER_SECOND" lines (used by bench/vs-llamacpp.sh). */
#include <stdio.h>
#include <stdlib.h>

#include "yuqing/bandwidth.h"
#include "yuqing/threads.h"

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        yq_threads_init(atoi(argv[i]));
        printf("%s %.6e\n", argv[i], yq_read_bandwidth((size_t)1 << 30, 7));
        fflush(stdout);
    }
    yq_threads_shutdown();
    return 0;
}
