/* Server metrics in Prometheus text format: request counts by status, token counters, latency
 * histograms (time to first token, inter-token, end to end), and the engine's gauges. */
#ifndef YUQING_SERVER_METRICS_H
#define YUQING_SERVER_METRICS_H

#include <stddef.h>

#include "yuqing/engine.h"

typedef struct yq_metrics yq_metrics;

typedef enum { YQ_HIST_TTFT, YQ_HIST_ITL, YQ_HIST_E2E, YQ_HIST_COUNT } yq_histogram;

int yq_metrics_new(yq_metrics **out);
void yq_metrics_free(yq_metrics *m);
void yq_metrics_count_request(yq_metrics *m, int status);
void yq_metrics_observe(yq_metrics *m, yq_histogram h, double seconds);
/* Renders everything, with the engine's current gauges, into a malloc'd string. */
char *yq_metrics_render(yq_metrics *m, const yq_engine_stats *engine);

#endif
