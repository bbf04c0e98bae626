/* Internals shared by the HTTP layer's files (server, responses, streams). */
#ifndef YUQING_SERVER_HTTP_INTERNAL_H
#define YUQING_SERVER_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>

#include "yuqing/http.h"

struct yq_http_request {
    const char *method, *path;
    const char *body;
    size_t body_len;
    struct MHD_Connection *connection;
};

struct yq_http_response {
    int status;
    char content_type[64];
    char *body; /* complete responses */
    size_t len;
    yq_http_stream *stream; /* streamed responses */
};

struct yq_http_stream {
    pthread_mutex_t lock;
    char *buf;
    size_t len, cap;
    bool closed, gone, suspended, abort_called;
    int refs; /* the producer and the MHD response */
    struct MHD_Connection *connection;
    const char *heartbeat;
    double last_activity;
    void (*on_abort)(void *user);
    void *user;
    yq_http_server *server;
    yq_http_stream *next; /* in the server's list of live streams */
};

/* Turns a response into an MHD response for `connection` (registering its stream with the
 * server) and frees the yq_http_response. */
struct MHD_Response *yq_http_to_mhd(yq_http_server *server, struct MHD_Connection *connection,
                                    yq_http_response *response);

/* Sends heartbeats on idle streams (called periodically by the server). */
void yq_http_streams_tick(yq_http_server *server);

/* The server's list of live streams, under its lock. */
pthread_mutex_t *yq_http_streams_lock(yq_http_server *server);
yq_http_stream **yq_http_streams_head(yq_http_server *server);

double yq_http_now(void);

#endif
