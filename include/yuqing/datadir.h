/* Runtime data (sentiment model, report templates, Chart.js, the demo site) is found relative
 * to the executable or the install prefix, never relative to the working directory. */
#ifndef YUQING_DATADIR_H
#define YUQING_DATADIR_H

#include <stddef.h>

/* Finds `relative` (e.g. "sentiment/model.bin") and writes its full path into `out`. Looks in,
 * in order: $YUQING_DATA_DIR; the source tree's data/ when the executable runs from a build
 * folder (EXE_DIR/../data); EXE_DIR/../share/yuqing (an installed prefix); the configured
 * install prefix's share/yuqing. Errors: YQ_ENOENT naming `relative` and the places searched. */
int yq_data_path(const char *relative, char *out, size_t out_size);

#endif
